"""Proactive starts, the receiving side: CloudEvents from the population register.

A register system (an agency client with the `events` scope) POSTs a CloudEvent 1.0 to
`/api/events/`, in structured mode (`Content-Type: application/cloudevents+json`) or binary
mode (`ce-*` headers and a JSON body). The event is checked at once (a bad one is refused
with problem details, the person must be in the register) and, when accepted, stored with a
durable task in one transaction; the task starts the journeys (DESIGN: proactive starts are
background work, see `event_processing`), so a burst of events or a restart loses nothing.

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

Whom each type concerns is read from the register in `event_targets`. Events are idempotent
on (`source`, `id`): a repeat answers with the first outcome and starts nothing. Every register
read is recorded in the person's processing log.

The emitting helpers at the end are the register's side of the same wire format: how a
register (the demo command, tests, benchmarks) builds the events lifegate understands."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings import http
from cloudevents.core.exceptions import CloudEventValidationError
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import REQUIRED_ATTRIBUTES, CloudEvent
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from lifegate.core import json_input
from lifegate.core.sealing import seal
from lifegate.core.subject import bsn_is_valid
from lifegate.journeys import services
from lifegate.journeys.event_targets import (
    Target,
    address_targets,
    birth_targets,
    death_targets,
    read_event_person,
)
from lifegate.journeys.models import AgencyClient, InboundEvent

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
EVENT_SEAL = "registry-event"


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
class EventType:
    """A known event type: its data field (a BSN), life event and what the register did."""

    bsn_field: str
    life_event: str
    done: tuple[str, ...]
    targets: Callable[[str, str], list[Target]] = field(repr=False)


EVENT_TYPES: dict[str, EventType] = {
    BIRTH_REGISTERED: EventType("child_bsn", "birth", ("birth-registration",), birth_targets),
    DEATH_REGISTERED: EventType(
        "deceased_bsn", "death-of-a-relative", ("death-registration",), death_targets
    ),
    ADDRESS_CHANGED: EventType("bsn", "moving-house", ("address-change",), address_targets),
}


def masked(text: str) -> str:
    """`text` with every run of 8 or 9 digits (a possible BSN) masked."""
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
    event = _parse_http(headers, body)
    if json_input.holds_unstorable_text([*event.get_attributes().values(), event.get_data()]):
        raise _invalid(
            _(
                "Text may not contain the NUL character (U+0000) or a lone UTF-16 surrogate "
                "(U+D800 to U+DFFF)."
            )
        )
    return event


def _parse_http(headers: Mapping[str, str], body: bytes) -> BaseCloudEvent:
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
                {"location": name, "message": masked("; ".join(str(e) for e in problems))}
                for name, problems in error.errors.items()
            ],
        ) from None
    except (ValueError, TypeError):
        # Undecodable bytes or JSON, or an unreadable `time`.
        raise _invalid(_("The event could not be read.")) from None


def _json_object(body: bytes) -> Any:
    try:
        return json_input.loads(body)
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


def _registered(bsn: str, event_type: str) -> None:
    # The person must be in the register now; whether they still are when the event is
    # processed is `event_targets`' concern.
    if read_event_person(bsn, event_type) is None:
        raise _unprocessable(
            "unknown-person", _("The population register does not know this person.")
        )


# ---------------------------------------------------------------------------------------------
# Accepting


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
