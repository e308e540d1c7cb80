"""The walk's calls of a person's own pages and API: journeys, inbox, credentials and the
processing log itself (see `test_completeness`)."""

import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from lifegate.journeys.models import Journey
from lifegate.transparency.services import subject_hash
from lifegate.transparency.tests.completeness_walk import (
    DIPLOMA_DATA,
    ME,
    PERSON_DATA,
    Call,
    Expected,
    World,
    keep,
)

MOVE = {
    "move_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
    "rents_new_home": "yes",
    "has_vehicle": "no",
}
J = "/journeys/{journey}/"
AJ = "/api/journeys/{journey}"
STEP = "address-change"


def _journey_of(world: World, response: Any) -> None:
    world.ids["journey"] = str(
        Journey.objects.filter(subject_hash=subject_hash(world.who[ME])).get().pk
    )


JOURNEY_CALLS: tuple[Call, ...] = (
    Call(
        "/",
        "/",
        (Expected("portal.home", "portal-home", PERSON_DATA),),
    ),
    Call(
        "POST /journeys/start/<slug:slug>/",
        "/journeys/start/moving-house/",
        (
            Expected("journeys.plan", "journeys-plan", PERSON_DATA),
            Expected("journeys.plan", "journeys-plan", ("family_relations",)),
        ),
        "post",
        302,
        MOVE,
        then=_journey_of,
    ),
    Call(
        "/journeys/",
        "/journeys/",
        (Expected(name="journeys.list", activity="journeys-plan", categories=("journey",)),),
    ),
    Call(
        "/journeys/<uuid:journey_id>/",
        J,
        (Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),),
    ),
    Call(
        "/journeys/<uuid:journey_id>/steps/<slug:slug>/",
        J + "steps/" + STEP + "/",
        (
            Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),
            Expected(
                name="journeys.prefill.address-change",
                activity="address-change",
                categories=PERSON_DATA,
            ),
        ),
    ),
    Call(
        "/journeys/<uuid:journey_id>/answers/",
        J + "answers/",
        # No open questions: refused, so recorded as a look at the plan, not as answering.
        (Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),),
        "post",
        302,
        MOVE,
    ),
    Call(
        "GET /api/journeys/",
        "/api/journeys/",
        (Expected(name="journeys.list", activity="journeys-plan", categories=("journey",)),),
    ),
    Call(
        "GET /api/journeys/{journey_id}",
        AJ,
        (Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),),
    ),
    Call(
        "POST /api/journeys/{journey_id}/answers",
        AJ + "/answers",
        (Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),),
        "post",
        409,
        {"answers": MOVE},
        True,
    ),
    Call(
        "GET /api/journeys/{journey_id}/steps/{slug}/form",
        AJ + "/steps/" + STEP + "/form",
        (
            Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),
            Expected(
                name="journeys.prefill.address-change",
                activity="address-change",
                categories=PERSON_DATA,
            ),
        ),
        then=keep("form", lambda r: json.dumps(r.json())),
    ),
    Call(
        "POST /api/journeys/",
        "/api/journeys/",
        (
            Expected(name="journeys.plan", activity="journeys-plan", categories=PERSON_DATA),
            Expected(
                name="journeys.plan", activity="journeys-plan", categories=("family_relations",)
            ),
        ),
        "post",
        201,
        {"life_event": "starting-work", "answers": {}},
        True,
        then=keep("work_journey", lambda r: r.json()["id"]),
    ),
)
# After the steps are sent (completeness_calls_submissions): the step is closed, so marking it
# done is refused, and recorded as the look at the plan that refused it (a step marked done is
# recorded as `journeys.step-done`: journeys/tests/test_api.py).
STEP_DONE_CALLS: tuple[Call, ...] = (
    Call(
        "/journeys/<uuid:journey_id>/steps/<slug:slug>/done/",
        J + "steps/" + STEP + "/done/",
        (Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),),
        "post",
        302,
    ),
    Call(
        "POST /api/journeys/{journey_id}/steps/{slug}/done",
        AJ + "/steps/" + STEP + "/done",
        (Expected(name="journeys.view", activity="journeys-plan", categories=("journey",)),),
        "post",
        409,
    ),
)
INBOX_CALLS: tuple[Call, ...] = (
    Call("/inbox/", "/inbox/", (Expected("inbox.list", "inbox-reading", ("message-overview",)),)),
    Call(
        "/inbox/<uuid:message_id>/",
        "/inbox/{message}/",
        (Expected("inbox.read", "inbox-reading", ("message",)),),
    ),
    Call(
        "/inbox/<uuid:message_id>/attachments/<uuid:attachment_id>/",
        "/inbox/{message}/attachments/{attachment}/",
        (Expected("inbox.attachment", "inbox-reading", ("message-attachment",)),),
    ),
    Call(
        "/inbox/<uuid:message_id>/archive",
        "/inbox/{message}/archive",
        (Expected("inbox.archive", "inbox-reading", ("message-overview",)),),
        "post",
        302,
        {"archived": "1"},
    ),
    Call(
        "GET /api/inbox/messages",
        "/api/inbox/messages",
        (Expected("inbox.list", "inbox-reading", ("message-overview",)),),
    ),
    Call(
        "GET /api/inbox/messages/{message_id}",
        "/api/inbox/messages/{message}",
        (Expected("inbox.read", "inbox-reading", ("message",)),),
    ),
    Call(
        "GET /api/inbox/messages/{message_id}/attachments/{attachment_id}",
        "/api/inbox/messages/{message}/attachments/{attachment}",
        (Expected("inbox.attachment", "inbox-reading", ("message-attachment",)),),
    ),
    Call(
        "POST /api/inbox/messages/{message_id}/archive",
        "/api/inbox/messages/{message}/archive",
        (Expected("inbox.unarchive", "inbox-reading", ("message-overview",)),),
        "post",
        200,
        {"archived": False},
        True,
    ),
    Call("/inbox/settings/", "/inbox/settings/", ()),
    Call(
        "/inbox/settings/address/",
        "/inbox/settings/address/",
        (
            Expected(
                "inbox.notification-address.register", "inbox-notification", ("e-mail-address",)
            ),
        ),
        "post",
        302,
        {"email": "walk@example.nl"},
    ),
    Call(
        "/inbox/settings/",
        "/inbox/settings/",
        (Expected("inbox.notification-address.read", "inbox-notification", ("e-mail-address",)),),
    ),
    Call(
        "/inbox/settings/address/resend/",
        "/inbox/settings/address/resend/",
        (Expected("inbox.notification-address.resend", "inbox-notification", ("e-mail-address",)),),
        "post",
        302,
    ),
    Call(
        "/inbox/settings/address/remove/",
        "/inbox/settings/address/remove/",
        (Expected("inbox.notification-address.remove", "inbox-notification", ("e-mail-address",)),),
        "post",
        302,
    ),
    Call(
        "POST /api/inbox/notifications/address",
        "/api/inbox/notifications/address",
        (
            Expected(
                "inbox.notification-address.register", "inbox-notification", ("e-mail-address",)
            ),
        ),
        "post",
        202,
        {"email": "walk@example.nl"},
        True,
    ),
    Call(
        "GET /api/inbox/notifications/",
        "/api/inbox/notifications/",
        (Expected("inbox.notification-address.read", "inbox-notification", ("e-mail-address",)),),
    ),
    Call(
        "PUT /api/inbox/notifications/",
        "/api/inbox/notifications/",
        (
            Expected(
                "inbox.notification-preferences",
                "inbox-notification",
                ("notification-preferences",),
            ),
            # The answer shows the address waiting for confirmation.
            Expected("inbox.notification-address.read", "inbox-notification", ("e-mail-address",)),
        ),
        "put",
        200,
        {"notify": "every", "language": "en"},
        True,
    ),
    Call(
        "POST /api/inbox/notifications/address/confirmation-link",
        "/api/inbox/notifications/address/confirmation-link",
        (Expected("inbox.notification-address.resend", "inbox-notification", ("e-mail-address",)),),
        "post",
        202,
    ),
    Call(
        "POST /api/inbox/notifications/address/confirmation",
        "/api/inbox/notifications/address/confirmation",
        (),
        "post",
        400,
        {"token": "not-a-token"},
        True,
    ),
    Call(
        "DELETE /api/inbox/notifications/address",
        "/api/inbox/notifications/address",
        (Expected("inbox.notification-address.remove", "inbox-notification", ("e-mail-address",)),),
        "delete",
    ),
    Call("/inbox/settings/confirm/<str:token>/", "/inbox/settings/confirm/nonsense/", ()),
)
CREDENTIAL_CALLS: tuple[Call, ...] = (
    Call(
        "/credentials/",
        "/credentials/",
        (Expected("credentials.list", "credential-issuing", ("credential-overview",)),),
    ),
    Call(
        "/credentials/<uuid:credential_id>/",
        "/credentials/{credential}/",
        (Expected("credentials.view.diploma", "credential-issuing", DIPLOMA_DATA),),
    ),
    Call(
        "/credentials/<uuid:credential_id>/offer",
        "/credentials/{credential}/offer",
        (
            Expected("credentials.offer.diploma", "credential-issuing", ("credential-offer",)),
            Expected("credentials.view.diploma", "credential-issuing", DIPLOMA_DATA),
        ),
        "post",
    ),
    Call(
        "GET /api/credentials/mine/",
        "/api/credentials/mine/",
        (Expected("credentials.list", "credential-issuing", ("credential-overview",)),),
    ),
    Call(
        "GET /api/credentials/mine/{credential_id}",
        "/api/credentials/mine/{credential}",
        (Expected("credentials.view.diploma", "credential-issuing", DIPLOMA_DATA),),
    ),
    Call(
        "POST /api/credentials/mine/{credential_id}/offers",
        "/api/credentials/mine/{credential}/offers",
        (Expected("credentials.offer.diploma", "credential-issuing", ("credential-offer",)),),
        "post",
        201,
    ),
)
TRANSPARENCY_CALLS: tuple[Call, ...] = (
    Call(
        "/transparency/",
        "/transparency/",
        (Expected("transparency.history", "transparency-access", ("processing-log",)),),
    ),
    Call(
        "/transparency/export.csv",
        "/transparency/export.csv",
        (Expected("transparency.export", "transparency-access", ("processing-log",)),),
    ),
    Call(
        "/transparency/export.json",
        "/transparency/export.json",
        (Expected("transparency.export", "transparency-access", ("processing-log",)),),
    ),
    Call(
        "GET /api/transparency/records",
        "/api/transparency/records",
        (Expected("transparency.history", "transparency-access", ("processing-log",)),),
    ),
    Call(
        "GET /api/transparency/records.csv",
        "/api/transparency/records.csv",
        (Expected("transparency.export", "transparency-access", ("processing-log",)),),
    ),
)
