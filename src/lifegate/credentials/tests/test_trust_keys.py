"""A trusted issuer's JWKs are imported once and reused, but only for the very same JWK."""

from typing import Any

from lifegate.credentials import trust
from lifegate.credentials.tests.sdjwt_fixtures import new_key


def public_jwk(kid: str) -> dict[str, Any]:
    return {**new_key().as_dict(private=False), "kid": kid}


def test_a_jwk_seen_before_gives_the_key_imported_before():
    jwk = public_jwk("rotating")

    first = trust._key_in({"keys": [jwk]}, "rotating")
    again = trust._key_in({"keys": [dict(jwk)]}, "rotating")

    assert first is not None and again is first


def test_another_jwk_under_a_kid_seen_before_is_imported_anew():
    old, new = public_jwk("rotating"), public_jwk("rotating")

    trust._key_in({"keys": [old]}, "rotating")
    key = trust._key_in({"keys": [new]}, "rotating")

    assert key is not None and key.as_dict(private=False)["x"] == new["x"]


def test_a_private_or_broken_jwk_gives_no_key_every_time():
    private = {**new_key().as_dict(private=True), "kid": "private"}
    broken = {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA", "kid": "broken"}

    for _ in range(2):
        assert trust._key_in({"keys": [private]}, "private") is None
        assert trust._key_in({"keys": [broken]}, "broken") is None
