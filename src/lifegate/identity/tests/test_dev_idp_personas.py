"""What the development provider's picker offers, and which choices it turns into a login."""

from lifegate.identity.dev_idp.personas import chosen_login, persona_groups


def test_a_persona_is_logged_in_at_the_level_chosen(resident):
    login = chosen_login(f"{resident.key}|substantial", minimum="low")

    assert login is not None
    assert login.persona == resident
    assert login.level == "substantial"


def test_a_level_below_the_minimum_or_above_the_persona_is_not_a_login(resident, eu_citizen):
    assert chosen_login(f"{resident.key}|low", minimum="substantial") is None
    assert chosen_login(f"{eu_citizen.key}|high", minimum="low") is None
    assert chosen_login(f"{resident.key}|very-high", minimum="low") is None


def test_an_unknown_or_malformed_choice_is_not_a_login(personas):
    for value in ("nobody|low", "", "|low", "no-separator"):
        assert chosen_login(value, minimum="low") is None


def test_residents_and_eu_citizens_are_grouped_with_only_levels_from_the_minimum(
    resident, eu_citizen
):
    residents, eu_citizens = persona_groups("substantial", eidas_first=False)

    offered = {choice.value for persona in residents.personas for choice in persona.choices}
    assert f"{resident.key}|high" in offered
    assert f"{resident.key}|low" not in offered
    assert eu_citizen.key not in {value.split("|")[0] for value in offered}
    assert eu_citizens.key == "eu-citizens"
    assert [g.key for g in persona_groups("low", eidas_first=True)] == [
        "eu-citizens",
        "residents",
    ]
