"""Evidence from the government in a journey step: the step page offers it per requirement,
shows it once received, sends it with the submission, and the agency gets it with its origin
and the provider's signature."""

from django.test import Client
from django.urls import reverse
from joserfc import jws
from joserfc.jwk import KeySet

from lifegate.catalogue.models import EvidenceProvider, FormField
from lifegate.core.keys import public_jwks
from lifegate.exchange.models import EvidencePreview, EvidenceRequest
from lifegate.exchange.tests.local_fixtures import ExchangeFixture
from lifegate.exchange.tests.trust_fixtures import PEER_URL, NodesInProcess
from lifegate.journeys import drafts
from lifegate.journeys.models import Step, Submission
from lifegate.journeys.tests.agency_factories import make_client
from lifegate.mandates.tests.web import log_in_as


def _step_url(exchange: ExchangeFixture) -> str:
    return reverse("journeys:step", args=[exchange.journey.pk, exchange.step.service_slug])


def _share(client: Client, exchange: ExchangeFixture) -> EvidenceRequest:
    ask = reverse(
        "exchange:ask",
        args=[exchange.journey.pk, exchange.step.service_slug, exchange.birth.slug],
    )
    client.post(ask)
    preview = EvidencePreview.objects.get()
    client.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})
    return EvidenceRequest.objects.get()


def test_the_step_page_offers_and_then_shows_the_evidence(
    client: Client, exchange: ExchangeFixture
) -> None:
    log_in_as(client, exchange.subject)
    page = client.get(_step_url(exchange)).content.decode()
    assert f'id="exchange-{exchange.birth.slug}-ask"' in page
    ask = reverse(
        "exchange:ask",
        args=[exchange.journey.pk, exchange.step.service_slug, exchange.birth.slug],
    )
    assert f'formaction="{ask}"' in page
    _share(client, exchange)
    page = client.get(_step_url(exchange)).content.decode()
    assert f'id="exchange-{exchange.birth.slug}-received"' in page
    # The other requirement is still offered.
    assert f'id="exchange-{exchange.residence.slug}-ask"' in page


def test_a_failed_request_is_explained_on_the_step(
    client: Client, exchange: ExchangeFixture
) -> None:
    log_in_as(client, exchange.subject)
    ask = reverse(
        "exchange:ask",
        args=[exchange.journey.pk, exchange.step.service_slug, exchange.birth.slug],
    )
    client.post(ask)
    preview = EvidencePreview.objects.get()
    client.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "decline"})
    page = client.get(_step_url(exchange)).content.decode()
    assert f'id="exchange-{exchange.birth.slug}-status"' in page


def test_the_evidence_goes_with_the_submission_to_the_agency(
    client: Client, exchange: ExchangeFixture
) -> None:
    log_in_as(client, exchange.subject)
    received = _share(client, exchange)
    form = client.get(_step_url(exchange)).content.decode()
    key = form.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    sent = client.post(_step_url(exchange), {"idempotency_key": key, "confirm": "yes"})
    assert sent.status_code == 302, sent.content.decode()[:2000]
    submission = Submission.objects.get()
    received.refresh_from_db()
    assert received.submission == submission

    assert exchange.step.service is not None
    _, token = make_client(exchange.step.service.competent_authority)
    api = Client()
    detail = api.get(
        f"/api/agency/submissions/{submission.pk}", headers={"Authorization": f"Bearer {token}"}
    )
    assert detail.status_code == 200, detail.content
    evidence = detail.json()["evidence"]
    assert len(evidence) == 1
    assert evidence[0]["evidence_type"] == "birth-certificate"
    assert evidence[0]["provider_node"] == "nl"
    assert evidence[0]["claims"]["date_of_birth"]
    # The agency can check the signature itself with the node's published keys.
    keys = KeySet.import_key_set(public_jwks("exchange-node"))
    checked = jws.deserialize_compact(evidence[0]["signed_document"], keys, algorithms=["ES256"])
    assert b"birth-certificate" in checked.payload
    # Once sent, it can no longer be removed or asked for again in this step.
    assert client.post(reverse("exchange:discard", args=[received.pk])).status_code == 404


