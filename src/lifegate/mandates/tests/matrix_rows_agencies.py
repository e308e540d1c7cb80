"""The matrix rows of the agencies: their API (submissions, deliveries, messages, the
mandate check) and the back office. Another organisation's ids are a 404, exactly like ids that
do not exist."""

import json
from collections.abc import Callable
from typing import Any

from lifegate.mandates.tests import matrix_effects as effects
from lifegate.mandates.tests.matrix_endpoints import (
    AGENCIES,
    OTHER_AGENCY,
    OWN_AGENCY,
    Build,
    Call,
    Endpoint,
    fixed,
    get,
    message_id,
    nothing,
    post,
    send,
    submission_id,
)
from lifegate.mandates.tests.matrix_world import DOCUMENT_MARK, IN_SCOPE_SERVICE, Owned, World


def message_body(subject: str, about_submission: bool = False) -> Callable[[World, Owned], Any]:
    def body(world: World, target: Owned) -> dict[str, Any]:
        principal = world.principal.subject
        item: dict[str, Any] = {
            "recipient": principal.as_dict(),
            "subject": subject,
            "body": "Tekst.",
            "category": "announcement",
        }
        if about_submission:
            item["submission_id"] = str(world.submission.pk)
        return item

    return body


def sent_with_key(subject: str, about_submission: bool = False) -> Build:
    body = message_body(subject, about_submission)
    return lambda world, target: Call(
        "POST",
        "/api/agency/messages/",
        body(world, target),
        "application/json",
        {"idempotency-key": "matrix-send"},
    )


def back_office_letter(world: World, target: Owned) -> dict[str, str]:
    principal = world.principal.subject
    return {
        "scheme": principal.scheme,
        "value": principal.value,
        "subject": "Back-office letter",
        "body": "Tekst.",
        "category": "announcement",
        "language": "nl",
        "key": "matrix-back-office",
    }


def bulk(world: World, target: Owned) -> Call:
    item = message_body("Bulk letter")(world, target) | {"idempotency_key": "matrix-bulk"}
    return Call("POST", "/api/agency/messages/bulk", {"messages": [item]}, "application/json")


def stream(world: World, target: Owned) -> Call:
    item = message_body("Streamed letter")(world, target) | {"idempotency_key": "matrix-stream"}
    return Call(
        "POST", "/api/agency/messages/stream", json.dumps(item) + "\n", "application/x-ndjson"
    )


def check_body(world: World, target: Owned) -> dict[str, Any]:
    return {
        "representative": world.people["student"].subject.as_dict(),
        "principal": world.principal.subject.as_dict(),
        "service": IN_SCOPE_SERVICE,
    }


NOT_THEIRS = frozenset({404})
OWN = frozenset({OWN_AGENCY})

