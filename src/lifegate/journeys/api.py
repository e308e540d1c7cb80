"""The person's journeys API (`/api/journeys/`): the same operations as the pages, for the
portal's own front ends and apps. Authenticated by the login session cookie, with Django's
CSRF check on every change; errors are problem details, field errors in the person's
language (Accept-Language or the language cookie). While the session acts for someone, the
endpoints work on that person's journeys as far as the mandates decision point allows
(`journeys.access`); a refusal is a 403 problem with the decision's `reason`.

A step is sent as JSON (`submit`), or, with documents for the service's requirements, as
multipart/form-data (`submit_with_documents`): the same JSON in a `submission` part plus a
file part per requirement. Two operations rather than one with two content types, because the
documents' part names depend on the service (`document-<requirement>`, as on the step page),
which a typed multipart schema cannot express, and the JSON operation keeps its schema."""

from collections.abc import Collection
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response
from lifegate.identity.api_auth import PersonSession, request_language, session_of
from lifegate.identity.assurance import loa_satisfies
from lifegate.journeys import access, evidence, services
from lifegate.journeys.api_documents import (
    MULTIPART_BODY,
    document_errors,
    json_part,
    requirements_out,
)
from lifegate.journeys.api_schemas import (
    AnswersIn,
    AskedFieldOut,
    JourneyOut,
    JourneySummaryOut,
    KnownFieldOut,
    StartIn,
    StepFormOut,
    StepOut,
    SubmissionOut,
    SubmitIn,
)
from lifegate.journeys.forms import CatalogueForm
from lifegate.journeys.models import Journey, Step, Submission
from lifegate.mandates import acting
from lifegate.mandates.actions import JOURNEYS_SUBMIT

router = Router(tags=["journeys"], auth=PersonSession())


def _step_out(request: HttpRequest, journey: Journey, row: services.PlanRow) -> StepOut:
    step = row.step
    decision = access.step_decision(request, journey, step)
    readable = bool(step.status_message) and access.may_read_message(
        request, journey, step, decision
    )
    return StepOut(
        service=step.service_slug,
        name=step.localized("name"),
        organisation=step.localized("organisation"),
        kind=step.kind,
        applicable=step.applicable,
        status=step.status,
        reason=step.localized("reason"),
        deadline=step.deadline,
        depends_on=step.depends_on,
        message=step.status_message if readable else "",
        message_withheld=bool(step.status_message) and not readable,
        delivery_delayed=row.delayed,
        sent_at=row.submissions[0].submitted_at if row.submissions else None,
        online_url=(step.service.online_url if step.service else "") or "",
        may_act=bool(decision),
        refusal="" if decision else decision.explanation,
    )


def _journey_out(request: HttpRequest, journey: Journey) -> JourneyOut:
    pending = services.pending_questions(journey)
    may_answer = access.answer_decision(request, journey) if pending else None
    return JourneyOut(
        id=journey.pk,
        open_questions=pending,
        questions_refused="" if may_answer is None or may_answer else may_answer.explanation,
        life_event=journey.life_event_slug,
        name=journey.localized("name"),
        status=journey.status,
        origin=journey.origin,
        started_on=journey.started_on,
        finished_at=journey.finished_at,
        steps=[_step_out(request, journey, row) for row in services.plan_rows(journey)],
    )


def _field_errors(request: HttpRequest, form: CatalogueForm) -> HttpResponse:
    errors = [
        {"location": key if key != "__all__" else "", "message": str(message)}
        for key, messages in form.errors.items()
        for message in messages
    ]
    return _invalid_form(request, errors)


def _step_errors(request: HttpRequest, prepared: services.StepForm) -> HttpResponse:
    """The form's field errors, and the documents' errors naming their requirement."""
    errors: list[dict[str, Any]] = [
        {"location": key if key != "__all__" else "", "message": str(message)}
        for key, messages in prepared.form.errors.items()
        for message in messages
    ]
    return _invalid_form(request, errors + document_errors(prepared) + prepared.refused)


def _unasked(answers: dict[str, Any], asked: Collection[str], message: str) -> list[dict[str, Any]]:
    """An error for each answer to a question that is not asked, instead of dropping it
    (null is "not given", as for step fields)."""
    return [
        {"location": key[: services.LOCATION_CHARS], "message": message}
        for key, value in answers.items()
        if value is not None and key not in asked
    ]


def _invalid_form(request: HttpRequest, errors: list[dict[str, Any]]) -> HttpResponse:
    return problem_response(
        request,
        422,
        _("Please correct the errors in the form."),
        problem_type="invalid-form",
        errors=errors,
    )


