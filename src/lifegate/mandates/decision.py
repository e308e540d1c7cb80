"""The one authorisation decision point: "may this actor do this action on this subject?".

The policy is a set of relation tuples, evaluated in process:

    (principal, relation, representative, scope, validity)

    (S, "self",               S,       everything,          always)
    (P, "mandate",            R,       inbox-read | inbox-full | processing-log |
                                       service:<slug> | life-event:<slug>,
                                       valid_from..valid_until while status is active)
    (C, "parental-authority", H,       everything,          while C is a minor; from the
                                                            population register, not stored)
    (O, "agency",             agency,  service:<slug>,      while the catalogue names O as
                                                            the service's competent authority)

Voluntary mandates are rows of `Mandate` and are found with one indexed query on
(principal_hash, representative_hash); legal representation is read from the population
register only when no mandate allows the action, so the common cases cost one query.

Other legal representatives (guardians of minors without parents with authority, curators and
administrators appointed by a court) are further rows of the same shape, read from their
register (in the Netherlands the curatele- en bewindregister) by a method on `Relations` next
to `parental_authority`, with the scope the appointment gives (everything, or financial
services only); callers do not change.

The same tuples map one to one onto an OpenFGA (Zanzibar) model, should the decision move to
a dedicated service without changing the callers of `may`:

    type user
    type organisation
    type person                                   # a principal, as legal subject
      relations
        define self: [user]
        define parental_authority: [user]         # written from register events, deleted at 18
        define inbox_reader: [user with in_period] or inbox_manager or self or parental_authority
        define inbox_manager: [user with in_period] or self or parental_authority
        define log_reader: [user with in_period] or self or parental_authority
    type life_event_of                            # one object per principal and life event
      relations
        define principal: [person]
        define representative: [user with in_period]
    type service_of                               # one object per principal and service
      relations
        define principal: [person]
        define part_of: [life_event_of]
        define agency: [organisation]             # the competent authority, from the catalogue
        define representative: [user with in_period] or representative from part_of
        define can_act: representative or self from principal or parental_authority from principal
    condition in_period(valid_from: timestamp, valid_until: timestamp, now: timestamp) {
      valid_from <= now && now <= valid_until
    }

An active mandate row becomes one tuple (`person:P#inbox_reader@user:R`,
`person:P#log_reader@user:R`, or `service_of:P/S#representative@user:R`) with its period as
the condition's context; ending it deletes the tuple. `may` then becomes one `Check` of the
action's relation, with `now` in the request context; the reasons for a refusal ("expired",
"ended") would come from our own rows."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import EventService, PublicService
from lifegate.core.subject import Subject
from lifegate.mandates.actions import (
    ACTIONS,
    AGENCY_ACTIONS,
    INBOX_MANAGE,
    INBOX_READ,
    SELF_ONLY_ACTIONS,
    TRANSPARENCY_READ,
)
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.registries.services import population_register
from lifegate.transparency.services import Actor, subject_hash

LAW = "law"

EXPLANATIONS: dict[str, Promise] = {
    "self": _("You are acting for yourself."),
    "mandate": _("You have been authorised for this."),
    "parental-authority": _("You have parental authority over this child."),
    "agency-own-service": _("This is one of your organisation's services."),
    "no-relation": _("You may not act for this person."),
    "out-of-scope": _("Your authorisation does not cover this."),
    "not-yet-valid": _("Your authorisation has not started yet."),
    "expired": _("Your authorisation has expired."),
    "ended": _("Your authorisation has been ended."),
    "not-own-service": _("This is not one of your organisation's services."),
    "only-self": _("You can only do this for yourself. Switch back to acting for yourself."),
}


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, why (`reason`, a short code), and on what basis (a mandate
    id, or "law" for self, parental authority and agencies)."""

    allowed: bool
    reason: str
    basis: str = ""
    # True when this is the first use of the mandate in `basis` (its principal is told).
    first_use: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def explanation(self) -> str:
        """The reason in words, in the active language."""
        return str(EXPLANATIONS[self.reason])


class Relations:
    """What binds one representative to one principal, read once and only when a decision
    needs it: their mandate rows (one indexed query) and parental authority (one register
    question). A request that asks several questions about the same two people (a page that
    reads the message box and checks whether it may offer "archive") reads them once."""

    def __init__(self, representative: Subject, principal: Subject) -> None:
        self.representative = representative
        self.principal = principal
        self._rows: list[tuple[Any, ...]] | None = None
        self._parental: bool | None = None

    def rows(self) -> list[tuple[Any, ...]]:
        """The pair's mandates as (id, status, from, until, kind, slug, first used)."""
        if self._rows is None:
            # No ORDER BY and no subquery: the plan of this lookup stays trivial, which
            # matters more than its execution (see bench/mandates.py).
            self._rows = list(
                Mandate.objects.filter(
                    principal_hash=subject_hash(self.principal),
                    representative_hash=subject_hash(self.representative),
                )
                .order_by()
                .values_list(
                    "id",
                    "status",
                    "valid_from",
                    "valid_until",
                    "scope_kind",
                    "scope_slug",
                    "first_used_at",
                )
            )
        return self._rows

    def parental_authority(self) -> bool:
        """Whether the representative holds parental authority over the principal today."""
        if self._parental is None:
            self._parental = _holds_parental_authority(self.representative, self.principal)
        return self._parental


