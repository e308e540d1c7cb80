"""The development provider's picker on the Estonian node of the demo federation: Estonian
residents log in with their ID card (an eIDAS identity issued for Estonia), not with DigiD."""

import pytest
from django.test import override_settings
from django.utils import translation

from lifegate.identity.dev_idp.personas import (
    PersonaGroup,
    chosen_login,
    persona_claims,
    persona_groups,
)
from lifegate.registries import services as registries

pytestmark = pytest.mark.django_db


@override_settings(NODE_COUNTRY="EE")
def test_estonian_residents_are_the_residents_group_and_the_dutch_citizen_an_eu_citizen() -> None:
    registries.load_demo_population(size=300)

    with translation.override("en"):
        residents, eu_citizens = persona_groups("low", eidas_first=False)

    def keys(group: PersonaGroup) -> set[str]:
        return {c.value.split("|")[0] for p in group.personas for c in p.choices}

    assert keys(residents) == {"ee-resident", "ee-resident-2"}
    assert keys(eu_citizens) == {"nl-citizen"}
    assert "DigiD" not in residents.title
    labels = [c.label for p in residents.personas for c in p.choices]
    assert labels and not any("DigiD" in label for label in labels)


@override_settings(NODE_COUNTRY="EE")
def test_an_estonian_resident_logs_in_with_their_estonian_eidas_identity() -> None:
    registries.load_demo_population(size=300)

    login = chosen_login("ee-resident|high", minimum="substantial")

    assert login is not None
    claims = persona_claims(login.persona, "openid profile")
    assert "bsn" not in claims
    assert claims["eidas"]["PersonIdentifier"].startswith("EE/EE/")
    assert claims["eidas"]["CurrentFamilyName"] == login.persona.family_name
