"""The notification settings, as pages and as API: an address waits until its confirmation
link is opened by the same person; preferences and language; removing the address."""

import base64
import re
import time
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from lifegate.inbox.models import Mailbox
from lifegate.inbox.notifications import confirmation_token
from lifegate.journeys.tests.test_pages import log_in
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
PAGE = "/inbox/settings/"
API = "/api/inbox/notifications/"
ENGLISH = {"accept-language": "en"}
LINK = re.compile(r"http://127\.0\.0\.1:8000/inbox/settings/confirm/([^/\s]+)/")


@pytest.fixture
def parent(client: Client, personas: dict[str, DemoPersona]) -> DemoPersona:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "en"
    return personas["parent"]


def mailbox(persona: DemoPersona) -> Mailbox:
    return Mailbox.objects.get(recipient_hash=subject_hash(persona.subject))


def register(client: Client, address: str = "Noor@Example.NL") -> str:
    """Register `address` on the page; returns the token of the link e-mailed to it."""
    response = client.post(reverse("inbox-settings:address"), {"email": address})
    assert response.status_code == 302
    match = LINK.search(str(mail.outbox[-1].body))
    assert match is not None
    return match.group(1)


def test_the_settings_need_a_substantial_login(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    assert client.get(PAGE)["Location"].startswith(reverse("identity:login"))
    log_in(client, personas["parent"], loa="low")
    assert "level=substantial" in client.get(PAGE)["Location"]
    assert client.get(API).status_code == 403


def test_an_address_waits_until_its_link_is_opened_by_the_same_person(
    client: Client, parent: DemoPersona
) -> None:
    token = register(client)

    [email] = mail.outbox
    assert email.to == ["Noor@example.nl"]
    assert parent.subject.value not in email.body and parent.subject.value not in token
    payload = token.split(":")[0]
    assert parent.subject.value.encode() not in base64.urlsafe_b64decode(payload + "==")
    page = client.get(PAGE).text
    assert "Waiting for confirmation:" in page and "Noor@example.nl" in page
    assert mailbox(parent).email_verified_at is None

    confirm_page = client.get(reverse("inbox-settings:confirm", args=[token]))
    assert confirm_page.status_code == 200 and mailbox(parent).email_verified_at is None
    response = client.post(reverse("inbox-settings:confirm", args=[token]))

    assert response.status_code == 302
    box = mailbox(parent)
    assert box.email_verified_at is not None and box.pending_email_sealed == ""
    page = client.get(PAGE).text
    assert 'id="confirmed-address"' in page and "Noor@example.nl" in page
    names = set(ProcessingRecord.objects.values_list("name", flat=True))
    assert {"inbox.notification-address.register", "inbox.notification-address.confirm"} <= names
    assert "inbox.notification-address.read" in names


def test_an_expired_link_confirms_nothing(client: Client, parent: DemoPersona) -> None:
    register(client)
    two_days_ago = time.time() - 49 * 3600
    with mock.patch("django.core.signing.time.time", return_value=two_days_ago):
        old = confirmation_token(mailbox(parent).recipient_hash, "Noor@example.nl")

    response = client.post(reverse("inbox-settings:confirm", args=[old]))

    assert response.status_code == 410
    assert "This confirmation link has expired." in response.text
    assert mailbox(parent).email_verified_at is None


def test_a_forged_link_confirms_nothing(client: Client, parent: DemoPersona) -> None:
    token = register(client)
    value, _sep, signature = token.rpartition(":")
    forged = f"{value}:{signature[::-1]}"

    response = client.post(reverse("inbox-settings:confirm", args=[forged]))

    assert response.status_code == 400
    assert "This confirmation link is not valid." in response.text
    assert mailbox(parent).email_verified_at is None


def test_another_person_cannot_confirm_someone_elses_address(
    client: Client, parent: DemoPersona, personas: dict[str, DemoPersona]
) -> None:
    token = register(client)
    other = personas["single-parent"]
    log_in(client, other)
    own_token = register(client)  # the same (shared) address, registered by the other person

    response = client.post(reverse("inbox-settings:confirm", args=[token]))

    assert response.status_code == 403
    assert "Are you logged in as the person who asked for it?" in response.text
    assert mailbox(parent).email_verified_at is None and mailbox(parent).pending_email_sealed
    assert mailbox(other).email_sealed == ""
    assert client.post(reverse("inbox-settings:confirm", args=[own_token])).status_code == 302
    assert mailbox(other).email_verified_at is not None
    assert mailbox(parent).email_verified_at is None


def test_a_link_for_an_address_replaced_since_confirms_nothing(
    client: Client, parent: DemoPersona
) -> None:
    first = register(client, "first@example.nl")
    register(client, "second@example.nl")

    response = client.post(reverse("inbox-settings:confirm", args=[first]))

    assert response.status_code == 403
    assert mailbox(parent).email_sealed == ""


def test_an_invalid_address_is_a_field_error_in_the_persons_language(
    client: Client, parent: DemoPersona
) -> None:
    client.cookies["django_language"] = "nl"

    response = client.post(reverse("inbox-settings:address"), {"email": "noor@"})

    assert response.status_code == 422
    assert "Voer een geldig e-mailadres in." in response.text
    assert mail.outbox == []


def test_the_person_chooses_when_and_in_which_language(client: Client, parent: DemoPersona) -> None:
    response = client.post(PAGE, {"notify": "important", "language": "en"})

    assert response.status_code == 302
    box = mailbox(parent)
    assert (box.notify, box.notify_language) == ("important", "en")
    page = client.get(PAGE).text
    assert re.search(r'value="important"[^>]* checked', page)
    # Each language named in itself, marked as such for screen readers.
    assert '<span lang="en">English</span>' in page and '<span lang="nl">Nederlands</span>' in page
    bad = client.post(PAGE, {"notify": "hourly", "language": "de"})
    assert bad.status_code == 422
    assert "Select a valid choice." in bad.text
    assert mailbox(parent).notify == "important"


def test_removing_the_address_stops_everything(client: Client, parent: DemoPersona) -> None:
    token = register(client)
    client.post(reverse("inbox-settings:confirm", args=[token]))
    register(client, "other@example.nl")

    response = client.post(reverse("inbox-settings:remove"))

    assert response.status_code == 302
    box = mailbox(parent)
    assert (box.email_sealed, box.pending_email_sealed, box.email_verified_at) == ("", "", None)
    assert 'id="no-address"' in client.get(PAGE).text
    assert ProcessingRecord.objects.filter(name="inbox.notification-address.remove").exists()


def test_the_link_can_be_sent_again(client: Client, parent: DemoPersona) -> None:
    register(client)

    client.post(reverse("inbox-settings:resend"))

    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["Noor@example.nl"]


# The API ------------------------------------------------------------------------------------


def test_the_api_needs_a_session(client: Client) -> None:
    response = client.get(API)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_api_registers_confirms_and_removes_an_address(
    client: Client, parent: DemoPersona
) -> None:
    assert client.get(API).json() == {
        "email": None,
        "pending_email": None,
        "notify": "every",
        "language": "nl",
    }
    registered = client.post(
        f"{API}address", {"email": "noor@example.nl"}, content_type="application/json"
    )
    assert registered.status_code == 202
    assert registered.json()["pending_email"] == "noor@example.nl"
    match = LINK.search(str(mail.outbox[0].body))
    assert match is not None

    confirmed = client.post(
        f"{API}address/confirmation", {"token": match.group(1)}, content_type="application/json"
    )

    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "noor@example.nl"
    assert confirmed.json()["pending_email"] is None
    removed = client.delete(f"{API}address")
    assert removed.json()["email"] is None
    assert mailbox(parent).email_sealed == ""


def test_every_answer_that_shows_the_address_is_in_the_processing_log(
    client: Client, parent: DemoPersona
) -> None:
    client.post(f"{API}address", {"email": "noor@example.nl"}, content_type="application/json")
    match = LINK.search(str(mail.outbox[0].body))
    assert match is not None
    confirmation = {"token": match.group(1)}
    client.post(f"{API}address/confirmation", confirmation, content_type="application/json")

    def reads_after(call: Any) -> int:
        before = ProcessingRecord.objects.filter(name="inbox.notification-address.read").count()
        answer = call()
        assert answer.json()["email"] == "noor@example.nl"
        return (
            ProcessingRecord.objects.filter(name="inbox.notification-address.read").count() - before
        )

    preferences = {"notify": "important", "language": "en"}
    assert reads_after(lambda: client.put(API, preferences, content_type="application/json")) == 1
    again = f"{API}address/confirmation"  # the link of the address confirmed already
    assert (
        reads_after(lambda: client.post(again, confirmation, content_type="application/json")) == 1
    )


def test_the_api_gives_field_errors_and_refused_links_as_problems(
    client: Client, parent: DemoPersona
) -> None:
    bad = client.put(
        API,
        {"notify": "hourly", "language": "en"},
        content_type="application/json",
        headers=ENGLISH,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["location"] == "notify"
    assert "Select a valid choice." in bad.json()["errors"][0]["message"]
    good = client.put(API, {"notify": "never", "language": "en"}, content_type="application/json")
    assert good.json()["notify"] == "never"

    forged = client.post(
        f"{API}address/confirmation", {"token": "x:y:z"}, content_type="application/json"
    )
    assert forged.status_code == 400
    assert forged.json()["type"].endswith("invalid-confirmation")
    nothing = client.post(f"{API}address/confirmation-link")
    assert nothing.status_code == 409
