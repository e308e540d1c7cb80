"""`registered` with a bulk send's batches: beyond SQLite's parameter limit, and identifiers
that need quoting when they travel as one array (PostgreSQL)."""

import pytest

from lifegate.registries.embedded import EmbeddedPopulationRegister
from lifegate.registries.models import RegisteredPerson
from lifegate.registries.personas import DemoPersona

pytestmark = pytest.mark.django_db


def test_a_batch_of_thousands_answers_for_every_identifier(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    resident = personas["parent"].subject.value
    unknown = [f"8{n:08d}" for n in range(6000)]

    found = embedded_register.registered([*unknown[:3000], resident, *unknown[3000:]], ())

    assert found == {resident}


@pytest.mark.parametrize("national", ['a,"b"', "c\\d", "{e}", "f'g", "NULL"])
def test_an_identifier_with_quotes_commas_or_braces_is_matched_whole(
    personas: dict[str, DemoPersona],
    embedded_register: EmbeddedPopulationRegister,
    national: str,
) -> None:
    identifier = f"DE/NL/{national}"
    person = RegisteredPerson.objects.get(eidas_person_identifier=personas["eu-de"].subject.value)
    person.eidas_person_identifier = identifier
    person.save(update_fields=["eidas_person_identifier"])

    assert embedded_register.registered((), [identifier, "DE/NL/unknown"]) == {identifier}
