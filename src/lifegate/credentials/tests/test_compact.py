"""The strict compact JWS layer under credentials: its own base64url and JSON decoding, and
signing with joserfc's ES256 algorithm without joserfc's generic serialization."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from lifegate.credentials import compact
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.tests.sdjwt_fixtures import ISSUER_KEY, OTHER_KEY

HEADER = {"alg": "ES256", "typ": "dc+sd-jwt", "kid": ISSUER_KEY.kid}


def decoded(text: str) -> bytes | str:
    """The bytes, or the rejection's detail."""
    try:
        return compact.b64url_decode(text, "segment")
    except CredentialRejected as rejected:
        assert rejected.code == "malformed"
        return rejected.detail


@settings(deadline=None)
@given(st.binary(max_size=64))
def test_base64url_round_trips_any_bytes(data):
    assert compact.b64url_decode(compact.b64url_encode(data), "segment") == data


@settings(deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .é"))
def test_only_the_canonical_spelling_of_some_bytes_decodes(text):
    result = decoded(text)

    assert isinstance(result, str) or compact.b64url_encode(result) == text


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("YQ==", "segment is not base64url"),  # padding
        ("YW+j", "segment is not base64url"),  # base64, not base64url
        ("YW/j", "segment is not base64url"),
        ("YW J", "segment is not base64url"),
        ("YWé", "segment is not base64url"),
        ("YWJjZ", "segment is not base64url"),  # a length no bytes encode to
        ("YR", "segment is not canonical base64url"),  # "a" with stray low bits
        ("YWJ", "segment is not canonical base64url"),
    ],
)
def test_a_segment_that_is_not_canonical_base64url_is_refused_with_the_reason(text, detail):
    assert decoded(text) == detail


@pytest.mark.parametrize("text", ['["a","b"]', ' ["a","b"] ', '\n{"a":1}\t', "7", '"x"'])
def test_json_around_which_there_is_whitespace_or_nothing_decodes(text):
    assert compact.json_loads(text.encode(), "disclosure") == json.loads(text)


@pytest.mark.parametrize(
    "text",
    ['["a","b"] x', '["a","b"', "", " ", '{"a":1,"a":2}', '[{"a":1,"b":{"c":1,"c":1}}]', "NaN"],
)
def test_json_with_trailing_data_duplicates_or_constants_is_refused(text):
    with pytest.raises(CredentialRejected):
        compact.json_loads(text.encode(), "disclosure")


def test_a_signed_jws_verifies_with_joserfc_itself():
    token = compact.sign(HEADER, {"iss": "https://a.example", "n": 1}, ISSUER_KEY)

    read = jws.deserialize_compact(token, ISSUER_KEY, algorithms=["ES256"])

    assert json.loads(read.payload) == {"iss": "https://a.example", "n": 1}
    assert read.protected == HEADER


def test_each_header_is_signed_as_given_also_when_others_were_signed_before():
    first = compact.sign({**HEADER, "kid": "one"}, {}, ISSUER_KEY)
    second = compact.sign({**HEADER, "kid": "two"}, {}, ISSUER_KEY)
    with_chain = compact.sign({**HEADER, "x5c": ["MIIB"]}, {}, ISSUER_KEY)  # not hashable

    assert compact.decode(first, "jws").header["kid"] == "one"
    assert compact.decode(second, "jws").header["kid"] == "two"
    assert compact.decode(with_chain, "jws").header["x5c"] == ["MIIB"]


def test_signing_checks_the_algorithm_and_the_key_as_joserfc_does():
    with pytest.raises(ValueError):
        compact.sign({"alg": "ES384", "typ": "dc+sd-jwt"}, {}, ISSUER_KEY)
    with pytest.raises(JoseError):  # a public key cannot sign
        compact.sign(HEADER, {}, ECKey.import_key(OTHER_KEY.as_dict(private=False)))
    p384 = ECKey.generate_key("P-384", private=True)
    with pytest.raises(JoseError):
        compact.sign(HEADER, {}, p384)


def test_a_header_decoded_again_is_the_signed_one_whatever_was_done_with_the_first():
    token = compact.sign({**HEADER, "kid": "kept"}, {"n": 1}, ISSUER_KEY)
    first = compact.decode(token, "jws")
    first.header["kid"] = "changed"
    first.header["extra"] = True

    again = compact.decode(token, "jws")

    assert again.header == {**HEADER, "kid": "kept"}


def test_a_refused_header_is_refused_every_time_and_a_long_one_is_still_checked():
    crit = compact.b64url_encode(json.dumps({**HEADER, "crit": ["x"]}).encode())
    payload = compact.b64url_encode(b"{}")
    signature = compact.b64url_encode(bytes(64))
    for _ in range(2):
        with pytest.raises(CredentialRejected, match="critical"):
            compact.decode(f"{crit}.{payload}.{signature}", "jws")
    long_header = {**HEADER, "x5c": ["A" * 9000], "alg": "none"}
    long = compact.b64url_encode(json.dumps(long_header).encode())
    with pytest.raises(CredentialRejected, match="ES256"):
        compact.decode(f"{long}.{payload}.{signature}", "jws")
