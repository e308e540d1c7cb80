"""The agency API under /api/agency/: an agency's systems pull the submissions made to it,
read them, update their status, and watch the webhook deliveries pushed to them.

Clients authenticate with `Authorization: Bearer <client_id>.<secret>` and need the
`submissions` scope. A client sees its own organisation's submissions only; any other id is a
404, exactly like an id that does not exist. Reading a submission's personal data is recorded
in the person's processing log. Errors are RFC 9457 problem details."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthorizationError, HttpError
from ninja.security import HttpBearer

from lifegate.core.cursors import InvalidCursor, cursor_moment, decode_cursor, encode_cursor
from lifegate.core.problems import problem_response
from lifegate.core.ratelimit import limit_api_call
from lifegate.journeys import agency, delivery, evidence, services
from lifegate.journeys.api_agency_schemas import (
    DeliveryOut,
    DeliveryPage,
    DeliveryQuery,
    DocumentOut,
    ExchangedEvidenceOut,
    QueueQuery,
    StatusUpdate,
    SubmissionDetail,
    SubmissionQueue,
    SubmissionStatusOut,
    problem_responses,
)
from lifegate.journeys.models import AgencyClient, Delivery, Submission, SubmittedDocument
from lifegate.mandates.actions import JOURNEYS_SUBMIT, JOURNEYS_VIEW
from lifegate.mandates.decision import may
from lifegate.transparency.services import Actor, decrypt_subject, record_processing


class AgencyBearer(HttpBearer):
    """`Bearer <client_id>.<secret>` of an active agency client holding `scope`, within its
    rate limit: one budget per client for the agency API, another for the events API."""

    openapi_bearerFormat = "<client_id>.<secret>"
    openapi_description = (
        "An agency client credential, issued once by `manage.py create_agency_client`."
    )

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> AgencyClient | None:
        # Not HttpBearer's own parsing: it logs unexpected headers, credential and all.
        client = agency.authenticate(request.headers.get("Authorization"))
        if client is None:
            return None
        # Counted per authenticated client only: a caller that merely names a client id
        # cannot use up that client's budget.
        if self.scope == AgencyClient.Scope.EVENTS:
            limit_api_call(request, "api.events", client.client_id, settings.EVENTS_API_RATE_LIMIT)
        else:
            limit_api_call(request, "api.agency", client.client_id, settings.AGENCY_API_RATE_LIMIT)
        if self.scope not in client.scopes:
            raise AuthorizationError(
                403, _("This client lacks the scope %(scope)s.") % {"scope": self.scope}
            )
        return client

    def authenticate(self, request: HttpRequest, token: str) -> AgencyClient | None:
        return agency.authenticate(f"Bearer {token}")


router = Router(tags=["agency"], auth=AgencyBearer(AgencyClient.Scope.SUBMISSIONS))


def _client(request: HttpRequest) -> AgencyClient:
    return request.auth  # type: ignore[attr-defined]


def _actor(client: AgencyClient) -> Actor:
    return Actor(kind="agency", organisation=client.organisation.slug)


def _own_submission(
    request: HttpRequest, submission_id: UUID, action: str = JOURNEYS_VIEW
) -> Submission:
    """The submission if it was made to the client's organisation and the decision point lets
    the agency do `action` for its service; a 404 otherwise, so that other organisations' ids
    are indistinguishable from ids that do not exist."""
    client = _client(request)
    submission = (
        Submission.objects.select_related("service__processing_activity", "organisation")
        .filter(pk=submission_id, organisation=client.organisation)
        .first()
    )
    if submission is None or not may(
        _actor(client),
        action,
        decrypt_subject(submission.subject_sealed),
        service=submission.service_slug,
    ):
        raise Http404("No such submission.")
    return submission


# Cursor paging ----------------------------------------------------------------------------


def _after(queryset: QuerySet[Any], field: str, cursor: str | None) -> QuerySet[Any]:
    """Rows strictly after the cursor in (`field`, id) order."""
    if not cursor:
        return queryset
    try:
        moment_text, id_text = decode_cursor(cursor, 2)
        moment, row_id = cursor_moment(moment_text), UUID(id_text)
    except (InvalidCursor, ValueError, TypeError, AttributeError):
        raise HttpError(400, "Invalid cursor: use `next_cursor` from a previous page.") from None
    return queryset.filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "id__gt": row_id}))


def cursor_page(
    request: HttpRequest, queryset: QuerySet[Any], field: str, after: str | None, limit: int
) -> dict[str, Any]:
    rows = list(_after(queryset.order_by(field, "id"), field, after)[: limit + 1])
    results, more = rows[:limit], len(rows) > limit
    cursor = encode_cursor(getattr(results[-1], field), str(results[-1].id)) if more else None
    next_url = None
    if cursor:
        query = request.GET.copy()
        query["after"] = cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": results, "next_cursor": cursor, "next": next_url}


# Submissions ------------------------------------------------------------------------------


@router.get(
    "/submissions",
    response=SubmissionQueue,
    operation_id="listAgencySubmissions",
    openapi_extra=problem_responses(400, 401, 403),
)
def list_submissions(request: HttpRequest, params: Query[QueueQuery]) -> dict[str, Any]:
    """The queue: submissions made to this client's organisation, oldest first, optionally of
    one `status` (e.g. `submitted` for new ones). Walk it with `after=<next_cursor>`. Lists
    carry no personal data; fetch a submission to read it."""
    queryset = Submission.objects.filter(organisation=_client(request).organisation)
    if params.status:
        queryset = queryset.filter(status=params.status)
    return cursor_page(request, queryset, "submitted_at", params.after, params.limit)


@router.get(
    "/submissions/{submission_id}",
    response=SubmissionDetail,
    operation_id="getAgencySubmission",
    openapi_extra=problem_responses(400, 401, 403, 404),
)
def get_submission(
    request: HttpRequest, response: HttpResponse, submission_id: UUID
) -> dict[str, Any]:
    """One submission: the person, who submitted it (the person, or a representative acting
    for them: `on_behalf`), the form's fields with where each value came from, the language
    used, the status history and the webhook deliveries. The read is recorded in the person's
    processing log, and in the representative's. `documents` lists the evidence the person
    sent for the service's requirements; download each from its `download` path."""
    add_never_cache_headers(response)  # personal data: no copies in caches along the way
    client = _client(request)
    submission = _own_submission(request, submission_id)
    form = services.submission_form(submission)
    subject = services.submission_subject(submission)
    submitted_by = decrypt_subject(submission.actor_sealed)
    documents = [_document_out(document) for document in submission.documents.all()]
    exchanged = [_exchanged_out(received) for received in submission.evidence.all()]
    categories = sorted(form.get("fields", {}))
    categories += [evidence.DATA_CATEGORY] if documents else []
    categories += sorted({c for e in exchanged for c in e.claims}) if exchanged else []
    reads = [(subject, categories)]
    if submitted_by != subject:
        # Showing who acted for the person is processing the representative's data too.
        reads.append((submitted_by, ["representative"]))
    for read, categories in reads:
        record_processing(
            name=f"journeys.agency-api.read.{submission.service_slug}"[:120],
            subject=read,
            activity=services.activity_of(submission.service, services.DELIVERY_ACTIVITY),
            actor=_actor(client),
            data_categories=categories,
        )
    return {
        "id": submission.pk,
        "service": submission.service_slug,
        "status": submission.status,
        "status_reason": submission.status_reason,
        "language": submission.language,
        "submitted_at": submission.submitted_at,
        "updated_at": submission.updated_at,
        "subject": subject.as_dict(),
        "submitted_by": submitted_by.as_dict(),
        "on_behalf": submitted_by != subject,
        "fields": form.get("fields", {}),
        "sources": form.get("sources", {}),
        "documents": documents,
        "evidence": exchanged,
        "history": list(submission.changes.all()),
        "deliveries": list(submission.deliveries.select_related("client")),
    }


