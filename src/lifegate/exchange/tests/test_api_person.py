"""The person's evidence exchange through the API (`/api/journeys/.../evidence`), as on the step
and received-evidence pages: the options per requirement, asking (the preview stays the
provider's page), the evidence received with its claims in Dutch or English, removing it;
every ask, read and removal recorded; refusals are problem details and change nothing."""

from typing import Any
from uuid import uuid4

import pytest
from django.test import Client

from lifegate.exchange import delivery, person, provider
from lifegate.exchange.models import EvidencePreview, EvidenceRequest
from lifegate.exchange.tests.local_fixtures import ExchangeFixture, other_step
from lifegate.inbox.tests.test_representation import act_for, assert_on_behalf
from lifegate.journeys.models import Step, Submission
from lifegate.mandates.models import ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, notice_sender, period
from lifegate.mandates.tests.conftest import person as person_of
from lifegate.mandates.tests.web import log_in_as
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

EN = {"accept-language": "en"}
# The organisation that tells the person about the mandate they gave.
__all__ = ["notice_sender"]


@pytest.fixture
def api(client: Client, exchange: ExchangeFixture) -> Client:
    log_in_as(client, exchange.subject)
    return client


def _step(exchange: ExchangeFixture) -> str:
    return f"/api/journeys/{exchange.journey.pk}/steps/{exchange.step.service_slug}/evidence"


def _ask(api: Client, exchange: ExchangeFixture, requirement: str = "", **extra: str) -> Any:
    return api.post(f"{_step(exchange)}/{requirement or exchange.birth.slug}", headers=extra)


def _received(api: Client, exchange: ExchangeFixture, *, share: bool = True) -> EvidenceRequest:
    answer = _ask(api, exchange)
    assert answer.status_code == 201
    preview = EvidencePreview.objects.get(request_id=answer.json()["id"])
    provider.decide(preview.pk, exchange.subject, exchange.actor, share=share)
    assert delivery.attempt(preview.pk) == "delivered"
    return EvidenceRequest.objects.get(pk=answer.json()["id"])


def _evidence_url(exchange: ExchangeFixture, evidence: EvidenceRequest) -> str:
    return f"/api/journeys/{exchange.journey.pk}/evidence/{evidence.pk}"


def _records(exchange: ExchangeFixture, name: str) -> int:
    return ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(exchange.subject), name=name
    ).count()


def test_the_options_name_the_provider_in_the_requests_language(
    api: Client, exchange: ExchangeFixture
) -> None:
    dutch = api.get(_step(exchange))
    english = api.get(_step(exchange), headers=EN)

    assert dutch.status_code == 200 and english.status_code == 200
    by_requirement = {option["requirement"]: option for option in english.json()}
    assert set(by_requirement) == {exchange.birth.slug, exchange.residence.slug}
    birth = by_requirement[exchange.birth.slug]
    assert birth["evidence_type"] == "birth-certificate"
    assert birth["provider"] == "Personal Records Database"
    assert birth["provider_country"] == "NL" and birth["latest"] is None
    assert dutch.json()[0]["provider"] == "Basisregistratie Personen"
    assert {option["evidence_type_name"] for option in dutch.json()} == {
        "Geboorteakte",
        "Bewijs van inschrijving",
    }


def test_asking_returns_where_the_person_looks_and_shares_and_is_recorded(
    api: Client, exchange: ExchangeFixture
) -> None:
    answer = _ask(api, exchange)

    assert answer.status_code == 201
    body = answer.json()
    preview = EvidencePreview.objects.get(request_id=body["id"])
    assert body["status"] == "awaiting-consent" and body["explanation"] == ""
    assert body["preview_url"].endswith(f"/exchange/preview/{preview.pk}/")
    assert body["expires_at"] and body["received_at"] is None
    # Nothing is shared before the person decides at the preview.
    assert EvidenceRequest.objects.get().evidence_sealed == ""
    # One record for the request, the act: not also a look at the plan.
    assert _records(exchange, "exchange.request.birth-certificate") == 1
    assert _records(exchange, "journeys.view") == 0
    [option] = [o for o in api.get(_step(exchange)).json() if o["latest"]]
    assert option["latest"]["id"] == body["id"]
    # After the preview the person comes back to the step's page, at the requirement.
    step_page = person.step_url(exchange.journey.pk, exchange.step.service_slug)
    assert preview.return_url.endswith(f"{step_page}#evidence-{exchange.birth.slug}")


