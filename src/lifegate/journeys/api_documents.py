"""The person API's side of documents as evidence (`journeys.api`): the requirements in a
step's form, the multipart request of "send a step with documents", and its errors, each
naming the requirement it is about."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from lifegate.core import json_input
from lifegate.journeys import services


class EvidenceTypeOut(Schema):
    slug: str = Field(examples=["identity-document"])
    name: str


class RequirementOut(Schema):
    requirement: str = Field(examples=["birth-registration-identity"])
    name: str
    description: str
    evidence_types: list[EvidenceTypeOut] = Field(
        description="The kinds of document that meet the requirement."
    )
    upload_part: str = Field(
        examples=["document-birth-registration-identity"],
        description="The multipart part of `submit_with_documents` that carries a document "
        "for this requirement (optional; at most one).",
    )


def requirements_out(prepared: services.StepForm) -> list[RequirementOut]:
    """The step's requirement slots as the API shows them."""
    return [
        RequirementOut(
            requirement=slot.slug,
            name=slot.name,
            description=slot.description,
            evidence_types=[
                EvidenceTypeOut(slug=option.slug, name=option.name)
                for option in slot.evidence_types
            ],
            upload_part=slot.field_name,
        )
        for slot in prepared.requirements
    ]


# `submission` holds the JSON of `submit`; documents come in parts named after requirements,
# which a typed multipart schema cannot list, hence the schema written out here.
MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["submission"],
                    "properties": {
                        "submission": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "contentSchema": {"$ref": "#/components/schemas/SubmitIn"},
                            "description": "The same JSON object as the body of `submit`.",
                        }
                    },
                    "patternProperties": {
                        "^document-[a-z0-9-]+$": {
                            "type": "string",
                            "format": "binary",
                            "description": "A document for the requirement named after "
                            "`document-` (see `upload_part` in the step's form): a PDF, PNG "
                            "or JPEG, recognised by its content, of at most "
                            "LIFEGATE_EVIDENCE_MAX_BYTES (10 MiB); one per requirement.",
                        }
                    },
                },
                "encoding": {"submission": {"contentType": "application/json"}},
            }
        },
    }
}


def json_part[T: BaseModel](request: HttpRequest, name: str, schema: type[T]) -> T:
    """The multipart text part `name`, parsed as JSON into `schema`; a missing or malformed
    part is a ValidationError (400, located at `form.<name>...`)."""
    raw = request.POST.get(name)
    if raw is None:
        raise ValidationError([{"loc": ("form", name), "msg": "Field required"}])
    try:
        data = json_input.loads(raw)
    except ValueError:
        data = None  # the schema says what is wrong with it
    json_input.refuse_unstorable_text(data)
    try:
        return schema.model_validate_json(raw)
    except SchemaError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise ValidationError(
            [{**error, "loc": ("form", name, *error["loc"])} for error in errors]
        ) from None


def document_errors(prepared: services.StepForm) -> list[dict[str, Any]]:
    """The documents' errors: `location` (the part), `requirement` and `message`."""
    uploads = prepared.evidence
    errors: list[dict[str, Any]] = []
    for key, problems in uploads.errors.as_data().items():
        for problem in problems:
            params = problem.params or {}
            location = str(params.get("part", key))
            requirement = str(params.get("requirement", uploads.requirement_of(key)))
            errors.extend(
                {"location": location, "requirement": requirement, "message": message}
                for message in problem
            )
    return errors
