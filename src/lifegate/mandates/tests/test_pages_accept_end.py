"""The authorisations pages after a mandate is given: accepting an invitation code (each bad
code refused, and a limit on trying codes per person), and ending a mandate from either side."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from lifegate.core.subject import Subject
from lifegate.inbox.models import Message
from lifegate.mandates import services
from lifegate.mandates.errors import MESSAGES
from lifegate.mandates.models import Mandate, MandateInvitation
from lifegate.mandates.tests.conftest import person
from lifegate.mandates.tests.web import (
    counts,
    frozen_limiter_clock,
    grant_form,
    grant_inbox,
    invite,
    log_in_as,
    name_of,
)
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


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


# Accepting --------------------------------------------------------------------------------


def unknown(personas: dict[str, DemoPersona]) -> str:
    invite(personas["elderly"].subject)
    return "ABCD-EFGH-JKMN-PQRS"


def expired(personas: dict[str, DemoPersona]) -> str:
    code, mandate = invite(personas["elderly"].subject)
    MandateInvitation.objects.filter(mandates=mandate).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    return code


def used(personas: dict[str, DemoPersona]) -> str:
    code, _mandate = invite(personas["elderly"].subject)
    parent = personas["parent"].subject
    services.accept(code, parent, person(parent))
    return code


@pytest.mark.parametrize(
    ("make_code", "refusal"),
    [(unknown, "code-unknown"), (expired, "code-expired"), (used, "code-used")],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_bad_code_is_refused_and_changes_nothing(
    client: Client,
    personas: dict[str, DemoPersona],
    student: Subject,
    make_code: Any,
    refusal: str,
    language: str,
) -> None:
    code = make_code(personas)
    log_in_as(client, student)
    before = (counts(), list(Mandate.objects.values_list("status", "representative_hash")))

    response = client.post(
        reverse("mandates:accept"), {"code": code}, headers={"accept-language": language}
    )

    assert response.status_code == 422
    assert (counts(), list(Mandate.objects.values_list("status", "representative_hash"))) == before
    with translation.override(language):
        assert escape(str(MESSAGES[refusal])) in response.content.decode()


@override_settings(MANDATES_ACCEPT_ATTEMPTS=2, MANDATES_ACCEPT_WINDOW_SECONDS=900)
def test_too_many_codes_are_refused_with_retry_after_per_person(
    client: Client, personas: dict[str, DemoPersona], student: Subject
) -> None:
    code, mandate = invite(personas["elderly"].subject)
    log_in_as(client, student)
    with frozen_limiter_clock():
        tries = [
            client.post(reverse("mandates:accept"), {"code": "WRONG"}, headers=EN) for _ in range(2)
        ]
        limited = client.post(reverse("mandates:accept"), {"code": code}, headers=EN)
        other = Client()
        log_in_as(other, personas["parent"].subject)
        someone_else = other.post(reverse("mandates:accept"), {"code": "WRONG"})

    assert [r.status_code for r in tries] == [422, 422]
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 900
    assert "You have entered too many invitation codes" in limited.content.decode()
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.INVITED  # the code was not even looked at
    assert someone_else.status_code == 422


# Ending -----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["principal", "representative"])
def test_either_side_can_end_a_mandate(
    client: Client, personas: dict[str, DemoPersona], by: str
) -> None:
    principal, representative = personas["elderly"].subject, personas["student"].subject
    mandate = grant_inbox(principal, representative)
    log_in_as(client, principal if by == "principal" else representative)

    response = client.post(reverse("mandates:end", args=[mandate.pk]), headers=EN)

    assert response.status_code == 302
    mandate.refresh_from_db()
    assert (mandate.status, mandate.ended_by) == (Mandate.Status.ENDED, by)
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "The authorisation has ended." in page
    assert f'id="mandate-{mandate.pk}" data-standing="ended"' in page


def test_nobody_else_can_end_a_mandate(
    client: Client, personas: dict[str, DemoPersona], student: Subject
) -> None:
    mandate = grant_inbox(personas["elderly"].subject, student)
    log_in_as(client, personas["parent"].subject)

    response = client.post(reverse("mandates:end", args=[mandate.pk]), follow=True, headers=EN)

    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE
    assert escape(str(MESSAGES["unknown-mandate"])) in response.content.decode()


def test_ending_needs_a_post(client: Client, elderly: Subject, student: Subject) -> None:
    mandate = grant_inbox(elderly, student)

    assert client.get(reverse("mandates:end", args=[mandate.pk])).status_code == 405
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE


@pytest.mark.parametrize("language", ["nl", "en"])
def test_withdrawing_an_offer_by_bsn_never_turns_the_number_into_a_name(
    client: Client, elderly: Subject, student: Subject, language: str
) -> None:
    # Otherwise typing in any BSN and withdrawing at once would be a BSN-to-name lookup.
    headers = {"accept-language": language}
    client.post(reverse("mandates:grant"), grant_form(bsn=student.value), headers=headers)
    mandate = Mandate.objects.get()

    client.post(reverse("mandates:end", args=[mandate.pk]), headers=headers)

    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ENDED
    name = name_of(student)
    page = client.get(reverse("mandates:overview"), headers=headers).content.decode()
    assert name not in page
    with translation.override(language):
        said = escape(
            translation.gettext("The person you chose (the offer ended before they accepted)")
        )
    assert said in page
    listed = client.get("/api/mandates/", headers=headers).json()
    assert [entry["person"] for entry in listed["given"]] == [None]
    notices = Message.objects.filter(recipient_hash=subject_hash(elderly))
    assert notices.count() == 2  # offered, then withdrawn
    assert not any(name in notice.body or name in notice.subject for notice in notices)