def test_evidence_received_is_shown_with_labels_and_recorded(
    api: Client, exchange: ExchangeFixture
) -> None:
    evidence = _received(api, exchange)
    [option] = [o for o in api.get(_step(exchange)).json() if o["latest"]]
    assert option["latest"]["status"] == "received"
    assert option["latest"]["preview_url"] is None and option["latest"]["received_at"]

    english = api.get(_evidence_url(exchange, evidence), headers=EN)
    dutch = api.get(_evidence_url(exchange, evidence))

    assert english.status_code == 200
    body = english.json()
    assert body["provider"] == "Personal Records Database" and body["provider_country"] == "NL"
    assert body["digest"] == evidence.evidence_digest and body["issued_at"]
    claims = {claim["key"]: claim for claim in body["claims"]}
    assert claims["date_of_birth"]["label"] == "Date of birth"
    assert len(claims["date_of_birth"]["value"]) == 10  # ISO 8601, as signed
    assert {c["key"]: c["label"] for c in dutch.json()["claims"]}["date_of_birth"] == (
        "Geboortedatum"
    )
    assert _records(exchange, "exchange.view-received") == 2


def test_removing_evidence_deletes_it_and_records_that(
    api: Client, exchange: ExchangeFixture
) -> None:
    evidence = _received(api, exchange)

    looks = _records(exchange, "journeys.view")

    removed = api.delete(_evidence_url(exchange, evidence))

    assert removed.status_code == 204
    assert not EvidenceRequest.objects.filter(pk=evidence.pk).exists()
    assert _records(exchange, "exchange.discard-received") == 1
    assert _records(exchange, "journeys.view") == looks
    assert api.get(_evidence_url(exchange, evidence)).status_code == 404
    assert api.delete(_evidence_url(exchange, evidence)).status_code == 404


