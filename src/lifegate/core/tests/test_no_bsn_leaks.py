"""No BSN in URLs, logs or rendered pages: a demo persona logs in through the real OpenID
Connect flow, starts a journey, walks the main person pages and the pages they link to, and
meets a 404 and a 403, while every log record of every logger is captured at DEBUG. Neither
the persona's BSN nor any other nine-digit number that passes the elfproef may appear in any
URL visited (redirects included), any page, or any log line, redacted or not: the check reads
the raw records, before lifegate's redacting formatter."""

import logging
import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
import requests
from django.core.management import call_command

from lifegate.core.subject import bsn_is_valid
from lifegate.identity.tests.conftest import Browser
from lifegate.registries.services import DemoPersona, demo_personas

pytestmark = pytest.mark.django_db(transaction=True)

MAIN_PAGES = ["/", "/journeys/", "/inbox/", "/mandates/", "/transparency/", "/credentials/"]
# Pages the main pages link to, visited too; not the way out.
FOLLOWED = re.compile(r'href="(/(?:journeys|inbox|mandates|transparency|credentials)/[^"#]*)"')
NOT_FOLLOWED = ("/identity/logout/",)
MAX_FOLLOWED = 40
# A number on its own: hex ids (trace and span ids, hashes) often hold nine digits in a row
# that pass the elfproef by chance. The persona's own BSN is also looked for anywhere.
NINE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])")
# Loggers that do not propagate to the root logger (settings.LOGGING): listened to directly.
SEPARATE_LOGGERS = ("django", "django.server")


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG and above, of the root logger and of Django's own loggers."""
    caplog.set_level(logging.DEBUG)
    for name in SEPARATE_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
        logging.getLogger(name).addHandler(caplog.handler)
    yield caplog
    for name in SEPARATE_LOGGERS:
        logging.getLogger(name).removeHandler(caplog.handler)


@pytest.fixture
def demo_browser(live_server: Any, settings: Any, tmp_path: Any) -> Browser:
    """The whole demo (catalogue, population, messages, credentials) and a browser against
    the live server, whose relying party uses the server's own development provider."""
    settings.VAR_DIR = tmp_path
    settings.DEV_IDP_ENABLED = True
    settings.OIDC_DISCOVERY_URL = live_server.url + "/dev-idp/.well-known/openid-configuration"
    call_command("load_demo", stdout=StringIO())
    return Browser(live_server.url)


def _resident() -> DemoPersona:
    return next(
        persona
        for persona in demo_personas()
        if persona.subject.scheme == "bsn" and persona.max_loa == "high"
    )


def bsns_in(text: str) -> set[str]:
    """Every nine-digit number in `text` that passes the elfproef."""
    return {found for found in NINE_DIGITS.findall(text) if bsn_is_valid(found)}


class Visits:
    """Every URL the browser went to (redirects included) and every page it got."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.pages: dict[str, str] = {}

    def add(self, response: requests.Response) -> requests.Response:
        for step in [*response.history, response]:
            self.urls.append(step.url)
            self.urls.append(step.headers.get("Location", ""))
        self.pages[response.url] = response.text
        return response


def _walk(browser: Browser, visits: Visits) -> None:
    picker = visits.add(browser.start_login("/", "high"))
    visits.add(browser.choose(picker, f"{_resident().key}|high"))
    start = visits.add(browser.get("/journeys/start/moving-house/"))
    move_date = (date.today() + timedelta(days=30)).isoformat()
    answers = {"move_date": move_date, "rents_new_home": "yes", "has_vehicle": "no"}
    journey = visits.add(browser.post_form(start, "/journeys/start/moving-house/", answers))
    assert re.search(r"/journeys/[0-9a-f-]{36}/$", journey.url), journey.url
    links: list[str] = []
    for path in MAIN_PAGES:
        page = visits.add(browser.get(path))
        assert page.status_code == 200, path
        links += [link for link in FOLLOWED.findall(page.text) if link not in links]
    for link in [link for link in links if link not in NOT_FOLLOWED][:MAX_FOLLOWED]:
        visits.add(browser.get(link.replace("&amp;", "&")))


def test_no_bsn_in_urls_pages_or_logs(
    demo_browser: Browser, all_logs: pytest.LogCaptureFixture
) -> None:
    resident = _resident()
    visits = Visits()

    _walk(demo_browser, visits)
    missing = visits.add(demo_browser.get(f"/journeys/{uuid.uuid4()}/"))
    # A form posted without its CSRF token: the 403 page, rendered for the logged-in person.
    forbidden = visits.add(
        demo_browser.http.post(demo_browser.base_url + "/mandates/accept/", data={"code": "x"})
    )

    assert missing.status_code == 404
    assert forbidden.status_code == 403
    assert len(visits.pages) >= len(MAIN_PAGES) + 3
    assert demo_browser.authentication() is not None  # still logged in: the pages were real
    bsn = resident.subject.value
    assert [url for url in visits.urls if bsn in url or bsns_in(url)] == []
    assert [url for url, html in visits.pages.items() if bsn in html or bsns_in(html)] == []
    logged = [line for line in all_logs.text.splitlines() if bsn in line or bsns_in(line)]
    assert logged == []
    assert any(record.name.startswith("django") for record in all_logs.records)


def test_the_check_finds_a_bsn_where_there_is_one() -> None:
    text = "<td>999990019</td> bsn=999978718 order 123456789 ref 1999990019 span 920103509bed"
    assert bsns_in(text) == {"999990019", "999978718"}
