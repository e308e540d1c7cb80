"""GET /api/exchange/node and POST /api/exchange/ping, through Django's test client."""

import pytest

from lifegate.exchange import messages

pytestmark = pytest.mark.django_db
JOSE = "application/jose"


def post_ping(client, token, content_type=JOSE):
    return client.post("/api/exchange/ping", data=token, content_type=content_type)


def test_the_node_endpoint_publishes_what_a_peer_needs_to_trust_this_node(
    client, nodes_in_process, settings
):
    settings.BASE_URL = "https://nl.lifegate.example"

    body = client.get("/api/exchange/node").json()

    assert body["id"] == "nl" and body["country"] == "NL"
    assert body["base_url"] == "https://nl.lifegate.example"
    [key] = body["jwks"]["keys"]
    assert key["crv"] == "P-256" and "d" not in key


def test_a_ping_from_a_trusted_peer_gets_a_signed_pong_echoing_its_nonce(client, nodes_in_process):
    ping = nodes_in_process.sign_as("ee", {"nonce": "n-42"}, conversation_id="conv-1")

    response = post_ping(client, ping)

    assert response.status_code == 200
    assert response["Content-Type"] == JOSE
    # The pong is addressed to ee: verify it as ee, trusting nl.
    nodes_in_process.write_peers({"peers": [nodes_in_process.peer_entry("nl")]})
    with nodes_in_process.acting_as("ee"):
        pong = messages.verify(response.content.decode(), expected_type="pong")
    assert pong.sender.id == "nl"
    assert pong.payload == {"nonce": "n-42"}
    assert pong.conversation_id == "conv-1"
    assert pong.correlation_id == messages.unverified_claims(ping)["jti"]


def test_a_replayed_ping_is_refused_with_409(client, nodes_in_process):
    ping = nodes_in_process.sign_as("ee")
    assert post_ping(client, ping).status_code == 200

    response = post_ping(client, ping)

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "replayed"


def test_a_ping_from_a_stranger_is_refused_with_403(client, nodes_in_process):
    response = post_ping(client, nodes_in_process.sign_as("lv"))

    assert response.status_code == 403
    assert response.json()["code"] == "untrusted-node"


def test_a_ping_signed_with_an_unknown_key_is_refused_with_401(client, nodes_in_process):
    response = post_ping(client, nodes_in_process.sign_as("ee", key_dir="ee-new"))

    assert response.status_code == 401
    assert response.json()["code"] == "untrusted-key"


def test_a_ping_that_is_not_application_jose_is_refused_with_415(client, nodes_in_process):
    response = post_ping(client, nodes_in_process.sign_as("ee"), content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported-media-type"


def test_a_ping_without_a_nonce_is_malformed(client, nodes_in_process):
    response = post_ping(client, nodes_in_process.sign_as("ee", {"hello": "world"}))

    assert response.status_code == 400
    assert response.json()["code"] == "malformed"


def _evidence_request(nodes_in_process, person, request_id: str) -> str:
    """An evidence request from "ee" for `person`'s birth certificate, signed afresh (a new
    message id) at every call, as the requester does for each attempt."""
    from lifegate.exchange.tests.trust_fixtures import PEER_URL

    payload = {
        "request_id": request_id,
        "evidence_type": "birth-certificate",
        "requirement": "",
        "requester_organisation": "Tartu linn",
        "requester_service": "Registration",
        "return_url": f"{PEER_URL}/journeys/1/",
        "subject": {
            "PersonIdentifier": "NL/EE/0a1b2c3d4e5f",
            "CurrentFamilyName": person.family_name_with_prefix,
            "CurrentGivenName": person.given_names,
            "DateOfBirth": person.date_of_birth.isoformat(),
        },
        "trace": {"trace_id": "ab" * 16, "span_id": "cd" * 8},
    }
    return nodes_in_process.sign_as(
        "ee", payload, message_type="evidence-request", conversation_id="c-7"
    )


def test_a_retried_evidence_request_gets_the_same_preview_and_is_matched_once(
    client, nodes_in_process
):
    from lifegate.exchange.models import EvidencePreview
    from lifegate.registries.demo_loader import load_demo_population
    from lifegate.registries.models import RegisteredPerson
    from lifegate.registries.services import population_register
    from lifegate.registries.tests.conftest import SEED
    from lifegate.transparency.models import ProcessingRecord

    load_demo_population(seed=SEED, size=50)
    row = RegisteredPerson.objects.filter(eidas_person_identifier__isnull=True).earliest("id")
    person = population_register().get_person(row.bsn, family=False)
    answers = []
    for _ in range(2):  # the first answer got lost: the requester signs and sends it again
        token = _evidence_request(nodes_in_process, person, "req-42")
        response = client.post("/api/exchange/requests", data=token, content_type=JOSE)
        assert response.status_code == 200
        with nodes_in_process.acting_as("ee"):
            nodes_in_process.write_peers({"peers": [nodes_in_process.peer_entry("nl")]})
            answers.append(
                messages.verify(
                    response.content.decode(), expected_type="evidence-request-answer"
                ).payload
            )
        nodes_in_process.write_peers({"peers": [nodes_in_process.peer_entry("ee")]})

    assert answers[0]["status"] == "preview"
    assert answers[1]["preview_url"] == answers[0]["preview_url"]
    assert EvidencePreview.objects.filter(request_id="req-42").count() == 1
    matches = ProcessingRecord.objects.filter(name="exchange.match.birth-certificate")
    assert matches.count() == 1
