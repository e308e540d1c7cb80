"""The exchange pages in one node: asking in a step, the preview with its two choices, the
received evidence; who may see what; Dutch and English."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifegate.exchange.models import EvidencePreview, EvidenceRequest
from lifegate.exchange.tests.local_fixtures import ExchangeFixture
from lifegate.journeys.models import Step
from lifegate.mandates.tests.web import log_in_as


def _ask_url(exchange: ExchangeFixture, requirement: str = "") -> str:
    slug = requirement or exchange.birth.slug
    return reverse("exchange:ask", args=[exchange.journey.pk, exchange.step.service_slug, slug])


def _ask(client: Client, exchange: ExchangeFixture) -> EvidencePreview:
    response = client.post(_ask_url(exchange))
    assert response.status_code == 302
    preview = EvidencePreview.objects.get()
    assert response["Location"].endswith(reverse("exchange:preview", args=[preview.pk]))
    return preview


@pytest.fixture
def client_in(client: Client, exchange: ExchangeFixture) -> Client:
    log_in_as(client, exchange.subject)
    return client


def test_asking_leads_to_the_preview_which_shows_the_evidence(
    client_in: Client, exchange: ExchangeFixture
) -> None:
    preview = _ask(client_in, exchange)
    page = client_in.get(reverse("exchange:preview", args=[preview.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="preview-claims"' in text
    assert "Delen" in text and "Niet delen" in text
    client_in.cookies.load({"django_language": "en"})
    english = client_in.get(reverse("exchange:preview", args=[preview.pk]))
    assert "Look at the evidence before you share it" in english.content.decode()
    assert "Do not share" in english.content.decode()


def test_sharing_returns_to_the_step_with_the_evidence_received(
    client_in: Client, exchange: ExchangeFixture
) -> None:
    preview = _ask(client_in, exchange)
    done = client_in.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})
    assert done.status_code == 302
    assert done["Location"] == preview.return_url
    received = EvidenceRequest.objects.get()
    assert received.status == EvidenceRequest.Status.RECEIVED
    page = client_in.get(reverse("exchange:received", args=[received.pk]))
    assert page.status_code == 200
    assert 'id="received-claims"' in page.content.decode()


def test_someone_else_logged_in_sees_no_evidence(client: Client, exchange: ExchangeFixture) -> None:
    log_in_as(client, exchange.subject)
    preview = _ask(client, exchange)
    other = Client()
    log_in_as(other, exchange.other)
    page = other.get(reverse("exchange:preview", args=[preview.pk]))
    assert page.status_code == 403
    assert 'id="preview-claims"' not in page.content.decode()
    refused = other.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})
    assert refused.status_code == 403
    preview.refresh_from_db()
    assert preview.status == EvidencePreview.Status.AWAITING_CONSENT
    # Nor can they ask in someone else's journey.
    assert other.post(_ask_url(exchange)).status_code == 404


def test_the_preview_needs_a_substantial_login(client: Client, exchange: ExchangeFixture) -> None:
    log_in_as(client, exchange.subject)
    preview = _ask(client, exchange)
    low = Client()
    log_in_as(low, exchange.subject, loa="low")
    page = low.get(reverse("exchange:preview", args=[preview.pk]))
    assert page.status_code == 302
    assert "level=substantial" in page["Location"]
    anonymous = Client().get(reverse("exchange:preview", args=[preview.pk]))
    assert anonymous.status_code == 302


def test_an_expired_preview_says_so_and_shares_nothing(
    client_in: Client, exchange: ExchangeFixture
) -> None:
    preview = _ask(client_in, exchange)
    EvidencePreview.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client_in.get(reverse("exchange:preview", args=[preview.pk]))
    assert page.status_code == 410
    assert 'id="preview-closed"' in page.content.decode()
    late = client_in.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})
    assert late.status_code == 410
    assert not EvidenceRequest.objects.filter(status=EvidenceRequest.Status.RECEIVED).exists()


def test_a_requirement_without_exchange_is_not_found(
    client_in: Client, exchange: ExchangeFixture
) -> None:
    assert client_in.post(_ask_url(exchange, "no-such-requirement")).status_code == 404
    assert not EvidenceRequest.objects.exists()


def test_received_evidence_can_be_removed_before_sending(
    client_in: Client, exchange: ExchangeFixture
) -> None:
    preview = _ask(client_in, exchange)
    client_in.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})
    received = EvidenceRequest.objects.get()
    done = client_in.post(reverse("exchange:discard", args=[received.pk]))
    assert done.status_code == 302
    assert not EvidenceRequest.objects.exists()


def test_pages_only_answer_the_methods_they_take(
    client_in: Client, exchange: ExchangeFixture
) -> None:
    assert client_in.get(_ask_url(exchange)).status_code == 405
    preview = _ask(client_in, exchange)
    odd = client_in.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "maybe"})
    assert odd.status_code == 302  # back to the preview, nothing decided
    preview.refresh_from_db()
    assert preview.status == EvidencePreview.Status.AWAITING_CONSENT


def test_asking_in_a_step_that_is_sent_already_asks_nothing(
    client_in: Client, exchange: ExchangeFixture
) -> None:
    Step.objects.filter(pk=exchange.step.pk).update(status=Step.Status.SUBMITTED)

    response = client_in.post(_ask_url(exchange))

    step_page = reverse("journeys:step", args=[exchange.journey.pk, exchange.step.service_slug])
    assert response.status_code == 302 and response["Location"] == step_page
    assert client_in.get(step_page).status_code == 409  # which says the step is closed
    assert not EvidenceRequest.objects.exists() and not EvidencePreview.objects.exists()
