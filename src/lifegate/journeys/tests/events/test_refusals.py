"""Registry events that are refused: a bad credential or scope, a source that is not the
client's own, malformed CloudEvents and data, each as problem details that start nothing."""

import pytest
from django.test import Client

from lifegate.catalogue.models import PublicOrganisation
from lifegate.journeys import agency, events
from lifegate.journeys.models import InboundEvent, Journey
from lifegate.journeys.tests.events.support import (
    NOT_IN_REGISTER,
    SOURCE,
    Post,
    assert_problem,
    birth,
    newborn_of_two,
    post_raw,
)

# Credentials


def test_it_rejects_a_bad_credential(post: Post) -> None:
    response = post(birth(newborn_of_two().bsn), credential="lg-nobody.wrong")

    assert_problem(response, 401, "unauthorized")
    assert not Journey.objects.exists()


def test_it_rejects_a_client_without_the_events_scope(post: Post) -> None:
    rvig = PublicOrganisation.objects.get(slug="rvig")
    other, secret = agency.create_client(rvig, "back office", ["submissions"])

    response = post(birth(newborn_of_two().bsn), credential=agency.bearer_token(other, secret))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Journey.objects.exists()


def test_it_rejects_a_source_naming_another_organisations_oin(post: Post) -> None:
    event = events.registry_event(
        events.BIRTH_REGISTERED,
        newborn_of_two().bsn,
        "urn:nld:oin:00000001800000003000:systeem:brp",
        "x",
    )

    assert_problem(post(event), 403, "foreign-source")


@pytest.mark.parametrize(
    "source",
    [
        "https://brp.example.nl/events",
        "urn:uuid:a1b2c3d4-0000-4000-8000-000000000001",
        "urn:nld:oin:00000001800000002000x",
        "urn:nld:oin:0000000180000000200",
    ],
)
def test_a_source_that_is_not_the_clients_own_oin_is_a_403_and_starts_nothing(
    post: Post, source: str
) -> None:
    event = events.registry_event(events.BIRTH_REGISTERED, newborn_of_two().bsn, source, "x")

    problem = assert_problem(post(event), 403, "foreign-source")

    assert "00000001800000002000" in problem["detail"]  # tells the client what to send
    assert not InboundEvent.objects.exists()
    assert not Journey.objects.exists()


def test_the_bare_oin_urn_of_the_clients_organisation_is_its_source(post: Post) -> None:
    event = events.registry_event(
        events.BIRTH_REGISTERED, newborn_of_two().bsn, "urn:nld:oin:00000001800000002000", "x"
    )

    assert post(event).status_code == 202


# Bad events


@pytest.mark.parametrize("body", [b'{"specversion": "1.0",', b"[" * 100_000])
def test_malformed_json_is_a_400(client: Client, token: str, body: bytes) -> None:
    # The second nests too deep for the parser: a RecursionError, not a ValueError.
    response = post_raw(client, token, body, events.STRUCTURED_CONTENT_TYPE)

    assert_problem(response, 400, "invalid-cloudevent")


def test_json_that_is_no_object_is_a_400(client: Client, token: str) -> None:
    response = post_raw(client, token, [1, 2], events.STRUCTURED_CONTENT_TYPE)

    assert_problem(response, 400, "invalid-cloudevent")


def test_missing_attributes_are_named(client: Client, token: str) -> None:
    body = {"specversion": "1.0", "type": events.BIRTH_REGISTERED, "data": {}}

    response = post_raw(client, token, body, events.STRUCTURED_CONTENT_TYPE)

    problem = assert_problem(response, 400, "invalid-cloudevent")
    assert {error["location"] for error in problem["errors"]} == {"id", "source"}


def test_another_specversion_is_a_400(client: Client, token: str) -> None:
    body = {"specversion": "0.3", "id": "1", "source": SOURCE, "type": events.BIRTH_REGISTERED}

    response = post_raw(client, token, body, events.STRUCTURED_CONTENT_TYPE)

    problem = assert_problem(response, 400, "invalid-cloudevent")
    assert [error["location"] for error in problem["errors"]] == ["specversion"]


def test_plain_json_without_ce_headers_is_a_415(client: Client, token: str) -> None:
    response = post_raw(client, token, {"child_bsn": "999912345"}, "application/json")

    assert_problem(response, 415, "unsupported-media-type")


def test_unknown_type_is_a_422(post: Post) -> None:
    event = birth(newborn_of_two().bsn)
    event.get_attributes()["type"] = "nl.brp.marriage-registered"

    assert_problem(post(event), 422, "unknown-event-type")
    assert not InboundEvent.objects.exists()


def test_a_source_that_is_no_uri_is_a_422_before_whose_it_is(post: Post) -> None:
    event = events.registry_event(events.BIRTH_REGISTERED, newborn_of_two().bsn, "brp", "x")

    assert_problem(post(event), 422, "invalid-source")


def test_bsn_in_subject_is_rejected_without_repeating_it(post: Post) -> None:
    child = newborn_of_two()
    event = birth(child.bsn)
    event.get_attributes()["subject"] = f"person/{child.bsn}"

    response = post(event)

    assert_problem(response, 422, "bsn-in-subject")
    assert child.bsn not in response.content.decode()
    assert not Journey.objects.exists()


def test_an_opaque_subject_is_fine(post: Post) -> None:
    event = birth(newborn_of_two().bsn)
    event.get_attributes()["subject"] = "a1b2c3d4-0000-4000-8000-000000000001"

    assert post(event).status_code == 202


def test_invalid_child_bsn_is_a_422_naming_the_field(post: Post) -> None:
    response = post(birth("999912346"))  # fails the elfproef

    problem = assert_problem(response, 422, "invalid-event-data")
    assert [error["location"] for error in problem["errors"]] == ["data.child_bsn"]
    assert "999912346" not in response.content.decode()


def test_data_that_is_no_object_is_a_422(post: Post) -> None:
    event = events.CloudEvent(
        {"type": events.BIRTH_REGISTERED, "source": SOURCE, "id": "t"}, "999912345"
    )
    event.get_attributes()["datacontenttype"] = "text/plain"

    assert_problem(post(event), 422, "invalid-event-data")


def test_a_person_the_register_does_not_know_is_a_422_and_nothing_is_kept(post: Post) -> None:
    response = post(birth(NOT_IN_REGISTER))

    assert_problem(response, 422, "unknown-person")
    assert not InboundEvent.objects.exists()
    assert NOT_IN_REGISTER not in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [{"id": "birth-\u0000"}, {"id": "birth-\ud800"}, {"data": {"child_bsn": "9999\u00001"}}],
)
def test_text_no_database_takes_is_a_400_and_nothing_is_stored(
    client: Client, token: str, change: dict[str, object]
) -> None:
    body = {
        "specversion": "1.0",
        "id": "birth-1",
        "source": SOURCE,
        "type": events.BIRTH_REGISTERED,
        "datacontenttype": "application/json",
        "data": {"child_bsn": newborn_of_two().bsn},
    } | change

    response = post_raw(client, token, body, events.STRUCTURED_CONTENT_TYPE)

    problem = assert_problem(response, 400, "invalid-cloudevent")
    assert "U+0000" in problem["detail"]
    assert not InboundEvent.objects.exists()
