"""The matrix rows of journeys (pages and API) and of the home page, which shows the plans."""

import json
from collections.abc import Callable
from typing import Any

from lifegate.mandates.tests import matrix_effects as effects
from lifegate.mandates.tests.matrix_endpoints import (
    AGENCIES,
    LIMITED,
    PLAN_VIEWERS,
    READERS,
    WHOLE_PLAN,
    Endpoint,
    fixed,
    get,
    journey_id,
    nothing,
    post,
    prefilled_name,
    send,
)
from lifegate.mandates.tests.matrix_world import (
    IN_SCOPE_SERVICE,
    OTHER_STEP,
    SELF_SERVICE_STEP,
    Owned,
    World,
)

MOVING = "moving-test"
ANSWERS = {"move_date": "2026-12-01", "travel_abroad": "yes"}


def journey_page(world: World, target: Owned) -> str:
    return f"/journeys/{target.journey.pk}/"


def step_page(slug: str) -> Callable[[World, Owned], str]:
    return lambda world, target: f"/journeys/{target.journey.pk}/steps/{slug}/"


def journey_api(world: World, target: Owned) -> str:
    return f"/api/journeys/{target.journey.pk}"


def step_api(slug: str, rest: str) -> Callable[[World, Owned], str]:
    return lambda world, target: f"/api/journeys/{target.journey.pk}/steps/{slug}/{rest}"


def step_form(fields: dict[str, str]) -> Callable[[World, Owned], dict[str, str]]:
    return lambda world, target: {"confirm": "yes", "idempotency_key": "matrix-1"} | fields


def step_body(fields: dict[str, str]) -> Callable[[World, Owned], dict[str, Any]]:
    return lambda world, target: {
        "fields": fields,
        "idempotency_key": "matrix-api-1",
        "confirmed": True,
    }


def step_multipart(fields: dict[str, str]) -> Callable[[World, Owned], dict[str, Any]]:
    """`step_body` as the `submission` part of a multipart request (no documents: the
    service has no requirements here)."""
    body = step_body(fields)
    return lambda world, target: {"submission": json.dumps(body(world, target))}


PAGES = [
    Endpoint(
        "home page",
        "page",
        "",
        get(fixed("/")),
        READERS,
        empty=LIMITED | AGENCIES,  # anonymous: the public front page
        shows=journey_id,
    ),
    Endpoint(
        "my journeys",
        "page",
        "journeys/",
        get(fixed("/journeys/")),
        PLAN_VIEWERS,
        empty=LIMITED,
        shows=journey_id,
    ),
    Endpoint(
        "start a life event (questions)",
        "page",
        "journeys/start/<slug:slug>/",
        get(fixed(f"/journeys/start/{MOVING}/")),
        WHOLE_PLAN,
        ok=frozenset({302}),  # to the plan already running
        shows=journey_id,
    ),
    Endpoint(
        "start a life event",
        "page",
        "journeys/start/<slug:slug>/",
        post(fixed(f"/journeys/start/{MOVING}/"), lambda w, t: ANSWERS),
        WHOLE_PLAN,
        ok=frozenset({302}),
        shows=journey_id,
    ),
    Endpoint(
        "plan",
        "page",
        "journeys/<uuid:journey_id>/",
        get(journey_page),
        PLAN_VIEWERS,
        shows=journey_id,
        by_id=True,
    ),
    Endpoint(
        "answer the plan's questions",
        "page",
        "journeys/<uuid:journey_id>/answers/",
        post(lambda w, t: f"/journeys/{t.journey.pk}/answers/", lambda w, t: ANSWERS),
        WHOLE_PLAN,
        ok=frozenset({302}),  # no open questions: back to the plan
        shows=journey_id,
    ),
    Endpoint(
        "step form, in the student's scope",
        "page",
        "journeys/<uuid:journey_id>/steps/<slug:slug>/",
        get(step_page(IN_SCOPE_SERVICE)),
        PLAN_VIEWERS,
        shows=journey_id,
        by_id=True,
    ),
    Endpoint(
        "step form, outside the student's scope",
        "page",
        "journeys/<uuid:journey_id>/steps/<slug:slug>/",
        get(step_page(OTHER_STEP)),
        WHOLE_PLAN,
        shows=journey_id,
    ),
    Endpoint(
        "send a step, in the student's scope",
        "page",
        "journeys/<uuid:journey_id>/steps/<slug:slug>/",
        post(step_page(IN_SCOPE_SERVICE), step_form({})),
        PLAN_VIEWERS,
        ok=frozenset({302}),
        shows=journey_id,
        effect=effects.submitted(IN_SCOPE_SERVICE),
        by_id=True,
    ),
    Endpoint(
        "send a step, outside the student's scope",
        "page",
        "journeys/<uuid:journey_id>/steps/<slug:slug>/",
        post(step_page(OTHER_STEP), step_form({"postcode": "3511 AB"})),
        WHOLE_PLAN,
        ok=frozenset({302}),
        shows=journey_id,
        effect=effects.submitted(OTHER_STEP),
    ),
    Endpoint(
        "mark a step done",
        "page",
        "journeys/<uuid:journey_id>/steps/<slug:slug>/done/",
        post(lambda w, t: f"/journeys/{t.journey.pk}/steps/{SELF_SERVICE_STEP}/done/", nothing),
        WHOLE_PLAN,
        ok=frozenset({302}),
        shows=journey_id,
        effect=effects.marked_done,
        by_id=True,
    ),
]

