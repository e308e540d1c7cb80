"""Proactive starts: CloudEvents from the population register that start journeys.

A register system (an agency client with the `events` scope) POSTs a CloudEvent 1.0 to
`/api/events/`, in structured mode (`Content-Type: application/cloudevents+json`) or binary
mode (`ce-*` headers and a JSON body). The event is checked at once (a bad one is refused
with problem details, the person must be in the register) and, when accepted, stored with a
durable task in one transaction; the task starts the journeys (DESIGN: proactive starts are
background work), so a burst of events or a restart loses nothing.

Event types (NL GOV CloudEvents profile: reverse-DNS types and no BSN in `subject`; BSNs
travel in `data` only). The `source` names the sending organisation: `urn:nld:oin:<OIN>` of
the client's own organisation, optionally followed by `:` and more, e.g.
`urn:nld:oin:00000001800000002000:systeem:brp`; any other source is refused (403).

- `nl.brp.birth-registered`, data `{"child_bsn": "..."}`: every parent holding parental
  authority over the child gets the life event `birth` about that child, with the birth
  registration already done.
- `nl.brp.death-registered`, data `{"deceased_bsn": "..."}`: the registered partners and the
  adult children of the deceased get `death-of-a-relative`, with the death registration done
  and the questions the register answers (who died, and when) answered.
- `nl.brp.address-changed`, data `{"bsn": "..."}`: the person gets `moving-house`, with the
  address change done.

Someone who already has that life event running (for the same child or deceased) is left
alone. Events are idempotent on (`source`, `id`): a repeat answers with the first outcome and
starts nothing. Every register read is recorded in the person's processing log.

An event whose processing fails unexpectedly starts nothing (all its journeys are rolled back)
and stays accepted, so the safety net tries it again; after `JOURNEYS_EVENT_MAX_ATTEMPTS`
failures it is marked failed and left alone until an operator processes it again in the
admin."""

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings import http
from cloudevents.core.exceptions import CloudEventValidationError
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import REQUIRED_ATTRIBUTES, CloudEvent
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lifegate.core.sealing import seal, unseal
from lifegate.core.subject import Subject, bsn_is_valid
from lifegate.journeys import notices, services
from lifegate.journeys.models import AgencyClient, InboundEvent, Journey
from lifegate.registries.adapters import Person
from lifegate.registries.services import read_children, read_person
from lifegate.transparency.services import Actor

BIRTH_REGISTERED = "nl.brp.birth-registered"
DEATH_REGISTERED = "nl.brp.death-registered"
ADDRESS_CHANGED = "nl.brp.address-changed"
STRUCTURED_CONTENT_TYPE = JSONFormat.CONTENT_TYPE
# InboundEvent's column widths: longer values are refused rather than cut.
MAX_ATTRIBUTE_LENGTH = 200
# A run of 8 or 9 digits: a BSN, perhaps with its leading zero dropped.
DIGIT_RUN = re.compile(r"(?<!\d)\d{8,9}(?!\d)")
URN = re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", re.IGNORECASE)
# The sender's own source: its organisation's OIN, optionally followed by `:` and more.
OIN_SOURCE = re.compile(r"^urn:nld:oin:(\d{20})(:\S+)?$", re.IGNORECASE)
EVENTS_ACTOR = Actor(kind="system")
EVENT_SEAL = "registry-event"
# InboundEvent.last_error's width.
ERROR_LENGTH = 300

logger = logging.getLogger(__name__)


