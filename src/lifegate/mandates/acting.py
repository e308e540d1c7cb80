"""Acting for someone: whom the logged-in person acts for in this session, and the one call
every page and person API makes before it touches a person's data.

    subject = acting.legal_subject(request, INBOX_READ)      # whose data, or NotPermitted
    actor = acting.actor(request)                            # who does it, on whose behalf

The choice is kept in the session, sealed like the authentication itself (it names a
person). It is only a choice: `legal_subject` asks the decision point on every request, so a
mandate that ends, expires or is out of scope is refused at the next click, also in sessions
already in progress."""

import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from lifegate.core.sealing import UnsealError, seal, unseal
from lifegate.core.subject import Subject
from lifegate.identity.session import Authentication
from lifegate.mandates.actions import MANDATES_MANAGE
from lifegate.mandates.decision import Decision, Relations, may
from lifegate.mandates.models import Mandate
from lifegate.registries.services import full_name, population_register
from lifegate.transparency.services import Actor, subject_hash

SESSION_KEY = "lifegate.acting-for"
SEAL_PURPOSE = "acting-for"


@dataclass(frozen=True)
class ActingFor:
    """The person the logged-in person acts for, with the name to show on every page."""

    subject: Subject
    name: str


@dataclass(frozen=True)
class Representable:
    """Someone the logged-in person may choose to act for, and on what basis:
    "mandate" (voluntary) or "parental-authority" (by law, for a minor child)."""

    subject: Subject
    name: str
    basis: str

    @property
    def key(self) -> str:
        """An opaque, non-identifying choice value for forms: the subject's keyed hash."""
        return subject_hash(self.subject)


