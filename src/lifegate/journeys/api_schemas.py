"""The shapes of the person's journeys API (`journeys.api`): what it answers and what it
takes."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, StrictStr

from lifegate.journeys.api_documents import RequirementOut


class StepOut(Schema):
    service: str = Field(examples=["child-benefit"])
    name: str
    organisation: str
    kind: str = Field(examples=["request"])
    applicable: bool
    status: str = Field(examples=["todo"])
    reason: str = Field(examples=["Because your child is under 18."])
    deadline: date | None = None
    depends_on: list[str]
    message: str = Field(
        default="",
        description="The organisation's last message about the step: empty when there is none "
        "or when `message_withheld`.",
    )
    message_withheld: bool = Field(
        default=False,
        description="There is a message this session may not read: it needs level of assurance "
        "substantial (and at least the step's own), and a representative must be allowed to "
        "act in the step. The message box has the same text.",
    )
    delivery_delayed: bool = False
    sent_at: datetime | None = Field(
        default=None, description="When the step was last sent (its newest submission)."
    )
    online_url: str = Field(
        default="",
        description="The service on the organisation's website (for a `self-service` step: "
        "where it is arranged); empty when the catalogue names none.",
    )
    may_act: bool = Field(
        default=True,
        description="Whether this session may fill in, send or mark done the step; a "
        "representative only for steps their mandate covers.",
    )
    refusal: str = Field(
        default="",
        description="Why not, in the request's language, when `may_act` is false.",
    )


class JourneyOut(Schema):
    id: UUID
    open_questions: list[str] = Field(
        description="Questions still to answer (journeys the register started); until then "
        "steps that depend on them are `to-check`."
    )
    questions_refused: str = Field(
        default="",
        description="Why this session may not answer the open questions (a representative "
        "needs authorisation for the whole life event), in the request's language; empty "
        "when it may or none are open.",
    )
    life_event: str = Field(examples=["birth"])
    name: str
    status: str = Field(examples=["active"])
    origin: str = Field(examples=["person"])
    started_on: date
    finished_at: datetime | None = None
    steps: list[StepOut]


class JourneySummaryOut(Schema):
    id: UUID
    life_event: str
    name: str
    status: str
    steps_done: int
    steps_total: int


# A form value in JSON: text (dates as YYYY-MM-DD), a number, yes/no, or null for "not given".
Value = StrictStr | StrictBool | StrictInt | None


class StartIn(Schema):
    life_event: str = Field(max_length=80, examples=["moving-house"])
    answers: dict[str, Value] = Field(
        default_factory=dict, examples=[{"move_date": "2026-12-15", "rents_new_home": True}]
    )


class AnswersIn(Schema):
    answers: dict[str, Value] = Field(examples=[{"uses_childcare": True}])


class KnownFieldOut(Schema):
    key: str
    label: str
    value: Any
    source: str = Field(examples=["population-register"])
    as_of: date


class AskedFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool


class StepFormOut(Schema):
    known: list[KnownFieldOut]
    asked: list[AskedFieldOut]
    requirements: list[RequirementOut] = Field(
        description="The service's requirements; a document for each may be sent with the step."
    )
    max_document_bytes: int = Field(
        description="The largest document accepted (LIFEGATE_EVIDENCE_MAX_BYTES)."
    )
    idempotency_key: str


class SubmitIn(Schema):
    fields: dict[str, Value] = Field(
        default_factory=dict, examples=[{"iban": "NL91ABNA0417164300"}]
    )
    idempotency_key: str = Field(min_length=8, max_length=64)
    confirmed: bool = Field(description="The person confirms the prefilled details are correct")
    evidence_types: dict[str, StrictStr] = Field(
        default_factory=dict,
        description="For a document sent with `submit_with_documents`, by requirement: which of "
        "the requirement's evidence types it is (useful where several meet it).",
        examples=[{"diploma-recognition-proof": "foreign-diploma"}],
    )


class SubmissionOut(Schema):
    id: UUID
    service: str
    status: str
    language: str
    submitted_at: datetime
