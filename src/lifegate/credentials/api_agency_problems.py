"""How the agency credentials API answers a refusal: RFC 9457 problem details with a status
and title per refusal code, and their OpenAPI description."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.schema import NinjaGenerateJsonSchema

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE, problem_response
from lifegate.credentials.issuing import IssuingRefused

# Refusal code -> (HTTP status, title). Details stay the service's English text: it names
# claims and checks, never a value or an identifier.
REFUSALS = {
    "unknown-credential-type": (404, gettext_lazy("Unknown credential type")),
    "unknown-recipient": (404, gettext_lazy("Unknown recipient")),
    "not-own-credential-type": (403, gettext_lazy("Not your organisation's credential type")),
    "invalid-claims": (422, gettext_lazy("Claims do not fit the credential type")),
    "reference-used": (422, gettext_lazy("Reference used for other claims")),
    "nothing-to-issue": (422, gettext_lazy("Nothing to issue")),
    "no-register-source": (422, gettext_lazy("No register holds this credential type")),
    "invalid-holder-key": (422, gettext_lazy("Invalid holder key")),
    "not-valid": (409, gettext_lazy("The credential is not valid")),
    "revoked-is-final": (409, gettext_lazy("The credential is revoked")),
}

_DESCRIPTIONS = {
    400: "Not the documented shape, e.g. a BSN that fails the elfproef, both or neither of "
    "`claims` and `from_register`, or claims without `source_reference` (problem details "
    "with `errors`).",
    401: "Missing, unknown or inactive client credential (problem details; the response "
    "carries `WWW-Authenticate: Bearer`).",
    403: "The client lacks the `credentials` scope, or another organisation issues this "
    "credential type (`not-own-credential-type`) (problem details).",
    404: "No such credential of this client's organisation; when issuing: no such credential "
    "type (`unknown-credential-type`) or no registered person with this identifier "
    "(`unknown-recipient`) (problem details).",
    409: "A revoked credential cannot be suspended or reinstated (`revoked-is-final`) "
    "(problem details).",
    422: "Claims that do not fit the type (`invalid-claims`, with `errors` naming each claim), "
    "a reference used before for other claims (`reference-used`), or nothing in the register "
    "to issue (`nothing-to-issue`, `no-register-source`) (problem details).",
}


def problem_responses(*statuses: int) -> dict[str, Any]:
    """OpenAPI `responses` entries for error statuses, served as `application/problem+json`."""
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {"description": _DESCRIPTIONS[status], "content": content}
            for status in statuses
        }
    }


def refusal_response(request: HttpRequest, refused: IssuingRefused) -> HttpResponse:
    """The problem details of a refusal."""
    status, title = REFUSALS.get(refused.code, (422, gettext_lazy("Refused")))
    extensions: dict[str, Any] = {"errors": refused.errors} if refused.errors else {}
    return problem_response(
        request, status, str(title), refused.detail or _("Refused."), refused.code, **extensions
    )
