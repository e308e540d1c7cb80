"""The development provider's persona picker: a page screen reader users can navigate by its
headings, with each group of persons still a fieldset named by its legend."""

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


class Outline(HTMLParser):
    """The page's headings (level, text), and the headings that sit inside a legend."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.legend_headings: list[str] = []
        self._open: list[str] = []
        self._heading: tuple[int, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])

    def handle_endtag(self, tag: str) -> None:
        if self._heading and tag == f"h{self._heading[0]}":
            text = " ".join("".join(self._heading[1]).split())
            self.headings.append((self._heading[0], text))
            if "legend" in self._open:
                self.legend_headings.append(text)
            self._heading = None
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._heading[1].append(data)


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


def test_the_persona_groups_are_headings_inside_their_fieldset_legends(browser, resident):
    picker = browser.start_login(scheme="digid")

    page = outline(picker.text)
    groups = ["Dutch residents (DigiD)", "EU citizens (eIDAS)"]
    assert page.legend_headings == groups
    assert [(2, title) for title in groups] == [h for h in page.headings if h[1] in groups]
    assert page.headings[0] == (1, "Choose a demo person")
