"""Shapes of the agency API (/api/agency/)."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from ninja import Field, Schema
from ninja.schema import NinjaGenerateJsonSchema

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE

SubmissionStatus = Literal["submitted", "received", "in-progress", "decided", "rejected"]
DeliveryState = Literal["pending", "retrying", "delivered", "dead"]
EXAMPLE_ID = "6f1c2a4e-3b9d-4c47-9a51-0d2f8e7b1c35"

_PROBLEM_DESCRIPTIONS = {
    400: "Invalid parameters or cursor (problem details).",
    401: "Missing, unknown or inactive client credential (problem details; the response "
    "carries `WWW-Authenticate: Bearer`).",
    403: "The client lacks the scope this endpoint needs (problem details).",
    404: "No such submission, document or delivery for this client's organisation (problem "
    "details).",
    409: "The change conflicts with the current state (problem details).",
    422: "The request is well-formed but incomplete, e.g. a rejection without a reason "
    "(problem details).",
}


def problem_responses(*statuses: int) -> dict[str, Any]:
    """OpenAPI `responses` entries for error statuses, served as `application/problem+json`."""
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {"description": _PROBLEM_DESCRIPTIONS[status], "content": content}
            for status in statuses
        }
    }


# Query parameters -------------------------------------------------------------------------


class CursorQuery(Schema):
    """Cursor paging: pass a page's `next_cursor` as `after` to get the next page."""

    after: str | None = Field(
        None, max_length=200, description="`next_cursor` of the previous page; absent: start."
    )
    limit: int = Field(20, ge=1, le=settings.API_MAX_PAGE_SIZE, description="Results per page.")


class QueueQuery(CursorQuery):
    """Filters for the submission queue."""

    status: SubmissionStatus | None = Field(
        None, description="Only submissions in this status; `submitted` gives the new ones."
    )


class DeliveryQuery(CursorQuery):
    """Filters for the delivery list."""

    state: DeliveryState | None = Field(
        None, description="Only deliveries in this state; `dead` gives those that gave up."
    )


# Submissions ------------------------------------------------------------------------------


class SubmissionSummary(Schema):
    """A submission in the queue, without personal data."""

    id: UUID = Field(examples=[EXAMPLE_ID])
    service: str = Field(examples=["birth-registration"])
    status: SubmissionStatus
    language: str = Field(description="The person's language: write messages in it.")
    submitted_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_service(submission: Any) -> str:
        return str(submission.service_slug)


class SubmissionQueue(Schema):
    """A page of the queue."""

    results: list[SubmissionSummary]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null: end.")
    next: str | None = Field(description="The next page's URL; null at the end.")


class SubjectOut(Schema):
    """Whom the submission is about: a BSN or an eIDAS person identifier."""

    scheme: Literal["bsn", "eidas"] = Field(examples=["bsn"])
    value: str = Field(examples=["999990019"])


class StatusChangeOut(Schema):
    """One status update with the message sent to the person."""

    status: SubmissionStatus
    message: str
    changed_by: str
    changed_at: datetime


class DeliveryOut(Schema):
    """A webhook push of a submission to one of the organisation's clients."""

    id: UUID = Field(description="Also the CloudEvent `id`: the same on every attempt.")
    submission: UUID
    client_id: str = Field(examples=["lg-3f2a9c0e1b7d4a6f5e21"])
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_error: str = Field(examples=["HTTP 503"])
    delivered_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_submission(delivery: Any) -> UUID:
        return UUID(str(delivery.submission_id))

    @staticmethod
    def resolve_client_id(delivery: Any) -> str:
        return str(delivery.client.client_id)


class DeliveryPage(Schema):
    """A page of deliveries."""

    results: list[DeliveryOut]
    next_cursor: str | None
    next: str | None


