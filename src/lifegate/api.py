"""The lifegate API: one NinjaAPI assembled from each building block's router.

Every error leaves here as RFC 9457 problem details."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.schema import NinjaGenerateJsonSchema

from lifegate.assistant.api import router as assistant_router
from lifegate.catalogue.api import router as catalogue_router
from lifegate.core import json_input
from lifegate.core.middleware import nul_problem
from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE, problem_response
from lifegate.core.ratelimit import too_many_requests_problem
from lifegate.credentials.api_agency import router as agency_credentials_router
from lifegate.credentials.api_log import router as credentials_log_router
from lifegate.credentials.api_mine import router as my_credentials_router
from lifegate.credentials.api_verifier import router as credentials_verifier_router
from lifegate.exchange.api import router as exchange_router
from lifegate.exchange.api_node import node_router, ping_router
from lifegate.exchange.api_person import router as evidence_router
from lifegate.inbox.api import router as inbox_router
from lifegate.inbox.api_agency import router as agency_messages_router
from lifegate.inbox.api_notifications import router as inbox_notifications_router
from lifegate.journeys.api import router as journeys_router
from lifegate.journeys.api_agency import router as agency_router
from lifegate.journeys.api_events import router as events_router
from lifegate.mandates.acting import NotPermitted
from lifegate.mandates.api import router as mandates_router
from lifegate.mandates.api_acting import router as acting_router
from lifegate.mandates.api_agency import router as agency_mandates_router
from lifegate.transparency.api import router as transparency_router

# The errors the API itself gives any operation, before or around its handler: invalid input,
# a body over the size limit, missing credentials, a refusal (no scope, CSRF, the mandates
# decision point), an unknown id, an agency client over its rate limit, and the database out
# of reach.
COMMON_PROBLEMS = {
    400: "Invalid parameters or body (problem details, each error's location and message).",
    401: "Missing or invalid credentials (problem details).",
    403: "Not permitted (problem details, with the reason).",
    404: "No such resource (problem details).",
    413: "The body is larger than the server takes (problem details, with the limit).",
    429: "Too many requests; try again after `Retry-After` seconds (problem details).",
    503: "The database cannot be reached at the moment (a restart, a fail-over); nothing was "
    "done: try again after `Retry-After` seconds (problem details).",
}


class LifegateAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also names the problem responses every operation can
    give, so that clients (and the property-based test of the document) know all of them."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Problem details, the shape of every error, described once and referred to.
        problem = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problem
        reference = {"$ref": "#/components/schemas/Problem"}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                for status, response in responses.items():
                    if int(status) >= 400:
                        _as_problem_content(response, problem, reference)
                documented = {str(status) for status in responses}
                for status in _common_problems(operation):
                    if str(status) not in documented:
                        responses[status] = {
                            "description": COMMON_PROBLEMS[status],
                            "content": {PROBLEM_CONTENT_TYPE: {"schema": reference}},
                        }
        return schema


def _as_problem_content(
    response: dict[str, Any], problem: dict[str, Any], reference: dict[str, str]
) -> None:
    """An error response declared through ninja's `response=` says `application/json`; every
    error is sent as `application/problem+json` (the exception handlers, ApiProblemMiddleware).
    A problem schema written out in full (`problem_responses`, or by a router of its own)
    becomes a `reference` to it."""
    content = response.get("content", {})
    if "application/json" in content and PROBLEM_CONTENT_TYPE not in content:
        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    media = content.get(PROBLEM_CONTENT_TYPE)
    if media is not None and media.get("schema", {}).get("title") == problem["title"]:
        media["schema"] = reference


def _common_problems(operation: dict[str, Any]) -> list[int]:
    """The statuses of COMMON_PROBLEMS that `operation` can answer."""
    parameters = operation.get("parameters", [])
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    statuses = []
    if parameters or "requestBody" in operation:
        statuses.append(400)
    if "requestBody" in operation:
        statuses.append(413)
    if schemes:
        statuses += [401, 403]
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.append(404)
    if "AgencyBearer" in schemes:
        statuses.append(429)
    statuses.append(503)  # every operation reads or writes the database
    return statuses


class ApiParser(Parser):
    """JSON bodies as `json_input` reads them, refusing text no database takes (the query
    string and forms are checked by `core.middleware.NulCharacterMiddleware`)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return json_input.refuse_unstorable_text(json_input.loads(request.body))


api = LifegateAPI(
    title="lifegate API",
    parser=ApiParser(),
    version="1.0.0",
    description=(
        "Public and agency API of lifegate: life events, public services and (as they land) "
        "journeys, messages, mandates, credentials and evidence exchange. Errors are RFC 9457 "
        "problem details (`application/problem+json`)."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed parameters or bodies: 400 with each error's location and message."""
    errors = [
        {
            "location": ".".join(str(part) for part in error.get("loc", [])),
            "message": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return problem_response(
        request,
        400,
        _("Invalid request"),
        _("One or more parameters are malformed."),
        "invalid-request",
        errors=errors,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Unknown ids: 404."""
    detail = str(exc) or _("No such resource.")
    return problem_response(request, 404, _("Not found"), detail, "not-found")


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """Missing or wrong credentials: 401, saying which scheme to use (RFC 9110 11.6.1)."""
    response = problem_response(
        request, 401, _("Unauthorized"), _("Valid credentials are required."), "unauthorized"
    )
    response["WWW-Authenticate"] = 'Bearer realm="lifegate"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Errors raised deliberately by endpoints (and by the framework for a body it cannot
    parse: with a NUL character in its text, that is said)."""
    if isinstance(exc.__cause__, json_input.UnstorableText):
        return nul_problem(request)
    return problem_response(request, exc.status_code, str(exc.message), problem_type="about:blank")


@api.exception_handler(json_input.UnstorableText)
def unstorable_text(request: HttpRequest, exc: json_input.UnstorableText) -> HttpResponse:
    """Text with a NUL character or an unpaired surrogate, found in a body an endpoint reads
    itself (a multipart part, a CloudEvent)."""
    return nul_problem(request)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """Over a rate limit (lifegate.core.ratelimit.limit_api_call): 429 with Retry-After."""
    return too_many_requests_problem(request, exc.wait)


@api.exception_handler(NotPermitted)
def not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
    """Refused by the mandates decision point: 403, with the reason code and its explanation
    in the request's language."""
    return problem_response(
        request,
        403,
        _("Not permitted"),
        exc.decision.explanation,
        "not-permitted",
        reason=exc.decision.reason,
    )


api.add_router("/catalogue/", catalogue_router)
api.add_router("/assistant/", assistant_router)
api.add_router("/journeys/", journeys_router)
# The evidence of a journey's steps, from the exchange (which builds on journeys).
api.add_router("/journeys/", evidence_router)
api.add_router("/agency/messages/", agency_messages_router)
api.add_router("/agency/mandates/", agency_mandates_router)
api.add_router("/agency/credentials", agency_credentials_router)
api.add_router("/agency/", agency_router)
api.add_router("/inbox/notifications/", inbox_notifications_router)
api.add_router("/inbox/", inbox_router)
api.add_router("/mandates/", mandates_router)
api.add_router("/mandates/", acting_router)
api.add_router("/events/", events_router)
api.add_router("/exchange/node", node_router)
api.add_router("/exchange/ping", ping_router)
api.add_router("/exchange/", exchange_router)
api.add_router("/credentials/log/", credentials_log_router)
api.add_router("/credentials/mine/", my_credentials_router)
api.add_router("/credentials/verifier/", credentials_verifier_router)
api.add_router("/transparency/", transparency_router)