API = [
    Endpoint(
        "submission queue",
        "agency-api",
        "GET /api/agency/submissions",
        get(fixed("/api/agency/submissions")),
        OWN,
        empty=frozenset({OTHER_AGENCY}),
        shows=submission_id,
    ),
    Endpoint(
        "a submission",
        "agency-api",
        "GET /api/agency/submissions/{submission_id}",
        get(lambda w, t: f"/api/agency/submissions/{w.submission.pk}"),
        OWN,
        shows=submission_id,
        refused=NOT_THEIRS,
    ),
    Endpoint(
        "a submission's document",
        "agency-api",
        "GET /api/agency/submissions/{submission_id}/documents/{document_id}",
        get(lambda w, t: f"/api/agency/submissions/{w.submission.pk}/documents/{w.document.pk}"),
        OWN,
        shows=lambda w, t: [DOCUMENT_MARK],
        refused=NOT_THEIRS,
    ),
    Endpoint(
        "update a submission's status",
        "agency-api",
        "POST /api/agency/submissions/{submission_id}/status",
        send(
            "POST",
            lambda w, t: f"/api/agency/submissions/{w.submission.pk}/status",
            lambda w, t: {"status": "received", "message": ""},
        ),
        OWN,
        effect=effects.status_received,
        refused=NOT_THEIRS,
    ),
    Endpoint(
        "deliveries",
        "agency-api",
        "GET /api/agency/deliveries",
        get(fixed("/api/agency/deliveries")),
        OWN,
        empty=frozenset({OTHER_AGENCY}),
        shows=lambda w, t: [str(w.delivery.pk)],
    ),
    Endpoint(
        "retry a delivery",
        "agency-api",
        "POST /api/agency/deliveries/{delivery_id}/retry",
        send("POST", lambda w, t: f"/api/agency/deliveries/{w.delivery.pk}/retry", nothing),
        OWN,
        ok=frozenset({202}),
        effect=effects.retried,
        refused=NOT_THEIRS,
    ),
    # Any agency may write to any registered person: sending is not about their data.
    Endpoint(
        "send a message",
        "agency-api",
        "POST /api/agency/messages/",
        sent_with_key("Matrix letter"),
        AGENCIES,
        ok=frozenset({201}),
        effect=effects.delivered("Matrix letter"),
    ),
    Endpoint(
        "send a message about the principal's submission",
        "agency-api",
        "POST /api/agency/messages/",
        sent_with_key("Matrix reply", about_submission=True),
        OWN,
        ok=frozenset({201}),
        effect=effects.delivered("Matrix reply"),
        refused=frozenset({422}),
    ),
    Endpoint(
        "send messages in bulk",
        "agency-api",
        "POST /api/agency/messages/bulk",
        bulk,
        AGENCIES,
        effect=effects.delivered("Bulk letter"),
    ),
    Endpoint(
        "send messages streamed",
        "agency-api",
        "POST /api/agency/messages/stream",
        stream,
        AGENCIES,
        effect=effects.delivered("Streamed letter"),
    ),
    Endpoint(
        "sent messages",
        "agency-api",
        "GET /api/agency/messages/",
        get(fixed("/api/agency/messages/")),
        OWN,
        empty=frozenset({OTHER_AGENCY}),
        shows=message_id,
    ),
    Endpoint(
        "a sent message",
        "agency-api",
        "GET /api/agency/messages/{message_id}",
        get(lambda w, t: f"/api/agency/messages/{t.message.pk}"),
        OWN,
        shows=message_id,
        refused=NOT_THEIRS,
    ),
    Endpoint(
        "check a mandate",
        "agency-api",
        "POST /api/agency/mandates/check",
        send("POST", fixed("/api/agency/mandates/check"), check_body),
        OWN,
        shows=lambda w, t: ['"allowed": true'],
    ),
]

BACK_OFFICE = [
    Endpoint(
        "back office: submissions",
        "back-office",
        "back-office/",
        get(fixed("/back-office/")),
        OWN,
        empty=frozenset({OTHER_AGENCY}),
        shows=submission_id,
    ),
    Endpoint(
        "back office: a submission",
        "back-office",
        "back-office/submissions/<uuid:submission_id>/",
        get(lambda w, t: f"/back-office/submissions/{w.submission.pk}/"),
        OWN,
        shows=submission_id,
        refused=NOT_THEIRS,
    ),
    Endpoint(
        "back office: a submission's document",
        "back-office",
        "back-office/submissions/<uuid:submission_id>/documents/<uuid:document_id>",
        get(lambda w, t: f"/back-office/submissions/{w.submission.pk}/documents/{w.document.pk}"),
        OWN,
        shows=lambda w, t: [DOCUMENT_MARK],
        refused=NOT_THEIRS,
    ),
    Endpoint(
        "back office: update a submission's status",
        "back-office",
        "back-office/submissions/<uuid:submission_id>/",
        post(
            lambda w, t: f"/back-office/submissions/{w.submission.pk}/",
            lambda w, t: {"status": "received", "message": ""},
        ),
        OWN,
        ok=frozenset({302}),
        effect=effects.status_received,
        refused=NOT_THEIRS,
    ),
    Endpoint(
        "back office: sent messages",
        "back-office",
        "back-office/messages/",
        get(fixed("/back-office/messages/")),
        OWN,
        empty=frozenset({OTHER_AGENCY}),
        shows=message_id,
    ),
    Endpoint(
        "back office: a sent message",
        "back-office",
        "back-office/messages/<uuid:message_id>/",
        get(lambda w, t: f"/back-office/messages/{t.message.pk}/"),
        OWN,
        shows=message_id,
        refused=NOT_THEIRS,
    ),
    # As through the API, any agency may write to any registered person.
    Endpoint(
        "back office: send a message",
        "back-office",
        "back-office/messages/new",
        post(fixed("/back-office/messages/new"), back_office_letter),
        AGENCIES,
        ok=frozenset({302}),
        effect=effects.delivered("Back-office letter"),
    ),
]
