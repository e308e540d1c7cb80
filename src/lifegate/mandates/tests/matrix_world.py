"""The world of the endpoint authorisation matrix (`test_endpoint_matrix.py`), built once per
test: people with data in every building block, the mandates between them, two agencies, and
one logged-in test client per actor.

The principal is the "elderly" persona. She authorised the student for her message box (read
only) and the passport service; resident-substantial for the life event "birth" only (another
life event than the one her plan is about); eu-de for her processing log ("who used my data")
only; resident-high for everything, but that expired; eu-es for everything, but she ended it.
The parent acts for a minor child (parental authority), the parent-of-adult tries to act for
the student (an adult child), and the single parent, a resident with no relation, tries to act
for her. Every person has their own message, journey, e-mail addresses and processing record
too, so a page that shows the logged-in person's own data while they act for someone else is
caught. The agencies are the municipality, competent for the plan's register and passport
steps, and the benefits agency of its other steps.

Acting-for choices are written into the session the way `acting.choose` writes them, also for
those the chooser would refuse: that is a session that chose while the mandate was valid and
goes on after it expired or ended."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lifegate.catalogue.models import FormField, PublicOrganisation
from lifegate.catalogue.tests.factories import add_to_event, make_life_event, make_service
from lifegate.core.sealing import seal
from lifegate.core.subject import Subject
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.inbox import notifications
from lifegate.inbox.models import Attachment, Message
from lifegate.inbox.sending import NewAttachment, NewMessage, send_message
from lifegate.journeys import evidence
from lifegate.journeys import services as journeys
from lifegate.journeys.models import (
    AgencyClient,
    AgencyStaff,
    Delivery,
    Journey,
    Submission,
    SubmittedDocument,
)
from lifegate.journeys.tests.agency_factories import make_client, make_submission
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.mandates import acting, services
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, period, person
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import population_register
from lifegate.transparency.services import Actor, record_processing, subject_hash

OUTSIDE_EVENT = "birth-matrix"
OUTSIDE_SERVICE = "birth-registration-matrix"
IN_SCOPE_SERVICE = "passport-test"  # the student's service mandate
OTHER_STEP = "register-move"  # a request step outside the student's mandate
SELF_SERVICE_STEP = "info-test"
PDF = "%PDF-1.7\n1 0 obj <<>> endobj\n% {mark}\ntrailer <<>>\n%%EOF\n"
DOCUMENT_MARK = "document-of-the-principal"  # in the document sent with her submission

# The actors of the matrix: key -> (persona acting, whose data they act on).
PERSON_ACTORS = {
    "the person": ("elderly", "elderly"),
    "in scope": ("student", "elderly"),
    "out of scope": ("resident-substantial", "elderly"),
    "log mandate": ("eu-de", "elderly"),
    "expired": ("resident-high", "elderly"),
    "revoked": ("eu-es", "elderly"),
    "parent of a minor": ("parent", "minor child"),
    "parent of an adult": ("parent-of-adult", "student"),
    "another resident": ("single-parent", "elderly"),
}
AGENCY_ACTORS = ("own agency", "agency of another service")
ACTORS = (*PERSON_ACTORS, *AGENCY_ACTORS)
# Why the decision point refuses each person actor what is not theirs to do.
REASONS = {
    "in scope": "out-of-scope",
    "out of scope": "out-of-scope",
    "log mandate": "out-of-scope",
    "expired": "expired",
    "revoked": "ended",
    "parent of an adult": "no-relation",
    "another resident": "no-relation",
}


def pdf_mark(key: str) -> str:
    """The line only this person's attachment contains."""
    return f"pdf-of-{key.replace(' ', '-')}"


@dataclass
class Owned:
    """One person's data in every building block, and the marks that identify it."""

    key: str
    subject: Subject
    name: str
    message: Message
    attachment: Attachment
    journey: Journey
    email: str
    pending_email: str
    # The span id of a processing record about the person, their newest when the world is built.
    log_mark: str = ""

    @property
    def letter(self) -> str:
        return self.message.subject

    @property
    def pdf_mark(self) -> str:
        return pdf_mark(self.key)

    def marks(self) -> list[str]:
        """Every text that only this person's data contains."""
        marks = [self.letter, self.pdf_mark, str(self.journey.pk), self.email, self.pending_email]
        return [*marks, self.log_mark] if self.log_mark else marks


