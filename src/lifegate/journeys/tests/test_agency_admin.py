"""The admin for journeys: pages open without showing sealed personal data, dead deliveries
can be retried, and a new agency client's credential is shown once."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lifegate.core.sealing import seal
from lifegate.journeys import agency, events
from lifegate.journeys.models import AgencyClient, Delivery, InboundEvent
from lifegate.journeys.tests.agency_factories import (
    PERSON,
    Agencies,
    make_agencies,
    make_client,
    make_submission,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies() -> Agencies:
    return make_agencies()


@pytest.fixture
def operator(client: Client) -> Client:
    admin = get_user_model().objects.create_superuser("admin", "admin@lifegate.invalid", "pw")
    client.force_login(admin)
    return client


def test_every_journeys_admin_page_opens_without_personal_data(
    operator: Client, agencies: Agencies
) -> None:
    submission = make_submission(agencies.service)
    hook, _ = make_client(agencies.mine, webhook_url="https://a.test/hook")
    Delivery.objects.create(submission=submission, client=hook)
    for model, pk in [
        ("journey", submission.step.journey_id),
        ("submission", submission.pk),
        ("delivery", submission.deliveries.get().pk),
        ("agencyclient", hook.pk),
    ]:
        for url in (
            reverse(f"admin:journeys_{model}_changelist"),
            reverse(f"admin:journeys_{model}_change", args=[pk]),
        ):
            response = operator.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert PERSON.value not in page and "Noor" not in page
            assert submission.subject_sealed not in page and submission.form_sealed not in page
    for model in ("inboundevent", "agencystaff"):
        assert operator.get(reverse(f"admin:journeys_{model}_changelist")).status_code == 200


def test_the_retry_action_restarts_only_dead_deliveries(
    operator: Client, agencies: Agencies, django_capture_on_commit_callbacks: Any
) -> None:
    hook, _ = make_client(agencies.mine, webhook_url="https://a.test/hook")
    dead, delivered = (
        Delivery.objects.create(
            submission=make_submission(agencies.service), client=hook, state=state, attempts=8
        )
        for state in ("dead", "delivered")
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("admin:journeys_delivery_changelist"),
            {"action": "retry_dead_deliveries", "_selected_action": [dead.pk, delivered.pk]},
        )
    assert response.status_code == 302
    dead.refresh_from_db()
    delivered.refresh_from_db()
    assert (dead.state, dead.attempts) == ("pending", 0)
    assert delivered.state == "delivered"


def test_adding_a_client_in_the_admin_shows_its_credential_once(
    operator: Client, agencies: Agencies
) -> None:
    response = operator.post(
        reverse("admin:journeys_agencyclient_add"),
        {
            "organisation": agencies.mine.pk,
            "name": "Zaaksysteem",
            "scopes": ["submissions"],
            "active": "on",
            "webhook_url": "https://zaken.example.nl/hook",
        },
        follow=True,
    )
    texts = [str(message) for message in response.context["messages"]]
    [credential] = [t.split("Bearer ", 1)[1] for t in texts if "Bearer " in t]
    client = agency.authenticate(f"Bearer {credential}")
    assert client is not None and client.scopes == ["submissions"]
    assert any(agency.webhook_secret(client) in t for t in texts)
    again = operator.get(reverse("admin:journeys_agencyclient_change", args=[client.pk]))
    assert credential.split(".", 1)[1] not in again.content.decode()
    assert AgencyClient.objects.count() == 1


def test_an_inbound_events_page_shows_its_failures_but_not_its_sealed_bsn(
    operator: Client, agencies: Agencies
) -> None:
    register, _ = make_client(agencies.mine, scopes=["events"])
    inbound = InboundEvent.objects.create(
        source="urn:nld:oin:00000001800000002000:systeem:brp",
        event_id="birth-1",
        type="nl.brp.birth-registered",
        client=register,
        data_sealed=seal(events.EVENT_SEAL, PERSON.value),
        attempts=5,
        last_error="RegisterDown: no answer for ***",
        status=InboundEvent.Status.FAILED,
    )

    page = operator.get(reverse("admin:journeys_inboundevent_change", args=[inbound.pk]))

    text = page.content.decode()
    assert "RegisterDown: no answer for ***" in text
    assert inbound.data_sealed not in text and PERSON.value not in text
