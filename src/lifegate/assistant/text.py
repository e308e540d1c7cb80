"""Turning text into search terms, the same way for the catalogue and for a person's question:
folded words (lower case, no accents), Snowball stems per language, and stop words.

Dutch and English each have their own stemmer and stop words; the catalogue holds both
languages, and a question may be in either, so every step takes the language it works in."""

import re
from functools import cache

import Stemmer  # type: ignore[import-untyped,unused-ignore]
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN_PLUS  # type: ignore[import-untyped,unused-ignore]

from lifegate.catalogue.services import fold

LANGUAGES = ("nl", "en")
_STEMMER_NAMES = {"nl": "dutch", "en": "english"}
_STOPWORDS = {"nl": frozenset(STOPWORDS_DUTCH), "en": frozenset(STOPWORDS_EN_PLUS)}
# Letters and digits; an apostrophe inside a word stays ("zzp'er").
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# English endings after an apostrophe that are dropped: "child's", "I'm", "we're", "don't".
_CLITICS = ("s", "m", "re", "ve", "ll", "d", "t")


def words(text: str) -> list[str]:
    """The folded words of `text`, in order: `Zzp'er in Groningen` → `zzp'er`, `in`, `groningen`.
    English possessives and contractions lose their ending (`child's` → `child`, `I'm` → `i`)."""
    found = []
    for word in _WORD.findall(fold(text)):
        head, _apostrophe, tail = word.partition("'")
        found.append(head if tail in _CLITICS else word)
    return found


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES[language])


def stem(word: str, language: str) -> str:
    """The Snowball stem of a folded word in `language`."""
    return str(_stemmer(language).stemWord(word.replace("'", "")))


def stopwords() -> frozenset[str]:
    """The stop words of both languages."""
    return _STOPWORDS["nl"] | _STOPWORDS["en"]


def is_stopword(word: str, language: str) -> bool:
    """Whether `word` is one of `language`'s stop words (articles, pronouns, auxiliaries)."""
    return word in _STOPWORDS[language]
