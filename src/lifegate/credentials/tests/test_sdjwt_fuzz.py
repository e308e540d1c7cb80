"""Property-based tests: whatever arrives, parse and verify either succeed or raise
CredentialRejected with a known code; no other exception ever escapes."""

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifegate.credentials import compact, sdjwt
from lifegate.credentials.errors import REASONS, CredentialRejected
from lifegate.credentials.tests.sdjwt_fixtures import (
    HOLDER_KEY,
    NONCE,
    NOW,
    VERIFIER,
    digest,
    diploma_claims,
    disclosure,
    issue_diploma,
    present,
    signed_sd_jwt,
    verify,
)

# Bounded so the whole file runs in seconds; no example database written into the checkout.
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

VALID = present(issue_diploma(), ("given_name", "achievement.title"))
SEGMENTS = VALID.split("~")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~=+/ é\x00"

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has neither; signing refuses them
    st.text(max_size=10),
)
_json_values = st.recursive(
    _json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["_sd", "...", "a", "b", "iat"]), children, max_size=4),
    ),
    max_leaves=20,
)


def outcome(token: object) -> str:
    """ "ok" or the rejection code; any other exception fails the test."""
    try:
        sdjwt.parse(token)  # type: ignore[arg-type]
        verify(token)  # type: ignore[arg-type]
    except CredentialRejected as rejected:
        assert rejected.code in REASONS
        assert rejected.detail
        return rejected.code
    return "ok"


def test_the_unmutated_presentation_verifies():
    assert outcome(VALID) == "ok"


@FUZZ
@given(st.text(max_size=300))
def test_random_text_is_rejected_cleanly(text):
    assert outcome(text) != "ok"


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_are_rejected_cleanly(data):
    assert outcome(data) != "ok"


@FUZZ
@given(st.lists(st.text(alphabet=ALPHABET, max_size=40), max_size=8))
def test_random_tilde_and_dot_structures_are_rejected_cleanly(parts):
    assert outcome("~".join(parts)) != "ok"
    assert outcome(".".join(parts) + "~") != "ok"


@FUZZ
@given(st.data())
def test_flipped_characters_are_rejected_cleanly(data):
    position = data.draw(st.integers(0, len(VALID) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET))
    mutated = VALID[:position] + replacement + VALID[position + 1 :]
    # Base64url is checked for its canonical form, so no other spelling of a segment passes.
    assert outcome(mutated) != "ok" or mutated == VALID


@FUZZ
@given(st.data())
def test_dropped_duplicated_and_reordered_segments_are_rejected_cleanly(data):
    segments = list(SEGMENTS)
    operation = data.draw(st.sampled_from(["drop", "duplicate", "reorder", "swap", "truncate"]))
    index = data.draw(st.integers(0, len(segments) - 1))
    if operation == "drop":
        del segments[index]
    elif operation == "duplicate":
        segments.insert(index, segments[index])
    elif operation == "reorder":
        segments = data.draw(st.permutations(segments))
    elif operation == "swap":
        other = data.draw(st.integers(0, len(segments) - 1))
        segments[index], segments[other] = segments[other], segments[index]
    mutated = "~".join(segments)
    if operation == "truncate":
        mutated = VALID[: data.draw(st.integers(0, len(VALID) - 1))]
    result = outcome(mutated)
    assert result != "ok" or mutated == VALID


@FUZZ
@given(st.data())
def test_mutated_jws_parts_are_rejected_cleanly(data):
    jwt, rest = VALID.split("~", 1)
    parts = jwt.split(".")
    index = data.draw(st.integers(0, 2))
    parts[index] = data.draw(
        st.one_of(
            st.text(alphabet=ALPHABET, max_size=60),
            st.builds(_b64_json, _json_values),
        )
    )
    mutated = ".".join(parts) + "~" + rest
    assert outcome(mutated) != "ok" or mutated == VALID


# A trusted issuer's signature holds over whatever payload it signed: the resolver and the
# key binding check must still cope with any shape of claims, disclosures and cnf.
_confirmations = st.one_of(
    st.none(),
    _json_values,
    st.builds(lambda: {"jwk": HOLDER_KEY.as_dict(private=False)}),
    st.fixed_dictionaries(
        {
            "jwk": st.dictionaries(
                st.sampled_from(["kty", "crv", "x", "y", "d", "use", "alg", "key_ops"]),
                st.one_of(_json_scalars, st.sampled_from(["EC", "P-256", "RSA", "AAAA"])),
            )
        }
    ),
)


@FUZZ
@given(
    st.lists(
        st.tuples(st.text(max_size=5), st.sampled_from(["a", "b", "_sd", "..."]), _json_values),
        max_size=5,
    ),
    st.lists(st.integers(0, 9), max_size=6),
    _json_values,
    st.booleans(),
    _confirmations,
)
def test_signed_payloads_of_any_shape_are_handled(
    contents, references, extra, as_elements, confirmation
):
    encoded = [
        disclosure(salt, value) if as_elements else disclosure(salt, name, value)
        for salt, name, value in contents
    ]
    digests: list[Any] = [digest(encoded[i]) for i in references if i < len(encoded)]
    claims = diploma_claims(_sd=digests, extra=extra)
    if as_elements:
        claims["_sd"] = []
        claims["items"] = [{"...": item} for item in digests]
    if confirmation is not None:
        claims["cnf"] = confirmation
    token = signed_sd_jwt(claims, encoded)
    outcome(token)
    outcome(sdjwt.bind(token, holder_key=HOLDER_KEY, audience=VERIFIER, nonce=NONCE, issued_at=NOW))
    try:
        verify(token, require_key_binding=False)
    except CredentialRejected as rejected:
        assert rejected.code in REASONS


def _b64_json(value: Any) -> str:
    return compact.b64url_encode(json.dumps(value).encode())
