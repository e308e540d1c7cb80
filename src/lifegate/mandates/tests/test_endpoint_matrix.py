"""The authorisation matrix over every protected page and API endpoint (issue 5, item 8): for
each actor of `matrix_world` and each row of `matrix_rows_*`, allowed exactly where the row
says, refused everywhere else, and no leaks.

Allowed: the expected status, the principal's data in the answer and the change made to her
data (never to the actor's own, which stays untouched). Refused: the decision point's 403
with its reason and explanation (or the row's own refusal, e.g. 404 for another agency's
ids), nothing of the principal's in the answer, nothing changed and no processing recorded
about her. In every answer: nothing of the logged-in person's own data while they act for
someone else.

Each cell runs in a savepoint that is rolled back, so the world is built once per test and
every cell starts from it. Every mismatch is collected and reported together."""

import html
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from lifegate.api import api
from lifegate.core.subject import Subject
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.tests.conftest import private_attachment_dir  # noqa: F401  (fixture)
from lifegate.journeys.models import Delivery, Journey, Step, Submission
from lifegate.journeys.tests.conftest import PlanFixture, plan  # noqa: F401  (fixture)
from lifegate.mandates.decision import EXPLANATIONS
from lifegate.mandates.models import Mandate, MandateInvitation
from lifegate.mandates.tests import (
    matrix_rows_agencies,
    matrix_rows_inbox,
    matrix_rows_journeys,
    matrix_rows_mandates,
    matrix_rows_transparency,
)
from lifegate.mandates.tests.matrix_endpoints import Call, Endpoint, with_own_ids
from lifegate.mandates.tests.matrix_world import ACTORS, REASONS, Owned, Who, World, build_world
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db

PERSON_ROWS = [
    *matrix_rows_inbox.PAGES,
    *matrix_rows_inbox.API,
    *matrix_rows_journeys.PAGES,
    *matrix_rows_journeys.API,
    *matrix_rows_mandates.PAGES,
    *matrix_rows_mandates.API,
    *matrix_rows_transparency.PAGES,
    *matrix_rows_transparency.API,
]
PERSON_ROWS += [with_own_ids(endpoint) for endpoint in PERSON_ROWS if endpoint.by_id]
AGENCY_ROWS = [*matrix_rows_agencies.API, *matrix_rows_agencies.BACK_OFFICE]
ENDPOINTS = [*PERSON_ROWS, *AGENCY_ROWS]


@pytest.fixture
def world(
    personas: dict[str, DemoPersona],
    plan: PlanFixture,  # noqa: F811  (the imported fixture)
    minor_child: Subject,
) -> World:
    return build_world(personas, plan, minor_child)


# One cell -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    location: str
    problem: dict[str, Any]
    language: str


def _send(client: Client, call: Call) -> HttpResponse:
    kwargs: dict[str, Any] = {"headers": call.headers}
    if call.content_type:
        kwargs["content_type"] = call.content_type
    method = getattr(client, call.method.lower())
    if call.data is None:
        return method(call.url, **kwargs)
    return method(call.url, call.data, **kwargs)


def _body(response: HttpResponse) -> bytes:
    if not response.streaming:
        return response.content
    # Read to the end it closes itself, as the test client wraps it; closing it once more
    # would end the request again and close the database connection in the middle of a test.
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _answer(response: HttpResponse) -> Answer:
    body = _body(response)
    problem: dict[str, Any] = {}
    if response.get("Content-Type", "").startswith("application/problem+json"):
        problem = response.json()  # type: ignore[attr-defined]
    headers = f"{response.get('Location', '')}\n{response.get('Content-Disposition', '')}"
    return Answer(
        response.status_code,
        body.decode(errors="replace") + "\n" + headers,
        response.get("Location", ""),
        problem,
        response.get("Content-Language", "nl"),
    )


def _state(owner: str | None = None) -> tuple[object, ...]:
    """Everything a request could change, of everyone or only of the person `owner` (a
    subject hash)."""
    mine = {} if owner is None else {"recipient_hash": owner}
    boxes = {} if owner is None else {"pk": owner}
    journeys = {} if owner is None else {"subject_hash": owner}
    steps = {} if owner is None else {"journey__subject_hash": owner}
    given = {} if owner is None else {"principal_hash": owner}
    state: list[object] = [
        Message.objects.filter(**mine).values_list("pk", "unread", "read_at", "archived"),
        Mailbox.objects.filter(**boxes).values_list(
            "pk", "unread_count", "email_sealed", "pending_email_sealed", "notify"
        ),
        Journey.objects.filter(**journeys).values_list("pk", "status"),
        Step.objects.filter(**steps).values_list("pk", "status"),
        Submission.objects.filter(**journeys).values_list("pk", "status"),
        Mandate.objects.filter(**given).values_list("pk", "status", "representative_hash"),
    ]
    if owner is None:
        state += [
            Delivery.objects.values_list("pk", "state"),
            MandateInvitation.objects.values_list("pk"),
            [len(mail.outbox)],
        ]
    else:
        state.append([ProcessingRecord.objects.filter(data_subject_hash=owner).count()])
    return tuple(tuple(sorted(map(str, rows))) for rows in state)  # type: ignore[call-overload]


