"""Template access to the catalogue's bilingual texts: `{% localized obj "field" %}`."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def localized(obj: object, field: str) -> SafeString:
    """`obj.localized(field)` in the active language, escaped. When the English text is missing
    and the Dutch one stands in, it is wrapped in `<span lang="nl">` so screen readers switch."""
    text = obj.localized(field)  # type: ignore[attr-defined]
    language = (get_language() or "nl")[:2]
    if language != "nl" and text and not getattr(obj, f"{field}_{language}", ""):
        return format_html('<span lang="nl">{}</span>', text)
    return format_html("{}", text)
