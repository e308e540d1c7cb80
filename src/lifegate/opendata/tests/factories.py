"""Usage made straight in the database: journeys, submissions (decided, or with evidence
exchanged once-only or uploaded) and messages of given people on given days, as the journeys,
exchange and message box building blocks leave them. People are plain keyed-hash stand-ins;
the statistics only ever count them."""

import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from lifegate.catalogue.models import LifeEvent, PublicOrganisation, PublicService
from lifegate.exchange.models import EvidenceRequest
from lifegate.inbox.models import Message
from lifegate.journeys.models import Journey, StatusChange, Step, Submission, SubmittedDocument
from lifegate.opendata.periods import PUBLISHED_MONTHS, add_months, published_period

# "Today" in the statistics tests: October 2026 is the latest published month.
TODAY = date(2026, 11, 22)
MONTH = "2026-10"
IN_MONTH = date(2026, 10, 5)


def day_in_latest_month() -> date:
    """A day in the latest month the pages and downloads publish today."""
    first = published_period(timezone.localdate()).first_day
    return add_months(first, PUBLISHED_MONTHS - 1) + timedelta(days=4)


def person(number: int) -> str:
    """The subject hash standing in for person `number`."""
    return f"{number:064d}"


def moment(day: date, hour: int = 12) -> datetime:
    """`day` at `hour` o'clock in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def make_journey(
    event: LifeEvent,
    who: int,
    started_on: date,
    finished_on: date | None = None,
    status: str = Journey.Status.ACTIVE,
) -> Journey:
    """A journey of person `who`; finished (on `finished_on`) when that is given."""
    finished = finished_on is not None
    return Journey.objects.create(
        life_event=event,
        life_event_slug=event.slug,
        name_nl=event.name_nl,
        name_en=event.name_en,
        subject_hash=person(who),
        subject_sealed="sealed",
        started_on=started_on,
        status=Journey.Status.FINISHED if finished else status,
        finished_at=moment(finished_on) if finished_on else None,
    )


def make_submission(
    service: PublicService,
    who: int,
    submitted: datetime,
    status: str = Submission.Status.RECEIVED,
) -> Submission:
    """A submission of person `who` for `service` to its competent authority, sent at
    `submitted`, in a step of a journey of theirs."""
    journey = Journey.objects.create(
        life_event_slug="any",
        name_nl="Plan",
        name_en="Plan",
        subject_hash=person(who),
        subject_sealed="sealed",
        started_on=submitted.date(),
        status=Journey.Status.CANCELLED,
    )
    step = Step.objects.create(
        journey=journey,
        service=service,
        service_slug=service.slug,
        name_nl=service.name_nl,
        name_en=service.name_en,
        organisation_nl="Organisatie",
        organisation_en="Organisation",
    )
    submission = Submission.objects.create(
        step=step,
        service=service,
        service_slug=service.slug,
        organisation=service.competent_authority,
        form_sealed="sealed",
        language="nl",
        subject_hash=person(who),
        subject_sealed="sealed",
        actor_sealed="sealed",
        idempotency_key=uuid.uuid4().hex,
        status=status,
    )
    Submission.objects.filter(pk=submission.pk).update(submitted_at=submitted)
    submission.refresh_from_db()
    return submission


def make_decision(
    service: PublicService, who: int, submitted: datetime, decided: datetime
) -> Submission:
    """A submission of person `who` for `service`, sent at `submitted` and decided at
    `decided`."""
    submission = make_submission(service, who, submitted, Submission.Status.DECIDED)
    change = StatusChange.objects.create(
        submission=submission, status=Submission.Status.DECIDED, changed_by="agency"
    )
    StatusChange.objects.filter(pk=change.pk).update(changed_at=decided)
    return submission


def make_exchanged_evidence(
    submission: Submission,
    requirement: str = "birth-certificate",
    status: str = EvidenceRequest.Status.RECEIVED,
) -> EvidenceRequest:
    """Evidence for `requirement` fetched once-only from the source for the person of
    `submission`, in its step: sent with the submission when it was received, otherwise (still
    waiting, declined, ...) only asked for."""
    received = status == EvidenceRequest.Status.RECEIVED
    return EvidenceRequest.objects.create(
        step=submission.step,
        requirement_slug=requirement,
        evidence_type_slug=requirement,
        provider_node="nl",
        provider_country="NL",
        provider_name_nl="Bron",
        provider_name_en="Source",
        subject_hash=submission.subject_hash,
        subject_sealed="sealed",
        status=status,
        evidence_sealed="sealed" if received else "",
        trace_id=uuid.uuid4().hex,
        span_id=uuid.uuid4().hex[:16],
        expires_at=submission.submitted_at + timedelta(minutes=30),
        received_at=submission.submitted_at if received else None,
        submission=submission if received else None,
    )


def make_upload(submission: Submission, requirement: str = "proof-of-address") -> SubmittedDocument:
    """A document the person uploaded with `submission` for `requirement` (the row only: the
    statistics never open the file)."""
    return SubmittedDocument.objects.create(
        submission=submission,
        requirement_slug=requirement,
        file=f"journeys/evidence/{uuid.uuid4()}.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        filename_sealed="sealed",
    )


def make_message(
    sender: PublicOrganisation, who: int, sent: datetime, read_after: timedelta | None
) -> Message:
    """A message from `sender` to person `who`, read `read_after` it was sent (or unread)."""
    return Message.objects.create(
        recipient_hash=person(who),
        recipient_sealed="sealed",
        organisation=sender,
        idempotency_key=uuid.uuid4().hex,
        request_hash="hash",
        subject="Onderwerp",
        body="Tekst",
        category="announcement",
        sent_at=sent,
        unread=read_after is None,
        read_at=sent + read_after if read_after is not None else None,
        expires_at=sent + timedelta(days=365),
    )