@dataclass
class Who:
    """An actor of the matrix: their logged-in client, whose data they act on, and (for
    people) their own data, which must never show up while they act for someone else."""

    key: str
    client: Client
    principal: Owned
    own: Owned | None = None
    subject: Subject | None = None

    @property
    def is_agency(self) -> bool:
        return self.key in AGENCY_ACTORS

    @property
    def acts_for_someone(self) -> bool:
        return self.own is not None and self.own is not self.principal


@dataclass
class World:
    """Everyone's data by persona key ("minor child" for the parent's child), the actors by
    key, and what the agencies' and the authorisations' rows work on."""

    people: dict[str, Owned]
    actors: dict[str, Who]
    # Her submission to the municipality (made by the student for her), and its dead push.
    submission: Submission
    delivery: Delivery
    # The student's mandate (hers to end); the grantee's invitation code for her to accept,
    # and what the grantee offered her by her BSN, waiting for her to accept it.
    in_scope_mandate: Mandate
    invitation_code: str
    grantee: Subject
    offer: Mandate
    # A document sent with her submission as evidence.
    document: SubmittedDocument

    @property
    def principal(self) -> Owned:
        return self.people["elderly"]


def name_of(subject: Subject) -> str:
    register = population_register()
    found = (
        register.get_person(subject.value)
        if subject.scheme == "bsn"
        else register.get_person_by_eidas(subject.value)
    )
    assert found is not None
    return found.full_name


def confirmation_token(owned: Owned) -> str:
    """The token of the link e-mailed to the address waiting for `owned`'s confirmation."""
    return notifications.confirmation_token(subject_hash(owned.subject), owned.pending_email)


def _catalogue(plan: PlanFixture) -> PublicOrganisation:
    """The plan's passport step prefills the name (so its form shows whose it is), and a
    second life event with a service exists for the out-of-scope mandate."""
    municipality = plan.register.service.competent_authority
    FormField.objects.create(
        service=plan.passport.service,
        key="name",
        label_nl="Naam",
        label_en="Name",
        prefill="person.full_name",
    )
    outside = make_service(OUTSIDE_SERVICE, municipality, "Geboorteaangifte", "Birth")
    add_to_event(make_life_event(OUTSIDE_EVENT, "Geboorte", "Birth"), outside, 1)
    return municipality


def _owned(key: str, subject: Subject, plan: PlanFixture, sender: PublicOrganisation) -> Owned:
    mark = key.replace(" ", "-")
    sent = send_message(
        sender,
        NewMessage(
            recipient=subject,
            subject=f"Letter to {mark}",
            body="Zie de bijlage.",
            category="decision",
            idempotency_key=f"matrix-{mark}",
            attachments=(
                NewAttachment(
                    f"{mark}.pdf", "application/pdf", PDF.format(mark=pdf_mark(key)).encode()
                ),
            ),
        ),
        actor=Actor(kind="agency", organisation=sender.slug),
    )
    assert sent.message_id, sent.problem
    message = Message.objects.get(pk=sent.message_id)
    by_self = person(subject)
    journey = journeys.start_journey(
        plan.event,
        journeys.Start(
            subject=subject,
            actor=by_self,
            answers={"move_date": "2026-12-01", "travel_abroad": True},
        ),
    )
    email, pending = f"{mark}@example.test", f"{mark}-new@example.test"
    notifications.register_address(subject, email, actor=by_self, language="en")
    token = notifications.confirmation_token(subject_hash(subject), email)
    notifications.confirm_address(subject, token, actor=by_self)
    notifications.register_address(subject, pending, actor=by_self, language="en")
    return Owned(
        key, subject, name_of(subject), message, message.attachments.get(), journey, email, pending
    )


def _mandates(people: dict[str, Owned], grantee: Subject) -> tuple[Mandate, str, Mandate]:
    elderly = people["elderly"].subject
    by_her = person(elderly)

    def grant(representative: str, *scopes: Scope) -> list[Mandate]:
        subject = people[representative].subject
        return grant_active(elderly, subject, list(scopes), *period(60), by_her).mandates

    log = Scope(ScopeKind.PROCESSING_LOG)
    everything = (Scope(ScopeKind.INBOX_FULL), Scope(ScopeKind.LIFE_EVENT, "moving-test"), log)
    in_scope = grant(
        "student", Scope(ScopeKind.INBOX_READ), Scope(ScopeKind.SERVICE, "passport-test")
    )
    grant("resident-substantial", Scope(ScopeKind.LIFE_EVENT, OUTSIDE_EVENT))
    grant("eu-de", log)
    expired = grant("resident-high", *everything)
    last_month = timezone.localdate() - timedelta(days=31)
    Mandate.objects.filter(pk__in=[m.pk for m in expired]).update(
        valid_from=last_month, valid_until=last_month + timedelta(days=30)
    )
    for mandate in grant("eu-es", *everything):
        services.end(mandate.pk, elderly, by_her)
    # Used before: a first use would tell her again in every allowed cell.
    Mandate.objects.update(first_used_at=timezone.now())
    by_grantee = person(grantee)
    invitation = services.grant(grantee, None, [Scope(ScopeKind.INBOX_READ)], *period(), by_grantee)
    offer = services.grant(grantee, elderly, [Scope(ScopeKind.INBOX_FULL)], *period(), by_grantee)
    return in_scope[0], invitation.invitation_code, offer.mandates[0]


