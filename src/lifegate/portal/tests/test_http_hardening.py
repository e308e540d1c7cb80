"""HTTP hardening a browser sees (docs/security.md, ASVS 5.0 V3, V7, V12): the security headers
of a rendered page, the cookies' attributes, the 15-minute idle session, and, with the settings
production really resolves to (read from a separate `LIFEGATE_ENV=production` process), HSTS,
the TLS redirect and `__Host-` cookies."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from http.cookies import Morsel
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.identity.session import SESSION_KEY, Authentication, session_value

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[3]
PERSON = Subject("bsn", "999990019")
# The settings that decide headers and cookies, as production resolves them.
PRODUCTION_NAMES = [
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "LANGUAGE_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN",
    "SESSION_COOKIE_AGE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
]


def production_settings(tmp_path: Path, **overrides: str) -> dict[str, object]:
    """PRODUCTION_NAMES as `lifegate.settings` resolves them with LIFEGATE_ENV=production and
    the secrets production demands."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIFEGATE_", "DJANGO_"))}
    env.update(
        PYTHONPATH=str(SRC),
        LIFEGATE_ENV="production",
        LIFEGATE_VAR_DIR=str(tmp_path),
        LIFEGATE_SECRET_KEY="a-production-secret-key-for-this-test-only",
        LIFEGATE_SUBJECT_KEY="a-production-subject-key-for-this-test-only",
        LIFEGATE_OIDC_CLIENT_SECRET="a-production-client-secret",
        LIFEGATE_OIDC_DISCOVERY_URL="https://idp.example/.well-known/openid-configuration",
        **overrides,
    )
    script = (
        "import json, lifegate.settings as s; "
        f"print(json.dumps({{name: getattr(s, name, None) for name in {PRODUCTION_NAMES!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def logged_in_client(**kwargs: object) -> Client:
    client = Client(**kwargs)  # type: ignore[arg-type]
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(PERSON, "substantial", datetime.now(UTC), "test")
    )
    session.save()
    return client


def assert_host_only_cookie(cookie: Morsel[str], *, secure: bool) -> None:
    assert cookie["path"] == "/"
    assert not cookie["domain"]
    assert cookie["samesite"] == "Lax"
    assert bool(cookie["secure"]) is secure


def test_a_page_carries_a_strict_content_security_policy_and_the_security_headers(
    client: Client,
) -> None:
    response = client.get("/")

    assert response.status_code == 200
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_session_and_csrf_cookies_are_httponly_where_it_matters_and_samesite_lax() -> None:
    client = logged_in_client()

    response = client.get("/")

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert_host_only_cookie(session, secure=False)
    assert_host_only_cookie(response.cookies[settings.CSRF_COOKIE_NAME], secure=False)
    language = client.get("/language/en/?next=/").cookies[settings.LANGUAGE_COOKIE_NAME]
    assert_host_only_cookie(language, secure=False)


def test_a_session_lasts_15_idle_minutes_and_every_request_starts_them_again() -> None:
    client = logged_in_client()
    key = client.session.session_key
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    # 14 idle minutes: still logged in, and the request gives the session 15 minutes again.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))

    response = client.get("/api/journeys/")

    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 15 * 60
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > timezone.now() + timedelta(minutes=14)
    # 16 idle minutes: the session is over.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(minutes=1))
    assert client.get("/api/journeys/").status_code == 401


def test_production_sends_hsts_with_subdomains_and_host_prefixed_secure_cookies(
    tmp_path: Path,
) -> None:
    production = production_settings(tmp_path)
    assert production["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert production["LANGUAGE_COOKIE_NAME"] == "__Host-django_language"
    assert production["SESSION_COOKIE_AGE"] == 15 * 60

    with override_settings(**production):
        client = logged_in_client()
        response = client.get("/", secure=True)
        language = client.get("/language/en/?next=/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    session = response.cookies["__Host-sessionid"]
    assert session["httponly"] is True
    assert_host_only_cookie(session, secure=True)
    assert_host_only_cookie(response.cookies["__Host-csrftoken"], secure=True)
    assert_host_only_cookie(language.cookies["__Host-django_language"], secure=True)


def test_production_redirects_plain_http_to_https(tmp_path: Path) -> None:
    with override_settings(**production_settings(tmp_path)):
        response = Client().get("/catalogue/life-events/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/catalogue/life-events/"


def test_two_nodes_on_one_host_keep_their_own_host_prefixed_cookies(tmp_path: Path) -> None:
    production = production_settings(tmp_path, LIFEGATE_NODE_ID="ee")

    assert production["SESSION_COOKIE_NAME"] == "__Host-ee_sessionid"
    assert production["CSRF_COOKIE_NAME"] == "__Host-ee_csrftoken"
    assert production["LANGUAGE_COOKIE_NAME"] == "__Host-ee_django_language"
