"""Two real nodes sign, send, verify and answer each other's messages; replays, strangers,
unknown keys, a stopped peer and a slow one are refused or reported."""

import json

import requests

from lifegate.exchange.federation import DelayingProxy

JOSE = "application/jose"


def post_ping(node, token):
    return requests.post(
        node.url("/api/exchange/ping"),
        data=token,
        headers={"Content-Type": JOSE},
        timeout=30,
    )


def signed_ping(node, to, env=None):
    return node.manage("exchange_ping", to, "--sign-only", env=env).stdout.strip()


def test_each_node_publishes_its_identity_and_keys(federation):
    for node in federation.nodes.values():
        info = requests.get(node.url("/api/exchange/node"), timeout=30).json()

        assert info["id"] == node.id
        assert info["country"] == node.spec.country
        assert info["base_url"] == node.base_url
        assert info["jwks"] == node.info["jwks"]
        assert all("d" not in key for key in info["jwks"]["keys"])


def test_the_dutch_and_the_estonian_node_ping_each_other(federation):
    for sender, receiver in ((federation.nl, federation.ee), (federation.ee, federation.nl)):
        result = json.loads(sender.manage("exchange_ping", receiver.id).stdout)

        assert result["peer"] == receiver.id
        assert len(result["nonce"]) == 32


def test_a_replayed_ping_is_refused_with_409(federation):
    token = signed_ping(federation.nl, "ee")
    first = post_ping(federation.ee, token)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == JOSE

    again = post_ping(federation.ee, token)

    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "replayed"


def test_a_ping_from_a_node_not_in_the_trust_list_is_refused_with_403(federation, tmp_path):
    stranger = {
        "LIFEGATE_NODE_ID": "lv",
        "LIFEGATE_NODE_COUNTRY": "LV",
        "LIFEGATE_KEY_DIR": str(tmp_path / "lv-keys"),
    }
    token = signed_ping(federation.nl, "ee", env=stranger)

    response = post_ping(federation.ee, token)

    assert response.status_code == 403
    assert response.json()["code"] == "untrusted-node"


def test_a_ping_signed_with_a_key_not_in_the_trust_list_is_refused_with_401(federation, tmp_path):
    token = signed_ping(federation.nl, "ee", env={"LIFEGATE_KEY_DIR": str(tmp_path / "keys")})

    response = post_ping(federation.ee, token)

    assert response.status_code == 401
    assert response.json()["code"] == "untrusted-key"


def test_a_stopped_peer_is_unavailable_and_answers_again_once_restarted(federation):
    quick = {"LIFEGATE_EXCHANGE_ATTEMPTS": "2", "LIFEGATE_EXCHANGE_BACKOFF_MILLISECONDS": "10"}
    federation.ee.stop()

    down = federation.nl.manage("exchange_ping", "ee", env=quick, check=False)
    federation.ee.start()
    up = federation.nl.manage("exchange_ping", "ee", env=quick, check=False)

    assert down.returncode != 0
    assert "the peer is unavailable" in down.stderr
    assert up.returncode == 0, up.stderr


def test_a_peer_slower_than_the_read_timeout_is_unavailable(federation):
    impatient = {"LIFEGATE_EXCHANGE_READ_TIMEOUT_SECONDS": "1", "LIFEGATE_EXCHANGE_ATTEMPTS": "1"}
    proxy = DelayingProxy(federation.ee.port, delay=5)
    with proxy, federation.nl.peer_url("ee", proxy.url):
        slow = federation.nl.manage("exchange_ping", "ee", env=impatient, check=False)
        proxy.delay = 0
        quick = federation.nl.manage("exchange_ping", "ee", env=impatient, check=False)

    assert slow.returncode != 0
    assert "did not answer in time" in slow.stderr
    assert quick.returncode == 0, quick.stderr
