"""Removing what could identify a person from a question before it is kept.

What goes: e-mail addresses, web addresses, IBANs, Dutch postcodes, and every number (BSNs,
phone numbers, house numbers, dates, amounts), each replaced by a placeholder saying what
stood there. Names are removed as far as a rule can tell: a capitalised word that is not the
first of a sentence and not a word the catalogue or the assistant knows (nor a country) is
taken for a name. A name written in lower case cannot be told from other words; the person is
told so before they agree to share."""

import re
from collections.abc import Callable

from lifegate.catalogue.services import fold

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}\s?(?:[A-Z0-9]{4}\s?){2,7}[A-Z0-9]{1,4}\b", re.IGNORECASE)
POSTCODE = re.compile(r"\b\d{4}\s?[A-Z]{2}\b", re.IGNORECASE)
# Digits with the separators of phone numbers, dates and amounts between them.
NUMBER = re.compile(r"\+?\d(?:[\d\s./()-]*\d)?")
CAPITALISED = re.compile(r"\b[A-ZÀ-Ý][\w'-]*")
SENTENCE_END = re.compile(r"[.!?]\s*$")

PLACEHOLDER = re.compile(r"\[[a-z -]+\]")
# Lower case, so that no placeholder is taken for a name afterwards.
PLACEHOLDERS = {
    "email": "[e-mail]",
    "url": "[web address]",
    "iban": "[iban]",
    "postcode": "[postcode]",
    "number": "[number]",
    "name": "[name]",
}


def without_personal_details(text: str, known_words: frozenset[str] = frozenset()) -> str:
    """`text` anonymised with the placeholders left out: what the assistant reads of a
    question, since numbers, addresses and names say nothing about a situation."""
    return PLACEHOLDER.sub(" ", anonymise(text, known_words))


def anonymise(text: str, known_words: frozenset[str] = frozenset()) -> str:
    """`text` with personal details replaced by placeholders (see the module docstring);
    `known_words` are folded words that are never taken for a name."""
    for kind, pattern in (
        ("email", EMAIL),
        ("url", URL),
        ("iban", IBAN),
        ("postcode", POSTCODE),
        ("number", NUMBER),
    ):
        text = pattern.sub(PLACEHOLDERS[kind], text)
    return CAPITALISED.sub(_name_remover(text, known_words), text)


def _name_remover(text: str, known_words: frozenset[str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        before = text[: match.start()]
        starts_sentence = not before.strip() or bool(SENTENCE_END.search(before))
        word = fold(match.group())
        if starts_sentence or word in known_words or word.split("'")[0] in known_words:
            return match.group()
        return PLACEHOLDERS["name"]

    return replace
