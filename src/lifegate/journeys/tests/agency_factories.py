"""Submissions made straight in the database, for the agency side's tests (API, deliveries,
back office): a person's journey and step, a sealed form and subject, as `submit_step` leaves
them, without needing the plan engine or the population register."""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from lifegate.catalogue.models import ProcessingActivity, PublicOrganisation, PublicService
from lifegate.catalogue.tests.factories import make_organisation, make_service
from lifegate.core.sealing import seal
from lifegate.core.subject import Subject
from lifegate.journeys import agency
from lifegate.journeys.models import AgencyClient, Journey, Step, Submission
from lifegate.transparency.services import encrypt_subject, subject_hash

PERSON = Subject("bsn", "999990019")
FIELDS = {"child_given_names": "Noor", "child_birth_date": "2026-11-20"}
SOURCES = {
    "child_birth_date": {"source": "population-register", "as_of": "2026-11-21"},
    "child_given_names": {"source": "person"},
}


@dataclass
class Agencies:
    """Two agencies with a service each; `mine` is the one the tests act for."""

    mine: PublicOrganisation
    other: PublicOrganisation
    service: PublicService
    other_service: PublicService


def make_agencies() -> Agencies:
    """Two organisations, each with a service; the first's has a processing activity."""
    mine = make_organisation("gemeente-test", "Gemeente Test", "Municipality of Test")
    other = make_organisation("svb-test", "SVB Test", "SVB Test")
    activity = ProcessingActivity.objects.create(
        slug="birth-registration-test",
        controller=mine,
        name_nl="Geboorteaangifte",
        name_en="Birth registration",
        purpose_nl="Doel",
        purpose_en="Purpose",
        legal_basis_nl="Grondslag",
        legal_basis_en="Legal basis",
    )
    service = make_service("register-birth-test", mine, "Geboorte aangeven", "Register a birth")
    service.processing_activity = activity
    service.save()
    other_service = make_service("child-benefit-test", other, "Kinderbijslag", "Child benefit")
    return Agencies(mine, other, service, other_service)


def make_submission(
    service: PublicService,
    *,
    subject: Subject = PERSON,
    actor: Subject | None = None,
    fields: dict[str, Any] | None = None,
    language: str = "nl",
    status: str = Submission.Status.SUBMITTED,
    submitted_at: datetime | None = None,
) -> Submission:
    """A submission to `service`'s competent authority in a fresh journey of `subject`, made
    by `actor` acting for them (by `subject` themselves when None)."""
    sealed_subject = encrypt_subject(subject)
    journey = Journey.objects.create(
        life_event_slug="birth",
        name_nl="Geboorte",
        name_en="Birth",
        subject_hash=subject_hash(subject),
        subject_sealed=sealed_subject,
        related_hash=secrets.token_hex(8),  # one active journey per event: keep them apart
        language=language,
        started_on=timezone.localdate(),
    )
    step = Step.objects.create(
        journey=journey,
        service=service,
        service_slug=service.slug,
        name_nl=service.name_nl,
        name_en=service.name_en,
        organisation_nl=service.competent_authority.name_nl,
        organisation_en=service.competent_authority.name_en,
        status=Step.Status.SUBMITTED,
    )
    form = {"fields": fields or FIELDS, "sources": SOURCES if fields is None else {}}
    submission = Submission.objects.create(
        step=step,
        service=service,
        service_slug=service.slug,
        organisation=service.competent_authority,
        form_sealed=seal("submission", json.dumps(form)),
        language=language,
        subject_hash=subject_hash(subject),
        subject_sealed=sealed_subject,
        actor_sealed=encrypt_subject(actor) if actor else sealed_subject,
        idempotency_key=secrets.token_urlsafe(24),
        status=status,
    )
    if submitted_at is not None:
        Submission.objects.filter(pk=submission.pk).update(submitted_at=submitted_at)
        submission.refresh_from_db()
    return submission


def make_client(
    organisation: PublicOrganisation,
    scopes: list[str] | None = None,
    webhook_url: str = "",
    name: str = "zaaksysteem",
) -> tuple[AgencyClient, str]:
    """A client of `organisation` and its bearer credential."""
    client, secret = agency.create_client(
        organisation, name, scopes or [AgencyClient.Scope.SUBMISSIONS], webhook_url=webhook_url
    )
    return client, agency.bearer_token(client, secret)
