"""Evidence that came back from a provider, as the person and their journey use it.

The person sees the evidence received in a step (`received`), can look at it with where it
came from and its signature (`show`, a read recorded on the person it is about) or remove it
(`discard`); sending the step attaches it to the submission (`attach`), and the agency API
passes it on as received (`evidence_payload`, `evidence_token`). `explanation` says in words
what a request's state means for the person when it did not bring evidence.

Asking for evidence and taking the provider's answer are in `exchange.services`; which
provider can give it, in `exchange.options`."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lifegate.core.sealing import unseal
from lifegate.exchange import evidence as documents
from lifegate.exchange.models import EvidenceRequest
from lifegate.journeys.models import Step, Submission
from lifegate.journeys.submissions import activity_of
from lifegate.transparency.services import Actor, decrypt_subject, record_processing

# The processing activity the exchange's operations are recorded under.
EXCHANGE_ACTIVITY = "evidence-exchange"
# Received evidence is kept sealed under this purpose (sealed by `services.receive_response`).
EVIDENCE_SEAL = "exchange-evidence"


def received(step: Step) -> list[EvidenceRequest]:
    """The evidence received in this step and not yet sent with a submission."""
    return list(
        EvidenceRequest.objects.filter(
            step=step, status=EvidenceRequest.Status.RECEIVED, submission__isnull=True
        )
    )


def discard(request: EvidenceRequest, *, actor: Actor) -> bool:
    """The person does not want to use evidence they received: it is deleted, and the
    deletion recorded on the person it is about. False when there was nothing to delete (sent
    with a submission, or removed, in the meantime)."""
    step = request.step
    with transaction.atomic():
        deleted, _rows = EvidenceRequest.objects.filter(
            pk=request.pk, submission__isnull=True
        ).delete()
        if deleted:
            record_processing(
                name="exchange.discard-received",
                subject=decrypt_subject(request.subject_sealed),
                activity=activity_of(step.service) if step.service else EXCHANGE_ACTIVITY,
                actor=actor,
                data_categories=[request.evidence_type_slug],
                trace_id=request.trace_id,
            )
    return bool(deleted)


def attach(step: Step, submission: Submission) -> int:
    """Send the step's received evidence with its submission (in the submission's transaction);
    returns how many pieces went along."""
    return EvidenceRequest.objects.filter(
        step=step, status=EvidenceRequest.Status.RECEIVED, submission__isnull=True
    ).update(submission=submission)


@dataclass(frozen=True)
class ShownEvidence:
    """Received evidence as shown to the person or the agency."""

    request: EvidenceRequest
    rows: list[tuple[Any, str]]
    issued_by: str
    issued_at: Any
    token: str


def show(request: EvidenceRequest, *, actor: Actor, purpose: str) -> ShownEvidence:
    """The received evidence, read now (the read is recorded on the person it is about)."""
    token = unseal(EVIDENCE_SEAL, request.evidence_sealed)
    payload = documents.read_document(token)
    step = request.step
    with transaction.atomic():
        record_processing(
            name=purpose,
            subject=decrypt_subject(request.subject_sealed),
            activity=activity_of(step.service) if step.service else EXCHANGE_ACTIVITY,
            actor=actor,
            data_categories=sorted(payload.get("claims", {})),
            trace_id=request.trace_id,
        )
    return ShownEvidence(
        request=request,
        rows=documents.shown_claims(request.evidence_type_slug, payload.get("claims", {})),
        issued_by=str(payload.get("issuing_authority", "")),
        issued_at=documents.issued_at(payload),
        token=token,
    )


def evidence_payload(request: EvidenceRequest) -> dict[str, Any]:
    """The verified evidence document's payload (for the agency API; caller records)."""
    return documents.read_document(unseal(EVIDENCE_SEAL, request.evidence_sealed))


def evidence_token(request: EvidenceRequest) -> str:
    """The signed evidence document as received (compact JWS)."""
    return unseal(EVIDENCE_SEAL, request.evidence_sealed)


STATUS_EXPLANATIONS = {
    EvidenceRequest.Status.NOT_FOUND: lambda: _(
        "The provider could not find this evidence for you. You can upload a document instead."
    ),
    EvidenceRequest.Status.UNAVAILABLE: lambda: _(
        "The provider's system cannot be reached right now. Try again later, or upload a "
        "document instead."
    ),
    EvidenceRequest.Status.REFUSED: lambda: _(
        "The provider refused the request. You can upload a document instead."
    ),
    EvidenceRequest.Status.REJECTED: lambda: _(
        "What came back could not be verified, so it was not used. You can try again or upload "
        "a document instead."
    ),
    EvidenceRequest.Status.EXPIRED: lambda: _(
        "The time to look at and share the evidence ran out. You can ask again."
    ),
    EvidenceRequest.Status.DECLINED: lambda: _(
        "You chose not to share this evidence. You can ask again or upload a document instead."
    ),
}


def explanation(request: EvidenceRequest) -> str:
    """What the request's state means for the person, in their language ("" when fine)."""
    explain = STATUS_EXPLANATIONS.get(request.status)  # type: ignore[call-overload]
    return explain() if explain else ""


__all__ = [
    "EVIDENCE_SEAL",
    "EXCHANGE_ACTIVITY",
    "STATUS_EXPLANATIONS",
    "ShownEvidence",
    "attach",
    "discard",
    "evidence_payload",
    "evidence_token",
    "explanation",
    "received",
    "show",
]