def _exchanged_out(received: Any) -> ExchangedEvidenceOut:
    # exchange builds on journeys
    from lifegate.exchange import received as exchange
    from lifegate.exchange.evidence import issued_at

    payload = exchange.evidence_payload(received)
    return ExchangedEvidenceOut(
        requirement=received.requirement_slug,
        evidence_type=received.evidence_type_slug,
        provider_node=received.provider_node,
        provider_country=received.provider_country,
        provider=received.provider_name_en,
        issued_at=issued_at(payload),
        received_at=received.received_at,
        claims={str(k): str(v) for k, v in payload.get("claims", {}).items()},
        signed_document=exchange.evidence_token(received),
        sha256=received.evidence_digest,
    )


def _document_out(document: SubmittedDocument) -> DocumentOut:
    return DocumentOut(
        id=document.pk,
        requirement=document.requirement_slug,
        evidence_type=document.evidence_type_slug or None,
        content_type=document.content_type,  # type: ignore[arg-type]
        size=document.size,
        sha256=document.sha256,
        filename=evidence.original_filename(document),
        uploaded_at=document.uploaded_at,
        download=reverse(
            "api:getAgencySubmissionDocument", args=[document.submission_id, document.pk]
        ),
    )


_DOCUMENT_CONTENT = {
    content_type: {"schema": {"type": "string", "format": "binary"}}
    for content_type in (kind.content_type for kind in evidence.ACCEPTED_KINDS)
}