API = [
    Endpoint(
        "list journeys",
        "api",
        "GET /api/journeys/",
        get(fixed("/api/journeys/")),
        PLAN_VIEWERS,
        empty=LIMITED,
        shows=journey_id,
    ),
    Endpoint(
        "start a life event",
        "api",
        "POST /api/journeys/",
        send("POST", fixed("/api/journeys/"), lambda w, t: {"life_event": MOVING, "answers": {}}),
        WHOLE_PLAN,
        ok=frozenset({409}),  # already running: the answer names the running plan
        shows=journey_id,
    ),
    Endpoint(
        "a journey's plan",
        "api",
        "GET /api/journeys/{journey_id}",
        get(journey_api),
        PLAN_VIEWERS,
        shows=journey_id,
        by_id=True,
    ),
    Endpoint(
        "answer the plan's questions",
        "api",
        "POST /api/journeys/{journey_id}/answers",
        send("POST", lambda w, t: f"{journey_api(w, t)}/answers", lambda w, t: {"answers": {}}),
        WHOLE_PLAN,
        ok=frozenset({409}),  # no open questions
    ),
    Endpoint(
        "step form, in the student's scope",
        "api",
        "GET /api/journeys/{journey_id}/steps/{slug}/form",
        get(step_api(IN_SCOPE_SERVICE, "form")),
        PLAN_VIEWERS,
        shows=prefilled_name,
        by_id=True,
    ),
    Endpoint(
        "step form, outside the student's scope",
        "api",
        "GET /api/journeys/{journey_id}/steps/{slug}/form",
        get(step_api(OTHER_STEP, "form")),
        WHOLE_PLAN,
        shows=prefilled_name,
    ),
    Endpoint(
        "send a step, in the student's scope",
        "api",
        "POST /api/journeys/{journey_id}/steps/{slug}/submissions",
        send("POST", step_api(IN_SCOPE_SERVICE, "submissions"), step_body({})),
        PLAN_VIEWERS,
        ok=frozenset({201}),
        effect=effects.submitted(IN_SCOPE_SERVICE),
        by_id=True,
    ),
    Endpoint(
        "send a step, outside the student's scope",
        "api",
        "POST /api/journeys/{journey_id}/steps/{slug}/submissions",
        send("POST", step_api(OTHER_STEP, "submissions"), step_body({"postcode": "3511 AB"})),
        WHOLE_PLAN,
        ok=frozenset({201}),
        effect=effects.submitted(OTHER_STEP),
    ),
    Endpoint(
        "mark a step done",
        "api",
        "POST /api/journeys/{journey_id}/steps/{slug}/done",
        send("POST", step_api(SELF_SERVICE_STEP, "done"), nothing),
        WHOLE_PLAN,
        shows=journey_id,
        effect=effects.marked_done,
        by_id=True,
    ),
    Endpoint(
        "send a step with documents, in the student's scope",
        "api",
        "POST /api/journeys/{journey_id}/steps/{slug}/submissions/multipart",
        post(step_api(IN_SCOPE_SERVICE, "submissions/multipart"), step_multipart({})),
        PLAN_VIEWERS,
        ok=frozenset({201}),
        effect=effects.submitted(IN_SCOPE_SERVICE),
        by_id=True,
    ),
    Endpoint(
        "send a step with documents, outside the student's scope",
        "api",
        "POST /api/journeys/{journey_id}/steps/{slug}/submissions/multipart",
        post(
            step_api(OTHER_STEP, "submissions/multipart"), step_multipart({"postcode": "3511 AB"})
        ),
        WHOLE_PLAN,
        ok=frozenset({201}),
        effect=effects.submitted(OTHER_STEP),
    ),
]
