"""Message bodies: Markdown without raw HTML is accepted; what the person sees is sanitised."""

import pytest
from django.utils import translation

from lifegate.inbox.rendering import markdown_problem, render_body


@pytest.mark.parametrize(
    "body",
    [
        "Plain text with **bold** and a [link](https://example.nl).",
        "An autolink <https://example.nl> and 3 < 4.",
        "Tabs\tand\r\nWindows line ends.",
    ],
)
def test_markdown_without_html_is_accepted(body: str) -> None:
    assert markdown_problem(body) is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("Hello <b>world</b>", "HTML"),
        ("<div>\nblock\n</div>", "HTML"),
        ("A vertical\x0btab", "control characters"),
        ("x" * 20_001, "longer than"),
    ],
)
def test_malformed_bodies_are_refused_with_the_reason(body: str, reason: str) -> None:
    with translation.override("en"):
        problem = markdown_problem(body)
    assert problem is not None and reason in problem


def test_rendered_links_cannot_run_script_or_leak_the_referrer() -> None:
    html = render_body("[click](javascript:alert(1)) and [site](https://example.nl)")
    assert 'href="javascript' not in html  # shown as text, not as a link
    assert 'href="https://example.nl"' in html and 'rel="noopener noreferrer nofollow"' in html
