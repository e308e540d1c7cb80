"""Identity matching of a foreign (eIDAS) person to a register record on the mandatory
attributes of the eIDAS minimum data set. Pure functions, shared by all adapters."""

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from lifegate.registries.adapters import Person

EIDAS_IDENTIFIER = re.compile(r"^[A-Z]{2}/[A-Z]{2}/\S{1,250}$")


def is_eidas_identifier(value: str) -> bool:
    """True for a PersonIdentifier of the form XX/YY/identifier."""
    return bool(EIDAS_IDENTIFIER.match(value))


def same_national_identity(one: str, other: str) -> bool:
    """True when two PersonIdentifiers carry the same identifier from the same issuing country,
    for different receiving countries ("EE/NL/38001085718" and "EE/EE/38001085718"): a country
    that does not pseudonymise per receiving state (like Estonia, with its personal code)
    identifies the same person."""
    if not (is_eidas_identifier(one) and is_eidas_identifier(other)):
        return False
    issuer, _receiver, national = one.split("/", 2)
    other_issuer, _other_receiver, other_national = other.split("/", 2)
    return (issuer, national) == (other_issuer, other_national)


def normalise_name(name: str) -> str:
    """Case, accents, hyphens, apostrophes and spacing do not decide a match: "Müller-Lüdenscheidt"
    and "MULLER LUDENSCHEIDT" compare equal."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("ß", "ss").casefold()
    words = re.split("[\\s\\-'\u2019.]+", plain)
    return " ".join(word for word in words if word)


def attributes_match(person: Person, family_name: str, given_name: str, day_of_birth: date) -> bool:
    """True when all three mandatory attributes agree with the register's record."""
    return (
        person.date_of_birth == day_of_birth
        and normalise_name(person.family_name_with_prefix) == normalise_name(family_name)
        and normalise_name(person.given_names) == normalise_name(given_name)
    )


def single_match(
    candidates: Iterable[Person], family_name: str, given_name: str, day_of_birth: date
) -> Person | None:
    """The only candidate whose attributes match; None when none or several do, because an
    ambiguous match must never link a foreign identity to someone's record."""
    matches = [p for p in candidates if attributes_match(p, family_name, given_name, day_of_birth)]
    return matches[0] if len(matches) == 1 else None