def may(
    actor: Actor,
    action: str,
    subject: Subject,
    *,
    service: str = "",
    life_event: str = "",
    today: date | None = None,
    relations: Relations | None = None,
) -> Decision:
    """May `actor` do `action` (see `mandates.actions`) on `subject`'s data, for `service` or
    `life_event` where the action concerns one? Reads only; records nothing.

    `relations` may carry what an earlier question in the same request read about the same
    two people; it must be about `actor.subject` and `subject`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor.kind == "agency":
        return _agency(actor, action, service)
    if actor.kind != "person" or actor.subject is None:
        return Decision(False, "no-relation")
    if actor.subject == subject:
        return Decision(True, "self", LAW)
    if action in SELF_ONLY_ACTIONS:
        return Decision(False, "only-self")
    if relations is None:
        relations = Relations(actor.subject, subject)
    elif (relations.representative, relations.principal) != (actor.subject, subject):
        raise ValueError("relations of other people")
    day = today or timezone.localdate()
    by_mandate = _by_mandate(relations.rows(), action, service, life_event, day)
    if by_mandate is not None and by_mandate.allowed:
        return by_mandate
    if relations.parental_authority():
        return Decision(True, "parental-authority", LAW)
    return by_mandate if by_mandate is not None else Decision(False, "no-relation")


def _agency(actor: Actor, action: str, service: str) -> Decision:
    if action not in AGENCY_ACTIONS or not service:
        return Decision(False, "out-of-scope")
    own = PublicService.objects.filter(
        slug=service, competent_authority__slug=actor.organisation
    ).exists()
    return Decision(True, "agency-own-service", LAW) if own else Decision(False, "not-own-service")


def _in_scope(
    action: str,
    kind: str,
    slug: str,
    service: str,
    life_event: str,
    events_of_service: Callable[[], set[str]],
) -> bool:
    """Does a mandate of `kind`/`slug` cover `action` (for `service` or `life_event`)?"""
    if action == INBOX_READ:
        return kind in (ScopeKind.INBOX_READ, ScopeKind.INBOX_FULL)
    if action == INBOX_MANAGE:
        return kind == ScopeKind.INBOX_FULL
    if action == TRANSPARENCY_READ:
        # The log tells about every service at once: no narrower mandate covers it.
        return kind == ScopeKind.PROCESSING_LOG
    if kind == ScopeKind.SERVICE:
        return bool(service) and slug == service
    if kind == ScopeKind.LIFE_EVENT:
        return slug == life_event or (bool(service) and slug in events_of_service())
    return False


def _by_mandate(
    rows: list[tuple[Any, ...]], action: str, service: str, life_event: str, day: date
) -> Decision | None:
    """The decision by voluntary mandate, or None when there is no mandate between the two."""
    if not rows:
        return None
    events: set[str] | None = None

    def events_of_service() -> set[str]:
        nonlocal events
        if events is None:
            events = set(
                EventService.objects.filter(service__slug=service).values_list(
                    "life_event__slug", flat=True
                )
            )
        return events

    refusal = "out-of-scope"
    # The most telling refusal wins: "ended" over "expired" over "not yet" over "out of scope".
    rank = ["out-of-scope", "not-yet-valid", "expired", "ended"]
    for mandate_id, status, valid_from, valid_until, kind, slug, first_used_at in rows:
        if not _in_scope(action, kind, slug, service, life_event, events_of_service):
            continue
        if status == Mandate.Status.ENDED:
            reason = "ended"
        elif status != Mandate.Status.ACTIVE:
            continue
        elif day < valid_from:
            reason = "not-yet-valid"
        elif day > valid_until:
            reason = "expired"
        else:
            return Decision(True, "mandate", str(mandate_id), first_use=first_used_at is None)
        refusal = max(refusal, reason, key=rank.index)
    return Decision(False, refusal)


def _holds_parental_authority(parent: Subject, child: Subject) -> bool:
    # Only the answer leaves this function, no personal data, so like `registered_subjects`
    # it records nothing; the caller records what it then does with the child's data.
    if parent.scheme != "bsn" or child.scheme != "bsn":
        return False
    return population_register().holds_parental_authority(parent.value, child.value)