def _log_in(subject: Subject, acting_for: Owned | None) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(subject, "substantial", datetime.now(UTC), "test")
    )
    if acting_for is not None and acting_for.subject != subject:
        payload = {
            "representative": subject_hash(subject),
            "subject": acting_for.subject.as_dict(),
            "name": acting_for.name,
        }
        session[acting.SESSION_KEY] = seal(acting.SEAL_PURPOSE, json.dumps(payload))
    session.save()
    return client


def _agency_client(organisation: PublicOrganisation, webhook_url: str = "") -> Client:
    scopes = [AgencyClient.Scope.SUBMISSIONS, AgencyClient.Scope.MESSAGES]
    _, token = make_client(organisation, [*scopes, AgencyClient.Scope.MANDATES], webhook_url)
    client = Client(headers={"authorization": f"Bearer {token}"})
    user = User.objects.create_user(f"{organisation.slug}-staff")
    AgencyStaff.objects.create(user=user, organisation=organisation)
    client.force_login(user)
    return client


def build_world(personas: dict[str, DemoPersona], plan: PlanFixture, minor_child: Subject) -> World:
    """The world on top of the demo population and the journeys tests' "moving" plan."""
    municipality = _catalogue(plan)
    subjects = {key: persona.subject for key, persona in personas.items()}
    subjects["minor child"] = minor_child
    owners = {owner for _, owner in PERSON_ACTORS.values()} | {a for a, _ in PERSON_ACTORS.values()}
    people = {key: _owned(key, subjects[key], plan, municipality) for key in sorted(owners)}
    grantee = subjects["resident-low"]
    in_scope_mandate, code, offer = _mandates(people, grantee)
    actors = {
        key: Who(
            key,
            _log_in(subjects[actor], people[owner]),
            people[owner],
            people[actor],
            subjects[actor],
        )
        for key, (actor, owner) in PERSON_ACTORS.items()
    }
    own_agency = _agency_client(municipality, webhook_url="https://gemeente.example.test/hook")
    other = plan.benefit.service.competent_authority
    principal = people["elderly"]
    actors["own agency"] = Who("own agency", own_agency, principal)
    actors["agency of another service"] = Who(
        "agency of another service", _agency_client(other), principal
    )
    submission = make_submission(
        plan.register.service, subject=principal.subject, actor=people["student"].subject
    )
    delivery = Delivery.objects.create(
        submission=submission,
        client=AgencyClient.objects.get(organisation=municipality),
        state=Delivery.State.DEAD,
    )
    document = _document(submission, principal.subject)
    for owned in people.values():  # last: on the first page of everyone's log
        owned.log_mark = _log_mark(owned, municipality)
    return World(
        people, actors, submission, delivery, in_scope_mandate, code, grantee, offer, document
    )


def _log_mark(owned: Owned, agency: PublicOrganisation) -> str:
    """A processing record about `owned` by the agency: only their processing log shows it."""
    record = record_processing(
        name="matrix.mark",
        subject=owned.subject,
        activity=journeys.PLAN_ACTIVITY,
        actor=Actor(kind="agency", organisation=agency.slug),
        data_categories=("name",),
    )
    return record.span_id


def _document(submission: Submission, subject: Subject) -> SubmittedDocument:
    """A document sent with `submission` for a requirement, stored the way sending does."""
    upload = SimpleUploadedFile("proof.pdf", PDF.format(mark=DOCUMENT_MARK).encode())
    slot = evidence.RequirementSlot("matrix-proof", "Bewijs", "", ())
    [document] = evidence.store_documents(
        submission,
        [evidence.NewDocument(slot, evidence.check_upload(upload), "")],
        subject=subject,
        actor=Actor(kind="person", subject=subject),
        activity=journeys.PLAN_ACTIVITY,
        written=[],
    )
    return document
