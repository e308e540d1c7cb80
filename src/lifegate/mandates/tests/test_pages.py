"""The authorisations pages: the overview of what a person gave and received, giving a mandate
by BSN or with an invitation code, every refusal shown on the form with nothing stored, what
was done on the person's behalf and by whom, and none of it while acting for someone else."""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from lifegate.core.subject import Subject
from lifegate.inbox.models import Message
from lifegate.mandates.errors import MESSAGES, MandateRefused
from lifegate.mandates.models import Mandate
from lifegate.mandates.tests.conftest import Catalogue, person
from lifegate.mandates.tests.web import (
    CODE,
    counts,
    grant_form,
    grant_inbox,
    invite,
    log_in_as,
    name_of,
)
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, record_processing, subject_hash

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
UNKNOWN_BSN = "111222333"  # passes the elfproef, but nobody has it


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


# Overview ---------------------------------------------------------------------------------


def test_the_pages_need_a_substantial_login(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    log_in_as(client, personas["resident-low"].subject, loa="low")

    for name in ("overview", "grant", "accept", "on-my-behalf"):
        response = client.get(reverse(f"mandates:{name}"))
        assert response.status_code == 302
        assert "level=substantial" in response["Location"]


def test_the_overview_shows_given_and_received_mandates_with_names(
    client: Client, elderly: Subject, student: Subject, personas: dict[str, DemoPersona]
) -> None:
    grant_inbox(elderly, student)
    grant_inbox(personas["parent"].subject, elderly)
    invite(elderly)

    html = client.get(reverse("mandates:overview"), headers=EN).content.decode()

    given, received = html.split('id="received"')
    assert name_of(student) in given and "Reading your message box" in given
    assert "Invitation not accepted yet" in given
    assert name_of(personas["parent"].subject) in received
    assert "Reading the message box" in received
    assert "Active" in html and html.count(">End<span") == 2 and ">Withdraw<span" in html
    # Each button says, to a screen reader, which authorisation it is about.
    hidden = f'>End<span class="lg-visually-hidden">: reading your message box, {name_of(student)}'
    assert hidden in given
    assert student.value not in html and elderly.value not in html
    assert reverse("mandates:grant") in html and reverse("mandates:on-my-behalf") in html


def test_the_overview_offers_acting_for_someone_only_to_who_may(
    client: Client, elderly: Subject, student: Subject
) -> None:
    choose = f'href="{reverse("mandates:choose")}" id="choose-link"'
    before = client.get(reverse("mandates:overview")).content.decode()
    grant_inbox(student, elderly)
    after = client.get(reverse("mandates:overview")).content.decode()

    assert choose not in before
    assert choose in after


def test_reading_the_overview_is_recorded_for_everyone_shown(
    client: Client, elderly: Subject, student: Subject
) -> None:
    grant_inbox(elderly, student)

    client.get(reverse("mandates:overview"))

    shown = ProcessingRecord.objects.filter(name="mandates.overview")
    assert {r.data_subject_hash for r in shown} == {subject_hash(elderly), subject_hash(student)}
    assert {r.actor_hash for r in shown} == {subject_hash(elderly)}


# Granting ---------------------------------------------------------------------------------


def test_the_grant_form_offers_the_catalogue_and_a_year_from_today(
    client: Client, elderly: Subject, catalogue: Catalogue
) -> None:
    html = client.get(reverse("mandates:grant"), headers=EN).content.decode()

    today = timezone.localdate()
    assert f'value="{today.isoformat()}"' in html
    assert f'value="{(today + timedelta(days=365)).isoformat()}"' in html
    assert f'value="{catalogue.birth_event}"' in html and "Birth registration" in html
    assert 'value="inbox-read"' in html and 'value="inbox-full"' in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_granting_by_bsn_offers_a_mandate_that_counts_once_the_representative_accepts(
    client: Client, elderly: Subject, student: Subject, language: str
) -> None:
    headers = {"accept-language": language}
    response = client.post(
        reverse("mandates:grant"), grant_form(bsn=student.value), headers=headers
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mandates:overview")
    mandate = Mandate.objects.get()
    assert mandate.status == Mandate.Status.INVITED
    assert mandate.representative_hash == subject_hash(student)
    # The principal typed a number: it does not turn into a name before its owner accepts.
    assert name_of(student) not in client.get(reverse("mandates:overview")).content.decode()
    assert Message.objects.filter(recipient_hash=subject_hash(elderly)).count() == 1

    other = Client()
    log_in_as(other, student)
    offered = other.get(reverse("mandates:overview"), headers=headers).content.decode()
    assert name_of(elderly) in offered and f'id="accept-{mandate.pk}"' in offered
    accepted = other.post(reverse("mandates:accept-offer", args=[mandate.pk]), headers=headers)

    assert accepted.status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE
    assert Message.objects.filter(recipient_hash=subject_hash(elderly)).count() == 2
    assert name_of(student) in client.get(reverse("mandates:overview")).content.decode()
    with translation.override(language):
        done = str(translation.gettext("You have accepted the authorisation."))
    assert escape(done) in other.get(accepted["Location"]).content.decode()


def test_nobody_but_the_named_representative_can_accept_an_offer(
    client: Client, elderly: Subject, student: Subject, personas: dict[str, DemoPersona]
) -> None:
    client.post(reverse("mandates:grant"), grant_form(bsn=student.value))
    mandate = Mandate.objects.get()
    other = Client()
    log_in_as(other, personas["resident-low"].subject)

    refused = other.post(reverse("mandates:accept-offer", args=[mandate.pk]))
    own = client.post(reverse("mandates:accept-offer", args=[mandate.pk]))

    assert refused.status_code == 302 and own.status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.INVITED


def test_granting_with_a_code_shows_it_once_and_another_person_accepts_it(
    client: Client, elderly: Subject, student: Subject
) -> None:
    response = client.post(
        reverse("mandates:grant"), grant_form(representative="code", bsn="ignored"), headers=EN
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "The code works once, until" in html
    code = CODE.search(html)
    assert code is not None
    assert Mandate.objects.get().status == Mandate.Status.INVITED
    assert code.group(1) not in client.get(reverse("mandates:overview")).content.decode()
    assert code.group(1) not in str(dict(client.session))

    representative = Client()
    log_in_as(representative, student)
    accepted = representative.post(reverse("mandates:accept"), {"code": code.group(1)})

    assert accepted.status_code == 302
    mandate = Mandate.objects.get()
    assert mandate.status == Mandate.Status.ACTIVE
    assert mandate.representative_hash == subject_hash(student)
    again = representative.post(reverse("mandates:accept"), {"code": code.group(1)}, headers=EN)
    assert again.status_code == 422
    assert escape(str(MESSAGES["code-used"])) in again.content.decode()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"bsn": UNKNOWN_BSN}, "unknown-person"),
        ({"bsn": "SELF"}, "self-mandate"),
        ({"inbox": [], "services": ["no-such-service"]}, "unknown-scope"),
        ({"inbox": []}, "no-scope"),
        ({"valid_until": "2000-01-01"}, "period-reversed"),
        ({"valid_until": "2999-01-01"}, "period-too-long"),
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_refused_grant_says_why_keeps_the_input_and_stores_nothing(
    client: Client,
    elderly: Subject,
    student: Subject,
    catalogue: Catalogue,
    changes: dict[str, Any],
    code: str,
    language: str,
) -> None:
    changes = {"bsn": student.value} | changes
    if changes["bsn"] == "SELF":
        changes["bsn"] = elderly.value
    form = grant_form(**changes)
    before = counts()

    response = client.post(reverse("mandates:grant"), form, headers={"accept-language": language})

    assert response.status_code == 422
    assert counts() == before
    html = response.content.decode()
    with translation.override(language):
        message = MandateRefused(code, days=settings.MANDATES_MAX_DAYS).message
    assert escape(message) in html
    assert f'value="{form["valid_until"]}"' in html


def test_a_duplicate_grant_is_refused_and_stores_nothing(
    client: Client, elderly: Subject, student: Subject
) -> None:
    grant_inbox(elderly, student)
    before = counts()

    response = client.post(reverse("mandates:grant"), grant_form(bsn=student.value))

    assert response.status_code == 422
    assert counts() == before
    with translation.override("nl"):
        assert escape(str(MESSAGES["duplicate"])) in response.content.decode()


@pytest.mark.parametrize("bsn", ["", "123456789", "12345"])
def test_a_missing_or_malformed_bsn_is_a_form_error(
    client: Client, elderly: Subject, bsn: str
) -> None:
    response = client.post(reverse("mandates:grant"), grant_form(bsn=bsn), headers=EN)

    assert response.status_code == 422
    assert counts() == (0, 0)
    assert 'id="field-bsn"' in response.content.decode()
    assert 'utrecht-form-field--invalid" id="field-bsn"' in response.content.decode()


def test_the_bsn_is_posted_and_never_ends_up_in_a_url(
    client: Client, elderly: Subject, student: Subject
) -> None:
    form = client.get(reverse("mandates:grant")).content.decode()
    response = client.post(reverse("mandates:grant"), grant_form(bsn=student.value))

    assert f'method="post" action="{reverse("mandates:grant")}"' in form
    assert response.status_code == 302
    assert student.value not in response["Location"]


# Done on my behalf ------------------------------------------------------------------------


def on_behalf(principal: Subject, representative: Subject, name: str = "inbox.open") -> None:
    record_processing(
        name=name,
        subject=principal,
        activity="inbox-delivery",
        actor=Actor(kind="person", subject=representative, on_behalf_of=principal),
        data_categories=("message",),
    )


def test_done_on_my_behalf_names_the_representative_and_nobody_else(
    client: Client, elderly: Subject, student: Subject, personas: dict[str, DemoPersona]
) -> None:
    grant_inbox(elderly, student)
    on_behalf(elderly, student, "inbox.open")
    on_behalf(elderly, personas["parent"].subject, "inbox.archive")
    record_processing(
        name="inbox.self",
        subject=elderly,
        activity="inbox-delivery",
        actor=person(elderly),
        data_categories=(),
    )

    html = client.get(reverse("mandates:on-my-behalf"), headers=EN).content.decode()

    rows = html.split("data-record")[1:]
    assert len(rows) == 2
    assert "inbox.archive" in rows[0] and "A representative" in rows[0]
    assert "inbox.open" in rows[1] and name_of(student) in rows[1]
    assert "inbox.self" not in html
    assert name_of(personas["parent"].subject) not in html
    shown = ProcessingRecord.objects.filter(name="mandates.on-my-behalf")
    assert {r.data_subject_hash for r in shown} == {subject_hash(elderly), subject_hash(student)}


def test_done_on_my_behalf_names_a_parent_with_authority(
    client: Client, personas: dict[str, DemoPersona], minor_child: Subject
) -> None:
    parent = personas["parent"].subject
    on_behalf(minor_child, parent)
    log_in_as(client, minor_child)

    html = client.get(reverse("mandates:on-my-behalf"), headers=EN).content.decode()

    assert name_of(parent) in html and "A representative" not in html


def test_done_on_my_behalf_pages_by_fifty_newest_first(
    client: Client, elderly: Subject, student: Subject
) -> None:
    grant_inbox(elderly, student)
    for n in range(51):
        on_behalf(elderly, student, f"step-{n:02d}")
    ProcessingRecord.objects.filter(name="step-00").update(
        start_time=timezone.now() - timedelta(days=1)
    )

    first = client.get(reverse("mandates:on-my-behalf"), headers=EN).content.decode()
    second = client.get(reverse("mandates:on-my-behalf"), {"page": 2}, headers=EN)

    assert first.count("data-record") == 50 and 'rel="next"' in first
    assert "step-00" not in first
    html = second.content.decode()
    assert html.count("data-record") == 1 and "step-00" in html and 'rel="prev"' in html


# Acting for someone -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "overview"),
        ("get", "grant"),
        ("post", "grant"),
        ("get", "accept"),
        ("post", "accept"),
        ("get", "on-my-behalf"),
    ],
)
def test_managing_mandates_is_refused_while_acting_for_someone(
    client: Client, personas: dict[str, DemoPersona], method: str, name: str
) -> None:
    principal, representative = personas["elderly"].subject, personas["student"].subject
    grant_inbox(principal, representative)
    log_in_as(client, representative)
    client.post(reverse("mandates:choose"), {"person": subject_hash(principal)})
    before = counts()
    url = reverse(f"mandates:{name}")

    if method == "post":
        form = grant_form(bsn=personas["parent"].subject.value, code="ABCD-EFGH-JKMN-PQRS")
        response = client.post(url, form, headers=EN)
    else:
        response = client.get(url, headers=EN)

    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-reason="only-self"' in html
    assert "Switch back to acting for yourself" in html
    assert counts() == before


def test_ending_is_refused_while_acting_for_someone(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    principal, representative = personas["elderly"].subject, personas["student"].subject
    mandate = grant_inbox(principal, representative)
    log_in_as(client, representative)
    client.post(reverse("mandates:choose"), {"person": subject_hash(principal)})

    response = client.post(reverse("mandates:end", args=[mandate.pk]))

    assert response.status_code == 403
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE
