"""A step's request: the form prefilled once-only and sending it to the agency. The agency's
decisions flowing back into the plan are `journeys.decisions`'."""

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lifegate.catalogue import rules
from lifegate.catalogue.models import (
    FormField,
    LifeEvent,
    LifeEventQuestion,
    PublicService,
    StepKind,
)
from lifegate.core.sealing import seal, unseal
from lifegate.core.storage import StorageFull
from lifegate.core.subject import Subject
from lifegate.journeys.errors import DocumentsNotStored, FormInvalid, StepNotOpen
from lifegate.journeys.evidence import (
    EvidenceForm,
    EvidenceRow,
    RequirementSlot,
    files_removed_on_failure,
    requirement_slots,
    store_documents,
)
from lifegate.journeys.facts import FactRead, parts_for
from lifegate.journeys.forms import CatalogueForm, from_json
from lifegate.journeys.models import Journey, Step, Submission
from lifegate.journeys.plan import PLAN_ACTIVITY, plan_facts, refresh_plan
from lifegate.journeys.reading import journey_subject
from lifegate.transparency.services import (
    Actor,
    decrypt_subject,
    encrypt_subject,
    record_processing,
    subject_hash,
)

DELIVERY_ACTIVITY = "journeys-delivery"
SUBMISSION_SEAL = "submission"
REGISTER_SOURCE = "population-register"
ANSWER_SOURCE = "answer"
OPEN_FOR_REQUEST = (Step.Status.TODO, Step.Status.REJECTED)


def activity_of(service: PublicService | None, fallback: str = PLAN_ACTIVITY) -> str:
    """The processing activity (register slug) under which `service`'s personal data is
    processed; `fallback` for a service without one (or withdrawn)."""
    if service is not None and service.processing_activity_id is not None:
        return service.processing_activity.slug  # type: ignore[union-attr]
    return fallback


# ---------------------------------------------------------------------------------------------
# Filling in and sending a step


@dataclass(frozen=True)
class PrefilledField:
    key: str
    label: str
    value: Any
    source: str  # REGISTER_SOURCE or ANSWER_SOURCE
    as_of: date


# How much of a name the API sent an error repeats (to say where the error is).
LOCATION_CHARS = 80


@dataclass
class StepForm:
    """A step's form: the fields government already knows, the form for the rest, and the
    service's requirements, each a slot for an optional document (`evidence`)."""

    known: list[PrefilledField]
    form: CatalogueForm
    missing_known: list[str]
    requirements: list[RequirementSlot] = field(default_factory=list)
    evidence: EvidenceForm = field(default_factory=lambda: EvidenceForm([]))
    # What the API sent that the form has no place for (`refuse_unexpected`): each error's
    # `location` and `message` (and `requirement`, for an evidence type).
    refused: list[dict[str, str]] = field(default_factory=list)

    def is_valid(self) -> bool:
        """Both forms are valid (both are checked, so every error shows at once), and
        nothing was sent that the form has no place for."""
        form_valid = self.form.is_valid()
        evidence_valid = self.evidence.is_valid()
        return form_valid and evidence_valid and not self.refused

    def refuse_unexpected(
        self, fields: Mapping[str, Any], evidence_types: Mapping[str, str]
    ) -> None:
        """For the API, which names what it sends: a field the form does not ask (unknown to
        the service, or already known to government; null counts as not sent) and an evidence
        type for a requirement the service does not have, or that does not meet it, are errors
        instead of being dropped unseen. Call before `is_valid`."""
        known = {prefilled.key for prefilled in self.known}
        for key, value in fields.items():
            if value is not None and key not in self.form.fields:
                message = (
                    _("This detail is already known and cannot be sent here.")
                    if key in known
                    else _("This form has no such field.")
                )
                self.refused.append({"location": key[:LOCATION_CHARS], "message": message})
        slots = {slot.slug: slot for slot in self.requirements}
        for requirement, kind in evidence_types.items():
            slot = slots.get(requirement)
            if slot is None:
                message = _("This service has no such requirement.")
            elif kind not in slot.evidence_type_slugs:
                message = _("This is not one of the requirement's evidence types.")
                # Said here once, not again by the evidence form (whose error repeats it).
                self.evidence.data = _without(self.evidence.data, slot.type_field_name)
            else:
                continue
            self.refused.append(
                {
                    "location": f"evidence_types.{requirement[:LOCATION_CHARS]}",
                    "requirement": requirement[:LOCATION_CHARS],
                    "message": message,
                }
            )

    @property
    def evidence_rows(self) -> list[EvidenceRow]:
        """The requirement slots with their bound upload fields, for the page."""
        return self.evidence.rows()


def _without(data: Any, name: str) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != name}