def test_the_step_page_lets_its_form_lead_to_the_providing_peer_only(
    client: Client, exchange: ExchangeFixture, nodes_in_process: NodesInProcess
) -> None:
    EvidenceProvider.objects.filter(evidence_type__slug="birth-certificate").update(node="ee")
    log_in_as(client, exchange.subject)
    policy = client.get(_step_url(exchange))["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if "form-action" in p)
    assert PEER_URL in form_action
    EvidenceProvider.objects.update(node="nl")
    policy = client.get(_step_url(exchange))["Content-Security-Policy"]
    assert PEER_URL not in policy


def test_what_was_typed_is_there_again_after_fetching_evidence(
    client: Client, exchange: ExchangeFixture
) -> None:
    """The "get it from the government" button posts the step form: what the person typed
    comes back on the step page (sealed in the session meanwhile), until the step is sent."""
    assert exchange.step.service is not None
    FormField.objects.create(
        service=exchange.step.service, key="phone", kind="phone", label_nl="Telefoon"
    )
    FormField.objects.create(
        service=exchange.step.service, key="note", kind="long-text", label_nl="Toelichting"
    )
    log_in_as(client, exchange.subject)
    ask = reverse(
        "exchange:ask",
        args=[exchange.journey.pk, exchange.step.service_slug, exchange.birth.slug],
    )
    client.post(ask, {"phone": "030 123 4567", "note": "Tweede\nregel <b>", "other": "x"})
    stored = str(client.session[drafts.SESSION_KEY])
    assert "030 123 4567" not in stored  # sealed, not plain text in the session table
    preview = EvidencePreview.objects.get()
    client.post(reverse("exchange:decide", args=[preview.pk]), {"decision": "share"})

    page = client.get(_step_url(exchange), headers={"accept-language": "en"}).content.decode()
    assert 'value="030 123 4567"' in page
    assert "Tweede\nregel &lt;b&gt;</textarea>" in page
    assert 'id="draft-restored"' in page
    assert "What you typed before is filled in again" in page
    dutch = client.get(_step_url(exchange), headers={"accept-language": "nl"}).content.decode()
    assert "Wat u eerder typte, staat er weer." in dutch

    key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    sent = client.post(
        _step_url(exchange),
        {"idempotency_key": key, "confirm": "yes", "phone": "0301234567", "note": "Klaar"},
    )
    assert sent.status_code == 302
    assert drafts.SESSION_KEY in client.session
    assert str(exchange.step.pk) not in client.session[drafts.SESSION_KEY]


def test_a_draft_holds_only_the_form_and_the_newest_steps(
    client: Client, exchange: ExchangeFixture
) -> None:
    assert exchange.step.service is not None
    FormField.objects.create(service=exchange.step.service, key="phone", label_nl="Telefoon")
    session = client.session
    drafts.keep(session, exchange.step, {"phone": "x" * 5000, "sneaky": "y"})
    assert drafts.typed(session, exchange.step) == {"phone": "x" * drafts.MAX_VALUE_CHARS}
    drafts.keep(session, exchange.step, {"phone": "  "})  # emptied: nothing left to keep
    assert drafts.typed(session, exchange.step) == {}
    drafts.keep(session, exchange.step, {"phone": "1"})
    for number in range(drafts.MAX_DRAFTS):  # drafts of newer steps push the oldest out
        newer = Step(pk=exchange.step.pk + 1 + number, service_id=exchange.step.service_id)
        drafts.keep(session, newer, {"phone": str(number)})
        assert drafts.typed(session, newer) == {"phone": str(number)}
    assert drafts.typed(session, exchange.step) == {}
    assert len(session[drafts.SESSION_KEY]) == drafts.MAX_DRAFTS
    session[drafts.SESSION_KEY] = {str(exchange.step.pk): "not sealed by us"}
    assert drafts.typed(session, exchange.step) == {}
