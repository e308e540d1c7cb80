"""The evidence provider: a request for evidence arrives (from a peer node, or from this node's
own journeys), the person is matched in the register, and they look at exactly what would be
shared before they share it or not.

Nothing leaves this node before the person clicks "share": the requester only gets a link to
the preview. A request that matches nobody, or more than one person, or a person about whom
this node holds no such evidence, gets the same answer, "not found", so the answer never tells
another node anything about someone else."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lifegate.core import statements
from lifegate.core.origins import origin_of
from lifegate.core.sealing import seal, unseal
from lifegate.core.subject import Subject
from lifegate.exchange import evidence as documents
from lifegate.exchange.errors import RequestInvalid
from lifegate.exchange.models import EvidencePreview
from lifegate.registries import services as registries
from lifegate.registries.adapters import Person
from lifegate.registries.matching import is_eidas_identifier
from lifegate.transparency.services import (
    Actor,
    ForeignOperation,
    encrypt_subject,
    record_processing,
    subject_hash,
)

PROVISION_ACTIVITY = "evidence-provision"
PERSON_SEAL = "exchange-preview-person"
EVIDENCE_SEAL = "exchange-preview-evidence"
MAX_TEXT = 200


@dataclass(frozen=True)
class IncomingRequest:
    """An evidence request as the provider needs it, whoever sent it."""

    requester_node: str
    requester_url: str  # the requester's base URL: the person returns only there
    request_id: str
    conversation_id: str
    evidence_type: str
    requirement: str
    requester_organisation: str
    requester_service: str
    return_url: str
    trace_id: str
    span_id: str
    # A peer sends the eIDAS minimum data set; this node's own journeys send the subject.
    identity: dict[str, str] | None = None
    subject: Subject | None = None


@dataclass(frozen=True)
class Answer:
    """What the provider answers at once: a preview to go to, or "not found"."""

    status: str  # "preview" | "not-found"
    preview_url: str = ""
    trace_id: str = ""
    span_id: str = ""

    def as_claims(self) -> dict[str, str]:
        """As the payload of the signed answer."""
        return {
            "status": self.status,
            "preview_url": self.preview_url,
            "trace": {"trace_id": self.trace_id, "span_id": self.span_id},  # type: ignore[dict-item]
        }


def parse_request(sender: str, sender_url: str, claims: dict[str, Any]) -> IncomingRequest:
    """The request from a peer's verified message; `RequestInvalid` for missing or malformed
    parts (the peer gets a problem answer, nothing is stored)."""
    subject = claims.get("subject")
    trace = claims["trace"] if isinstance(claims.get("trace"), dict) else {}
    if not isinstance(subject, dict):
        raise RequestInvalid("subject", "the request names no person")
    identity = {
        key: _text(subject, key)
        for key in ("PersonIdentifier", "CurrentFamilyName", "CurrentGivenName", "DateOfBirth")
    }
    if not is_eidas_identifier(identity["PersonIdentifier"]):
        raise RequestInvalid("subject", "PersonIdentifier is not of the form XX/YY/identifier")
    try:
        date.fromisoformat(identity["DateOfBirth"])
    except ValueError:
        raise RequestInvalid("subject", "DateOfBirth is not a date (YYYY-MM-DD)") from None
    return_url = _text(claims, "return_url", limit=500)
    if not return_url.startswith(sender_url.rstrip("/") + "/"):
        raise RequestInvalid("return_url", "the return URL is not on the requesting node")
    return IncomingRequest(
        requester_node=sender,
        requester_url=sender_url,
        request_id=_text(claims, "request_id", limit=64),
        conversation_id=_text(claims, "conversation_id", limit=32),
        evidence_type=_text(claims, "evidence_type", limit=80),
        requirement=_text(claims, "requirement", limit=80, required=False),
        requester_organisation=_text(claims, "requester_organisation"),
        requester_service=_text(claims, "requester_service"),
        return_url=return_url,
        trace_id=str(trace.get("trace_id", ""))[:32],
        span_id=str(trace.get("span_id", ""))[:16],
        identity=identity,
    )


def _text(data: dict[str, Any], key: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise RequestInvalid(key, f"{key} is missing, not text, or longer than {limit}")
    return value.strip()


def receive_request(incoming: IncomingRequest) -> Answer:
    """Match the person, and when this node holds the evidence about them, open a preview
    that waits for their decision. The match attempt is recorded whatever its outcome."""
    if incoming.evidence_type not in documents.provided_types():
        raise RequestInvalid("evidence_type", "this node does not provide that evidence type")
    trace_id = secrets.token_hex(16)
    foreign = _foreign(incoming)
    # The register's keeper provides the evidence: its name goes in the processing log.
    actor = Actor(kind="system", organisation=issuing_authority(incoming.evidence_type))
    # Joins the caller's transaction (the node API's, with the message's replay record): no
    # savepoint. A request seen before (a retry after its answer got lost) gets the same
    # answer, without matching again; two deliveries of it at once make the second one's
    # transaction fail on the unique request id, and the caller tries it again.
    with transaction.atomic(savepoint=False):
        preview = statements.first(  # a SELECT made once: on every request's path
            EvidencePreview,
            requester_node=incoming.requester_node,
            request_id=incoming.request_id,
        )
        if preview is None:
            person = _match(incoming, actor, trace_id, foreign)
            if person is None or documents.claims_for(incoming.evidence_type, person) is None:
                return Answer("not-found", trace_id=trace_id)
            preview = _open_preview(incoming, person, trace_id)
    url = settings.BASE_URL + reverse("exchange:preview", args=[preview.pk])
    return Answer("preview", preview_url=url, trace_id=preview.trace_id, span_id=preview.span_id)


def _open_preview(incoming: IncomingRequest, person: Person, trace_id: str) -> EvidencePreview:
    subject = login_subject(person)
    preview = EvidencePreview(
        requester_node=incoming.requester_node,
        request_id=incoming.request_id,
        conversation_id=incoming.conversation_id,
        evidence_type_slug=incoming.evidence_type,
        requirement_slug=incoming.requirement,
        requester_organisation=incoming.requester_organisation,
        requester_service=incoming.requester_service,
        person_sealed=seal(PERSON_SEAL, person.bsn),
        subject_hash=subject_hash(subject),
        subject_sealed=encrypt_subject(subject),
        return_url=incoming.return_url,
        expires_at=timezone.now() + timedelta(minutes=settings.EXCHANGE_CONSENT_MINUTES),
        trace_id=trace_id,
        span_id=secrets.token_hex(8),
        requester_trace_id=incoming.trace_id,
        requester_span_id=incoming.span_id,
    )
    statements.insert(preview)  # an INSERT made once: this is on every request's path
    return preview


def _foreign(incoming: IncomingRequest) -> ForeignOperation | None:
    if not incoming.trace_id:
        return None
    return ForeignOperation(incoming.trace_id, incoming.span_id, incoming.requester_url)


def _match(
    incoming: IncomingRequest, actor: Actor, trace_id: str, foreign: ForeignOperation | None
) -> Person | None:
    purpose = f"exchange.match.{incoming.evidence_type}"
    if incoming.subject is not None:  # this node's own journey: the person is known
        return registries.read_person(
            incoming.subject,
            actor=actor,
            activity=PROVISION_ACTIVITY,
            purpose_name=purpose,
            trace_id=trace_id,
            family=False,  # evidence is about the person alone
        )
    identity = incoming.identity or {}
    return registries.match_eidas_identity(
        identity["PersonIdentifier"],
        family_name=identity["CurrentFamilyName"],
        given_name=identity["CurrentGivenName"],
        date_of_birth=date.fromisoformat(identity["DateOfBirth"]),
        actor=actor,
        activity=PROVISION_ACTIVITY,
        purpose_name=purpose,
        trace_id=trace_id,
        foreign=foreign,
    )


def login_subject(person: Person) -> Subject:
    """How the person logs in at this node: by eIDAS identifier when the register has one for
    them (EU citizens; everyone on a node that logs its residents in through eIDAS), else by
    BSN. The same rule the demo personas follow."""
    if person.eidas_person_identifier:
        return Subject("eidas", person.eidas_person_identifier)
    return Subject("bsn", person.bsn)


# ---------------------------------------------------------------------------------------------
# The preview and the person's decision


class NotYourPreview(Exception):
    """The logged-in person is not the person the evidence is about."""


class PreviewClosed(Exception):
    """The preview expired or was decided already."""

    def __init__(self, preview: EvidencePreview) -> None:
        super().__init__(preview.status)
        self.preview = preview


def expire_if_due(preview: EvidencePreview) -> EvidencePreview:
    """Mark a preview whose time for consent ran out as expired (and tell the requester)."""
    if preview.status == EvidencePreview.Status.AWAITING_CONSENT and (
        preview.expires_at <= timezone.now()
    ):
        updated = EvidencePreview.objects.filter(
            pk=preview.pk, status=EvidencePreview.Status.AWAITING_CONSENT
        ).update(status=EvidencePreview.Status.EXPIRED, decided_at=timezone.now())
        preview.refresh_from_db()
        if updated:
            from lifegate.exchange import delivery

            delivery.schedule(preview)
    return preview


def _person_for(preview: EvidencePreview, viewer: Subject, actor: Actor) -> Person:
    """The register's person for the preview, after checking the viewer is that person. The
    read is recorded on the viewer."""
    person = registries.read_person(
        viewer,
        actor=actor,
        activity=PROVISION_ACTIVITY,
        purpose_name=f"exchange.preview.{preview.evidence_type_slug}",
        trace_id=preview.trace_id,
        family=False,
    )
    expected = unseal(PERSON_SEAL, preview.person_sealed)
    if person is None or not secrets.compare_digest(person.bsn, expected):
        raise NotYourPreview
    return person


@dataclass(frozen=True)
class Preview:
    """What the person sees before deciding."""

    preview: EvidencePreview
    rows: list[tuple[Any, str]]


def show_preview(preview: EvidencePreview, viewer: Subject, actor: Actor) -> Preview:
    """Exactly the evidence that would be shared, for the person it is about."""
    with transaction.atomic():
        person = _person_for(preview, viewer, actor)
        claims = documents.claims_for(preview.evidence_type_slug, person) or {}
    return Preview(preview, documents.shown_claims(preview.evidence_type_slug, claims))


def decide(preview_id: Any, viewer: Subject, actor: Actor, *, share: bool) -> EvidencePreview:
    """The person shares the evidence (signed now, from the register as it is now) or declines.
    Either way the requester is told; the delivery runs as a durable task."""
    from lifegate.exchange import delivery

    expire_if_due(EvidencePreview.objects.get(pk=preview_id))
    with transaction.atomic():
        preview = EvidencePreview.objects.select_for_update().get(pk=preview_id)
        if (
            preview.status != EvidencePreview.Status.AWAITING_CONSENT
            or preview.expires_at <= timezone.now()  # just now: the expiry task closes it
        ):
            raise PreviewClosed(preview)
        person = _person_for(preview, viewer, actor)
        if share:
            claims = documents.claims_for(preview.evidence_type_slug, person)
            if claims is None:  # the register changed since the request: nothing to share
                raise PreviewClosed(preview)
            token = documents.sign_evidence(
                evidence_type=preview.evidence_type_slug,
                claims=claims,
                request_id=preview.request_id,
                conversation_id=preview.conversation_id,
                issuing_authority=issuing_authority(preview.evidence_type_slug),
            )
            preview.evidence_sealed = seal(EVIDENCE_SEAL, token)
            preview.status = EvidencePreview.Status.SHARED
        else:
            preview.status = EvidencePreview.Status.DECLINED
        preview.decided_at = timezone.now()
        preview.save(update_fields=["status", "evidence_sealed", "decided_at"])
        record_processing(
            name=f"exchange.{'share' if share else 'decline'}.{preview.evidence_type_slug}",
            subject=viewer,
            activity=PROVISION_ACTIVITY,
            actor=actor,
            data_categories=_categories(preview.evidence_type_slug) if share else (),
            trace_id=preview.trace_id,
            foreign=ForeignOperation(
                preview.requester_trace_id,
                preview.requester_span_id,
                origin_of(preview.return_url) or preview.requester_node,
            )
            if preview.requester_trace_id
            else None,
        )
        transaction.on_commit(lambda: delivery.schedule(preview))
    return preview


def shared_evidence(preview: EvidencePreview) -> str:
    """The signed evidence of a shared preview (for delivery)."""
    return unseal(EVIDENCE_SEAL, preview.evidence_sealed)


def _categories(evidence_type: str) -> list[str]:
    return [claim.key for claim in documents.CLAIM_LABELS.get(evidence_type, ())]


def issuing_authority(evidence_type: str) -> str:
    """The organisation that holds this evidence at this node, from the catalogue's
    directory (in English: the document travels to other countries)."""
    from lifegate.catalogue import evidence as directory

    for provider in directory.providers_for(evidence_type, settings.NODE_COUNTRY):
        if provider.node == settings.NODE_ID:
            return provider.organisation_name_en
    return settings.NODE_ID
