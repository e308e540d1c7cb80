"""Bilingual model text: columns `<field>_nl` and `<field>_en`, read in the active language."""

from django.utils.translation import get_language

LANGUAGES = ("nl", "en")


class Localized:
    """Mixin for models with `<field>_nl` / `<field>_en` columns."""

    def localized(self, field: str, language: str | None = None) -> str:
        """The text of `field` in `language` (default: the active one), falling back to Dutch."""
        code = (language or get_language() or "nl")[:2]
        value = getattr(self, f"{field}_{code}", "") if code in LANGUAGES else ""
        return value or getattr(self, f"{field}_nl", "")
