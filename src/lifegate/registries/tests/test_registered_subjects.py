"""`registered_subjects`: which identifiers of a batch belong to registered persons, each under
the scheme it was given with."""

import pytest

from lifegate.core.subject import Subject
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import registered_subjects

pytestmark = pytest.mark.django_db


def test_it_answers_for_a_whole_batch(personas: dict[str, DemoPersona]) -> None:
    resident, citizen = personas["parent"].subject, personas["eu-de"].subject
    unknown = Subject("bsn", "111222333")

    assert registered_subjects({resident, citizen, unknown}) == {resident, citizen}


def test_a_value_under_the_wrong_scheme_is_not_registered(
    personas: dict[str, DemoPersona],
) -> None:
    resident, citizen = personas["parent"].subject, personas["eu-de"].subject
    swapped = {Subject("eidas", resident.value), Subject("bsn", citizen.value)}

    assert registered_subjects(swapped | {resident}) == {resident}
