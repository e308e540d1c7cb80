"""Texts of the downloads that exist in both languages at once."""

from django.utils import translation
from django.utils.functional import Promise

from lifegate.opendata import schemas

LANGUAGES = ("nl", "en")


def both_languages(text: Promise | str) -> schemas.Texts:
    """A translatable text in Dutch and English."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = str(text)
    return schemas.Texts(**texts)


def optional(nl: str, en: str) -> schemas.Texts | None:
    """A catalogue text pair, or None when both are empty; a missing English text falls back
    to the Dutch one, as on the portal."""
    if not (nl.strip() or en.strip()):
        return None
    return schemas.Texts(nl=nl.strip() or en.strip(), en=en.strip() or nl.strip())
