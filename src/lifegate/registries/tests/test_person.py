"""The `Person` value: names, age, minority."""

from datetime import date

from lifegate.registries.adapters import Address, Person


def person(**changes: object) -> Person:
    values: dict[str, object] = {
        "bsn": "999990019",
        "given_names": "Jan Pieter",
        "name_prefix": "van der",
        "family_name": "Berg",
        "gender": "male",
        "date_of_birth": date(2008, 2, 29),
        "place_of_birth": "Utrecht",
        "country_of_birth": "NL",
        "nationality": "NL",
        "resident": True,
        **changes,
    }
    return Person(**values)  # type: ignore[arg-type]


def test_full_name_puts_the_prefix_before_the_family_name() -> None:
    assert person().full_name == "Jan Pieter van der Berg"
    assert person(name_prefix="").full_name == "Jan Pieter Berg"
    assert person().family_name_with_prefix == "van der Berg"
    assert person().first_given_name == "Jan"


def test_age_counts_completed_years_and_leap_day_birthdays_come_on_1_march() -> None:
    assert person().age_on(date(2026, 2, 28)) == 17
    assert person().age_on(date(2026, 3, 1)) == 18
    assert person(date_of_birth=date(2000, 6, 15)).age_on(date(2026, 6, 15)) == 26


def test_a_person_is_a_minor_until_the_eighteenth_birthday() -> None:
    assert person().is_minor_on(date(2026, 2, 28))
    assert not person().is_minor_on(date(2026, 3, 1))


def test_a_person_is_alive_between_birth_and_death() -> None:
    deceased = person(date_of_birth=date(1940, 1, 1), date_of_death=date(2024, 5, 1))
    assert deceased.is_alive_on(date(2024, 5, 1))
    assert not deceased.is_alive_on(date(2024, 5, 2))
    assert not person().is_alive_on(date(2007, 1, 1))


def test_an_address_has_an_envelope_street_line() -> None:
    address = Address("Kerkstraat", 12, "A", "3511 AB", "Utrecht", "Utrecht")
    assert address.street_line == "Kerkstraat 12A"