def step_form(
    journey: Journey,
    step: Step,
    actor: Actor,
    data: Any = None,
    files: Mapping[str, Any] | None = None,
    initial: Mapping[str, str] | None = None,
) -> StepForm:
    """The step's form with known fields prefilled from the registries (read now, only the
    registers its fields need, recorded under the service's processing activity), the
    others for the person to fill in (`initial`: what they typed before, see `drafts`), and
    an optional document per requirement (`files`: the uploads by field name,
    `document-<requirement slug>`)."""
    if step.service is None:
        raise StepNotOpen(_("This service is no longer offered."))
    rows = list(FormField.objects.filter(service=step.service))
    today = timezone.localdate()
    parts = parts_for(row.prefill for row in rows if row.prefill)
    read = FactRead(actor, activity_of(step.service), f"journeys.prefill.{step.service_slug}")
    facts = plan_facts(journey, read, parts)
    known, missing, ask = [], [], []
    for row in rows:
        value = _known_value(row, facts)
        if value in ("", None):
            if row.prefill:
                missing.append(row.key)
            ask.append(row)
            continue
        source = ANSWER_SOURCE if row.prefill.startswith("answers.") else REGISTER_SOURCE
        label = row.localized("label")
        known.append(PrefilledField(row.key, label, from_json(row.kind, value), source, today))
    slots = requirement_slots(step.service)
    return StepForm(
        known=known,
        form=CatalogueForm(ask, data=data, initial=initial),
        missing_known=missing,
        requirements=slots,
        evidence=EvidenceForm(slots, data=data, files=files),
    )


def _known_value(row: FormField, facts: dict[str, Any]) -> Any:
    if not row.prefill:
        return None
    try:
        return rules.fact_value(row.prefill, facts)
    except KeyError:
        return None


def already_submitted(step: Step, idempotency_key: str) -> bool:
    """True when this exact form (by its idempotency key) was already sent for the step."""
    return (
        bool(idempotency_key) and step.submissions.filter(idempotency_key=idempotency_key).exists()
    )


def _as_form_data(
    rows: Iterable[FormField | LifeEventQuestion], values: dict[str, Any]
) -> dict[str, Any]:
    """JSON values as form data: yes/no as the radio's value, numbers as text."""
    data = {}
    for row in rows:
        value = values.get(row.key)
        if value is None:
            continue
        value = from_json(row.kind, value)
        data[row.key] = str(value) if isinstance(value, int | float) else value
    return data


def answers_as_form_data(event: LifeEvent, answers: dict[str, Any]) -> dict[str, Any]:
    """JSON answers (from the API) as the question form's data."""
    return _as_form_data(event.questions.all(), answers)


def fields_as_form_data(step: Step, fields: dict[str, Any]) -> dict[str, Any]:
    """JSON field values (from the API) as the step form's data."""
    return _as_form_data(FormField.objects.filter(service_id=step.service_id), fields)


def new_idempotency_key() -> str:
    """A fresh key for one form: sending the form twice makes one submission."""
    return secrets.token_urlsafe(24)


def submit_step(
    journey: Journey,
    step: Step,
    *,
    actor: Actor,
    data: Any,
    language: str,
    idempotency_key: str,
    confirmed: bool = True,
    files: Mapping[str, Any] | None = None,
    sent: tuple[Mapping[str, Any], Mapping[str, str]] | None = None,
) -> Submission:
    """Submit the step's form: validate it, store the submission sealed, mark the step sent
    and schedule delivery to the agency, all in one transaction with the step locked, so two
    tabs cannot send the same step twice. Sending the same form again (same idempotency key)
    returns the first submission. `confirmed` is the person's statement that the prefilled
    details are correct (the page asks for it). `files` are documents for the service's
    requirements (see `step_form`); they are stored only when everything is valid, and
    removed again if the transaction fails. (Pages and APIs call this outside any transaction
    of their own, so the commit here is final.) When the storage has no room for the
    documents, nothing is kept: DocumentsNotStored. `sent` (from the API): the fields sent
    and the evidence types by requirement, so that what the form has no place for is refused
    (`StepForm.refuse_unexpected`) rather than dropped. The registers behind the prefilled
    fields are read before the transaction, so a refusal keeps the record of that read."""
    from lifegate.exchange import received as exchange  # exchange builds on journeys
    from lifegate.journeys import delivery

    earlier = step.submissions.filter(idempotency_key=idempotency_key).first()
    if earlier:  # a repeat: nothing is read or sent again
        return earlier
    check_open(step)
    # The registers are read (and that is recorded) before the transaction: a refusal rolls
    # back the submission, not the record that personal data was read for it.
    prepared = _valid_form(journey, step, actor, (data, files), sent, confirmed=confirmed)
    with files_removed_on_failure() as written, transaction.atomic():
        step = (
            Step.objects.select_for_update(of=("self",)).select_related("service").get(pk=step.pk)
        )
        earlier = step.submissions.filter(idempotency_key=idempotency_key).first()
        if earlier:  # sent meanwhile, from another tab
            return earlier
        check_open(step)
        _reopen(journey)
        submission = _create_submission(journey, step, prepared, actor, language, idempotency_key)
        try:
            store_documents(
                submission,
                prepared.evidence.documents(),
                subject=journey_subject(journey),
                actor=actor,
                activity=activity_of(step.service),
                written=written,
            )
        except StorageFull:  # rolls back, and the files written so far are removed
            not_stored = DocumentsNotStored(prepared)
            prepared.form.add_error(None, str(not_stored))
            raise not_stored from None
        step.status = Step.Status.SUBMITTED
        step.status_message = ""
        step.save(update_fields=["status", "status_message", "updated_at"])
        exchange.attach(step, submission)  # evidence fetched from government goes along
        delivery.schedule_deliveries(submission)
    return submission


