"""Message bodies are CommonMark. Raw HTML is refused when a message is sent (agencies learn at
once that it would not be shown), and the HTML rendered for the person is sanitised again with
an allow-list, so a message can never carry script, styles or tracking pixels."""

import re
from functools import lru_cache

import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote",
    "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@lru_cache(maxsize=1)
def _parser(html: bool) -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": html}).enable("table")


def markdown_problem(body: str) -> str | None:
    """Why `body` cannot be sent as a message body, in the current language, or None."""
    if not body.strip():
        return _("The body is empty.")
    if len(body) > settings.INBOX_BODY_MAX_CHARS:
        return _("The body is longer than %(max)d characters.") % {
            "max": settings.INBOX_BODY_MAX_CHARS
        }
    if _CONTROL.search(body):
        return _("The body contains control characters.")
    if "<" not in body:
        return None  # raw HTML in CommonMark always starts with "<": nothing to parse for
    for token in _parser(True).parse(body):
        inline = token.children or []
        if token.type == "html_block" or any(child.type == "html_inline" for child in inline):
            return _("The body contains HTML; write it in Markdown instead.")
    return None


def render_body(body: str) -> SafeString:
    """The body as safe HTML: Markdown without raw HTML, then an allow-list sanitiser; links
    open outside lifegate without passing on where the person came from."""
    html = _parser(False).render(body)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


# Every ASCII punctuation character may be backslash-escaped in CommonMark: free text
# (an agency's, a name) is shown literally, never as Markdown or HTML.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~\"'&:=])")


# Control characters (a word processor's manual line break, a form feed) become line breaks:
# a message body may not contain them, and the agency's text must still arrive.
_CONTROL_AS_BREAK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def as_literal_markdown(text: str) -> str:
    """`text` escaped so that Markdown shows it as written."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", _CONTROL_AS_BREAK.sub("\n", text))
