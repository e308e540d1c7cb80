"""The walk's calls of mandates: a person grants one to the parent (by BSN and by invitation
code), the parent accepts it, the person ends it, and the parent acts for their child (see
`test_completeness`)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from lifegate.mandates.models import Mandate
from lifegate.transparency.services import subject_hash
from lifegate.transparency.tests.completeness_walk import (
    CHILD,
    ME,
    PARENT,
    Call,
    Expected,
    World,
    keep,
)

MANDATE = ("bsn", "mandate")
SENT = Expected("inbox.send", "inbox-delivery", ("message",), actor="logius")
NOTICE = Expected(
    "mandates.notice", "mandates", ("name", "mandate"), subject=PARENT, actor="logius"
)
GRANTED = (
    Expected("mandate granted", "mandates", MANDATE),
    Expected("mandate granted", "mandates", MANDATE, subject=PARENT),
    SENT,
)
ACCEPTED = (
    Expected("mandate accepted", "mandates", MANDATE, actor=PARENT),
    Expected("mandate accepted", "mandates", MANDATE, subject=PARENT, actor=PARENT),
    NOTICE,
    SENT,
)
ENDED = (
    Expected("mandate ended", "mandates", MANDATE),
    Expected("mandate ended", "mandates", MANDATE, subject=PARENT),
    NOTICE,
    SENT,
)


def _offered(world: World, response: Any) -> None:
    """The mandate just offered to the parent by their BSN."""
    offer = Mandate.objects.filter(
        principal_hash=subject_hash(world.who[ME]),
        representative_hash=subject_hash(world.who[PARENT]),
        status=Mandate.Status.INVITED,
    )
    world.ids["offer"] = str(offer.get().pk)


MANDATE_CALLS: tuple[Call, ...] = (
    Call("/mandates/", "/mandates/", (Expected("mandates.overview", "mandates", ("mandate",)),)),
    Call(
        "/mandates/on-my-behalf/",
        "/mandates/on-my-behalf/",
        (Expected("mandates.on-my-behalf", "mandates", ("mandate",)),),
    ),
    Call("/mandates/act-for/", "/mandates/act-for/", ()),
    Call(
        "POST /mandates/new/",
        "/mandates/new/",
        GRANTED,
        "post",
        302,
        lambda w: {
            "representative": "bsn",
            "bsn": w.ids["parent_bsn"],
            "inbox": ["inbox-read"],
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=60)).isoformat(),
        },
        then=_offered,
    ),
    Call(
        "/mandates/<uuid:mandate_id>/accept/",
        "/mandates/{offer}/accept/",
        ACCEPTED,
        "post",
        302,
        by=PARENT,
    ),
    Call("/mandates/<uuid:mandate_id>/end/", "/mandates/{offer}/end/", ENDED, "post", 302),
    Call(
        "POST /api/mandates/",
        "/api/mandates/",
        GRANTED,
        "post",
        201,
        lambda w: {
            "representative_bsn": w.ids["parent_bsn"],
            "scopes": [{"kind": "inbox-read"}],
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=60)).isoformat(),
        },
        True,
        then=_offered,
    ),
    Call(
        "POST /api/mandates/{mandate_id}/accept",
        "/api/mandates/{offer}/accept",
        ACCEPTED,
        "post",
        200,
        by=PARENT,
    ),
    Call("POST /api/mandates/{mandate_id}/end", "/api/mandates/{offer}/end", ENDED, "post", 200),
    Call(
        "GET /api/mandates/",
        "/api/mandates/",
        (
            Expected("mandates.overview", "mandates", ("mandate",)),
            Expected("mandates.overview", "mandates", ("name", "mandate"), subject=PARENT),
        ),
    ),
    Call(
        "POST /api/mandates/",
        "/api/mandates/",
        (Expected("mandate granted", "mandates", MANDATE), SENT),
        "post",
        201,
        lambda w: {
            "representative_bsn": None,
            "scopes": [{"kind": "inbox-read"}],
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=60)).isoformat(),
        },
        True,
        then=keep("code", lambda r: r.json().get("invitation_code", "")),
    ),
    Call(
        "POST /api/mandates/accept",
        "/api/mandates/accept",
        ACCEPTED,
        "post",
        200,
        lambda w: {"code": w.ids["code"]},
        True,
        by=PARENT,
    ),
    Call(
        "GET /api/mandates/on-my-behalf",
        "/api/mandates/on-my-behalf",
        (Expected("mandates.on-my-behalf", "mandates", ("mandate",)),),
    ),
)
ACTING_FOR_CALLS: tuple[Call, ...] = (
    Call(
        "/mandates/act-for/",
        "/mandates/act-for/",
        (
            Expected("mandates.representables", "mandates", ("name", "mandate"), actor=PARENT),
            Expected(
                "mandates.representables",
                "mandates",
                ("name", "mandate"),
                subject=CHILD,
                actor=PARENT,
            ),
            Expected(
                "mandates.representables",
                "mandates",
                ("name", "mandate"),
                subject=f"{CHILD}-2",
                actor=PARENT,
            ),
        ),
        by=PARENT,
    ),
)