def _records_about(owned: Owned) -> Counter[str]:
    names = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(owned.subject))
    return Counter(names.values_list("name", flat=True))


def _recorded_on_refusal(who: Who, before: Counter[str]) -> list[str]:
    """Processing recorded about the principal by a refused request: none, not even the view
    of a plan read before a step in it was refused."""
    added = _records_about(who.principal) - before
    return [f"recorded {name!r} about the principal" for name in sorted(added)]


def _not_shown(texts: list[str], answer: Answer, call: Call, whose: str) -> list[str]:
    """Texts that must not be in the answer, except those the caller put in the address."""
    return [
        f"shows {whose} {text!r}" for text in texts if text not in call.url and text in answer.text
    ]


def _expected_reason(endpoint: Endpoint, who: Who) -> str:
    if who.is_agency:
        return "not-own-service"
    return "only-self" if endpoint.self_only else REASONS.get(who.key, "only-self")


def _refusal_problem(endpoint: Endpoint, who: Who, answer: Answer) -> str:
    """What is wrong with `answer` as the refusal this actor must get from this row, if
    anything."""
    person_row = endpoint.kind in ("page", "api")
    if who.is_agency == person_row:  # no login of the right kind at all
        if endpoint.kind in ("api", "agency-api"):
            return "" if answer.status == 401 else f"status {answer.status}, expected 401"
        login = "/back-office/login/" if endpoint.kind == "back-office" else "/identity/login/"
        if answer.status == 302 and answer.location.startswith(login):
            return ""
        return f"status {answer.status} to {answer.location!r}, expected the login"
    if answer.status == 404 and (endpoint.own_ids or 404 in endpoint.refused):
        return ""
    if answer.status not in endpoint.refused:
        return f"status {answer.status}, expected a refusal {sorted(endpoint.refused)}"
    return _decision_problem(endpoint, who, answer) if answer.status == 403 else ""


def _decision_problem(endpoint: Endpoint, who: Who, answer: Answer) -> str:
    """The decision point's refusal: its reason code, and the reason in words."""
    reason = _expected_reason(endpoint, who)
    with translation.override(answer.language):
        explanation = str(EXPLANATIONS[reason])
    if endpoint.kind == "page":
        if f'data-reason="{reason}"' not in answer.text:
            return f"a 403 page without data-reason {reason!r}"
        return "" if html.escape(explanation) in answer.text else "the page lacks the explanation"
    if answer.problem.get("reason") != reason:
        return f"a 403 with reason {answer.problem.get('reason')!r}, expected {reason!r}"
    return "" if answer.problem.get("detail") == explanation else "a 403 without the explanation"


def _allowed_problems(
    world: World, endpoint: Endpoint, who: Who, target: Owned, answer: Answer
) -> list[str]:
    if answer.status not in endpoint.ok:
        return [f"status {answer.status}, expected {sorted(endpoint.ok)}"]
    problems = [f"lacks {t!r}" for t in endpoint.shows(world, target) if t not in answer.text]
    if endpoint.effect is not None and (missing := endpoint.effect(world, target, who)):
        problems.append(missing)
    return problems


def _refused_problem(endpoint: Endpoint, who: Who, answer: Answer) -> list[str]:
    """A refusal of the right kind, or (for `empty`) a 200 with nothing in it."""
    if endpoint.expected(who.key) == "refused":
        refusal = _refusal_problem(endpoint, who, answer)
    else:
        refusal = "" if answer.status == 200 else f"status {answer.status}, expected 200, empty"
    return [refusal] if refusal else []


def _checks(world: World, endpoint: Endpoint, who: Who, target: Owned, call: Call) -> list[str]:
    """Sends the call and checks the answer and what it did."""
    before, about = _state(), _records_about(who.principal)
    mine = who.own if who.own is not None and who.acts_for_someone else None
    own = subject_hash(mine.subject) if mine else ""
    own_before = _state(own) if own else ()
    answer = _answer(_send(who.client, call))
    problems = _not_shown(mine.marks(), answer, call, "the actor's own") if mine else []
    if endpoint.expected(who.key) == "allowed":
        problems += _allowed_problems(world, endpoint, who, target, answer)
        if own and _state(own) != own_before:
            problems.append("changed or recorded the actor's own data")
        return problems
    problems += _refused_problem(endpoint, who, answer)
    principal_data = [*who.principal.marks(), *endpoint.shows(world, who.principal)]
    problems += _not_shown(list(dict.fromkeys(principal_data)), answer, call, "the principal's")
    if _state() != before:
        problems.append("changed data")
    return problems + _recorded_on_refusal(who, about)