def open_for_request(step: Step) -> bool:
    """Whether the step can be filled in and sent now (and its evidence asked for)."""
    return step.kind == StepKind.REQUEST and step.status in OPEN_FOR_REQUEST


def check_open(step: Step) -> None:
    """Raises StepNotOpen, in the active language, unless `open_for_request`."""
    if not open_for_request(step):
        raise StepNotOpen(_("This step cannot be sent now."))


def _valid_form(
    journey: Journey,
    step: Step,
    actor: Actor,
    posted: tuple[Any, Mapping[str, Any] | None],
    sent: tuple[Mapping[str, Any], Mapping[str, str]] | None,
    *,
    confirmed: bool,
) -> StepForm:
    """The step's form bound to the `posted` data and files, valid and confirmed, or
    FormInvalid with its errors."""
    data, files = posted
    prepared = step_form(journey, step, actor, data=data, files=files)
    if sent is not None:
        prepared.refuse_unexpected(*sent)
    valid = prepared.is_valid()
    if not confirmed:
        prepared.form.add_error(None, _("Please confirm that the details are correct."))
    if not valid or not confirmed:
        raise FormInvalid(prepared)
    return prepared


def _reopen(journey: Journey) -> None:
    """Applying again after a rejection reopens a journey that had finished with it."""
    if journey.status != Journey.Status.FINISHED:
        return
    try:
        with transaction.atomic():
            Journey.objects.filter(pk=journey.pk).update(
                status=Journey.Status.ACTIVE, finished_at=None
            )
    except IntegrityError:
        raise StepNotOpen(
            _("You started this life event again; please continue in your newer plan.")
        ) from None
    journey.status, journey.finished_at = Journey.Status.ACTIVE, None


def _create_submission(
    journey: Journey,
    step: Step,
    prepared: StepForm,
    actor: Actor,
    language: str,
    idempotency_key: str,
) -> Submission:
    service = step.service
    assert service is not None  # step_form raised otherwise
    asked = prepared.form.values()
    fields = {f.key: f.value for f in prepared.known} | asked
    sources = {
        f.key: {"source": f.source, "as_of": f.as_of.isoformat()} for f in prepared.known
    } | {key: {"source": "person"} for key in asked}
    subject = journey_subject(journey)
    submission = Submission.objects.create(
        step=step,
        service=service,
        service_slug=service.slug,
        organisation=service.competent_authority,
        form_sealed=seal(SUBMISSION_SEAL, json.dumps({"fields": fields, "sources": sources})),
        language=language,
        subject_hash=subject_hash(subject),
        subject_sealed=encrypt_subject(subject),
        actor_sealed=encrypt_subject(actor.subject or subject),
        idempotency_key=idempotency_key,
    )
    record_processing(
        name=f"journeys.submit.{service.slug}",
        subject=subject,
        activity=activity_of(service),
        actor=actor,
        data_categories=sorted(fields),
    )
    return submission


def mark_done(journey: Journey, step: Step) -> None:
    """The person says they arranged a self-service step themselves."""
    with transaction.atomic():
        step = Step.objects.select_for_update().get(pk=step.pk)
        if step.kind != StepKind.SELF_SERVICE or step.status != Step.Status.TODO:
            raise StepNotOpen(_("This step cannot be marked as done now."))
        step.status = Step.Status.DONE
        step.save(update_fields=["status", "updated_at"])
        refresh_plan(journey)


def submission_form(submission: Submission) -> dict[str, Any]:
    """The submission's form data: {"fields": {...}, "sources": {...}}."""
    return json.loads(unseal(SUBMISSION_SEAL, submission.form_sealed))


def submission_subject(submission: Submission) -> Subject:
    """The person the submission is about."""
    return decrypt_subject(submission.subject_sealed)
