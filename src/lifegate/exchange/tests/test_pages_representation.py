"""A representative in the exchange: acting for someone with a mandate for the step, they ask
for the evidence, see the preview and decide it for that person, recorded as done on their
behalf; without such a mandate, or for another node's request, they see nothing of it."""

import pytest
from django.test import Client
from django.urls import reverse

from lifegate.exchange.models import EvidencePreview, EvidenceRequest
from lifegate.exchange.tests.local_fixtures import ExchangeFixture, other_step
from lifegate.exchange.tests.test_pages import _ask
from lifegate.inbox.tests.test_representation import act_for, assert_on_behalf
from lifegate.mandates.models import ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, notice_sender, period, person
from lifegate.mandates.tests.web import log_in_as
from lifegate.transparency.models import ProcessingRecord

pytestmark = pytest.mark.django_db
# The organisation that tells the person about the mandate they gave.
__all__ = ["notice_sender"]


def _grant(exchange: ExchangeFixture, scope: Scope) -> None:
    """`exchange.other` becomes the representative of `exchange.subject` for `scope`."""
    grant_active(exchange.subject, exchange.other, [scope], *period(), person(exchange.subject))


@pytest.fixture
def representative(client: Client, exchange: ExchangeFixture) -> Client:
    """`exchange.other`, logged in and acting for `exchange.subject` with a mandate for the
    step's service."""
    _grant(exchange, Scope(ScopeKind.SERVICE, exchange.step.service_slug))
    log_in_as(client, exchange.other)
    act_for(client, exchange.subject)
    return client


def test_a_representative_sees_the_preview_for_the_person_in_both_languages(
    representative: Client, exchange: ExchangeFixture
) -> None:
    preview = _ask(representative, exchange)

    page = representative.get(reverse("exchange:preview", args=[preview.pk]))
    representative.cookies.load({"django_language": "en"})
    english = representative.get(reverse("exchange:preview", args=[preview.pk]))

    assert page.status_code == 200 and 'id="preview-claims"' in page.content.decode()
    assert 'id="acting-for"' in page.content.decode() and "Niet delen" in page.content.decode()
    assert "Look at the evidence before you share it" in english.content.decode()
    reads = ProcessingRecord.objects.filter(name="exchange.preview.birth-certificate")
    assert reads.count() == 2  # one per page shown
    for read in reads:
        assert_on_behalf(read, exchange.other, exchange.subject)


def test_a_representative_shares_for_the_person_and_it_is_recorded_on_their_behalf(
    representative: Client, exchange: ExchangeFixture
) -> None:
    preview = _ask(representative, exchange)

    done = representative.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})

    assert done.status_code == 302 and done["Location"] == preview.return_url
    assert EvidenceRequest.objects.get().status == EvidenceRequest.Status.RECEIVED
    shared = ProcessingRecord.objects.get(name="exchange.share.birth-certificate")
    assert_on_behalf(shared, exchange.other, exchange.subject)


def test_a_mandate_that_does_not_cover_the_step_shows_nothing_and_decides_nothing(
    client: Client, exchange: ExchangeFixture
) -> None:
    log_in_as(client, exchange.subject)
    preview = _ask(client, exchange)
    _grant(exchange, Scope(ScopeKind.INBOX_READ))
    other = Client()
    log_in_as(other, exchange.other)
    act_for(other, exchange.subject)

    page = other.get(reverse("exchange:preview", args=[preview.pk]))
    refused = other.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})

    assert page.status_code == 403 and 'id="preview-claims"' not in page.content.decode()
    assert refused.status_code == 403
    preview.refresh_from_db()
    assert preview.status == EvidencePreview.Status.AWAITING_CONSENT


def test_another_nodes_request_is_the_persons_own_to_decide(
    representative: Client, exchange: ExchangeFixture
) -> None:
    preview = _ask(representative, exchange)
    EvidencePreview.objects.filter(pk=preview.pk).update(requester_node="ee")

    page = representative.get(reverse("exchange:preview", args=[preview.pk]))
    refused = representative.post(
        reverse("exchange:decide", args=[preview.pk]), {"decision": "share"}
    )
    representative.cookies.load({"django_language": "en"})
    english = representative.get(reverse("exchange:preview", args=[preview.pk]))

    assert page.status_code == 403 and 'id="acting-elsewhere"' in page.content.decode()
    assert 'href="/journeys/" id="to-plans"' in page.content.decode()  # a way on
    assert "Alleen de persoon zelf kan hiermee instemmen" in page.content.decode()
    assert 'id="preview-claims"' not in page.content.decode()
    assert "Only the person themselves can agree to this" in english.content.decode()
    assert refused.status_code == 403
    preview.refresh_from_db()
    assert preview.status == EvidencePreview.Status.AWAITING_CONSENT


def _received(exchange: ExchangeFixture) -> EvidenceRequest:
    """The person asks for and shares the birth certificate at the step: received evidence."""
    own = Client()
    log_in_as(own, exchange.subject)
    preview = _ask(own, exchange)
    own.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})
    return EvidenceRequest.objects.get(status=EvidenceRequest.Status.RECEIVED)


def test_a_mandate_for_another_step_of_the_plan_does_not_show_received_evidence(
    client: Client, exchange: ExchangeFixture
) -> None:
    evidence = _received(exchange)
    other = other_step(exchange)
    _grant(exchange, Scope(ScopeKind.SERVICE, other.service_slug))
    log_in_as(client, exchange.other)
    act_for(client, exchange.subject)

    plan = client.get(reverse("journeys:journey", args=[exchange.journey.pk]))
    page = client.get(reverse("exchange:received", args=[evidence.pk]))

    assert plan.status_code == 200  # the plan is visible through the other step
    assert page.status_code == 403 and 'id="received-claims"' not in page.content.decode()
    assert not ProcessingRecord.objects.filter(name__startswith="exchange.view-received").exists()


def test_received_evidence_needs_the_steps_level_of_assurance(
    client: Client, exchange: ExchangeFixture
) -> None:
    evidence = _received(exchange)
    log_in_as(client, exchange.subject, loa="low")
    step_page = reverse("journeys:step", args=[exchange.journey.pk, exchange.step.service_slug])

    page = client.get(reverse("exchange:received", args=[evidence.pk]))
    discarded = client.post(reverse("exchange:discard", args=[evidence.pk]))

    assert (page.status_code, page["Location"]) == (302, step_page)
    assert (discarded.status_code, discarded["Location"]) == (302, step_page)
    evidence.refresh_from_db()
    assert evidence.status == EvidenceRequest.Status.RECEIVED
