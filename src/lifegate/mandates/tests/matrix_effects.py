"""What an allowed change in the endpoint matrix must have done: each check answers "" when
the change landed on the target's data (the principal's), or says what went wrong."""

import json
from collections.abc import Callable
from datetime import date

from django.core import mail

from lifegate.core.sealing import unseal
from lifegate.core.subject import Subject
from lifegate.inbox import notifications
from lifegate.inbox.models import Message
from lifegate.journeys.models import Delivery, Step, Submission
from lifegate.mandates import acting
from lifegate.mandates.models import Mandate
from lifegate.mandates.tests.conftest import period as _period
from lifegate.mandates.tests.matrix_world import SELF_SERVICE_STEP, Owned, Who, World
from lifegate.transparency.services import Actor, decrypt_subject, subject_hash

Effect = Callable[[World, Owned, Who], str]
CHANGED = "changed@example.test"
CHECKER = Actor(kind="system")


def period() -> tuple[date, date]:
    return _period(60)


def _message(target: Owned) -> Message:
    return Message.objects.get(pk=target.message.pk)


def read(world: World, target: Owned, who: Who) -> str:
    message = _message(target)
    if message.read_at is None:
        return "the message was not marked read"
    if message.read_on_behalf != who.acts_for_someone:
        return f"read_on_behalf is {message.read_on_behalf}"
    return ""


def archived(world: World, target: Owned, who: Who) -> str:
    return "" if _message(target).archived else "the message was not archived"


def _settings(target: Owned) -> notifications.NotificationSettings:
    return notifications.notification_settings(target.subject, actor=CHECKER)


def never_notified(world: World, target: Owned, who: Who) -> str:
    notify = _settings(target).notify
    return "" if notify == "never" else f"notify is {notify}"


def address_waits(world: World, target: Owned, who: Who) -> str:
    pending = _settings(target).pending_email
    return "" if pending == CHANGED else f"the waiting address is {pending!r}"


def link_resent(world: World, target: Owned, who: Who) -> str:
    sent_to = mail.outbox[-1].to if mail.outbox else []
    return "" if sent_to == [target.pending_email] else f"the link went to {sent_to}"


def address_removed(world: World, target: Owned, who: Who) -> str:
    current = _settings(target)
    return "" if not current.email and not current.pending_email else "an address is left"


def address_confirmed(world: World, target: Owned, who: Who) -> str:
    email = _settings(target).email
    return "" if email == target.pending_email else f"the confirmed address is {email!r}"


def submitted(slug: str) -> Effect:
    def effect(world: World, target: Owned, who: Who) -> str:
        found = Submission.objects.filter(
            step__journey=target.journey,
            service_slug=slug,
            subject_hash=subject_hash(target.subject),
        ).first()
        if found is None:
            return f"no submission of {slug} in the principal's journey"
        by = decrypt_subject(found.actor_sealed)
        return "" if by == who.subject else "the submission names someone else as its actor"

    return effect


def marked_done(world: World, target: Owned, who: Who) -> str:
    step = Step.objects.get(journey=target.journey, service_slug=SELF_SERVICE_STEP)
    return "" if step.status == Step.Status.DONE else f"the step is {step.status}"


def granted(world: World, target: Owned, who: Who) -> str:
    given = Mandate.objects.filter(
        principal_hash=subject_hash(target.subject),
        representative_hash=subject_hash(world.people["parent"].subject),
    )
    return "" if given.exists() else "no mandate was given"


def accepted(world: World, target: Owned, who: Who) -> str:
    mine = Mandate.objects.filter(
        principal_hash=subject_hash(world.grantee),
        representative_hash=subject_hash(target.subject),
    )
    return "" if mine.exists() else "the invitation was not accepted by the principal"


def offer_accepted(world: World, target: Owned, who: Who) -> str:
    offer = Mandate.objects.get(pk=world.offer.pk)
    return "" if offer.status == Mandate.Status.ACTIVE else f"the offer is {offer.status}"


def ended(world: World, target: Owned, who: Who) -> str:
    mandate = Mandate.objects.get(pk=world.in_scope_mandate.pk)
    return "" if mandate.status == Mandate.Status.ENDED else "the mandate did not end"


def chosen(world: World, target: Owned, who: Who) -> str:
    sealed = who.client.session.get(acting.SESSION_KEY)
    if not isinstance(sealed, str):
        return "the session acts for nobody"
    subject = Subject.from_dict(json.loads(unseal(acting.SEAL_PURPOSE, sealed))["subject"])
    return "" if subject == target.subject else "the session acts for someone else"


def status_received(world: World, target: Owned, who: Who) -> str:
    status = Submission.objects.get(pk=world.submission.pk).status
    return "" if status == Submission.Status.RECEIVED else f"the status is {status}"


def retried(world: World, target: Owned, who: Who) -> str:
    state = Delivery.objects.get(pk=world.delivery.pk).state
    return "" if state == Delivery.State.PENDING else f"the delivery is {state}"


def delivered(subject: str) -> Effect:
    def effect(world: World, target: Owned, who: Who) -> str:
        found = Message.objects.filter(
            subject=subject, recipient_hash=subject_hash(world.principal.subject)
        ).exists()
        return "" if found else "no such message in the principal's box"

    return effect
