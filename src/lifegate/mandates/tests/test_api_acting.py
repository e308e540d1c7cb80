"""Whom the session acts for, through the API (`/api/mandates/acting-for`), as on the chooser
page: the people one may act for by opaque key, the choice holding for pages and API alike,
back to oneself, a refusal in Dutch or English that leaves the session as it was, and every
name read recorded on the person named."""

import json
from typing import Any

import pytest
from django.test import Client

from lifegate.core.subject import Subject
from lifegate.journeys.tests.test_pages import log_in
from lifegate.mandates.tests.test_acting import grant_inbox
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import population_register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
URL = "/api/mandates/acting-for"


def _choose(client: Client, person: str, **headers: str) -> Any:
    return client.put(
        URL, json.dumps({"person": person}), content_type="application/json", headers=headers
    )


def test_the_people_one_may_act_for_are_named_by_key_and_each_read_recorded(
    client: Client, personas: dict[str, DemoPersona], minor_child: Subject
) -> None:
    elderly = personas["elderly"]
    grant_inbox(elderly, personas["parent"])
    log_in(client, personas["parent"])

    answer = client.get(URL)

    assert answer.status_code == 200
    body = answer.json()
    assert body["acting_for"] is None
    child = population_register().get_person(minor_child.value)
    assert child is not None
    listed = {p["key"]: (p["name"], p["basis"]) for p in body["people"]}
    assert listed[subject_hash(elderly.subject)] == (
        f"{elderly.given_name} {elderly.family_name}",
        "mandate",
    )
    assert listed[subject_hash(minor_child)] == (child.full_name, "parental-authority")
    assert minor_child.value not in answer.content.decode()
    assert elderly.subject.value not in answer.content.decode()
    for named in (elderly.subject, minor_child):
        assert ProcessingRecord.objects.filter(
            name="mandates.representables", data_subject_hash=subject_hash(named)
        ).exists()


def test_a_choice_holds_for_pages_and_api_until_switching_back(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly = personas["elderly"]
    grant_inbox(elderly, personas["student"])
    log_in(client, personas["student"])
    key = subject_hash(elderly.subject)

    chosen = _choose(client, key)

    assert chosen.status_code == 200
    assert chosen.json()["acting_for"]["key"] == key
    assert client.get(URL).json()["acting_for"]["name"].endswith(elderly.family_name)
    page = client.get("/").content.decode()
    assert 'id="acting-for"' in page and elderly.family_name in page
    # Acting for someone, the mandates API is the principal's to manage only.
    assert client.get("/api/mandates/").status_code == 403

    back = _choose(client, "self")

    assert back.json()["acting_for"] is None
    assert 'id="acting-for"' not in client.get("/").content.decode()


def test_choosing_someone_one_may_not_act_for_is_refused_and_changes_nothing(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly = personas["elderly"]
    grant_inbox(elderly, personas["student"])
    log_in(client, personas["student"])
    _choose(client, subject_hash(elderly.subject))

    dutch = _choose(client, subject_hash(personas["parent"].subject))
    english = _choose(client, "not-a-key", **{"accept-language": "en"})

    for refused in (dutch, english):
        assert refused.status_code == 422
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["code"] == "no-relation"
    assert dutch.json()["title"].startswith("U mag niet")
    assert english.json()["title"].startswith("You may not act for this person")
    # Still acting for the person chosen before.
    assert client.get(URL).json()["acting_for"]["key"] == subject_hash(elderly.subject)


def test_without_a_session_or_with_a_malformed_body_nothing_is_chosen(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    assert Client().get(URL).status_code == 401
    log_in(client, personas["student"])
    malformed = client.put(URL, "{}", content_type="application/json")
    assert malformed.status_code == 400
    assert client.get(URL).json()["acting_for"] is None
