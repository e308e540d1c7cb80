"""Template access to the assistant's explanations: `{{ reason|as_sentence }}`."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from lifegate.assistant import explain
from lifegate.assistant.services import Reason

register = template.Library()


@register.filter
def as_sentence(reason: Reason) -> SafeString:
    """Why a suggestion matched, as a sentence in the active language. The catalogue text it
    matched is marked with its language when that is not the page's, for screen readers."""
    text: str = reason.text
    if reason.language != (get_language() or "nl")[:2]:
        text = format_html('<span lang="{}">{}</span>', reason.language, reason.text)
    sentence = conditional_escape(explain.templates()[reason.field]) % {
        "word": conditional_escape(explain.word_as_read(reason)),
        "text": conditional_escape(text),
    }
    return mark_safe(sentence)  # noqa: S308 - every part is escaped above
