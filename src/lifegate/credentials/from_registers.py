"""Issuing credentials from what the registers know: a birth registration and a proof of
residence from the population register, a diploma (one credential per diploma) from the
education register.

The registers are read through `lifegate.registries.services`, which records each read in the
person's processing log; the issuing is recorded too, in the same trace. Each credential's
source reference names what it was made from, so issuing again gives back the same
credentials: the birth, the registration at an address since a date, or the diploma."""

import secrets
from collections.abc import Callable
from typing import Any

from django.db import transaction

from lifegate.core.subject import Subject
from lifegate.credentials.issuing import (
    ACTIVITY,
    Issued,
    IssuingRefused,
    credential_type,
    issue_once,
)
from lifegate.credentials.models import IssuedCredential
from lifegate.registries.adapters import Person
from lifegate.registries.education import Diploma
from lifegate.registries.services import read_diplomas, read_person, registered_subjects
from lifegate.transparency.services import Actor

# (source reference, claims) for each credential to issue.
Drafts = list[tuple[str, dict[str, Any]]]


def _names(person: Person) -> dict[str, Any]:
    return {"given_names": person.given_names, "family_name": person.family_name_with_prefix}


def _birth(person: Person, diplomas: list[Diploma]) -> Drafts:
    claims = _names(person) | {
        "date_of_birth": person.date_of_birth.isoformat(),
        "place_of_birth": person.place_of_birth,
        "country_of_birth": person.country_of_birth,
    }
    return [("population-register:birth", claims)]


def _residence(person: Person, diplomas: list[Diploma]) -> Drafts:
    address = person.address
    if address is None:
        return []
    since = address.since.isoformat() if address.since else ""
    claims = _names(person) | {
        "street_address": address.street_line,
        "postal_code": address.postcode,
        "locality": address.city,
        "municipality": address.municipality,
        "registered_since": since,
    }
    # A move is a new registration: a new reference, so a new credential.
    return [(f"population-register:residence:{since}", claims)]


def _diplomas(person: Person, diplomas: list[Diploma]) -> Drafts:
    holder = _names(person) | {"date_of_birth": person.date_of_birth.isoformat()}
    return [
        (
            f"education-register:{diploma.reference}",
            holder
            | {
                "title": diploma.title,
                "level_eqf": diploma.level_eqf,
                "level_isced": diploma.level_isced,
                "awarding_body": diploma.awarding_body,
                "awarded_on": diploma.awarded_on.isoformat(),
                "grade": diploma.grade,
                "learning_outcomes": diploma.learning_outcomes,
            },
        )
        for diploma in diplomas
    ]


# The credential types the registers can fill, and whether they need the education register.
SOURCES: dict[str, tuple[Callable[[Person, list[Diploma]], Drafts], bool]] = {
    "birth-registration": (_birth, False),
    "residence": (_residence, False),
    "diploma": (_diplomas, True),
}


def issue_from_register(
    type_slug: str, subject: Subject, *, actor: Actor
) -> list[IssuedCredential]:
    """Issue (or give back, when issued before) the credentials of type `type_slug` that the
    registers support for `subject`: one for a birth registration or a residence, one per
    diploma. Raises IssuingRefused: unknown-credential-type, no-register-source (a type no
    register fills), unknown-recipient, nothing-to-issue (no address, no diplomas), or
    invalid-claims (the catalogue's type asks for a claim the register does not know)."""
    return [
        issued.credential for issued in issue_from_register_once(type_slug, subject, actor=actor)
    ]


def issue_from_register_once(type_slug: str, subject: Subject, *, actor: Actor) -> list[Issued]:
    """`issue_from_register`, also saying of each credential whether this call issued it."""
    kind = credential_type(type_slug)
    if kind.slug not in SOURCES:
        raise IssuingRefused("no-register-source", "no register holds this credential type")
    if not registered_subjects({subject}):
        raise IssuingRefused("unknown-recipient", "no registered person with this identifier")
    build, needs_diplomas = SOURCES[kind.slug]
    trace_id = secrets.token_hex(16)
    person = read_person(
        subject,
        actor=actor,
        activity=ACTIVITY,
        purpose_name="credentials.issue.read-population-register",
        trace_id=trace_id,
        family=False,
    )
    if person is None:  # left the register between the two questions
        raise IssuingRefused("unknown-recipient", "no registered person with this identifier")
    diplomas = []
    if needs_diplomas:
        diplomas = read_diplomas(
            subject,
            actor=actor,
            activity=ACTIVITY,
            purpose_name="credentials.issue.read-education-register",
            trace_id=trace_id,
        )
    drafts = build(person, diplomas)
    if not drafts:
        raise IssuingRefused("nothing-to-issue", "the register holds nothing of this type")
    keys = kind.claim_keys
    with transaction.atomic():  # all of the person's credentials of this type, or none
        return [
            issue_once(
                kind.slug,
                subject,
                {key: known[key] for key in keys if key in known and known[key] != ""},
                actor=actor,
                source=IssuedCredential.Source.REGISTER,
                source_reference=reference,
                trace_id=trace_id,
            )
            for reference, known in drafts
        ]
