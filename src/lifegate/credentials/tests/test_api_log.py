"""The transparency log's public API, through Django's test client.

The router is mounted here in a test-only NinjaAPI with lifegate.api's error handlers (the
lead mounts it in lifegate.api)."""

import base64
import hashlib

import pytest
from django.urls import path, reverse
from joserfc import jws
from joserfc.jwk import ECKey
from ninja import NinjaAPI
from ninja.errors import ValidationError

from lifegate.api import invalid_input
from lifegate.credentials import log, merkle
from lifegate.credentials.api_log import router
from lifegate.credentials.models import LogSubtree

test_api = NinjaAPI(title="log test", urls_namespace="test-log")
test_api.add_router("/credentials/log/", router)


@test_api.exception_handler(ValidationError)
def malformed(request, exc):
    return invalid_input(request, exc)


urlpatterns = [path("api/", test_api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path):
    settings.LIFEGATE_KEY_DIR = tmp_path
    settings.BASE_URL = "https://nl.lifegate.example"


def url(name: str, **kwargs) -> str:
    return reverse(f"test-log:credentials_log_{name}", kwargs=kwargs or None)


def fill(count: int) -> None:
    start = log.current_size()
    for n in range(start, start + count):
        log.append("credential", hashlib.sha256(f"credential {n}".encode()).digest())


def unb64(values):
    if isinstance(values, list):
        return [base64.b64decode(each) for each in values]
    return base64.b64decode(values)


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    return body


def test_there_is_no_checkpoint_before_the_log_is_sealed(client):
    body = assert_problem(client.get(url("checkpoint")), 404)
    english = client.get(url("checkpoint"), headers={"accept-language": "en"}).json()

    assert body["type"].endswith("log-no-checkpoint")
    assert (body["title"], body["detail"]) == ("Niet gevonden", "Er is nog geen checkpoint.")
    assert (english["title"], english["detail"]) == ("Not found", "No checkpoint yet.")


def test_the_checkpoint_endpoint_serves_the_latest_signed_tree_head(client):
    fill(9)
    log.checkpoint()

    body = client.get(url("checkpoint")).json()

    assert body["size"] == 9
    assert body["origin"] == "https://nl.lifegate.example/api/credentials/log"
    signed = log.verify_checkpoint(body["token"])
    assert unb64(body["root"]) == signed.root == log.tree_root(9)
    assert body["kid"] == signed.kid


def test_the_keys_endpoint_publishes_the_key_that_verifies_checkpoints(client):
    fill(2)
    token = log.checkpoint().token

    [key] = client.get(url("keys")).json()["keys"]

    assert "d" not in key and key["crv"] == "P-256"
    jws.deserialize_compact(token, ECKey.import_key(key))  # raises when it does not verify


def test_an_entry_comes_with_a_proof_against_the_latest_checkpoint(client):
    fill(7)
    log.checkpoint()
    fill(3)
    checkpoint = client.get(url("checkpoint")).json()

    body = client.get(url("entry", index=5)).json()

    assert body["index"] == 5 and body["kind"] == "credential" and body["size"] == 7
    digest = unb64(body["digest"])
    assert digest == hashlib.sha256(b"credential 5").digest()
    leaf = merkle.leaf_hash(b"\x01" + digest)
    assert unb64(body["leaf_hash"]) == leaf
    assert body["checkpoint"] == checkpoint["token"]
    root = log.verify_checkpoint(checkpoint["token"]).root
    assert merkle.verify_inclusion(leaf, 5, 7, unb64(body["proof"]), root)


def test_an_entry_can_be_proven_against_any_size_up_to_the_log(client):
    fill(10)

    body = client.get(url("entry", index=8), {"size": 10}).json()

    assert body["checkpoint"] is None
    proof, root = unb64(body["proof"]), unb64(body["root"])
    assert merkle.verify_inclusion(unb64(body["leaf_hash"]), 8, 10, proof, root)


def test_entry_requests_outside_the_log_get_problems(client):
    fill(4)
    log.checkpoint()
    fill(1)

    assert_problem(client.get(url("entry", index=5)), 404)
    unsealed = assert_problem(client.get(url("entry", index=4)), 404)
    assert unsealed["type"].endswith("log-entry-not-sealed")
    assert_problem(client.get(url("entry", index=3), {"size": 3}), 400)
    assert_problem(client.get(url("entry", index=3), {"size": 6}), 400)
    assert_problem(client.get(url("entry", index=3), {"size": 0}), 400)
    assert_problem(client.get(url("entry", index=3), {"size": "x"}), 400)
    assert_problem(client.get("/api/credentials/log/entries/-1"), 400)


def test_the_consistency_endpoint_proves_that_the_log_only_grew(client):
    fill(5)
    old = log.verify_checkpoint(log.checkpoint().token)
    fill(6)
    new = log.verify_checkpoint(log.checkpoint().token)

    body = client.get(url("consistency"), {"first": 5}).json()

    assert (body["first"], body["second"]) == (5, 11)
    assert merkle.verify_consistency(5, 11, old.root, new.root, unb64(body["proof"]))
    explicit = client.get(url("consistency"), {"first": 5, "second": 11}).json()
    assert explicit == body


@pytest.mark.parametrize(
    "query",
    [{"first": 6, "second": 5}, {"first": -1, "second": 5}, {"first": 1, "second": 99}, {}],
)
def test_bad_consistency_requests_get_400(client, query):
    fill(5)
    log.checkpoint()

    assert_problem(client.get(url("consistency"), query), 400)


def test_the_openapi_document_describes_every_answer(client):
    document = test_api.get_openapi_schema()
    paths = document["paths"]

    entry = paths["/api/credentials/log/entries/{index}"]["get"]
    answers = entry["responses"]
    assert answers[200]["content"]["application/json"]["schema"]["$ref"].endswith("/Entry")
    assert all(PROBLEM in answers[status]["content"] for status in (400, 404, 503))
    assert {"first", "second"} <= {
        each["name"] for each in paths["/api/credentials/log/consistency"]["get"]["parameters"]
    }
    schemas = document["components"]["schemas"]
    assert {"Checkpoint", "Entry", "Consistency", "KeySet"} <= set(schemas)
    assert schemas["Entry"]["properties"]["kind"]["enum"] == ["credential", "status-list"]


def test_a_damaged_log_answers_503_instead_of_a_wrong_proof(client):
    fill(6)
    log.checkpoint()
    LogSubtree.objects.filter(level=1).delete()

    body = assert_problem(client.get(url("entry", index=0)), 503)

    assert body["type"].endswith("log-damaged")
    assert_problem(client.get(url("consistency"), {"first": 3}), 503)
