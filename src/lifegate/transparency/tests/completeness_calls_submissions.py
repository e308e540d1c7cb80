"""The walk's calls around a step sent to an agency: the person sends a step through the API
(JSON, and multipart with a document), the agency reads it, downloads the document and moves
its status on (through the API and in the back office), and pushes a dead delivery again (see
`test_completeness`)."""

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from lifegate.journeys.models import Delivery, Submission
from lifegate.transparency.tests.completeness_calls_person import AJ, STEP
from lifegate.transparency.tests.completeness_walk import (
    MUNICIPALITY,
    PERSON_DATA,
    STAFF,
    Call,
    Expected,
    World,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TAX = "income-tax-return"
NEW_ADDRESS = {
    "new_street_line": "Oudegracht 1",
    "new_postcode": "3511 AB",
    "new_city": "Utrecht",
    "household": "alone",
}


def _step_with_document(world: World) -> dict[str, Any]:
    submission = {
        "fields": NEW_ADDRESS,  # the move date is known from the answers
        "idempotency_key": "walk-multipart",
        "confirmed": True,
    }
    return {
        "submission": json.dumps(submission),
        "document-address-change-proof": SimpleUploadedFile(
            "huurcontract.pdf", PDF, content_type="application/pdf"
        ),
    }


def _kept_submission(world: World, response: Any) -> None:
    submission = Submission.objects.get(pk=response.json()["id"])
    world.ids["submission"] = str(submission.pk)
    world.ids["document"] = str(submission.documents.get().pk)


def _delivery_gave_up(world: World) -> None:
    """The push of the submission to the municipality's webhook gave up."""
    delivery = Delivery.objects.get(submission_id=world.ids["submission"])
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.DEAD, attempts=8)
    world.ids["delivery"] = str(delivery.pk)


def _by(actor: str, name: str, categories: tuple[str, ...], activity: str = STEP) -> Expected:
    return Expected(name, activity, categories, actor=actor)


SENT_FIELDS: tuple[str, ...] = ("current_address", "household", "move_date", "new_city")
SENT_FIELDS += ("new_postcode", "new_street_line")
SENT_WITH_DOCUMENT = (*SENT_FIELDS, "evidence-document")
DOCUMENT = ("evidence-document", "address-change-proof")
PLAN = Expected("journeys.view", "journeys-plan", ("journey",))

# The person sends steps of their plans through the API.
STEP_SUBMISSION_CALLS: tuple[Call, ...] = (
    Call(
        "POST /api/journeys/{journey_id}/steps/{slug}/submissions",
        "/api/journeys/{work_journey}/steps/" + TAX + "/submissions",
        (PLAN, Expected("journeys.submit." + TAX, TAX, ())),  # an empty form: no fields sent
        "post",
        201,
        {"fields": {}, "idempotency_key": "walk-json", "confirmed": True},
        True,
    ),
    Call(
        "POST /api/journeys/{journey_id}/steps/{slug}/submissions/multipart",
        AJ + "/steps/" + STEP + "/submissions/multipart",
        (
            PLAN,
            Expected("journeys.prefill." + STEP, STEP, PERSON_DATA),
            Expected("journeys.submit." + STEP, STEP, SENT_FIELDS),
            Expected("journeys.evidence.upload." + STEP, STEP, DOCUMENT),
        ),
        "post",
        201,
        _step_with_document,
        then=_kept_submission,
    ),
)

# The municipality handles the move: through its API, then in its back office.
HANDLING_CALLS: tuple[Call, ...] = (
    Call(
        "GET /api/agency/submissions/{submission_id}",
        "/api/agency/submissions/{submission}",
        (
            _by(
                MUNICIPALITY,
                "journeys.agency-api.read." + STEP,
                SENT_WITH_DOCUMENT,
            ),
        ),
        by=MUNICIPALITY,
    ),
    Call(
        "GET /api/agency/submissions/{submission_id}/documents/{document_id}",
        "/api/agency/submissions/{submission}/documents/{document}",
        (_by(MUNICIPALITY, "journeys.agency-api.document." + STEP, DOCUMENT),),
        by=MUNICIPALITY,
    ),
    Call(
        "POST /api/agency/submissions/{submission_id}/status",
        "/api/agency/submissions/{submission}/status",
        (
            _by(MUNICIPALITY, "inbox.send", ("message",), "inbox-delivery"),
            _by(MUNICIPALITY, "journeys.status." + STEP, ("submission-status",)),
        ),
        "post",
        200,
        {"status": "received", "message": "Wij hebben uw verhuizing ontvangen."},
        True,
        by=MUNICIPALITY,
    ),
    Call(
        "POST /api/agency/deliveries/{delivery_id}/retry",
        "/api/agency/deliveries/{delivery}/retry",
        (),  # the push says which submission arrived, not what is in it
        "post",
        202,
        by=MUNICIPALITY,
        before=_delivery_gave_up,
    ),
    Call("/back-office/", "/back-office/", (), by=STAFF),  # no personal data in the list
    Call(
        "/back-office/submissions/<uuid:submission_id>/",
        "/back-office/submissions/{submission}/",
        (
            _by(
                MUNICIPALITY,
                f"journeys.backoffice.read.{STEP} by {STAFF}",
                SENT_WITH_DOCUMENT,
            ),
        ),
        by=STAFF,
    ),
    Call(
        "/back-office/submissions/<uuid:submission_id>/documents/<uuid:document_id>",
        "/back-office/submissions/{submission}/documents/{document}",
        (_by(MUNICIPALITY, f"journeys.backoffice.document.{STEP} by {STAFF}", DOCUMENT),),
        by=STAFF,
    ),
)