def run_cell(world: World, endpoint: Endpoint, who: Who) -> list[str]:
    """The mismatches of one cell, each naming the row, the call and the actor."""
    target = who.own if endpoint.own_ids and who.own is not None else who.principal
    call = endpoint.call(world, target)
    try:
        with transaction.atomic():
            problems = _checks(world, endpoint, who, target, call)
            transaction.set_rollback(True)
    except Exception as error:  # one broken cell must not hide the others
        problems = [f"raised {error!r}"]
    who.client.cookies.pop("messages", None)  # flash messages of one cell stay in it
    route = endpoint.route if " " in endpoint.route else f"{call.method} /{endpoint.route}"
    where = f"{endpoint.name} ({route})"
    expected = endpoint.expected(who.key)
    return [f"{where} as {who.key!r} [{expected}]: {problem}" for problem in problems]


def run_matrix(world: World, endpoints: list[Endpoint]) -> tuple[list[str], dict[str, int]]:
    mismatches: list[str] = []
    tally = {"allowed": 0, "empty": 0, "refused": 0}
    for endpoint in endpoints:
        for key in ACTORS:
            tally[endpoint.expected(key)] += 1
            mismatches += run_cell(world, endpoint, world.actors[key])
    return mismatches, tally


# The matrix -----------------------------------------------------------------------------


def test_every_person_endpoint_lets_through_exactly_whom_it_should(world: World) -> None:
    mismatches, tally = run_matrix(world, PERSON_ROWS)

    assert not mismatches, f"{len(mismatches)} mismatches ({tally}):\n" + "\n".join(mismatches)
    assert tally["allowed"] > 0 and tally["refused"] > tally["allowed"]


def test_every_agency_endpoint_lets_through_only_the_agency_it_concerns(world: World) -> None:
    mismatches, tally = run_matrix(world, AGENCY_ROWS)

    assert not mismatches, f"{len(mismatches)} mismatches ({tally}):\n" + "\n".join(mismatches)
    assert tally["allowed"] > 0 and tally["refused"] > tally["allowed"]


# Completeness ---------------------------------------------------------------------------

