"""The evidence requester: a person in a journey step asks for evidence "from the government
that has it" instead of uploading it.

The catalogue's evidence broker says which evidence type meets the step's requirement for a
person of their country, its directory which node provides it. The request goes to that node
(or, when it is this node, to the provider in-process), which matches the person and opens a
preview; the person looks at the evidence there and shares it or not; the provider's signed
answer arrives at `receive_response`. The evidence is checked against the provider's published
keys, kept sealed, and goes with the step's submission to the agency.

Which provider can give the evidence is in `exchange.options`; what the person and the journey
do with evidence once it is here (show, discard, attach, explain), in `exchange.received`."""

import hashlib
import hmac
import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifegate.core import statements
from lifegate.core.sealing import seal
from lifegate.core.subject import Subject
from lifegate.exchange import evidence as documents
from lifegate.exchange.errors import RequestInvalid
from lifegate.exchange.models import EvidenceRequest
from lifegate.exchange.options import NoExchangeOption, Option, option_for
from lifegate.exchange.received import EVIDENCE_SEAL, EXCHANGE_ACTIVITY
from lifegate.journeys.models import Journey, Step
from lifegate.journeys.reading import journey_subject
from lifegate.registries import services as registries
from lifegate.registries.adapters import Person
from lifegate.transparency.services import (
    Actor,
    ForeignOperation,
    encrypt_subject,
    record_processing,
    subject_hash,
)

if TYPE_CHECKING:
    from lifegate.exchange.nodes import Peer

log = logging.getLogger("lifegate.exchange")
REQUEST_TYPE = "evidence-request"
ANSWER_TYPE = "evidence-request-answer"
# A request stays open a little longer than the provider's preview, so the provider's
# "expired" answer always finds it.
EXPIRY_MARGIN = timedelta(minutes=1)


def request_evidence(
    journey: Journey, step: Step, requirement_slug: str, *, actor: Actor, return_url: str
) -> EvidenceRequest:
    """Ask the provider for the evidence; the result says where the person goes next (the
    preview) or why that is not possible (not found, provider unreachable, refused)."""
    subject = journey_subject(journey)
    option = option_for(step, subject, requirement_slug)
    if option is None:
        raise NoExchangeOption(requirement_slug)
    with transaction.atomic():
        # One operation, one record: reading the person's registration to name them to the
        # provider (their family is not asked for). Its trace links the provider's records.
        person, record = registries.read_person_recorded(
            subject,
            actor=actor,
            activity=EXCHANGE_ACTIVITY,
            purpose_name=f"exchange.request.{option.evidence_type_slug}",
            family=False,
        )
        if person is None:
            raise NoExchangeOption(requirement_slug)
        request = EvidenceRequest(
            step=step,
            requirement_slug=requirement_slug,
            evidence_type_slug=option.evidence_type_slug,
            provider_node=option.provider_node,
            provider_country=option.provider_country,
            provider_name_nl=option.provider_name_nl,
            provider_name_en=option.provider_name_en,
            subject_hash=subject_hash(subject),
            subject_sealed=encrypt_subject(subject),
            conversation_id=uuid.uuid4().hex,
            status=EvidenceRequest.Status.AWAITING_CONSENT,
            expires_at=timezone.now()
            + timedelta(minutes=settings.EXCHANGE_CONSENT_MINUTES)
            + EXPIRY_MARGIN,
            trace_id=record.trace_id,
            span_id=record.span_id,
        )
        statements.insert(request)  # an INSERT made once: this is on every request's path
    # The call to the provider runs outside any transaction: no lock is held while a peer
    # takes its time.
    details = _request_details(request, step, subject, person, option, return_url)
    if option.local:
        return _apply_answer(request, _ask_here(details, subject))
    return _ask_peer(request, details)


def _request_details(
    request: EvidenceRequest,
    step: Step,
    subject: Subject,
    person: Person,
    option: Option,
    return_url: str,
) -> dict[str, Any]:
    service = step.service
    authority = service.competent_authority if service else None
    return {
        "request_id": str(request.pk),
        "conversation_id": request.conversation_id,
        "evidence_type": option.evidence_type_slug,
        "requirement": option.requirement_slug,
        "requester_organisation": authority.name_en if authority else settings.NODE_ID,
        "requester_service": step.name_en,
        "return_url": return_url,
        "loa": "",
        "subject": {
            "PersonIdentifier": _person_identifier(subject, option.provider_country),
            "CurrentFamilyName": person.family_name_with_prefix,
            "CurrentGivenName": person.given_names,
            "DateOfBirth": person.date_of_birth.isoformat(),
        },
        "trace": {"trace_id": request.trace_id, "span_id": request.span_id},
    }


