"""Verifying credentials of peer lifegate nodes: their issuers are trusted through
configuration, their keys and status lists are fetched over HTTP (here: from this node under
their base URL) and cached, and what cannot be checked is refused with a reason."""

import time
from typing import Any

import pytest
from django.core.cache import cache

from lifegate.credentials import compact, keys, peer_http, trust, verifying
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.revocation import revoke
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.presenting import (
    DUO,
    TITLE_AND_LEVEL,
    Nodes,
    ask,
    bind_for,
    diploma,
    foreign_diploma,
    form,
    presentation,
    vp_token,
)
from lifegate.transparency.models import ProcessingRecord

pytestmark = pytest.mark.django_db
PEER = "https://ee.lifegate.example"


@pytest.fixture(autouse=True)
def node(issuer_settings: None) -> Any:
    """This node's base URL and key folder; no cached peer keys or lists between tests."""
    cache.clear()
    yield
    cache.clear()


def answer(request: PresentationRequest, token: str) -> verifying.VerificationResult:
    return verifying.verify_response(request, vp_token(request, token))


def test_a_peer_nodes_issuer_is_trusted_through_configuration(
    credential_types, person, settings, monkeypatch
):
    nodes = Nodes(PEER).install(monkeypatch)
    with_peer_base = settings.BASE_URL
    settings.BASE_URL = PEER
    credential = diploma(person)  # issued by the peer node
    settings.BASE_URL = with_peer_base
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    request = ask()
    assert (
        f"{PEER}/credentials/types/diploma"
        in request.dcql_query["credentials"][0]["meta"]["vct_values"]
    )

    result = answer(request, presentation(credential, request, TITLE_AND_LEVEL))

    assert (result.valid, result.issuer) == (True, PEER)
    assert f"{PEER}/.well-known/jwt-vc-issuer" in nodes.calls
    assert any(call.startswith(f"{PEER}/credentials/status/") for call in nodes.calls)


def test_a_peers_status_list_is_cached_for_its_ttl_and_revocation_shows_after_it(
    credential_types, person, settings, monkeypatch
):
    nodes = Nodes(PEER).install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    settings.BASE_URL = PEER
    credential = diploma(person)
    settings.BASE_URL = BASE_URL
    first = ask()
    assert answer(first, presentation(credential, first, TITLE_AND_LEVEL)).valid
    settings.BASE_URL = PEER
    revoke(credential, actor=DUO)
    settings.BASE_URL = BASE_URL
    fetched = len(nodes.calls)

    second = ask()
    cached = answer(second, presentation(credential, second, TITLE_AND_LEVEL))
    fetched_for_cached = len(nodes.calls) - fetched
    later = time.time() + trust.STATUS_CACHE_MAX_SECONDS + 1
    monkeypatch.setattr(trust, "_now", lambda: later)  # the ttl has passed
    third = ask()
    fresh = answer(third, presentation(credential, third, TITLE_AND_LEVEL))

    assert cached.valid and fetched_for_cached == 0
    assert (fresh.valid, fresh.code) == (False, "revoked")


def test_an_unreachable_peer_issuer_gives_a_reason_not_an_error(
    credential_types, person, settings, monkeypatch
):
    nodes = Nodes(PEER).install(monkeypatch)
    nodes.down.add(PEER)
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    token, holder = foreign_diploma(PEER)
    request = ask()

    result = answer(request, bind_for(token, holder, request, TITLE_AND_LEVEL))

    assert (result.valid, result.code) == (False, "issuer-unavailable")


def test_verifying_a_peers_credential_records_no_one_here(credential_types, settings, monkeypatch):
    Nodes(PEER).install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    token, holder = foreign_diploma(PEER)
    request = ask()
    before = ProcessingRecord.objects.count()

    verifying.receive_response(
        request.handle, form(request, bind_for(token, holder, request, TITLE_AND_LEVEL))
    )

    request.refresh_from_db()
    assert request.valid is True
    assert ProcessingRecord.objects.count() == before


def test_a_credential_signed_after_the_peer_rotated_its_key_verifies(
    credential_types, person, settings, monkeypatch
):
    nodes = Nodes(PEER).install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    settings.BASE_URL = PEER
    before = diploma(person, reference="before")
    settings.BASE_URL = BASE_URL
    first = ask()
    assert answer(first, presentation(before, first, TITLE_AND_LEVEL)).valid
    settings.BASE_URL = PEER
    keys.rotate()
    after = diploma(person, reference="after")
    settings.BASE_URL = BASE_URL

    second = ask()
    result = answer(second, presentation(after, second, TITLE_AND_LEVEL))

    assert result.valid
    assert nodes.calls.count(f"{PEER}/.well-known/jwt-vc-issuer") == 2


def test_a_status_list_elsewhere_than_at_the_issuer_is_not_fetched(
    credential_types, settings, monkeypatch
):
    nodes = Nodes(PEER, "https://elsewhere.example").install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    status = {"status_list": {"idx": 3, "uri": "https://elsewhere.example/status/1"}}
    token, holder = foreign_diploma(PEER, status=status)
    request = ask()

    result = answer(request, bind_for(token, holder, request, TITLE_AND_LEVEL))

    assert (result.valid, result.code) == (False, "status-unavailable")
    assert not any(call.startswith("https://elsewhere.example") for call in nodes.calls)


def _without_iss(token: str, key: Any) -> str:
    """`token` (a status list token) signed again without `iss`, which the draft leaves out."""
    jwt = compact.decode(token, "status list token")
    payload = {name: value for name, value in jwt.payload.items() if name != "iss"}
    return compact.sign(jwt.header, payload, key)


@pytest.mark.parametrize(("claimed", "valid"), [(None, True), ("https://other.example", False)])
def test_a_status_list_without_iss_verifies_with_the_credentials_issuers_key(
    credential_types, person, settings, monkeypatch, claimed, valid
):
    nodes = Nodes(PEER).install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    settings.BASE_URL = PEER
    credential = diploma(person)
    settings.BASE_URL = BASE_URL
    fetch = nodes.fetch

    def peer_without_iss(url: str, accept: str) -> str:
        token = fetch(url, accept)
        if "/credentials/status/" not in url:
            return token
        resigned = _without_iss(token, keys.current_issuer_key())
        if claimed is None:
            return resigned
        jwt = compact.decode(resigned, "status list token")
        return compact.sign(jwt.header, {**jwt.payload, "iss": claimed}, keys.current_issuer_key())

    monkeypatch.setattr(peer_http, "fetch", peer_without_iss)
    request = ask()

    result = answer(request, presentation(credential, request, TITLE_AND_LEVEL))

    assert result.valid is valid
    if not valid:
        assert result.code == "status-unavailable"
