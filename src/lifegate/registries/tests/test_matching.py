"""Name normalisation for eIDAS identity matching."""

import pytest

from lifegate.registries.matching import is_eidas_identifier, normalise_name


@pytest.mark.parametrize(
    ("registered", "presented"),
    [
        ("Müller-Lüdenscheidt", "MULLER LUDENSCHEIDT"),
        ("van der Berg", "Van Der  Berg"),
        ("Strauß", "Strauss"),
        ("O'Brien", "O Brien"),
        ("Tõnisson", "tonisson"),
    ],
)
def test_equal_names_normalise_equally(registered: str, presented: str) -> None:
    assert normalise_name(registered) == normalise_name(presented)


@pytest.mark.parametrize(
    ("one", "other"), [("Berg", "van der Berg"), ("Anna", "Anne"), ("Jan", "Jan Pieter")]
)
def test_different_names_stay_different(one: str, other: str) -> None:
    assert normalise_name(one) != normalise_name(other)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("DE/NL/abc123", True),
        ("EE/NL/38001085718", True),
        ("de/NL/x", False),
        ("DE/NL/", False),
        ("999990019", False),
    ],
)
def test_eidas_identifiers_have_the_form_xx_yy_id(value: str, valid: bool) -> None:
    assert is_eidas_identifier(value) is valid
