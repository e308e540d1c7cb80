"""The trust list: read from its file, validated with clear errors, followed when it changes,
and edited by `exchange_trust`; this node's info for its peers."""

import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from lifegate.exchange import nodes


def test_the_trust_list_gives_each_peer_with_its_keys(nodes_in_process):
    peer = nodes.peer("ee")

    assert (peer.id, peer.country, peer.name) == ("ee", "EE", "node ee")
    assert peer.url("/api/exchange/ping") == "http://127.0.0.1:9/api/exchange/ping"
    assert [key.kid for key in peer.jwks] == [
        nodes_in_process.peer_entry("ee")["jwks"]["keys"][0]["kid"]
    ]
    assert [p.id for p in nodes.peers()] == ["ee"]


def test_an_unknown_node_is_an_error(nodes_in_process):
    with pytest.raises(nodes.UnknownNode):
        nodes.peer("lv")


def test_without_a_trust_list_file_there_are_no_peers(nodes_in_process):
    nodes_in_process.peers_file.unlink()

    assert nodes.peers() == []
    with pytest.raises(nodes.UnknownNode):
        nodes.peer("ee")


def test_a_changed_trust_list_is_read_again(nodes_in_process):
    assert [p.id for p in nodes.peers()] == ["ee"]
    entries = [nodes_in_process.peer_entry("ee"), nodes_in_process.peer_entry("lv")]

    nodes_in_process.write_peers({"peers": entries})

    assert [p.id for p in nodes.peers()] == ["ee", "lv"]


def peers_with(*changes):
    return lambda fixture: {"peers": [fixture.peer_entry("ee", **change) for change in changes]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (lambda fixture: "{not json", "not valid JSON"),
        (lambda fixture: {"nodes": []}, 'a "peers" list'),
        (lambda fixture: {"peers": [{"id": "ee"}]}, "missing country, name, base_url, jwks"),
        (peers_with({"id": "EE!"}), "id must be"),
        (peers_with({"country": "Estonia"}), "two-letter code"),
        (peers_with({"base_url": "ftp://x"}), "must be an http"),
        (peers_with({"jwks": {"keys": []}}), "at least one key"),
        (peers_with({"jwks": {"keys": [{"kty": "EC"}]}}), "unreadable key"),
        (peers_with({"id": "nl"}), "names this node"),
        (peers_with({}, {}), "appears twice"),
    ],
)
def test_a_malformed_trust_list_is_a_clear_configuration_error(nodes_in_process, document, message):
    nodes_in_process.write_peers(document(nodes_in_process))

    with pytest.raises(ImproperlyConfigured, match=message):
        nodes.peers()


def test_a_private_key_in_the_trust_list_is_refused(nodes_in_process):
    with nodes_in_process.acting_as("ee"):
        from lifegate.core.keys import signing_key

        private = signing_key(nodes.NODE_KEY_NAME).as_dict(private=True)
    nodes_in_process.write_peers({"peers": [nodes_in_process.peer_entry(jwks={"keys": [private]})]})

    with pytest.raises(ImproperlyConfigured, match="public EC P-256 keys only"):
        nodes.peers()


def test_the_node_info_names_this_node_and_its_public_key_only(nodes_in_process, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"

    info = nodes.node_info()

    assert {k: info[k] for k in ("id", "country", "base_url")} == {
        "id": "nl",
        "country": "NL",
        "base_url": "http://127.0.0.1:8000",
    }
    assert info["name"] == "lifegate Netherlands"
    [key] = info["jwks"]["keys"]
    assert key["kty"] == "EC" and "d" not in key


def test_exchange_trust_adds_a_node_from_its_info_file_and_replaces_it_later(
    nodes_in_process, tmp_path
):
    nodes_in_process.peers_file.unlink()
    info_file = tmp_path / "lv.json"
    info_file.write_text(json.dumps(nodes_in_process.peer_entry("lv", base_url="http://lv/")))

    call_command("exchange_trust", str(info_file), stdout=io.StringIO())
    info_file.write_text(json.dumps(nodes_in_process.peer_entry("lv", base_url="http://lv2")))
    call_command("exchange_trust", str(info_file), "--name", "Latvia", stdout=io.StringIO())

    [peer] = nodes.peers()
    assert (peer.id, peer.name, peer.base_url) == ("lv", "Latvia", "http://lv2")


def test_exchange_trust_keeps_the_other_peers_and_removes_one_on_request(
    nodes_in_process, tmp_path
):
    info_file = tmp_path / "lv.json"
    info_file.write_text(json.dumps(nodes_in_process.peer_entry("lv")))

    call_command("exchange_trust", str(info_file), stdout=io.StringIO())
    assert [p.id for p in nodes.peers()] == ["ee", "lv"]

    call_command("exchange_trust", "--remove", "ee", stdout=io.StringIO())
    assert [p.id for p in nodes.peers()] == ["lv"]


def test_exchange_trust_refuses_bad_node_info_and_leaves_the_file_alone(nodes_in_process, tmp_path):
    before = nodes_in_process.peers_file.read_text()
    info_file = tmp_path / "bad.json"
    info_file.write_text(json.dumps(nodes_in_process.peer_entry("lv", country="Latvia")))

    with pytest.raises(CommandError, match="two-letter code"):
        call_command("exchange_trust", str(info_file), stdout=io.StringIO())

    assert nodes_in_process.peers_file.read_text() == before


def test_exchange_node_info_prints_what_exchange_trust_reads(nodes_in_process, settings):
    output = io.StringIO()
    call_command("exchange_node_info", stdout=output)
    info = json.loads(output.getvalue())
    info["id"], info["country"] = "lv", "LV"  # as if printed by another node

    peer = nodes.trust(info)

    assert peer.id == "lv"
    assert [key.kid for key in peer.jwks] == [key["kid"] for key in info["jwks"]["keys"]]