class DocumentOut(Schema):
    """A document the person sent with the submission as evidence for one of the service's
    requirements; fetch its content from `download`."""

    id: UUID = Field(examples=[EXAMPLE_ID])
    requirement: str = Field(examples=["birth-registration-identity"])
    evidence_type: str | None = Field(
        examples=["identity-document"],
        description="Which of the requirement's evidence types it is, when known.",
    )
    content_type: Literal["application/pdf", "image/png", "image/jpeg"] = Field(
        description="Recognised from the file's content, not from its name."
    )
    size: int = Field(description="In bytes.")
    sha256: str = Field(description="Hex SHA-256 of the content.")
    filename: str = Field(description="The name of the person's file (can be personal data).")
    uploaded_at: datetime
    download: str = Field(
        examples=[f"/api/agency/submissions/{EXAMPLE_ID}/documents/{EXAMPLE_ID}"],
        description="Path of the download (`getAgencySubmissionDocument`).",
    )


class ExchangedEvidenceOut(Schema):
    """Evidence the person had sent directly by the government that holds it (once-only),
    after seeing it and agreeing: where it came from, its claims and the provider's signed
    document, which anyone can verify with that node's published keys."""

    requirement: str = Field(examples=["first-registration-birth"])
    evidence_type: str = Field(examples=["birth-certificate"])
    provider_node: str = Field(
        examples=["ee"], description="The lifegate node that provided it (see its JWKS)."
    )
    provider_country: str = Field(examples=["EE"])
    provider: str = Field(examples=["Estonian Ministry of the Interior (population register)"])
    issued_at: datetime
    received_at: datetime
    claims: dict[str, str] = Field(examples=[{"date_of_birth": "1990-04-02"}])
    signed_document: str = Field(
        description="The provider's signed evidence document (compact JWS, ES256, typ "
        "`lifegate-evidence+jwt`), as received."
    )
    sha256: str = Field(description="Hex SHA-256 of `signed_document`.")


class SubmissionDetail(Schema):
    """A submission with its personal data; reading it is recorded in the processing log."""

    id: UUID = Field(examples=[EXAMPLE_ID])
    service: str = Field(examples=["birth-registration"])
    status: SubmissionStatus
    status_reason: str = Field(description="The reason given with a rejection.")
    language: str = Field(examples=["nl"], description="The person's language.")
    submitted_at: datetime
    updated_at: datetime
    subject: SubjectOut
    submitted_by: SubjectOut = Field(
        description="Who submitted it: the person, or a representative acting for them (by "
        "mandate or parental authority)."
    )
    on_behalf: bool = Field(
        description="True when `submitted_by` acted for `subject` rather than for themselves."
    )
    fields: dict[str, Any] = Field(
        description="The form's values by field key.",
        examples=[{"child_given_names": "Noor", "child_birth_date": "2026-11-20"}],
    )
    sources: dict[str, dict[str, Any]] = Field(
        description="Where each value came from: a base registry (with the date it was read), "
        "the person's answers, or the person typing it.",
        examples=[
            {
                "child_birth_date": {"source": "population-register", "as_of": "2026-11-21"},
                "child_given_names": {"source": "person"},
            }
        ],
    )
    documents: list[DocumentOut] = Field(
        description="Documents the person sent as evidence for the service's requirements."
    )
    evidence: list[ExchangedEvidenceOut] = Field(
        description="Evidence for the service's requirements that the government holding it "
        "sent directly, with the person's consent (once-only)."
    )
    history: list[StatusChangeOut]
    deliveries: list[DeliveryOut]


class StatusUpdate(Schema):
    """A status change with a message for the person."""

    status: Literal["received", "in-progress", "decided", "rejected"] = Field(examples=["decided"])
    message: str = Field(
        "",
        max_length=4000,
        description="Shown to the person, in the submission's language. Required for `rejected`.",
        examples=["De geboorte is ingeschreven. De akte staat in uw Berichtenbox."],
    )


class SubmissionStatusOut(Schema):
    """The submission's status after the change."""

    id: UUID
    status: SubmissionStatus
    status_reason: str
    updated_at: datetime
