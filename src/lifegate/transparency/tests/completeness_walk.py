"""What `test_completeness` walks with: the people and agency clients of the demo, one call of a
route with the processing records it should leave, and the records it left, read back in the
same terms.

The calls themselves, by building block, are in `completeness_calls_*.py`."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.credentials.models import IssuedCredential
from lifegate.inbox.models import Message
from lifegate.journeys.agency import bearer_token, create_client, demo_file
from lifegate.journeys.models import AgencyClient
from lifegate.mandates.tests.web import log_in_as
from lifegate.registries.personas import demo_personas
from lifegate.registries.services import population_register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

ME = "resident-high"
PARENT = "parent"
CHILD = "child"  # the parent's minor child, acted for under parental authority
AGENCY = "belastingdienst"  # the agency clients, by their organisation
DUO = "duo"
MUNICIPALITY = "gemeente-utrecht"  # handles the move: its API client has a webhook
REGISTER = "rvig"  # the population register, reporting events
AGENCIES = (AGENCY, DUO, MUNICIPALITY, REGISTER)
STAFF = "gemeente-utrecht-staff"  # the municipality's back office
WEBHOOK = "https://zaken.utrecht.example/lifegate"
ANY_PERSON = "any demo person"  # the listing's order among messages sent at the same time
PERSON_DATA = (
    "name",
    "gender",
    "date_of_birth",
    "place_of_birth",
    "nationality",
    "address",
    "family_relations",
)
DIPLOMA_DATA = (
    "given_names",
    "family_name",
    "date_of_birth",
    "title",
    "level_eqf",
    "level_isced",
    "awarding_body",
    "awarded_on",
    "grade",
    "learning_outcomes",
)


@dataclass(frozen=True)
class Expected:
    """One processing record: `subject` whose data, `actor` who (a persona key, or AGENCY),
    `on_behalf_of` whom."""

    name: str
    activity: str
    categories: tuple[str, ...]
    subject: str = ME
    actor: str = ME
    on_behalf_of: str = ""


@dataclass(frozen=True)
class Call:
    """One call of route `route` (as completeness_routes names it) and the records it leaves."""

    route: str
    path: str
    records: tuple[Expected, ...]
    method: str = "get"
    status: int = 200
    data: dict[str, Any] | Callable[["World"], Any] | None = None
    as_json: bool = False
    by: str = ME  # ME, PARENT, STAFF or one of AGENCIES
    then: Callable[["World", Any], None] | None = None  # keeps ids for later calls
    before: Callable[["World"], None] | None = None  # what happened in between
    content_type: str = ""  # for a body sent as it is (data: str or bytes)
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class World:
    """The demo, the people of the walk, and the ids the calls fill in their paths."""

    who: dict[str, Subject]
    clients: dict[str, Client]
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def name_of(self, hashed: str) -> str:
        names = {subject_hash(subject): key for key, subject in self.who.items()}
        return names.get(hashed, "?" if hashed else "")


def keep(name: str, value: Callable[[Any], str]) -> Callable[[World, Any], None]:
    """A `Call.then` that keeps `value(response)` as id `name` for the paths of later calls."""

    def keep_id(world: World, response: Any) -> None:
        world.ids[name] = value(response)

    return keep_id


def demo_world(settings: Any, tmp_path: Path) -> World:
    """The demo loaded, its people logged in and its agency clients holding their tokens."""
    settings.VAR_DIR = tmp_path
    call_command("load_demo", stdout=StringIO())
    who = {persona.key: persona.subject for persona in demo_personas()}
    parent = who[PARENT].value
    today = timezone.localdate()
    child = next(
        c
        for c in population_register().children_of(parent)
        if c.is_minor_on(today) and parent in c.parental_authority_holders
    )
    who[CHILD] = Subject("bsn", child.bsn)
    others = [c for c in population_register().children_of(parent) if c.bsn != child.bsn]
    who |= {f"{CHILD}-{n}": Subject("bsn", c.bsn) for n, c in enumerate(others, 2)}
    world = World(who, {ME: Client(), PARENT: Client(), STAFF: Client()})
    world.clients |= {agency: Client() for agency in AGENCIES}
    log_in_as(world.clients[ME], who[ME], "high")
    log_in_as(world.clients[PARENT], who[PARENT], "substantial")
    world.clients[STAFF].force_login(get_user_model().objects.get(username=STAFF))
    mine = subject_hash(who[ME])
    message = Message.objects.filter(recipient_hash=mine, attachments__isnull=False).first()
    assert message is not None
    world.ids |= {
        "message": str(message.pk),
        "attachment": str(message.attachments.first().pk),  # type: ignore[union-attr]
        "credential": str(IssuedCredential.objects.filter(subject_hash=mine).first().pk),  # type: ignore[union-attr]
        "parent_bsn": who[PARENT].value,
    }
    agency_clients = json.loads(demo_file().read_text())
    assert message.organisation.slug == AGENCY
    world.tokens = {a: agency_clients[a]["token"] for a in (AGENCY, DUO, MUNICIPALITY)}
    municipality = PublicOrganisation.objects.get(slug=MUNICIPALITY)
    AgencyClient.objects.filter(organisation=municipality).update(webhook_url=WEBHOOK)
    register, secret = create_client(
        PublicOrganisation.objects.get(slug=REGISTER), "walk", [AgencyClient.Scope.EVENTS]
    )
    world.tokens[REGISTER] = bearer_token(register, secret)
    return world


def make_call(world: World, call: Call) -> Any:
    """`call` made by its caller, with its ids filled in; a streamed answer read to its end."""
    if call.before is not None:
        call.before(world)
    path = call.path.format(**world.ids)
    client = world.clients[call.by]
    data = call.data(world) if callable(call.data) else call.data
    extra: dict[str, Any] = {"headers": dict(call.headers)}
    if call.by in world.tokens:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[call.by]}"
    if call.as_json:
        data, extra["content_type"] = json.dumps(data), "application/json"
    elif call.content_type:
        extra["content_type"] = call.content_type
    response = getattr(client, call.method)(path, data, **extra)
    if response.streaming:  # a streamed answer is made, and recorded, while it is read
        response.content_read = b"".join(response.streaming_content)
    return response


def last_record_id() -> int:
    """The id of the newest processing record, 0 when there is none."""
    newest = ProcessingRecord.objects.order_by("-id").values_list("id", flat=True).first()
    return newest or 0


def records_since(
    world: World, before: int, expected: tuple[Expected, ...]
) -> tuple[Expected, ...]:
    """The records made after record `before`, in `Expected` terms, in the order they were
    made; a subject reads as ANY_PERSON where that is expected and it is a demo person."""
    made = ProcessingRecord.objects.filter(id__gt=before).order_by("id")
    return tuple(
        _anyone(world, _describe(world, record), wanted)
        for record, wanted in zip(made, expected + (None,) * len(made), strict=False)
    )


def _describe(world: World, record: ProcessingRecord) -> Expected:
    return Expected(
        record.name,
        record.processing_activity_id,
        tuple(record.data_categories),
        subject=world.name_of(record.data_subject_hash),
        actor=world.name_of(record.actor_hash) or record.organisation,
        on_behalf_of=world.name_of(record.on_behalf_of_hash),
    )


def _anyone(world: World, found: Expected, expected: Expected | None) -> Expected:
    """`found`, its subject read as ANY_PERSON when that is what is expected and it is one."""
    if expected and expected.subject == ANY_PERSON and found.subject in world.who:
        return replace(found, subject=ANY_PERSON)
    return found
