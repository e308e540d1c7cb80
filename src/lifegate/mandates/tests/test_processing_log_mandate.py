"""A mandate for the processing log ("seeing who used my data"): offered on the grant form as a
checkbox of its own and in the API as the scope kind `processing-log`, named in words on both
sides of the overview and in the principal's notices, in Dutch and English."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from lifegate.core.subject import Subject
from lifegate.inbox.models import Message
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, period, person
from lifegate.mandates.tests.web import counts, grant_form, log_in_as
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
CHECKBOX = "Seeing who used my data (the processing log)"
API = "/api/mandates/"


@pytest.fixture(autouse=True)
def no_attempts_counted() -> None:
    """The attempt limiter counts in the cache, which outlives a test."""
    cache.clear()


@pytest.fixture
def elderly(client: Client, personas: dict[str, DemoPersona]) -> Subject:
    """The principal of these tests, logged in on `client`."""
    subject = personas["elderly"].subject
    log_in_as(client, subject)
    return subject


@pytest.fixture
def student(personas: dict[str, DemoPersona]) -> Subject:
    return personas["student"].subject


def translated(text: str, language: str) -> str:
    with translation.override(language):
        return gettext(text)


def log_only(**changes: Any) -> dict[str, Any]:
    """The grant form with only the processing log ticked."""
    return grant_form(
        **({"inbox": [], "processing_log": [ScopeKind.PROCESSING_LOG.value]} | changes)
    )


# The grant form ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_grant_form_offers_the_processing_log_as_a_checkbox_of_its_own(
    client: Client, elderly: Subject, language: str
) -> None:
    html = client.get(reverse("mandates:grant"), headers={"accept-language": language})

    page = html.content.decode()
    assert 'name="processing_log"' in page and 'value="processing-log"' in page
    assert 'type="checkbox"' in page
    assert escape(translated(CHECKBOX, language)) in page
    # Its own group, after the message box and before the life events.
    assert page.index('id="field-inbox"') < page.index('id="field-processing_log"')
    assert page.index('id="field-processing_log"') < page.index('id="field-life_events"')


def test_ticking_the_processing_log_offers_a_mandate_for_it(
    client: Client, elderly: Subject, student: Subject
) -> None:
    response = client.post(reverse("mandates:grant"), log_only(bsn=student.value))

    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert (mandate.scope_kind, mandate.scope_slug) == (ScopeKind.PROCESSING_LOG, "")
    assert mandate.status == Mandate.Status.INVITED
    assert mandate.representative_hash == subject_hash(student)


def test_the_processing_log_and_the_message_box_ticked_together_are_two_mandates(
    client: Client, elderly: Subject, student: Subject
) -> None:
    form = log_only(bsn=student.value, inbox=[ScopeKind.INBOX_READ.value])

    response = client.post(reverse("mandates:grant"), form)

    assert response.status_code == 302
    kinds = sorted(Mandate.objects.values_list("scope_kind", flat=True))
    assert kinds == [ScopeKind.INBOX_READ, ScopeKind.PROCESSING_LOG]


@pytest.mark.parametrize("value", [ScopeKind.INBOX_FULL.value, "everything"])
def test_the_processing_log_checkbox_accepts_nothing_but_itself(
    client: Client, elderly: Subject, student: Subject, value: str
) -> None:
    response = client.post(
        reverse("mandates:grant"), log_only(bsn=student.value, processing_log=[value]), headers=EN
    )

    assert response.status_code == 422
    assert counts() == (0, 0)
    assert 'utrecht-form-field--invalid" id="field-processing_log"' in response.content.decode()


def test_the_processing_log_mandate_can_be_given_with_an_invitation_code(
    client: Client, elderly: Subject
) -> None:
    response = client.post(reverse("mandates:grant"), log_only(representative="code"), headers=EN)

    assert response.status_code == 200
    assert "Seeing who used your data" in response.content.decode()
    assert Mandate.objects.get().scope_kind == ScopeKind.PROCESSING_LOG


# Words for it -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_overview_names_the_processing_log_mandate_on_both_sides(
    client: Client, elderly: Subject, student: Subject, language: str
) -> None:
    grant_active(elderly, student, [Scope(ScopeKind.PROCESSING_LOG)], *period(), person(elderly))
    representative = Client()
    log_in_as(representative, student)
    headers = {"accept-language": language}

    given = client.get(reverse("mandates:overview"), headers=headers).content.decode()
    received = representative.get(reverse("mandates:overview"), headers=headers).content.decode()

    yours, theirs = "seeing who used your data", "seeing who used their data"
    assert escape(translated(yours, language).capitalize()) in given
    assert escape(translated(theirs, language).capitalize()) in received
    assert escape(translated(yours, language).capitalize()) not in received


def test_the_principal_is_told_in_words_what_the_mandate_covers(
    elderly: Subject, student: Subject
) -> None:
    grant_active(elderly, student, [Scope(ScopeKind.PROCESSING_LOG)], *period(), person(elderly))

    messages = Message.objects.filter(recipient_hash=subject_hash(elderly))

    bodies = [message.body for message in messages]
    assert len(bodies) == 2  # created and accepted
    with translation.override("nl"):  # the language of her notifications: the default
        words = gettext("seeing who used your data")
    assert all(words in body for body in bodies)


# The API ------------------------------------------------------------------------------------


def body(**changes: Any) -> dict[str, Any]:
    today, until = period(60)
    return {
        "scopes": [{"kind": "processing-log"}],
        "valid_from": today.isoformat(),
        "valid_until": until.isoformat(),
    } | changes


def test_the_api_grants_a_mandate_for_the_processing_log(
    client: Client, elderly: Subject, student: Subject
) -> None:
    response = client.post(
        API, body(representative_bsn=student.value), content_type="application/json", headers=EN
    )

    assert response.status_code == 201
    [mandate] = response.json()["mandates"]
    assert mandate["scope"] == {
        "kind": "processing-log",
        "slug": "",
        "label": "seeing who used your data",
    }


def test_the_api_refuses_a_processing_log_scope_with_a_slug(
    client: Client, elderly: Subject, student: Subject
) -> None:
    scopes = [{"kind": "processing-log", "slug": "birth-registration"}]

    response = client.post(
        API,
        body(representative_bsn=student.value, scopes=scopes),
        content_type="application/json",
    )

    assert response.status_code == 422 and response.json()["code"] == "unknown-scope"
    assert counts() == (0, 0)


def test_the_api_lists_the_mandate_in_words_for_the_representative(
    elderly: Subject, student: Subject
) -> None:
    grant_active(elderly, student, [Scope(ScopeKind.PROCESSING_LOG)], *period(), person(elderly))
    representative = Client()
    log_in_as(representative, student)

    [received] = representative.get(API, headers=EN).json()["received"]

    assert received["scope"]["kind"] == "processing-log"
    assert received["scope"]["label"] == "seeing who used their data"


def test_the_openapi_document_offers_the_processing_log_scope_kind(client: Client) -> None:
    document = client.get("/api/openapi.json").json()

    assert "processing-log" in document["components"]["schemas"]["ScopeKind"]["enum"]
