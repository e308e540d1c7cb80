"""The session table never holds a BSN, eIDAS identifier or name readably: the authentication
is sealed, and anything that is not our sealed authentication ends the session."""

import json
from datetime import UTC, datetime
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import RequestFactory

from lifegate.core.sealing import seal
from lifegate.core.subject import Subject
from lifegate.identity.session import (
    SESSION_KEY,
    Authentication,
    current_authentication,
    session_value,
    start_session,
)

RESIDENT = Authentication(
    subject=Subject("bsn", "999993653"),
    loa="substantial",
    authenticated_at=datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
    issuer="http://testserver/dev-idp",
    given_name="Noor",
    family_name="Vermeulen",
)


def request_with_session(value: object = None) -> Any:
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    if value is not None:
        request.session[SESSION_KEY] = value
        request.session.save()
    return request


def stored_row(session_key: str) -> tuple[str, str]:
    """The session's raw database column and its decoded (signed, not encrypted) content."""
    row = Session.objects.get(session_key=session_key)
    return row.session_data, json.dumps(row.get_decoded())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["resident", "eu_citizen"])
def test_after_logging_in_the_session_table_holds_no_identifier_or_name(browser, request, who):
    persona = request.getfixturevalue(who)
    scheme = "eidas" if who == "eu_citizen" else "digid"
    browser.log_in(persona, "substantial", scheme=scheme)
    assert browser.authentication() is not None

    for stored in stored_row(browser.session().session_key):
        assert persona.subject.value not in stored
        assert persona.eidas_person_identifier is None or (
            persona.eidas_person_identifier not in stored
        )
        assert persona.family_name not in stored
        assert persona.given_name not in stored


@pytest.mark.django_db
def test_a_started_session_is_stored_sealed_and_read_back():
    request = request_with_session()

    start_session(request, RESIDENT)
    request.session.save()

    for stored in stored_row(request.session.session_key):
        assert "999993653" not in stored
        assert "Vermeulen" not in stored
    assert current_authentication(request) == RESIDENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        RESIDENT.as_dict(),
        session_value(RESIDENT)[:-4] + "AAAA",
        seal("another-purpose", json.dumps(RESIDENT.as_dict())),
        seal("session", "not json"),
        seal("session", json.dumps(["a", "list"])),
        seal("session", json.dumps({**RESIDENT.as_dict(), "loa": "very-high"})),
    ],
    ids=[
        "unsealed",
        "tampered",
        "sealed-for-another-purpose",
        "not-json",
        "not-an-object",
        "unknown-level",
    ],
)
def test_a_session_value_that_is_not_our_sealed_authentication_ends_the_session(value):
    request = request_with_session(value)
    old_key = request.session.session_key

    assert current_authentication(request) is None
    assert SESSION_KEY not in request.session
    assert not Session.objects.filter(session_key=old_key).exists()
