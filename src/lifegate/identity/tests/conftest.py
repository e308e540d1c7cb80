"""Shared fixtures: the development identity provider on pytest-django's live server, the
relying party configured to use it, and a small browser that follows the redirects."""

import html
import json
import re
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings
from django.core.cache import cache

from lifegate.core.sealing import unseal
from lifegate.identity.session import SEAL_PURPOSE, SESSION_KEY
from lifegate.registries import services as registries
from lifegate.registries.services import DemoPersona

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PICKER_FORM = re.compile(r'<form class="utrecht-form" method="post" action="([^"]+)"')


@pytest.fixture
def personas(transactional_db: None) -> list[DemoPersona]:
    """The demo population loaded into the embedded register; returns its login personas."""
    registries.load_demo_population()
    personas = registries.demo_personas()
    assert personas, "the demo population has no personas"
    return personas


@pytest.fixture
def resident(personas: list[DemoPersona]) -> DemoPersona:
    """A Dutch resident who can log in at every level, up to high."""
    return next(p for p in personas if p.subject.scheme == "bsn" and p.max_loa == "high")


@pytest.fixture
def eu_citizen(personas: list[DemoPersona]) -> DemoPersona:
    """A citizen of another EU member state who logs in through eIDAS at up to substantial."""
    return next(p for p in personas if p.subject.scheme == "eidas" and p.max_loa == "substantial")


@pytest.fixture
def oidc_server(live_server: Any, settings: Any) -> Iterator[Any]:
    """The live server, with the relying party pointed at its own development provider."""
    settings.DEV_IDP_ENABLED = True
    settings.OIDC_DISCOVERY_URL = live_server.url + "/dev-idp/.well-known/openid-configuration"
    cache.clear()
    yield live_server
    cache.clear()


class Browser:
    """A requests session against the live server, with a few steps of the login flow."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"

    def get(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        """GET a path on the live server (or a full URL)."""
        return self.http.get(self._url(path_or_url), timeout=10, **kwargs)

    def post_form(
        self, page: requests.Response, action: str, data: dict[str, str], follow: bool = True
    ) -> requests.Response:
        """Submit a form found on `page` with its CSRF token."""
        token = CSRF_TOKEN.search(page.text)
        assert token, "no CSRF token on the page"
        fields = {"csrfmiddlewaretoken": token.group(1), **data}
        return self.http.post(self._url(action), data=fields, allow_redirects=follow, timeout=10)

    def start_login(
        self, next_url: str = "/", level: str = "low", scheme: str = "digid"
    ) -> requests.Response:
        """Open the login page and press one of the two buttons; returns the provider's page."""
        page = self.get("/identity/login/", params={"next": next_url, "level": level})
        assert page.status_code == 200
        data = {"next": next_url, "level": level, "scheme": scheme}
        return self.post_form(page, "/identity/login/", data)

    def choose(
        self, picker: requests.Response, value: str, follow: bool = True
    ) -> requests.Response:
        """On the provider's persona picker, choose `value` ("<persona key>|<level>")."""
        action = PICKER_FORM.search(picker.text)
        assert action, "not the persona picker"
        data = {"login": value, "action": "login"}
        return self.post_form(picker, html.unescape(action.group(1)), data, follow)

    def log_in(
        self, persona: DemoPersona, level: str, next_url: str = "/", scheme: str = "digid"
    ) -> requests.Response:
        """The whole flow: login page, provider, persona and level, back to `next_url`."""
        picker = self.start_login(next_url, level, scheme)
        return self.choose(picker, f"{persona.key}|{level}")

    def callback_location(self, persona: DemoPersona, level: str, scheme: str = "digid") -> str:
        """Run the flow up to the provider's redirect back; returns that URL, not followed."""
        picker = self.start_login("/", level, scheme)
        response = self.choose(picker, f"{persona.key}|{level}", follow=False)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def session(self) -> Any:
        """The server-side session of this browser."""
        engine = import_module(django_settings.SESSION_ENGINE)
        return engine.SessionStore(
            session_key=self.http.cookies.get(django_settings.SESSION_COOKIE_NAME)
        )

    def authentication(self) -> dict[str, Any] | None:
        """The stored authentication of this browser's session (unsealed), if any."""
        sealed = self.session().get(SESSION_KEY)
        return json.loads(unseal(SEAL_PURPOSE, sealed)) if sealed else None

    def _url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.base_url + path_or_url


@pytest.fixture
def browser(oidc_server: Any) -> Browser:
    """A fresh browser against the live server."""
    return Browser(oidc_server.url)