@router.get(
    "/submissions/{submission_id}/documents/{document_id}",
    operation_id="getAgencySubmissionDocument",
    url_name="getAgencySubmissionDocument",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document, as an attachment in its own content type.",
                "content": _DOCUMENT_CONTENT,
            }
        }
        | problem_responses(400, 401, 403, 404)["responses"]
    },
)
def get_document(request: HttpRequest, submission_id: UUID, document_id: UUID) -> FileResponse:
    """Download a document the person sent with the submission (see `documents` in the
    submission). Only for the organisation the submission was made to: any other id is a
    404. The read is recorded in the person's processing log."""
    client = _client(request)
    submission = _own_submission(request, submission_id)
    document = submission.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    evidence.record_document_read(
        document,
        subject=services.submission_subject(submission),
        actor=_actor(client),
        activity=services.activity_of(submission.service, services.DELIVERY_ACTIVITY),
        name=f"journeys.agency-api.document.{submission.service_slug}",
    )
    return evidence.document_response(document)


@router.post(
    "/submissions/{submission_id}/status",
    response=SubmissionStatusOut,
    operation_id="updateAgencySubmissionStatus",
    openapi_extra=problem_responses(400, 401, 403, 404, 409, 422),
)
def update_status(
    request: HttpRequest, submission_id: UUID, body: StatusUpdate
) -> HttpResponse | Submission:
    """Move the submission on: `received`, `in-progress`, then `decided` or `rejected`. The
    `message` reaches the person (write it in the submission's `language`); a rejection needs
    one (a 422 without). A change the life cycle does not allow (e.g. after a decision) is a
    409."""
    client = _client(request)
    submission = _own_submission(request, submission_id, JOURNEYS_SUBMIT)
    missing_reason = body.status == Submission.Status.REJECTED and not body.message.strip()
    try:
        return services.update_submission_status(
            submission, body.status, body.message, f"api:{client.client_id}", _actor(client)
        )
    except services.InvalidTransition as exc:
        if missing_reason:
            # The request itself is incomplete, whatever the submission's state.
            return problem_response(
                request,
                422,
                _("Reason required"),
                str(exc),
                "reason-required",
                errors=[{"location": "body.message", "message": _("Required for a rejection.")}],
            )
        return problem_response(
            request, 409, _("Status change not allowed"), str(exc), "invalid-transition"
        )


# Deliveries -------------------------------------------------------------------------------


def _own_deliveries(request: HttpRequest) -> QuerySet[Delivery]:
    organisation = _client(request).organisation
    return Delivery.objects.filter(client__organisation=organisation).select_related("client")


@router.get(
    "/deliveries",
    response=DeliveryPage,
    operation_id="listAgencyDeliveries",
    openapi_extra=problem_responses(400, 401, 403),
)
def list_deliveries(request: HttpRequest, params: Query[DeliveryQuery]) -> dict[str, Any]:
    """Webhook pushes to this organisation's clients, oldest first, optionally in one `state`:
    `dead` lists the pushes that gave up (fetch those submissions from the queue, or retry)."""
    queryset = _own_deliveries(request)
    if params.state:
        queryset = queryset.filter(state=params.state)
    return cursor_page(request, queryset, "created_at", params.after, params.limit)


@router.post(
    "/deliveries/{delivery_id}/retry",
    response={202: DeliveryOut},
    operation_id="retryAgencyDelivery",
    openapi_extra=problem_responses(400, 401, 403, 404, 409),
)
def retry(request: HttpRequest, delivery_id: UUID) -> HttpResponse | Status[Delivery]:
    """Push a dead delivery again: it starts over with a full set of attempts. Any other
    state is a 409: a delivered submission is never pushed twice, and a pending or retrying
    delivery already has its next attempt planned."""
    found = _own_deliveries(request).filter(pk=delivery_id).first()
    if found is None:
        raise Http404("No such delivery.")
    try:
        return Status(202, delivery.retry_delivery(found))
    except delivery.NotRetryable as exc:
        state = Delivery.State(exc.state).label
        return problem_response(
            request,
            409,
            _("Delivery cannot be retried"),
            _("Only a dead delivery can be retried; this one is %(state)s.") % {"state": state},
            "not-retryable",
        )
