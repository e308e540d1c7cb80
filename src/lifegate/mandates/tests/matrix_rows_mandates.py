"""The matrix rows of the authorisations pages and API (only ever for oneself) and of the
chooser of whom to act for."""

from typing import Any

from lifegate.mandates.tests import matrix_effects as effects
from lifegate.mandates.tests.matrix_endpoints import (
    CHOOSERS,
    EVERY_PERSON,
    SELF,
    Endpoint,
    fixed,
    get,
    nothing,
    post,
    representative_name,
    send,
)
from lifegate.mandates.tests.matrix_world import Owned, World
from lifegate.mandates.tests.web import grant_form
from lifegate.transparency.services import subject_hash


def end_page(world: World, target: Owned) -> str:
    return f"/mandates/{world.in_scope_mandate.pk}/end/"


def grant_page_form(world: World, target: Owned) -> dict[str, Any]:
    return grant_form(bsn=world.people["parent"].subject.value)


def grant_body(world: World, target: Owned) -> dict[str, Any]:
    valid_from, valid_until = effects.period()
    return {
        "representative_bsn": world.people["parent"].subject.value,
        "scopes": [{"kind": "inbox-read"}],
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
    }


def code(world: World, target: Owned) -> dict[str, str]:
    return {"code": world.invitation_code}


def choice(world: World, target: Owned) -> dict[str, str]:
    return {"person": subject_hash(target.subject)}


PAGES = [
    Endpoint(
        "my mandates",
        "page",
        "mandates/",
        get(fixed("/mandates/")),
        SELF,
        shows=representative_name,
        self_only=True,
    ),
    Endpoint(
        "authorise someone (form)",
        "page",
        "mandates/new/",
        get(fixed("/mandates/new/")),
        SELF,
        self_only=True,
    ),
    Endpoint(
        "authorise someone",
        "page",
        "mandates/new/",
        post(fixed("/mandates/new/"), grant_page_form),
        SELF,
        ok=frozenset({302}),
        effect=effects.granted,
        self_only=True,
    ),
    Endpoint(
        "accept an invitation (form)",
        "page",
        "mandates/accept/",
        get(fixed("/mandates/accept/")),
        SELF,
        self_only=True,
    ),
    Endpoint(
        "accept an invitation",
        "page",
        "mandates/accept/",
        post(fixed("/mandates/accept/"), code),
        SELF,
        ok=frozenset({302}),
        effect=effects.accepted,
        self_only=True,
    ),
    Endpoint(
        "accept an offer",
        "page",
        "mandates/<uuid:mandate_id>/accept/",
        post(lambda w, t: f"/mandates/{w.offer.pk}/accept/", nothing),
        SELF,
        ok=frozenset({302}),
        effect=effects.offer_accepted,
        self_only=True,
    ),
    Endpoint(
        "end a mandate",
        "page",
        "mandates/<uuid:mandate_id>/end/",
        post(end_page, nothing),
        SELF,
        ok=frozenset({302}),
        effect=effects.ended,
        self_only=True,
    ),
    Endpoint(
        "done on my behalf",
        "page",
        "mandates/on-my-behalf/",
        get(fixed("/mandates/on-my-behalf/")),
        SELF,
        self_only=True,
    ),
    # The chooser is about the logged-in person: whom they may act for.
    Endpoint(
        "whom to act for (chooser)",
        "page",
        "mandates/act-for/",
        get(fixed("/mandates/act-for/")),
        EVERY_PERSON,
    ),
    Endpoint(
        "act for the principal",
        "page",
        "mandates/act-for/",
        post(fixed("/mandates/act-for/"), choice),
        CHOOSERS,
        ok=frozenset({302}),
        effect=effects.chosen,
        refused=frozenset({422}),  # the chooser says so and shows whom one may choose
    ),
]

API = [
    Endpoint(
        "my mandates",
        "api",
        "GET /api/mandates/",
        get(fixed("/api/mandates/")),
        SELF,
        shows=representative_name,
        self_only=True,
    ),
    Endpoint(
        "authorise someone",
        "api",
        "POST /api/mandates/",
        send("POST", fixed("/api/mandates/"), grant_body),
        SELF,
        ok=frozenset({201}),
        effect=effects.granted,
        self_only=True,
    ),
    Endpoint(
        "accept an invitation",
        "api",
        "POST /api/mandates/accept",
        send("POST", fixed("/api/mandates/accept"), code),
        SELF,
        effect=effects.accepted,
        self_only=True,
    ),
    Endpoint(
        "accept an offer",
        "api",
        "POST /api/mandates/{mandate_id}/accept",
        send("POST", lambda w, t: f"/api/mandates/{w.offer.pk}/accept", nothing),
        SELF,
        effect=effects.offer_accepted,
        self_only=True,
    ),
    Endpoint(
        "end a mandate",
        "api",
        "POST /api/mandates/{mandate_id}/end",
        send("POST", lambda w, t: f"/api/mandates/{w.in_scope_mandate.pk}/end", nothing),
        SELF,
        effect=effects.ended,
        self_only=True,
    ),
    Endpoint(
        "done on my behalf",
        "api",
        "GET /api/mandates/on-my-behalf",
        get(fixed("/api/mandates/on-my-behalf")),
        SELF,
        self_only=True,
    ),
    # As the chooser page: about the logged-in person, whom they may act for.
    Endpoint(
        "whom to act for (chooser)",
        "api",
        "GET /api/mandates/acting-for",
        get(fixed("/api/mandates/acting-for")),
        EVERY_PERSON,
    ),
    Endpoint(
        "act for the principal",
        "api",
        "PUT /api/mandates/acting-for",
        send("PUT", fixed("/api/mandates/acting-for"), choice),
        CHOOSERS,
        effect=effects.chosen,
        refused=frozenset({422}),  # no-relation, as on the chooser page
    ),
]