# Pages outside the matrix, by address prefix, and why.
PAGE_EXEMPTIONS = {
    "language/": "the language switch: a cookie, no personal data",
    "catalogue/": "the public catalogue of services and life events",
    "assistant/": "the public assistant: answers from the catalogue, no login, no person's data",
    "opendata/": "open data: the catalogue and usage figures that identify nobody, no login",
    "identity/": "logging in and out (tested in identity/tests)",
    "dev-idp/": "the development identity provider (off in production)",
    "admin/": "Django's admin: operators, with Django's own permissions",
    "healthz": "the health check: no personal data",
    "api/": "the API: covered by its OpenAPI paths below",
    "back-office/login/": "staff log in (tested in journeys/tests/test_backoffice.py)",
    "back-office/logout/": "staff log out",
    # Like the agency credentials API below: an organisation's staff see and change only
    # credentials of the types it issues (others 404, non-staff 403:
    # credentials/tests/test_backoffice.py); no mandate is involved.
    "back-office/credentials/": "the agency's own credential types, in its back office",
    # Asking for evidence in a step and seeing or removing what came back go through
    # journeys.access (the decision point); the preview is shown only to the matched person
    # themselves (exchange/tests/test_pages.py, test_step_integration.py).
    "exchange/": "the evidence exchange's pages",
    # Fetched by wallets and verifiers anywhere, without login (credentials/tests).
    ".well-known/": "the credential issuer's metadata: its keys and credential types, no person",
    "credentials/status/": "credential status lists: one bit per credential, naming nobody",
    "credentials/issuer-ca.pem": "the issuing CA certificate: public, names this node only",
    "credentials/issuer-ca.crl": "the issuing CA's revocation list: public, serial numbers only",
    "credentials/verifier-ca.pem": "the verifier CA certificate: public, names this node only",
    "credentials/types/": "credential types' Type Metadata (their vct): labels, no person",
    # A person's own proofs: no mandate or legal representation ever covers them, so these
    # pages show and hand out only the logged-in person's own credentials (404 for anyone
    # else's: credentials/tests/test_my_credentials.py, test_wallet_present.py).
    "credentials/$": "the list of the person's own credentials",
    "credentials/<uuid:credential_id>/": "the person's own credential and its wallet offer",
    "credentials/present/": "the portal wallet: the person's own credentials only",
    # Protocol endpoints for wallets, each authorised by its own single-use secret: the
    # pre-authorised code, access token and nonce (test_oid4vci.py), the request handle
    # (test_verifying.py); the verifier's pages need no login and show a result only to
    # whoever holds the request's id (test_verifier_pages.py). The authorization page shows
    # and hands out only the logged-in person's own proofs (test_oid4vci_authorization.py).
    "credentials/oid4vci/": "OpenID4VCI endpoints and the person's authorization page",
    "credentials/oid4vp/": "OpenID4VP request objects and direct_post.jwt responses",
    "credentials/verify/": "the verifier's pages",
}
# API operations outside the matrix ("METHOD /path" prefixes), and why.
API_EXEMPTIONS = {
    "GET /api/catalogue/": "the public catalogue API",
    "GET /api/assistant/": "the public assistant: answers from the catalogue, no person's data",
    "POST /api/assistant/": "the public assistant: answers from the catalogue, no person's data",
    # Registry events start journeys on the register's word; only a register's client with
    # the `events` scope and its own OIN as source may send them (journeys/tests/events/).
    "POST /api/events/": "population register events",
    # Node to node: signed messages accepted only from nodes in the trust list, about the
    # person the signed request names (exchange/tests, tests/federation).
    "GET /api/exchange/node": "a node's public identity and keys: no personal data",
    "POST /api/exchange/ping": "signed echo between trusted nodes: no personal data",
    "POST /api/exchange/requests": "signed evidence requests from trusted nodes",
    "POST /api/exchange/responses": "signed evidence answers from trusted nodes",
    # The person's side of the exchange goes through journeys.access like the exchange's pages
    # (exchange/tests/test_api_person.py: a representative for the step, one whose mandate
    # does not cover it, someone else).
    "GET /api/journeys/{journey_id}/steps/{slug}/evidence": "a step's evidence options",
    "POST /api/journeys/{journey_id}/steps/{slug}/evidence/": "asking for a step's evidence",
    "GET /api/journeys/{journey_id}/evidence/": "evidence received in a step",
    "DELETE /api/journeys/{journey_id}/evidence/": "removing evidence received in a step",
    # The transparency log of issued credentials holds digests, sizes and proofs only.
    "GET /api/credentials/log/": "the public transparency log of credentials: no personal data",
    # An agency acts only on credential types its own organisation issues, with the
    # `credentials` scope (credentials/tests/test_api_agency_credentials.py).
    "POST /api/agency/credentials": "issuing and revoking an agency's own credential types",
    "GET /api/agency/credentials/": "an agency's own issued credentials, without claims",
    # A verifier's request and its result, readable only with the request's id, which only
    # the verifier that made it holds (credentials/tests/test_verifying.py).
    "POST /api/credentials/verifier/": "a verifier asks for a presentation",
    "GET /api/credentials/verifier/": "a verifier reads its own request's result",
    # Like the pages: the logged-in person's own credentials only, also when acting for
    # someone else (credentials/tests/test_api_mine.py).
    "GET /api/credentials/mine/": "the person's own credentials",
    "POST /api/credentials/mine/": "an offer of the person's own credential",
}


def _page_routes(patterns: list[Any], prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _page_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def _api_operations() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return [f"{method.upper()} {path}" for path, methods in paths.items() for method in methods]


def _exempt(route: str, exemptions: dict[str, str]) -> bool:
    # A prefix ending in "$" exempts exactly that route, not the routes below it.
    return any(
        route == prefix[:-1] if prefix.endswith("$") else route.startswith(prefix)
        for prefix in exemptions
    )


def test_every_page_is_in_the_matrix_or_exempt_with_a_reason() -> None:
    in_matrix = {
        endpoint.route for endpoint in ENDPOINTS if endpoint.kind in ("page", "back-office")
    }
    routes = _page_routes(get_resolver().url_patterns)

    missing = [r for r in routes if r not in in_matrix and not _exempt(r, PAGE_EXEMPTIONS)]

    assert not missing, f"pages without a row in the authorisation matrix: {missing}"
    assert in_matrix <= set(routes), f"rows of pages that do not exist: {in_matrix - set(routes)}"


def test_every_api_operation_is_in_the_matrix_or_exempt_with_a_reason() -> None:
    in_matrix = {endpoint.route for endpoint in ENDPOINTS if "api" in endpoint.kind}
    operations = _api_operations()

    missing = [o for o in operations if o not in in_matrix and not _exempt(o, API_EXEMPTIONS)]

    assert not missing, f"API operations without a row in the authorisation matrix: {missing}"
    stale = in_matrix - set(operations)
    assert not stale, f"rows of operations that do not exist: {stale}"
