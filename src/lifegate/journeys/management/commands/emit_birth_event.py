"""Play the population register for a demo: register a newborn for a demo parent in the
embedded register and report the birth to lifegate as a CloudEvent.

The two halves meet only in the CloudEvent, as with a real register: the register side
writes the embedded register's tables and builds the event; lifegate's side receives the
event's HTTP form through `events.receive` (in-process), or over HTTP with `--url`."""

import random
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from faker import Faker

from lifegate.catalogue.models import PublicOrganisation
from lifegate.journeys import agency, events
from lifegate.journeys.models import AgencyClient
from lifegate.registries.demo_sources import test_range_bsns
from lifegate.registries.models import ParentChildRelation, RegisteredPerson
from lifegate.registries.services import demo_personas, population_register

REGISTER_ORGANISATION = "rvig"
REGISTER_CLIENT_NAME = "demo-register"


@dataclass(frozen=True)
class Newborn:
    bsn: str
    full_name: str


def _free_bsn() -> str:
    taken = set(RegisteredPerson.objects.values_list("bsn", flat=True))
    for bsn in test_range_bsns():
        if bsn not in taken:
            return bsn
    raise CommandError("no free BSN left in the test range")


def register_newborn(parent_bsn: str) -> Newborn:
    """Register a child born today to `parent_bsn` and their current partner, both with
    parental authority, living at the parent's address (the register's own bookkeeping)."""
    parent = RegisteredPerson.objects.filter(bsn=parent_bsn, date_of_death__isnull=True).first()
    if parent is None:
        raise CommandError("no living person with that BSN in the embedded register")
    known = population_register().get_person(parent_bsn)
    co_parents = RegisteredPerson.objects.filter(bsn__in=known.partners if known else ())
    gender = random.choice(("male", "female"))  # noqa: S311 - demo data, not a secret
    fake = Faker("nl_NL")
    given = fake.first_name_male() if gender == "male" else fake.first_name_female()
    today = timezone.localdate()
    with transaction.atomic():
        child = RegisteredPerson.objects.create(
            bsn=_free_bsn(),
            given_names=given,
            name_prefix=parent.name_prefix,
            family_name=parent.family_name,
            gender=gender,
            date_of_birth=today,
            place_of_birth=parent.address.city if parent.address else "Utrecht",
            country_of_birth="NL",
            nationality=parent.nationality,
            resident=parent.address is not None,
            address=parent.address,
            address_since=today if parent.address else None,
        )
        for each in (parent, *co_parents):
            ParentChildRelation.objects.create(
                parent=each, child=child, has_parental_authority=True
            )
    return Newborn(child.bsn, str(child))


def register_client() -> AgencyClient:
    """The demo register's own events client (created on first use)."""
    organisation = PublicOrganisation.objects.filter(slug=REGISTER_ORGANISATION).first()
    if organisation is None:
        raise CommandError("load the catalogue first: the register's organisation is missing")
    client = AgencyClient.objects.filter(
        organisation=organisation, name=REGISTER_CLIENT_NAME
    ).first()
    if client is None:
        client, _secret = agency.create_client(
            organisation, REGISTER_CLIENT_NAME, [AgencyClient.Scope.EVENTS]
        )
    return client


def register_source(organisation: PublicOrganisation) -> str:
    """The NL GOV `source` of the register's events: its OIN and system."""
    return f"urn:nld:oin:{organisation.oin}:systeem:brp"


def _post(url: str, token: str, message: Any) -> str:
    request = urllib.request.Request(  # noqa: S310 - an operator-given http(s) URL
        url,
        data=message.body,
        headers=message.headers | {"Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.read().decode()


class Command(BaseCommand):
    help = (
        "Register a newborn in the embedded register for a demo parent and report the birth "
        "to lifegate as a CloudEvent (nl.brp.birth-registered)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persona", default="parent", help="demo persona key of the parent (default: parent)"
        )
        parser.add_argument("--url", help="POST the event to this URL (…/api/events/)")
        parser.add_argument("--token", help="with --url: the client credential <id>.<secret>")

    def handle(self, *args: Any, **options: Any) -> None:
        personas = {persona.key: persona for persona in demo_personas()}
        persona = personas.get(options["persona"])
        if persona is None or persona.subject.scheme != "bsn":
            raise CommandError(f"no demo persona {options['persona']!r} with a BSN")
        if options["url"] and not options["token"]:
            raise CommandError("--url needs --token")
        client = register_client()
        newborn = register_newborn(persona.subject.value)
        event = events.registry_event(
            events.BIRTH_REGISTERED, newborn.bsn, register_source(client.organisation)
        )
        message = events.structured(event)
        self.stdout.write(f"Registered the birth of {newborn.full_name}.")
        if options["url"]:
            self.stdout.write(_post(options["url"], options["token"], message))
            return
        outcome = events.receive(message.headers, message.body, client)
        self.stdout.write(
            f"Event {outcome.status}; journeys started so far: {outcome.journeys_started} "
            "(the task worker starts them when the event is accepted)"
        )