@router.get(
    "/", response=list[JourneySummaryOut], summary="My journeys", operation_id="listMyJourneys"
)
def list_journeys(request: HttpRequest) -> list[JourneySummaryOut]:
    return [
        JourneySummaryOut(
            id=s.journey.pk,
            life_event=s.journey.life_event_slug,
            name=s.journey.localized("name"),
            status=s.journey.status,
            steps_done=s.done,
            steps_total=s.total,
        )
        for s in access.visible_journeys(request).summaries
    ]


@router.post(
    "/",
    response={201: JourneyOut},
    summary="Start a life event",
    description="Answers are checked like the page's questions (422 with field errors); a "
    "running journey for the same life event gives 409 with its id; an unknown life event 404.",
    openapi_extra=problem_responses(404, 409, 422),
    operation_id="startJourney",
)
def start_journey(request: HttpRequest, body: StartIn) -> Any:
    event = services.startable_life_event(body.life_event)
    subject = acting.legal_subject(request, JOURNEYS_SUBMIT, life_event=event.slug)
    running = services.running_journey(subject, event)
    if running is not None:
        return _already_running(request, services.JourneyAlreadyRunning(running))
    questions = {question.key for question in event.questions.all()}
    unasked = _unasked(body.answers, questions, _("This life event has no such question."))
    if unasked:
        return _invalid_form(request, unasked)
    form = services.question_form(event, services.answers_as_form_data(event, body.answers))
    if not form.is_valid():
        return _field_errors(request, form)
    start = services.Start(
        subject=subject,
        actor=acting.actor(request),
        answers=form.values(),
        language=request_language(),
    )
    try:
        journey = services.start_journey(event, start)
    except services.JourneyAlreadyRunning as already:
        return _already_running(request, already)
    return Status(201, _journey_out(request, journey))


def _already_running(request: HttpRequest, already: services.JourneyAlreadyRunning) -> HttpResponse:
    return problem_response(
        request,
        409,
        str(already),
        problem_type="journey-running",
        journey_id=str(already.journey.pk),
    )


@router.get(
    "/{journey_id}", response=JourneyOut, summary="A journey's plan", operation_id="getMyJourney"
)
def get_journey(request: HttpRequest, journey_id: UUID) -> JourneyOut:
    return _journey_out(request, access.viewable_journey(request, journey_id))


@router.post(
    "/{journey_id}/answers",
    response=JourneyOut,
    summary="Answer a journey's open questions",
    description="For a journey the register started: the answers decide the steps that were "
    "`to-check`. 409 when there are no open questions, 422 for invalid answers.",
    openapi_extra=problem_responses(409, 422),
    operation_id="answerJourneyQuestions",
)
def answer_questions(request: HttpRequest, journey_id: UUID, body: AnswersIn) -> Any:
    journey = access.viewable_journey(request, journey_id, recorded=False)
    decision = access.answer_decision(request, journey)
    if not decision:
        raise acting.NotPermitted(decision)
    event = journey.life_event
    pending = services.pending_questions(journey)
    unasked = _unasked(body.answers, pending, _("This plan has no such open question."))
    if pending and event is not None and unasked:  # without any open, a 409 below
        access.record_view(request)  # read to refuse: a look at the plan
        return _invalid_form(request, unasked)
    data = services.answers_as_form_data(event, body.answers) if event else {}
    try:
        form = access.answer_questions(request, journey, data)
    except services.StepNotOpen as closed:
        return problem_response(request, 409, str(closed), problem_type="no-open-questions")
    if form.errors:
        return _field_errors(request, form)
    return _journey_out(request, journey)


@router.post(
    "/{journey_id}/steps/{slug}/done",
    response=JourneyOut,
    summary="Mark a step arranged",
    description="For a step the person arranges themselves with the agency (`kind` "
    "`self-service`), as the plan page's button: the step becomes `done` and the plan is "
    "worked out again. 409 for another kind of step or one that is not `todo`; 403 "
    "(`not-permitted`) for a representative whose authorisation does not cover the step.",
    openapi_extra=problem_responses(409),
    operation_id="markStepDone",
)
def mark_step_done(request: HttpRequest, journey_id: UUID, slug: str) -> Any:
    journey = access.viewable_journey(request, journey_id, recorded=False)
    try:
        access.mark_step_done(request, journey, slug)
    except services.StepNotOpen as closed:
        return problem_response(request, 409, str(closed), problem_type="step-not-open")
    return _journey_out(request, journey)


