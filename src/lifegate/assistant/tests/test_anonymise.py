"""Anonymising a shared question: numbers, addresses and capitalised names go."""

import pytest

from lifegate.assistant.anonymise import anonymise

KNOWN = frozenset({"duitsland", "kvk", "i", "abp", "iban"})


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("mijn bsn is 123456782", "mijn bsn is [number]"),
        ("bel me op +31 6 1234 5678 aub", "bel me op [number] aub"),
        ("mail naar piet.jansen@example.com", "mail naar [e-mail]"),
        ("ik woon op 3521 AZ in de stad", "ik woon op [postcode] in de stad"),
        ("my IBAN is NL91 ABNA 0417 1643 00", "my IBAN is [iban]"),
        ("see https://example.org/me?id=7", "see [web address]"),
        ("geboren op 12-03-2024", "geboren op [number]"),
    ],
)
def test_it_removes_numbers_and_addresses(text: str, kept: str) -> None:
    assert anonymise(text, KNOWN) == kept


def test_it_removes_capitalised_words_it_does_not_know_as_names() -> None:
    assert anonymise("My dad Jan de Vries died and I have his KVK", KNOWN) == (
        "My dad [name] de [name] died and I have his KVK"
    )


def test_it_keeps_the_first_word_of_a_sentence_and_known_words() -> None:
    assert anonymise("Ik ga in Duitsland werken. Wat nu?", KNOWN) == (
        "Ik ga in Duitsland werken. Wat nu?"
    )


def test_it_leaves_no_digit_whatever_the_text() -> None:
    text = "a1 b22 333c 4.5 06-1 (070) 1 2 3 4 5 6 7 8 9 0 ½ ١٢"
    assert not any(char.isascii() and char.isdigit() for char in anonymise(text))