def _person_identifier(subject: Subject, receiving_country: str) -> str:
    """The eIDAS PersonIdentifier the provider's country gets: the person's own for an eIDAS
    login, else a pseudonym (never the national number), as an eIDAS node would send."""
    if subject.scheme == "eidas":
        return subject.value
    digest = hmac.new(
        settings.LIFEGATE_SUBJECT_KEY.encode(), f"eidas:{subject.value}".encode(), hashlib.sha256
    ).hexdigest()[:24]
    return f"{settings.NODE_COUNTRY}/{receiving_country}/{digest}"


def _ask_here(details: dict[str, Any], subject: Subject) -> dict[str, Any]:
    from lifegate.exchange import provider

    incoming = provider.IncomingRequest(
        requester_node=settings.NODE_ID,
        requester_url=settings.BASE_URL,
        request_id=details["request_id"],
        conversation_id=details["conversation_id"],
        evidence_type=details["evidence_type"],
        requirement=details["requirement"],
        requester_organisation=details["requester_organisation"],
        requester_service=details["requester_service"],
        return_url=details["return_url"],
        trace_id=details["trace"]["trace_id"],
        span_id=details["trace"]["span_id"],
        subject=subject,
    )
    return provider.receive_request(incoming).as_claims()


def _ask_peer(request: EvidenceRequest, details: dict[str, Any]) -> EvidenceRequest:
    from lifegate.exchange import client, messages, nodes

    try:
        peer = nodes.peer(request.provider_node)
        payload = {key: value for key, value in details.items() if key != "conversation_id"}

        def signed() -> str:  # signed afresh for each attempt: a retry is no replay
            return messages.sign(
                payload,
                to=peer.id,
                message_type=REQUEST_TYPE,
                conversation_id=request.conversation_id,
            )

        reply = client.post_message(peer, "/api/exchange/requests", signed)
    except nodes.UnknownNode:
        return _apply_answer(request, {"status": "unavailable", "problem": "provider-not-trusted"})
    except client.PeerUnavailable:
        return _apply_answer(request, {"status": "unavailable", "problem": "provider-unreachable"})
    except client.PeerRefused as refused:
        log.warning("exchange: %s refused request %s (%s)", peer.id, request.pk, refused.status)
        problem = f"provider-refused-{refused.status}"
        return _apply_answer(request, {"status": "refused", "problem": problem})
    # The answer's replay record and the outcome in one transaction: one commit, not two.
    with transaction.atomic():
        return _apply_answer(request, _peer_answer(request, peer, reply))


def _peer_answer(request: EvidenceRequest, peer: "Peer", reply: str) -> dict[str, Any]:
    """The provider's verified answer, or a "rejected" one saying why it cannot be used."""
    from lifegate.exchange import messages

    try:
        verified = messages.verify(reply, expected_type=ANSWER_TYPE)
    except messages.MessageRejected as rejected:
        log.warning("exchange: answer from %s rejected (%s)", request.provider_node, rejected.code)
        return {"status": "rejected", "problem": f"answer-{rejected.code}"}
    if verified.sender.id != peer.id or verified.claims.get("correlation_id") != str(request.pk):
        return {"status": "rejected", "problem": "answer-mismatch"}
    answer = dict(verified.claims)
    if answer.get("status") == "preview" and not str(answer.get("preview_url", "")).startswith(
        peer.base_url.rstrip("/") + "/"
    ):
        return {"status": "rejected", "problem": "preview-not-on-provider"}
    return answer


def _trace(answer: dict[str, Any]) -> dict[str, Any]:
    trace = answer.get("trace")
    return trace if isinstance(trace, dict) else {}


_ANSWER_UPDATE = (
    "status",
    "preview_url",
    "problem",
    "provider_trace_id",
    "provider_span_id",
    "updated_at",
)
_ANSWER_STATUS = {
    "preview": EvidenceRequest.Status.AWAITING_CONSENT,
    "not-found": EvidenceRequest.Status.NOT_FOUND,
    "unavailable": EvidenceRequest.Status.UNAVAILABLE,
    "refused": EvidenceRequest.Status.REFUSED,
    "rejected": EvidenceRequest.Status.REJECTED,
}


