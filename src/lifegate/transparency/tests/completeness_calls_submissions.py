"""The walk's calls around a step sent to an agency: the person sends a step through the API
(JSON, and multipart with a document), the agency reads it, downloads the document and moves
its status on (through the API and in the back office), and pushes a dead delivery again (see
`test_completeness`)."""

import json
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from lifegate.journeys.models import Delivery, Submission
from lifegate.transparency.tests.completeness_calls_person import AJ, STEP
from lifegate.transparency.tests.completeness_walk import (
    ME,
    MUNICIPALITY,
    PERSON_DATA,
    STAFF,
    Call,
    Expected,
    World,
    keep,
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


def _person_form(prefix: str, **more: str) -> Callable[[World], dict[str, str]]:
    def form(world: World) -> dict[str, str]:
        me = world.who[ME]
        fields = {"scheme": me.scheme, "value": me.value} | more
        return {f"{prefix}-{key}": value for key, value in fields.items()}

    return form


RESIDENCE_DATA = (
    "given_names",
    "family_name",
    "street_address",
    "postal_code",
    "locality",
    "municipality",
    "registered_since",
)


def _status(name: str) -> Expected:
    return _by(MUNICIPALITY, name, ("credential-status",), "credential-issuing")


# The municipality's staff issue a proof of residence from the register in the back office,
# open it, find the person's credentials and suspend it.
BACKOFFICE_CREDENTIAL_CALLS = (
    Call("/back-office/credentials/", "/back-office/credentials/", (), by=STAFF),
    Call(
        "/back-office/credentials/issue",
        "/back-office/credentials/issue",
        (
            _by(
                MUNICIPALITY,
                "credentials.issue.read-population-register",
                PERSON_DATA[:-1],  # not the family: a proof of residence is about the person
                "credential-issuing",
            ),
            _by(MUNICIPALITY, "credentials.issue.residence", RESIDENCE_DATA, "credential-issuing"),
        ),
        "post",
        302,
        _person_form("issue", type="residence"),
        by=STAFF,
        then=keep("residence", lambda r: r.url.rstrip("/").rsplit("/", 1)[1]),
    ),
    Call(
        "/back-office/credentials/<uuid:credential_id>/",
        "/back-office/credentials/{residence}/",
        (_status(f"credentials.backoffice.read.residence by {STAFF}"),),
        by=STAFF,
    ),
    Call(
        "/back-office/credentials/find",
        "/back-office/credentials/find",
        (_status(f"credentials.backoffice.find by {STAFF}"),),
        "post",
        200,
        _person_form("find"),
        by=STAFF,
    ),
    Call(
        "POST /back-office/credentials/<uuid:credential_id>/",
        "/back-office/credentials/{residence}/",
        (_status("credentials.suspend.residence"),),
        "post",
        302,
        {"state": "suspended"},
        by=STAFF,
    ),
)


def _message_form(world: World) -> dict[str, str]:
    me = world.who[ME]
    return {
        "scheme": me.scheme,
        "value": me.value,
        "subject": "Uw parkeervergunning",
        "body": "Uw vergunning is verlengd.",
        "category": "decision",
        "language": "nl",
        "key": "walk-back-office",
    }


def _status_read(categories: tuple[str, ...] = ("read-status",)) -> Expected:
    return _by(MUNICIPALITY, f"inbox.status by {STAFF}", categories, "inbox-delivery")


# The municipality's staff send a message in the back office and open it (the list of their
# messages is walked in inbox/tests/test_backoffice.py: one record per message listed).
BACKOFFICE_MESSAGE_CALLS = (
    Call("/back-office/messages/new", "/back-office/messages/new", (), by=STAFF),
    Call(
        "POST /back-office/messages/new",
        "/back-office/messages/new",
        (_by(MUNICIPALITY, "inbox.send", ("message",), "inbox-delivery"),),
        "post",
        302,
        _message_form,
        by=STAFF,
        then=keep("sent", lambda r: r.url.rstrip("/").rsplit("/", 1)[1]),
    ),
    Call(
        "/back-office/messages/<uuid:message_id>/",
        "/back-office/messages/{sent}/",
        (_status_read(("message", "read-status")),),
        by=STAFF,
    ),
)