class EventRejected(Exception):
    """The event is not accepted; becomes a problem-details response. No text may contain a
    BSN: the sender's own values are never echoed."""

    def __init__(
        self,
        status: int,
        problem_type: str,
        title: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.problem_type = problem_type
        self.title = title
        self.detail = detail
        self.errors = errors or []


@dataclass(frozen=True)
class Outcome:
    """What became of an event: the journeys it started, and whether it was a repeat."""

    journeys_started: int
    repeated: bool
    status: str = "processed"


@dataclass(frozen=True)
class Target:
    """One journey to start: for whom, about whom, in which relation."""

    subject: Subject
    related: Subject | None = None
    relation: str = ""
    # Answers the register already gives (a life event keeps those it asks for).
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventType:
    """A known event type: its data field (a BSN), life event and what the register did."""

    bsn_field: str
    life_event: str
    done: tuple[str, ...]
    targets: Callable[[str, str], list[Target]] = field(repr=False)


def _masked(text: str) -> str:
    return DIGIT_RUN.sub("***", text)


# ---------------------------------------------------------------------------------------------
# Parsing and validating


def _strict_factory(attributes: dict[str, Any], data: Any) -> BaseCloudEvent:
    # The SDK quietly fills in a missing id, specversion and time; a register must send them.
    missing = [name for name in REQUIRED_ATTRIBUTES if name not in attributes]
    if missing:
        raise EventRejected(
            400,
            "invalid-cloudevent",
            _("Invalid CloudEvent"),
            _("Required attributes are missing."),
            [{"location": name, "message": _("This attribute is required.")} for name in missing],
        )
    return CloudEvent(attributes, data)


def _invalid(detail: str, errors: list[dict[str, str]] | None = None) -> EventRejected:
    return EventRejected(400, "invalid-cloudevent", _("Invalid CloudEvent"), detail, errors)


def parse_http(headers: Mapping[str, str], body: bytes) -> BaseCloudEvent:
    """The CloudEvent in an HTTP request, binary mode (`ce-*` headers) or structured mode
    (`application/cloudevents+json`). Raises EventRejected (400 or 415)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message = http.HTTPMessage(headers=lowered, body=body)
    content_type = lowered.get("content-type", "").split(";")[0].strip().lower()
    binary = any(name.startswith(http.CE_PREFIX) for name in lowered)
    try:
        if binary:
            return http.from_binary(message, JSONFormat(), _strict_factory)
        if content_type != STRUCTURED_CONTENT_TYPE:
            raise EventRejected(
                415,
                "unsupported-media-type",
                _("Unsupported media type"),
                _(
                    "Send one CloudEvent in structured mode (Content-Type "
                    "application/cloudevents+json) or in binary mode (ce-* headers)."
                ),
            )
        if not isinstance(_json_object(body), dict):
            raise _invalid(_("The body must be a JSON object."))
        return http.from_structured(message, JSONFormat(), _strict_factory)
    except CloudEventValidationError as error:
        raise _invalid(
            _("One or more attributes are invalid."),
            [
                {"location": name, "message": _masked("; ".join(str(e) for e in problems))}
                for name, problems in error.errors.items()
            ],
        ) from None
    except (ValueError, TypeError):
        # Undecodable bytes or JSON, or an unreadable `time`.
        raise _invalid(_("The event could not be read.")) from None


def _json_object(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise _invalid(_("The body is not valid JSON.")) from None


def _check_profile(event: BaseCloudEvent, client: AgencyClient) -> None:
    """NL GOV CloudEvents profile conventions, and that `source` is the client's own: its
    organisation's OIN URN (a client can only report events in its own name)."""
    for name in ("id", "source", "type"):
        if len(str(event.get_attributes()[name])) > MAX_ATTRIBUTE_LENGTH:
            raise _unprocessable(
                "invalid-attribute",
                _("The attribute %(name)s is longer than %(max)d characters.")
                % {"name": name, "max": MAX_ATTRIBUTE_LENGTH},
            )
    source = event.get_source()
    parts = urlsplit(source)
    if not (URN.match(source) or (parts.scheme and (parts.netloc or parts.path))):
        raise _unprocessable("invalid-source", _("The source must be a URN or an absolute URI."))
    oin = OIN_SOURCE.match(source)
    if oin is None or oin.group(1) != client.organisation.oin:
        raise EventRejected(
            403,
            "foreign-source",
            _("Not your source"),
            _(
                "The source must be urn:nld:oin:%(oin)s (this client's organisation), "
                "optionally followed by a colon and the system, e.g. :systeem:brp."
            )
            % {"oin": client.organisation.oin},
        )
    subject = event.get_subject() or ""
    if any(bsn_is_valid(run.zfill(9)) for run in DIGIT_RUN.findall(subject)):
        raise _unprocessable(
            "bsn-in-subject",
            _("The subject contains a BSN. Send identifying numbers in data only."),
        )


def _unprocessable(problem_type: str, detail: str, **extra: Any) -> EventRejected:
    return EventRejected(422, problem_type, _("Event not accepted"), detail, **extra)


def _event_type(event: BaseCloudEvent) -> EventType:
    known = EVENT_TYPES.get(event.get_type())
    if known is None:
        raise _unprocessable(
            "unknown-event-type",
            _("Unknown event type. Known types: %(types)s.")
            % {"types": ", ".join(sorted(EVENT_TYPES))},
        )
    return known


def _bsn(event: BaseCloudEvent, name: str) -> str:
    content_type = (event.get_datacontenttype() or "application/json").split(";")[0].strip()
    data = event.get_data()
    if not JSONFormat.JSON_CONTENT_TYPE_PATTERN.match(content_type) or not isinstance(data, dict):
        raise _unprocessable("invalid-event-data", _("The data must be a JSON object."))
    value = data.get(name)
    if not isinstance(value, str) or not bsn_is_valid(value):
        message = _("Required: a valid BSN (nine digits passing the elfproef).")
        raise _unprocessable(
            "invalid-event-data",
            _("The data is not valid for this event type."),
            errors=[{"location": f"data.{name}", "message": message}],
        )
    return value


# ---------------------------------------------------------------------------------------------
# Whom an event concerns: read from the register, each read recorded


def _read(bsn: str, event_type: str) -> Person | None:
    return read_person(
        Subject("bsn", bsn),
        actor=EVENTS_ACTOR,
        activity=services.PLAN_ACTIVITY,
        purpose_name=f"journeys.proactive.{event_type}",
    )


def _registered(bsn: str, event_type: str) -> Person:
    person = _read(bsn, event_type)
    if person is None:
        raise _unprocessable(
            "unknown-person", _("The population register does not know this person.")
        )
    return person


def birth_targets(child_bsn: str, event_type: str) -> list[Target]:
    """Each parent with parental authority over the newborn."""
    child = _registered(child_bsn, event_type)
    related = Subject("bsn", child.bsn)
    return [
        Target(Subject("bsn", holder), related, "child")
        for holder in child.parental_authority_holders
    ]


def death_targets(deceased_bsn: str, event_type: str) -> list[Target]:
    """The living registered partners and the living adult children of the deceased."""
    deceased = _registered(deceased_bsn, event_type)
    related = Subject("bsn", deceased.bsn)
    today = timezone.localdate()
    died = {"date_of_death": deceased.date_of_death.isoformat()} if deceased.date_of_death else {}
    targets = []
    for partner_bsn in deceased.partners:
        partner = _read(partner_bsn, event_type)
        if partner is not None and partner.date_of_death is None:
            answers = {"relation": "partner", **died}
            targets.append(Target(Subject("bsn", partner.bsn), related, "partner", answers))
    children = read_children(
        related,
        actor=EVENTS_ACTOR,
        activity=services.PLAN_ACTIVITY,
        purpose_name=f"journeys.proactive.{event_type}",
    )
    for child in children:
        if child.date_of_death is None and not child.is_minor_on(today):
            answers = {"relation": "parent", **died}
            targets.append(Target(Subject("bsn", child.bsn), related, "parent", answers))
    return targets


def address_targets(bsn: str, event_type: str) -> list[Target]:
    """The person who moved."""
    return [Target(Subject("bsn", _registered(bsn, event_type).bsn))]


EVENT_TYPES: dict[str, EventType] = {
    BIRTH_REGISTERED: EventType("child_bsn", "birth", ("birth-registration",), birth_targets),
    DEATH_REGISTERED: EventType(
        "deceased_bsn", "death-of-a-relative", ("death-registration",), death_targets
    ),
    ADDRESS_CHANGED: EventType("bsn", "moving-house", ("address-change",), address_targets),
}


# ---------------------------------------------------------------------------------------------
# Processing


def _earlier(event: BaseCloudEvent) -> InboundEvent | None:
    return InboundEvent.objects.filter(source=event.get_source(), event_id=event.get_id()).first()


def handle_event(event: BaseCloudEvent, client: AgencyClient) -> Outcome:
    """Validate a parsed CloudEvent and accept it: stored (its BSN sealed) together with the
    durable task that starts the journeys it calls for, in one transaction. Accepted means it
    will be processed, also after a crash or restart.

    A repeat of an event already accepted (same `source` and `id`, also when both arrive at
    the same moment) returns the first event's state and accepts nothing. Raises
    EventRejected."""
    from lifegate.journeys.tasks import start_event_journeys

    _check_profile(event, client)
    kind = _event_type(event)
    bsn = _bsn(event, kind.bsn_field)
    earlier = _earlier(event)
    if earlier is not None:
        return _outcome(earlier, repeated=True)
    try:
        services.startable_life_event(kind.life_event)
    except Http404:
        raise EventRejected(
            503,
            "life-event-unavailable",
            _("Life event not available"),
            _("This life event is not in the catalogue; try again later."),
        ) from None
    with transaction.atomic():
        _registered(bsn, event.get_type())
        try:
            with transaction.atomic():
                inbound = InboundEvent.objects.create(
                    source=event.get_source(),
                    event_id=event.get_id(),
                    type=event.get_type(),
                    client=client,
                    data_sealed=seal(EVENT_SEAL, bsn),
                )
        except IntegrityError:
            # The same event arrived twice at once; the other request accepted it.
            earlier = _earlier(event)
            if earlier is None:
                raise
            return _outcome(earlier, repeated=True)
        # The database task backend stores the task in this same transaction.
        start_event_journeys.enqueue(inbound.pk)
    inbound.refresh_from_db()  # an immediate backend has processed it already
    return _outcome(inbound, repeated=False)


def _outcome(inbound: InboundEvent, repeated: bool) -> Outcome:
    return Outcome(inbound.journeys_started, repeated=repeated, status=inbound.status)


def process_event(inbound_id: int) -> int:
    """Start the journeys an accepted event calls for; returns how many. Runs once per event:
    a second run (a duplicate task, the safety net) finds it processed and does nothing.
    Afterwards the event keeps no BSN.

    An unexpected error rolls back every journey this run started and is recorded on the
    event (attempts, last error); the event stays accepted for the safety net, or becomes
    failed after `JOURNEYS_EVENT_MAX_ATTEMPTS`. The task itself then ends normally: the event,
    not the task result, is where an operator looks."""
    try:
        return _process(inbound_id)
    except Exception as error:
        _record_failure(inbound_id, error)
        return 0


def _process(inbound_id: int) -> int:
    # One transaction (a savepoint inside an outer one): an error leaves nothing half-written.
    with transaction.atomic():
        inbound = (
            InboundEvent.objects.select_for_update(of=("self",))
            .select_related("client__organisation")
            .filter(pk=inbound_id)
            .first()
        )
        if inbound is None or inbound.status != InboundEvent.Status.ACCEPTED:
            return 0
        kind = EVENT_TYPES[inbound.type]
        life_event = services.startable_life_event(kind.life_event)
        bsn = unseal(EVENT_SEAL, inbound.data_sealed)
        try:
            targets = kind.targets(bsn, inbound.type)
        except EventRejected:
            targets = []  # the person left the register since the event was accepted
        started = 0
        for target in targets:
            start = services.Start(
                subject=target.subject,
                actor=EVENTS_ACTOR,
                answers=target.answers,
                related=target.related,
                relation=target.relation,
                origin=Journey.Origin.REGISTRY,
                origin_event_id=inbound.pk,
                done=kind.done,
            )
            try:
                journey = services.start_journey(life_event, start)
            except services.JourneyAlreadyRunning:
                continue
            sender = inbound.client.organisation
            notices.send_plan_started_message(journey, target.subject, sender, EVENTS_ACTOR)
            started += 1
        inbound.status = InboundEvent.Status.PROCESSED
        inbound.journeys_started = started
        inbound.data_sealed = ""
        inbound.processed_at = timezone.now()
        inbound.save(update_fields=["status", "journeys_started", "data_sealed", "processed_at"])
    return started


def error_text(error: BaseException) -> str:
    """A failure as kept on the event and in the log: the exception's class and a short
    message, with every run of 8 or 9 digits (a possible BSN) masked."""
    message = " ".join(str(error).split())[:200]
    return _masked(f"{type(error).__name__}: {message}" if message else type(error).__name__)[
        :ERROR_LENGTH
    ]


def _record_failure(inbound_id: int, error: BaseException) -> None:
    text = error_text(error)
    with transaction.atomic():
        inbound = (
            InboundEvent.objects.select_for_update()
            .filter(pk=inbound_id, status=InboundEvent.Status.ACCEPTED)
            .first()
        )
        if inbound is None:
            return
        inbound.attempts += 1
        inbound.last_error = text
        if inbound.attempts >= settings.JOURNEYS_EVENT_MAX_ATTEMPTS:
            inbound.status = InboundEvent.Status.FAILED
        inbound.save(update_fields=["attempts", "last_error", "status"])
    logger.warning(
        "registry event %s failed (attempt %d, %s): %s",
        inbound_id,
        inbound.attempts,
        inbound.status,
        text,
    )


def process_again(inbound: InboundEvent) -> bool:
    """Give a failed event a fresh set of attempts and enqueue it (on commit); False when the
    event is not failed (accepted ones are already on their way, processed ones are done)."""
    from lifegate.journeys.tasks import start_event_journeys

    with transaction.atomic():
        revived = InboundEvent.objects.filter(
            pk=inbound.pk, status=InboundEvent.Status.FAILED
        ).update(status=InboundEvent.Status.ACCEPTED, attempts=0, last_error="")
        if revived:
            transaction.on_commit(partial(start_event_journeys.enqueue, inbound.pk))
    return bool(revived)


def enqueue_pending(older_than_seconds: int = 300) -> int:
    """The safety net: enqueue accepted events whose task seems lost (or whose last attempt
    failed); failed and processed events are left alone. Returns how many."""
    from lifegate.journeys.tasks import start_event_journeys

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = InboundEvent.objects.filter(
        status=InboundEvent.Status.ACCEPTED, received_at__lt=cutoff
    ).values_list("pk", flat=True)
    count = 0
    for pk in pending:
        start_event_journeys.enqueue(pk)
        count += 1
    return count


def receive(headers: Mapping[str, str], body: bytes, client: AgencyClient) -> Outcome:
    """Parse an HTTP request's CloudEvent and handle it: what `POST /api/events/` does."""
    return handle_event(parse_http(headers, body), client)


# ---------------------------------------------------------------------------------------------
# Emitting (the register's side): how a register builds the events lifegate understands


def registry_event(
    event_type: str, bsn: str, source: str, event_id: str | None = None
) -> BaseCloudEvent:
    """A CloudEvent of a known type about `bsn`, as the population register sends it."""
    attributes: dict[str, Any] = {
        "type": event_type,
        "source": source,
        "datacontenttype": "application/json",
    }
    if event_id:
        attributes["id"] = event_id
    return CloudEvent(attributes, {EVENT_TYPES[event_type].bsn_field: bsn})


def structured(event: BaseCloudEvent) -> http.HTTPMessage:
    """The event as an HTTP request in structured mode."""
    return http.to_structured(event, JSONFormat())


def binary(event: BaseCloudEvent) -> http.HTTPMessage:
    """The event as an HTTP request in binary mode."""
    return http.to_binary(event, JSONFormat())