def _apply_answer(request: EvidenceRequest, answer: dict[str, Any]) -> EvidenceRequest:
    status = _ANSWER_STATUS.get(str(answer.get("status")), EvidenceRequest.Status.REJECTED)
    trace = _trace(answer)
    request.status = status
    request.preview_url = str(answer.get("preview_url", ""))[:500] if status in request.OPEN else ""
    request.problem = str(answer.get("problem", ""))[:60]
    request.provider_trace_id = str(trace.get("trace_id", ""))[:32]
    request.provider_span_id = str(trace.get("span_id", ""))[:16]
    statements.update(request, _ANSWER_UPDATE)  # made once, like the request's INSERT
    return request


def receive_response(sender: str, request_id: str, answer: dict[str, Any]) -> EvidenceRequest:
    """The provider's answer after the person decided: the evidence (verified against the
    provider's keys before it is kept), "declined" or "expired". An answer for a request that
    is no longer waiting is ignored, so a repeated delivery changes nothing."""
    from lifegate.exchange import nodes

    try:
        uuid.UUID(request_id)
    except ValueError:
        raise RequestInvalid("request_id", "not a request id of this node") from None
    with transaction.atomic():
        request = (
            EvidenceRequest.objects.select_for_update()
            .filter(pk=request_id, provider_node=sender)
            .first()
        )
        if request is None:
            raise RequestInvalid("request_id", "no such request to this provider")
        if request.status != EvidenceRequest.Status.AWAITING_CONSENT:
            return request
        status = answer.get("status")
        trace = _trace(answer)
        if status == "shared":
            keys = None if sender == settings.NODE_ID else nodes.peer(sender).jwks
            try:
                document = documents.verify_evidence(
                    str(answer.get("evidence", "")),
                    issuer_node=sender,
                    issuer_keys=keys,
                    evidence_type=request.evidence_type_slug,
                    request_id=str(request.pk),
                )
            except documents.EvidenceInvalid as invalid:
                log.warning("exchange: evidence for %s rejected (%s)", request.pk, invalid.code)
                request.status = EvidenceRequest.Status.REJECTED
                request.problem = f"evidence-{invalid.code}"
                request.save(update_fields=["status", "problem", "updated_at"])
                return request
            request.evidence_sealed = seal(EVIDENCE_SEAL, document.token)
            request.evidence_digest = document.digest
            request.evidence_kid = document.kid
            request.received_at = timezone.now()
            request.status = EvidenceRequest.Status.RECEIVED
            _record_receipt(request, trace, sorted(document.claims))
        elif status == "declined":
            request.status = EvidenceRequest.Status.DECLINED
        elif status == "expired":
            request.status = EvidenceRequest.Status.EXPIRED
            request.problem = "consent-time-over"
        else:
            raise RequestInvalid("status", "unknown answer status")
        request.preview_url = ""
        request.provider_trace_id = str(trace.get("trace_id", ""))[:32] or request.provider_trace_id
        request.provider_span_id = str(trace.get("span_id", ""))[:16] or request.provider_span_id
        request.save()
    return request


def _record_receipt(request: EvidenceRequest, trace: dict[str, Any], categories: list[str]) -> None:
    from lifegate.exchange import nodes

    entity = settings.BASE_URL if request.provider_node == settings.NODE_ID else ""
    if not entity:
        entity = nodes.peer(request.provider_node).base_url
    foreign = None
    if trace.get("trace_id"):
        foreign = ForeignOperation(
            str(trace["trace_id"])[:32], str(trace.get("span_id", ""))[:16], entity
        )
    record_processing(
        name=f"exchange.receive.{request.evidence_type_slug}",
        subject=_subject_of(request),
        activity=EXCHANGE_ACTIVITY,
        actor=Actor(kind="system"),
        data_categories=categories,
        trace_id=request.trace_id,
        parent_span_id=request.span_id,
        foreign=foreign,
    )


def _subject_of(request: EvidenceRequest) -> Subject:
    from lifegate.transparency.services import decrypt_subject

    return decrypt_subject(request.subject_sealed)


__all__ = ["receive_response", "request_evidence"]