class NotPermitted(Exception):
    """The decision point refused: the page shows, and the API returns, `decision.explanation`."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(decision.reason)


def _authentication(request: HttpRequest) -> Authentication:
    authentication: Authentication | None = request.authentication  # type: ignore[attr-defined]
    if authentication is None:
        raise NotPermitted(Decision(False, "no-relation"))
    return authentication


def acting_for(request: HttpRequest) -> ActingFor | None:
    """Whom this session acts for; None when the person acts for themselves (or nobody is
    logged in). A value that does not belong to the logged-in person is ignored."""
    if hasattr(request, "_acting_for"):
        cached: ActingFor | None = request._acting_for
        return cached
    found = _from_session(request)
    request._acting_for = found  # type: ignore[attr-defined]
    return found


def _from_session(request: HttpRequest) -> ActingFor | None:
    authentication: Authentication | None = getattr(request, "authentication", None)
    if authentication is None:
        return None
    sealed = request.session.get(SESSION_KEY)
    if not isinstance(sealed, str):
        return None
    try:
        data = json.loads(unseal(SEAL_PURPOSE, sealed))
        if data["representative"] != subject_hash(authentication.subject):
            return None
        return ActingFor(Subject.from_dict(data["subject"]), str(data["name"]))
    except (UnsealError, json.JSONDecodeError, KeyError, ValueError, TypeError):
        return None


def legal_subject(
    request: HttpRequest, action: str, *, service: str = "", life_event: str = ""
) -> Subject:
    """Whose data this request may do `action` on: the person acted for, or the logged-in
    person themselves. Raises `NotPermitted` when the decision point refuses."""
    decision = check(request, action, service=service, life_event=life_event)
    if not decision:
        raise NotPermitted(decision)
    chosen = acting_for(request)
    return chosen.subject if chosen else _authentication(request).subject


def check(
    request: HttpRequest, action: str, *, service: str = "", life_event: str = ""
) -> Decision:
    """The decision for this request's actor and legal subject, without raising. The first
    use of a voluntary mandate is noted (and its principal told)."""
    authentication = _authentication(request)
    # Asked afresh on every request, once per question: a page that checks reading and
    # managing for its links asks each once.
    asked: dict[tuple[str, str, str], Decision] = request.__dict__.setdefault("_decisions", {})
    key = (action, service, life_event)
    if key not in asked:
        chosen = acting_for(request)
        subject = chosen.subject if chosen else authentication.subject
        relations = request.__dict__.get("_relations")
        if relations is None or relations.principal != subject:
            relations = request._relations = Relations(authentication.subject, subject)  # type: ignore[attr-defined]
        decision = may(
            actor(request),
            action,
            subject,
            service=service,
            life_event=life_event,
            relations=relations,
        )
        if decision.first_use:
            _note_first_use(decision.basis)
        asked[key] = decision
    return asked[key]


def actor(request: HttpRequest) -> Actor:
    """The logged-in person as actor, on behalf of the person they act for (if any)."""
    authentication = _authentication(request)
    chosen = acting_for(request)
    return Actor(
        kind="person",
        subject=authentication.subject,
        on_behalf_of=chosen.subject if chosen else None,
    )


def _note_first_use(mandate_id: str) -> None:
    from lifegate.mandates import notices

    # Noted and told together: if the notice cannot be sent, the use stays "first" and the
    # next request tries again.
    with transaction.atomic():
        first = Mandate.objects.filter(pk=mandate_id, first_used_at__isnull=True).update(
            first_used_at=timezone.now()
        )
        if first:  # only the request that set it tells the principal, once
            notices.tell_principal("first-use", Mandate.objects.get(pk=mandate_id))


def _active_received(subject: Subject) -> "QuerySet[Mandate]":
    today = timezone.localdate()
    return Mandate.objects.filter(
        representative_hash=subject_hash(subject),
        status=Mandate.Status.ACTIVE,
        valid_from__lte=today,
        valid_until__gte=today,
    )


def acts_for_others(subject: Subject) -> bool:
    """Whether `subject` may act for anyone today; reads no names, so records nothing."""
    if _active_received(subject).exists():
        return True
    if subject.scheme != "bsn":
        return False
    children = population_register().children_of(subject.value)
    return any(subject.value in child.parental_authority_holders for child in children)


def representables(subject: Subject, actor_: Actor) -> list[Representable]:
    """Everyone `subject` may act for today: principals of their active mandates, and minor
    children over whom they hold parental authority. Names are read from the register."""
    from lifegate.mandates.services import principal_of

    mandates = _active_received(subject).order_by("created_at")
    found: dict[Subject, Representable] = {}
    register = population_register()
    for mandate in mandates:
        principal = principal_of(mandate)
        if principal not in found:
            name = full_name(principal, register)
            found[principal] = Representable(principal, name, "mandate")
    if subject.scheme == "bsn":
        for child in register.children_of(subject.value):
            if subject.value in child.parental_authority_holders:
                key = Subject("bsn", child.bsn)
                found[key] = Representable(key, child.full_name, "parental-authority")
    _record_names(list(found), actor_)
    return list(found.values())


def _record_names(subjects: list[Subject], actor_: Actor) -> None:
    from lifegate.mandates.services import ACTIVITY
    from lifegate.transparency.services import record_processing

    for principal in subjects:
        record_processing(
            name="mandates.representables",
            subject=principal,
            activity=ACTIVITY,
            actor=actor_,
            data_categories=("name", "mandate"),
        )


def choose(
    request: HttpRequest, key: str, people: list[Representable] | None = None
) -> ActingFor | None:
    """Act for the representable person whose `key` this is, or for oneself with "self".
    Raises `NotPermitted` for anyone else. `people`: the logged-in person's `representables`,
    when the caller has read them already."""
    authentication = _authentication(request)
    request._acting_for = None  # type: ignore[attr-defined]
    request.__dict__.pop("_decisions", None)
    request.__dict__.pop("_relations", None)
    if key == "self":
        request.session.pop(SESSION_KEY, None)
        return None
    if people is None:
        self_actor = Actor(kind="person", subject=authentication.subject)
        people = representables(authentication.subject, self_actor)
    match = next((r for r in people if r.key == key), None)
    if match is None:
        raise NotPermitted(Decision(False, "no-relation"))
    payload = {
        "representative": subject_hash(authentication.subject),
        "subject": match.subject.as_dict(),
        "name": match.name,
    }
    request.session[SESSION_KEY] = seal(SEAL_PURPOSE, json.dumps(payload))
    chosen = ActingFor(match.subject, match.name)
    request._acting_for = chosen  # type: ignore[attr-defined]
    return chosen


def only_self(request: HttpRequest) -> Subject:
    """For what a person can only do for themselves (managing their own mandates): the
    logged-in person, or `NotPermitted` while they act for someone else."""
    return legal_subject(request, MANDATES_MANAGE)


__all__ = [
    "ActingFor",
    "NotPermitted",
    "Representable",
    "acting_for",
    "actor",
    "acts_for_others",
    "check",
    "choose",
    "legal_subject",
    "only_self",
    "representables",
]