def test_evidence_sent_with_a_submission_is_no_longer_the_persons_to_remove(
    api: Client, exchange: ExchangeFixture
) -> None:
    evidence = _received(api, exchange)
    steps = f"/api/journeys/{exchange.journey.pk}/steps/{exchange.step.service_slug}"
    sent = api.post(
        f"{steps}/submissions",
        {"idempotency_key": "sent-with-evidence", "confirmed": True},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    evidence.refresh_from_db()
    assert evidence.submission_id == Submission.objects.get().pk

    assert api.delete(_evidence_url(exchange, evidence)).status_code == 404
    assert EvidenceRequest.objects.filter(pk=evidence.pk).exists()
    # Nor is more evidence asked for in the step, which is sent.
    assert api.get(_step(exchange)).status_code == 409


def test_a_declined_request_says_why_in_the_persons_language(
    api: Client, exchange: ExchangeFixture
) -> None:
    evidence = _received(api, exchange, share=False)

    [option] = [o for o in api.get(_step(exchange), headers=EN).json() if o["latest"]]

    assert option["latest"]["status"] == "declined"
    assert option["latest"]["explanation"].startswith("You chose not to share")
    assert option["latest"]["preview_url"] is None
    assert api.get(_evidence_url(exchange, evidence)).status_code == 404


def test_a_requirement_without_an_option_is_a_problem_and_asks_nothing(
    api: Client, exchange: ExchangeFixture
) -> None:
    dutch = _ask(api, exchange, "no-such-requirement")
    english = _ask(api, exchange, "no-such-requirement", **EN)

    assert dutch.status_code == 404
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["type"].endswith("/no-exchange-option")
    assert dutch.json()["title"].startswith("De overheid kan dit bewijs niet")
    assert "Upload a document" in english.json()["title"]
    assert not EvidenceRequest.objects.exists()


def test_someone_else_finds_nothing(api: Client, exchange: ExchangeFixture) -> None:
    evidence = _received(api, exchange)
    other = Client()
    log_in_as(other, exchange.other)

    assert other.get(_step(exchange)).status_code == 404
    assert _ask(other, exchange).status_code == 404
    assert other.get(_evidence_url(exchange, evidence)).status_code == 404
    assert other.delete(_evidence_url(exchange, evidence)).status_code == 404
    assert EvidenceRequest.objects.count() == 1
    # Nor is the evidence found under another journey of the person's.
    elsewhere = f"/api/journeys/{uuid4()}/evidence/{evidence.pk}"
    assert api.get(elsewhere).status_code == 404
    assert Client().get(_step(exchange)).status_code == 401


def test_a_step_above_the_sessions_level_asks_to_log_in_again(
    api: Client, exchange: ExchangeFixture
) -> None:
    evidence = _received(api, exchange)
    Step.objects.filter(pk=exchange.step.pk).update(minimum_assurance_level="high")

    refusals = [
        api.get(_step(exchange)),
        _ask(api, exchange),
        api.get(_evidence_url(exchange, evidence)),
        api.delete(_evidence_url(exchange, evidence)),
    ]

    assert [r.status_code for r in refusals] == [403] * 4
    assert {r.json()["required_level"] for r in refusals} == {"high"}
    assert EvidenceRequest.objects.count() == 1
    assert _records(exchange, "exchange.view-received") == 0


def _grant(exchange: ExchangeFixture, scope: Scope) -> None:
    """`exchange.other` becomes the representative of `exchange.subject` for `scope`."""
    grant_active(exchange.subject, exchange.other, [scope], *period(), person_of(exchange.subject))


def test_a_representative_for_the_step_asks_and_reads_on_the_persons_behalf(
    client: Client, exchange: ExchangeFixture, notice_sender: None
) -> None:
    _grant(exchange, Scope(ScopeKind.SERVICE, exchange.step.service_slug))
    log_in_as(client, exchange.other)
    act_for(client, exchange.subject)

    asked = _ask(client, exchange)
    evidence = EvidenceRequest.objects.get(pk=asked.json()["id"])
    preview = EvidencePreview.objects.get(request_id=str(evidence.pk))
    provider.decide(preview.pk, exchange.subject, exchange.actor, share=True)
    delivery.attempt(preview.pk)
    shown = client.get(_evidence_url(exchange, evidence))

    assert asked.status_code == 201 and shown.status_code == 200
    read = ProcessingRecord.objects.get(name="exchange.view-received")
    assert_on_behalf(read, exchange.other, exchange.subject)


def test_a_mandate_that_does_not_cover_the_step_is_refused_and_asks_nothing(
    client: Client, exchange: ExchangeFixture, notice_sender: None
) -> None:
    _grant(exchange, Scope(ScopeKind.INBOX_READ))
    log_in_as(client, exchange.other)
    act_for(client, exchange.subject)

    refused = [client.get(_step(exchange)), _ask(client, exchange)]

    assert [r.status_code for r in refused] == [403, 403]
    assert {r.json()["type"].rsplit("/", 1)[1] for r in refused} == {"not-permitted"}
    assert not EvidenceRequest.objects.exists()


def test_a_step_that_is_not_open_offers_nothing_and_asks_nothing(
    api: Client, exchange: ExchangeFixture
) -> None:
    Step.objects.filter(pk=exchange.step.pk).update(status=Step.Status.SUBMITTED)

    listed = api.get(_step(exchange), headers=EN)
    asked = _ask(api, exchange)

    assert (listed.status_code, asked.status_code) == (409, 409)
    assert listed.json()["type"].endswith("/step-not-open")
    assert listed.json()["title"] == "This step cannot be sent now."
    assert asked.json()["title"] == "U kunt deze stap nu niet versturen."
    assert not EvidenceRequest.objects.exists()
    assert _records(exchange, "exchange.request.birth-certificate") == 0


def test_a_mandate_for_another_step_of_the_plan_is_refused_for_this_ones_evidence(
    client: Client, exchange: ExchangeFixture, notice_sender: None
) -> None:
    evidence = _received(_logged_in(Client(), exchange), exchange)
    other = other_step(exchange)
    _grant(exchange, Scope(ScopeKind.SERVICE, other.service_slug))
    log_in_as(client, exchange.other)
    act_for(client, exchange.subject)
    before = list(ProcessingRecord.objects.values_list("pk", flat=True))

    plan = client.get(f"/api/journeys/{exchange.journey.pk}")
    refused = [
        client.get(_step(exchange)),
        _ask(client, exchange),
        client.get(_evidence_url(exchange, evidence)),
        client.delete(_evidence_url(exchange, evidence)),
    ]

    assert plan.status_code == 200  # the plan is visible through the other step
    assert [r.status_code for r in refused] == [403] * 4
    assert {r.json()["reason"] for r in refused} == {"out-of-scope"}
    assert EvidenceRequest.objects.get() == evidence  # nothing asked, nothing removed
    # Of the plan and its evidence, only the look at the plan is recorded.
    added = ProcessingRecord.objects.exclude(pk__in=before).values_list("name", flat=True)
    assert [name for name in added if name.startswith(("journeys.", "exchange."))] == [
        "journeys.view"
    ]


def _logged_in(client: Client, exchange: ExchangeFixture) -> Client:
    log_in_as(client, exchange.subject)
    return client