def step_up_problem(request: HttpRequest, step: Step) -> HttpResponse | None:
    """The 403 asking to log in again when the session does not reach the step's level."""
    if loa_satisfies(session_of(request).loa, step.minimum_assurance_level):
        return None
    return problem_response(
        request,
        403,
        _("Log in again at a higher level of assurance."),
        problem_type="step-up-required",
        required_level=step.minimum_assurance_level,
    )


def _open_step(request: HttpRequest, journey: Journey, slug: str) -> Step | HttpResponse:
    step = access.step_to_act_in(request, journey, slug)
    return step_up_problem(request, step) or step


@router.get(
    "/{journey_id}/steps/{slug}/form",
    response=StepFormOut,
    summary="A step's form",
    description="403 for a step the person may not send, 409 for a step that is not open.",
    openapi_extra=problem_responses(409),
    operation_id="getStepForm",
)
def get_step_form(request: HttpRequest, journey_id: UUID, slug: str) -> Any:
    journey = access.viewable_journey(request, journey_id, recorded=False)
    step = _open_step(request, journey, slug)
    if isinstance(step, HttpResponse):
        return step
    try:
        prepared = services.step_form(journey, step, acting.actor(request))
    except services.StepNotOpen as closed:
        return problem_response(request, 409, str(closed), problem_type="step-not-open")
    return StepFormOut(
        known=[KnownFieldOut(**vars(field)) for field in prepared.known],
        requirements=requirements_out(prepared),
        max_document_bytes=prepared.evidence.max_bytes,
        asked=[
            AskedFieldOut(
                key=key,
                label=str(field.label),
                kind=prepared.form.kinds[key],
                required=field.required,
            )
            for key, field in prepared.form.fields.items()
        ],
        idempotency_key=services.new_idempotency_key(),
    )


@router.post(
    "/{journey_id}/steps/{slug}/submissions",
    response={201: SubmissionOut, 200: SubmissionOut},
    summary="Send a step",
    description="Repeating a request with the same idempotency key returns the first submission "
    "(200) instead of sending again. 409 for a step that is not open, 422 with field errors.",
    openapi_extra=problem_responses(409, 422),
    operation_id="submitStep",
)
def submit(request: HttpRequest, journey_id: UUID, slug: str, body: SubmitIn) -> Any:
    return _send(request, journey_id, slug, body, files=None)


@router.post(
    "/{journey_id}/steps/{slug}/submissions/multipart",
    response={201: SubmissionOut, 200: SubmissionOut},
    summary="Send a step with documents",
    description="Like `submit`, with a document for any of the service's requirements "
    "(multipart/form-data: the JSON in the part `submission`, each document in its part "
    "`document-<requirement>`). A document of another type, too large, doubled, or for a "
    "requirement the service does not have is a 422 whose `errors` name the `requirement`; "
    "then nothing is stored. A malformed `submission` part is a 400. A 507 when the document "
    "storage is full: nothing was sent or kept; send the same request again later.",
    openapi_extra=MULTIPART_BODY | problem_responses(409, 422, 507),
    operation_id="submitStepWithDocuments",
)
def submit_with_documents(request: HttpRequest, journey_id: UUID, slug: str) -> Any:
    body = json_part(request, "submission", SubmitIn)
    return _send(request, journey_id, slug, body, files=request.FILES)


def _send(request: HttpRequest, journey_id: UUID, slug: str, body: SubmitIn, files: Any) -> Any:
    journey = access.viewable_journey(request, journey_id, recorded=False)
    step = _open_step(request, journey, slug)
    if isinstance(step, HttpResponse):
        return step
    repeated = services.already_submitted(step, body.idempotency_key)
    data = services.fields_as_form_data(step, body.fields) | {
        evidence.TYPE_FIELD_PREFIX + requirement: kind
        for requirement, kind in body.evidence_types.items()
    }
    try:
        submission = services.submit_step(
            journey,
            step,
            actor=acting.actor(request),
            data=data,
            files=files,
            language=request_language(),
            idempotency_key=body.idempotency_key,
            confirmed=body.confirmed,
            sent=(body.fields, body.evidence_types),
        )
    except services.DocumentsNotStored as not_stored:
        title = _("Document storage full")
        return problem_response(request, 507, title, str(not_stored), "document-storage-full")
    except services.FormInvalid as invalid:
        return _step_errors(request, invalid.prepared)
    except services.StepNotOpen as closed:
        return problem_response(request, 409, str(closed), problem_type="step-not-open")
    return Status(200 if repeated else 201, _submission_out(submission))


def _submission_out(submission: Submission) -> SubmissionOut:
    return SubmissionOut(
        id=submission.pk,
        service=submission.service_slug,
        status=submission.status,
        language=submission.language,
        submitted_at=submission.submitted_at,
    )
