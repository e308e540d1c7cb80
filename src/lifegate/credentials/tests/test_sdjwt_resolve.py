"""Resolving disclosures against the signed digests (RFC 9901 section 7.1): plain claims are
copied as they are, objects, arrays and disclosed values are walked, and everything is held
to the same nesting limit."""

from typing import Any

import pytest

from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.sdjwt_parse import MAX_DEPTH, parse, resolve
from lifegate.credentials.tests.sdjwt_fixtures import digest, disclosure, signed_sd_jwt

TOP = disclosure("salt-1", "address", {"_sd": [], "country": "NL"})
STREET = disclosure("salt-2", "street", "Kerkstraat 12A")
NATIONALITY = disclosure("salt-3", "NL")
RECURSIVE = disclosure("salt-4", "achievement", {"_sd": [digest(STREET)], "level": 7})


def resolved(payload: dict[str, Any], disclosures: list[str]) -> Any:
    parsed = parse(signed_sd_jwt(payload, disclosures))
    return resolve(parsed.issuer_jwt.payload, parsed.disclosures)


def nested(depth: int, innermost: Any) -> dict[str, Any]:
    """A payload whose `innermost` value lies `depth` levels below it."""
    value = innermost
    for _ in range(depth - 1):
        value = {"a": value}
    return {"a": value}


def test_nested_objects_arrays_and_disclosures_within_disclosures_resolve():
    payload = {
        "iss": "https://a.example",
        "_sd": [digest(RECURSIVE), digest(TOP)],
        "nationalities": [{"...": digest(NATIONALITY)}, "FR", {"...": "undisclosed"}],
        "plain": {"kept": [1, {"deep": True}]},
    }

    resolution = resolved(payload, [TOP, STREET, NATIONALITY, RECURSIVE])

    assert resolution.claims == {
        "iss": "https://a.example",
        "nationalities": ["NL", "FR"],
        "plain": {"kept": [1, {"deep": True}]},
        "achievement": {"level": 7, "street": "Kerkstraat 12A"},
        "address": {"country": "NL"},
    }
    assert sorted(resolution.paths.values()) == [
        "achievement",
        "achievement.street",
        "address",
        "nationalities.0",
    ]


@pytest.mark.parametrize("innermost", [1, "x", None, {}, []])
def test_the_nesting_limit_holds_for_plain_values_and_containers_alike(innermost):
    assert resolved(nested(MAX_DEPTH, innermost), []).claims == nested(MAX_DEPTH, innermost)
    with pytest.raises(CredentialRejected, match="nested deeper"):
        resolved(nested(MAX_DEPTH + 1, innermost), [])


def test_the_nesting_limit_counts_disclosed_values_too():
    hidden = disclosure("salt-5", "b", 1)
    payload = nested(MAX_DEPTH, {"_sd": [digest(hidden)]})

    with pytest.raises(CredentialRejected, match="nested deeper"):
        resolved(payload, [hidden])
    assert resolved(payload, []).claims == nested(MAX_DEPTH, {})
