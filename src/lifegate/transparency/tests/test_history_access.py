"""Whose records "who used my data" shows: a parent with authority over a minor child sees the
child's records while acting for the child, and so does a representative with a mandate for
the processing log; a representative whose mandate does not cover the log (message box,
service and life-event mandates are narrower) is refused, on the page, the downloads and the
API alike; nobody else sees anyone's records but their own."""

import pytest
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lifegate.catalogue.tests.factories import make_life_event, make_organisation, make_service
from lifegate.core.subject import Subject
from lifegate.inbox.models import Message
from lifegate.mandates.models import ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests import conftest as mandates_fixtures
from lifegate.mandates.tests.conftest import grant_active, period, person
from lifegate.mandates.tests.web import log_in_as, name_of
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash
from lifegate.transparency.tests.test_history_pages import ENGLISH, PAGE, act_for, make_record

# Fixtures shared with the mandates tests: the demo personas, a parent's minor child, and the
# organisation that tells principals about their mandates (autouse there, and so here).
personas = mandates_fixtures.personas
minor_child = mandates_fixtures.minor_child
notice_sender = mandates_fixtures.notice_sender

pytestmark = pytest.mark.django_db
API = "/api/transparency/records"
NOT_COVERED = "Your authorisation does not cover this."


def test_a_parent_acting_for_a_minor_child_sees_the_childs_records(
    client: Client,
    personas: dict[str, DemoPersona],
    minor_child: Subject,
) -> None:
    parent = personas["parent"].subject
    childs, own = make_record(minor_child), make_record(parent)
    log_in_as(client, parent)
    act_for(client, minor_child)

    html = client.get(PAGE, headers=ENGLISH).content.decode()

    with translation.override("en"):
        assert f"Who used the data of {name_of(minor_child)}" in html
    assert childs.span_id in html and own.span_id not in html
    assert minor_child.value not in html and parent.value not in html
    [seen] = ProcessingRecord.objects.filter(name="transparency.history")
    assert seen.data_subject_hash == subject_hash(minor_child)
    assert seen.actor_hash == subject_hash(parent)
    assert seen.on_behalf_of_hash == subject_hash(minor_child)


def test_the_parents_own_look_shows_in_the_childs_records_as_theirs(
    client: Client,
    personas: dict[str, DemoPersona],
    minor_child: Subject,
) -> None:
    log_in_as(client, personas["parent"].subject)
    act_for(client, minor_child)
    client.get(PAGE)

    body = client.get(API, headers=ENGLISH).json()

    looked = [item for item in body["items"] if item["operation"] == "transparency.history"]
    with translation.override("en"):
        expected = f"You, on behalf of {name_of(minor_child)}"
    assert [item["acted_by"] for item in looked] == [
        {"role": "representative", "description": expected}
    ]


def _body(response: HttpResponseBase) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    assert isinstance(response, HttpResponse)
    return response.content.decode()


def test_a_representative_with_a_mandate_for_the_processing_log_sees_the_principals_records(
    client: Client,
    personas: dict[str, DemoPersona],
) -> None:
    principal, representative = personas["elderly"].subject, personas["student"].subject
    log = Scope(ScopeKind.PROCESSING_LOG)
    grant_active(principal, representative, [log], *period(), person(principal))
    hers, own = make_record(principal), make_record(representative)
    log_in_as(client, representative)
    act_for(client, principal)

    page = client.get(PAGE, headers=ENGLISH)
    downloads = [
        client.get(reverse(f"transparency:export-{kind}"), headers=ENGLISH)
        for kind in ("csv", "json")
    ]
    api = client.get(API, headers=ENGLISH)

    with translation.override("en"):
        assert f"Who used the data of {name_of(principal)}" in page.content.decode()
    for response in (page, *downloads, api):
        assert response.status_code == 200
        text = _body(response)
        assert hers.span_id in text and own.span_id not in text
        assert principal.value not in text and representative.value not in text
    looked = ProcessingRecord.objects.filter(processing_activity_id="transparency-access")
    assert looked.count() == 4
    assert {record.data_subject_hash for record in looked} == {subject_hash(principal)}
    assert {record.actor_hash for record in looked} == {subject_hash(representative)}
    assert {record.on_behalf_of_hash for record in looked} == {subject_hash(principal)}
    # The first use of the mandate is news for her.
    with translation.override("nl"):
        first_use = translation.gettext("Someone acted on your behalf for the first time")
    told = Message.objects.filter(recipient_hash=subject_hash(principal), subject=first_use)
    assert told.count() == 1


@pytest.mark.parametrize(
    "scope",
    [
        Scope(ScopeKind.INBOX_READ),
        Scope(ScopeKind.INBOX_FULL),
        Scope(ScopeKind.SERVICE, "birth-registration-test"),
        Scope(ScopeKind.LIFE_EVENT, "birth-test"),
    ],
    ids=lambda scope: scope.kind,
)
def test_a_representative_whose_mandate_does_not_cover_the_log_is_refused(
    client: Client,
    personas: dict[str, DemoPersona],
    scope: Scope,
) -> None:
    make_life_event("birth-test", "Geboorte", "Birth")
    municipality = make_organisation("gemeente-test", "Gemeente Test", "Municipality Test")
    make_service("birth-registration-test", municipality, "Geboorteaangifte", "Birth")
    principal, representative = personas["elderly"].subject, personas["student"].subject
    grant_active(principal, representative, [scope], *period(), person(principal))
    secret = make_record(principal)
    log_in_as(client, representative)
    act_for(client, principal)

    page = client.get(PAGE, headers=ENGLISH)
    download = client.get(reverse("transparency:export-csv"), headers=ENGLISH)
    api = client.get(API, headers=ENGLISH)

    assert page.status_code == 403 and NOT_COVERED in page.content.decode()
    assert download.status_code == 403
    assert api.status_code == 403 and api.json()["reason"] == "out-of-scope"
    for response in (page, download, api):
        assert secret.span_id not in response.content.decode()
    # Nothing of her log was read, so no read of it is recorded. (The page header may still
    # read her message box counter where the mandate covers the box; that is not her log.)
    assert not ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(principal), processing_activity_id="transparency-access"
    ).exists()


def test_a_representative_sees_only_their_own_records_when_acting_for_themselves(
    client: Client,
    personas: dict[str, DemoPersona],
) -> None:
    principal, representative = personas["elderly"].subject, personas["student"].subject
    grant_active(
        principal, representative, [Scope(ScopeKind.INBOX_READ)], *period(), person(principal)
    )
    secret, own = make_record(principal), make_record(representative)
    log_in_as(client, representative)

    html = client.get(PAGE, headers=ENGLISH).content.decode()

    assert own.span_id in html and secret.span_id not in html


def test_an_unrelated_person_sees_nothing_of_anyone_else(
    client: Client,
    personas: dict[str, DemoPersona],
) -> None:
    principal, stranger = personas["elderly"].subject, personas["resident-substantial"].subject
    secret = make_record(principal)
    log_in_as(client, stranger)

    page = client.get(PAGE, headers=ENGLISH)
    api = client.get(API).json()
    refused = client.post(reverse("mandates:choose"), {"person": subject_hash(principal)})

    assert secret.span_id not in page.content.decode()
    assert secret.span_id not in str(api)
    assert {item["operation"] for item in api["items"]} == {"transparency.history"}  # own look
    assert refused.status_code == 422  # the chooser refuses: no relation
    assert client.get(PAGE).content.decode().count(secret.span_id) == 0
