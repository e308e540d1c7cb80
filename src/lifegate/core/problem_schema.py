"""The shape of every API error (RFC 9457 problem details) for the OpenAPI document, and the
`responses` entries an operation declares with it."""

from http import HTTPStatus
from typing import Any

from ninja import Field, Schema
from ninja.schema import NinjaGenerateJsonSchema

from lifegate.core.problems import PROBLEM_CONTENT_TYPE


class Problem(Schema):
    """RFC 9457 problem details, the shape of every error."""

    type: str = Field(description="URI identifying the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(None, description="The request path.")
    errors: list[dict[str, str]] | None = Field(
        None, description="For invalid input: each problem's `location` and `message`."
    )


_PROBLEM_DESCRIPTIONS = {
    400: "Invalid parameters (problem details).",
    404: "No such resource or page (problem details).",
}


def problem_responses(*statuses: int) -> dict[str, Any]:
    """OpenAPI `responses` entries for error statuses, served as `application/problem+json`
    (ninja's own response declarations can only say `application/json`)."""
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {
                "description": _PROBLEM_DESCRIPTIONS.get(
                    status, f"{HTTPStatus(status).phrase} (problem details)."
                ),
                "content": content,
            }
            for status in statuses
        }
    }
