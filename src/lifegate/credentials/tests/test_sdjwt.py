"""SD-JWT VC: issue, select, bind and verify, and every way a presentation is refused."""

import copy
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifegate.credentials import compact, sdjwt
from lifegate.credentials.errors import REASONS, CredentialRejected, reason
from lifegate.credentials.sdjwt_parse import NEVER_DISCLOSABLE
from lifegate.credentials.tests.sdjwt_fixtures import (
    DISCLOSABLE,
    HOLDER_KEY,
    ISSUER,
    ISSUER_KEY,
    NOW,
    STATUS_URI,
    VCT,
    diploma_claims,
    issue_diploma,
    present,
    signed_sd_jwt,
    verify,
)


def rejection(token: str | bytes, **overrides: object) -> CredentialRejected:
    with pytest.raises(CredentialRejected) as caught:
        verify(token, **overrides)
    return caught.value


def payload_of(sd_jwt: str) -> dict[str, Any]:
    segment = sd_jwt.split("~")[0].split(".")[1]
    return json.loads(compact.b64url_decode(segment, "payload"))


# -- the happy path ------------------------------------------------------------------------


def test_a_presentation_of_title_and_level_shows_only_those():
    presentation = present(issue_diploma(), ("achievement.title", "achievement.level"))

    verified = verify(presentation)

    assert verified.claims["achievement"] == {
        "title": "Master of Science in Computer Science",
        "level": "EQF 7",
        "awarding_body": "Universiteit van Nergens",
        "awarded_on": "2024-07-05",
    }
    assert "given_name" not in verified.claims
    assert verified.disclosed == {"achievement", "achievement.title", "achievement.level"}
    assert verified.issuer == ISSUER
    assert verified.vct == VCT
    assert verified.kid == ISSUER_KEY.kid
    assert verified.key_bound is True
    assert verified.holder_jwk == HOLDER_KEY.as_dict(private=False)
    assert verified.status == sdjwt.StatusReference(uri=STATUS_URI, index=42)
    assert verified.issued_at == NOW - 3600
    assert verified.expires_at == NOW + 365 * 24 * 3600


def test_verified_claims_carry_no_sd_jwt_machinery():
    verified = verify(present(issue_diploma(), ("given_name", "achievement")))

    assert verified.claims["given_name"] == "Sanne"
    assert verified.claims["achievement"]["grade"] == "cum laude"
    text = json.dumps(verified.claims)
    assert "_sd" not in text
    assert "cnf" not in verified.claims


def test_the_issuer_signed_payload_holds_digests_and_decoys_not_values():
    sd_jwt = issue_diploma()

    payload = payload_of(sd_jwt)

    text = json.dumps(payload)
    assert "Sanne" not in text
    assert "Master of Science" not in text
    assert "achievement" not in text
    # given_name, family_name, achievement + 2 decoys at the top level
    assert len(payload["_sd"]) == 3 + 2
    assert payload["_sd_alg"] == "sha-256"
    assert payload["cnf"] == {"jwk": HOLDER_KEY.as_dict(private=False)}
    # the JWT and six disclosures, each followed by "~"
    assert sd_jwt.count("~") == 7


def test_the_header_names_the_sd_jwt_vc_type_and_the_issuer_key():
    header_segment = issue_diploma().split(".")[0]

    header = json.loads(compact.b64url_decode(header_segment, "header"))

    assert header == {"alg": "ES256", "typ": "dc+sd-jwt", "kid": ISSUER_KEY.kid}


def test_selecting_nothing_shows_only_the_always_visible_claims():
    verified = verify(present(issue_diploma(), ()))

    assert set(verified.claims) == {"iss", "vct", "iat", "exp", "status"}
    assert verified.disclosed == frozenset()


def test_select_drops_an_earlier_key_binding():
    presentation = present(issue_diploma(), ("given_name",))

    again = sdjwt.select(presentation, ("given_name",))

    assert again == presentation[: presentation.rindex("~") + 1]


def test_without_required_key_binding_a_plain_sd_jwt_verifies():
    verified = verify(issue_diploma(), require_key_binding=False, audience=None, nonce=None)

    assert verified.key_bound is False
    assert verified.claims["family_name"] == "de Vries"


def test_key_binding_is_required_by_default():
    assert rejection(sdjwt.select(issue_diploma(), ("given_name",))).code == "key-binding-missing"


def test_the_digest_for_the_log_is_the_same_for_every_presentation():
    sd_jwt = issue_diploma()
    issuer_jwt = sd_jwt.split("~")[0]

    assert sdjwt.digest_of(sd_jwt) == hashlib.sha256(issuer_jwt.encode()).digest()
    assert sdjwt.digest_of(present(sd_jwt, ("given_name",))) == sdjwt.digest_of(issuer_jwt)
    assert sdjwt.digest_of(issue_diploma()) != sdjwt.digest_of(sd_jwt)


def test_the_type_may_be_spelled_as_a_full_media_type():
    token = signed_sd_jwt(diploma_claims(), [], typ="application/DC+SD-JWT")

    assert verify(token, require_key_binding=False).vct == VCT


def test_a_claim_named_twice_as_disclosable_becomes_one_disclosure():
    sd_jwt = sdjwt.issue(diploma_claims(), disclosable=["given_name", "given_name"], key=ISSUER_KEY)

    assert sd_jwt.count("~") == 2
    assert verify(sd_jwt, require_key_binding=False).disclosed == {"given_name"}


def test_vct_can_be_demanded():
    presentation = present(issue_diploma(), ())

    assert verify(presentation, vct=VCT).vct == VCT
    assert rejection(presentation, vct="https://other.example/birth").code == "wrong-type"


# -- how issuing builds the credential ------------------------------------------------------


def test_issuing_leaves_the_callers_claims_as_they_were():
    claims = diploma_claims(nationalities=["NL", {"region": "EU"}])
    before = copy.deepcopy(claims)

    issue_diploma_from(claims)

    assert claims == before


def test_every_disclosure_has_its_own_salt_of_at_least_128_bits():
    disclosures = issue_diploma().split("~")[1:-1]

    salts = [json.loads(compact.b64url_decode(d, "disclosure"))[0] for d in disclosures]

    assert len(set(salts)) == len(salts) == 6
    assert all(len(compact.b64url_decode(salt, "salt")) * 8 >= 128 for salt in salts)


def test_the_digests_are_sorted_so_their_order_tells_nothing():
    sd_jwt = issue_diploma()
    contents = [json.loads(compact.b64url_decode(d, "d")) for d in sd_jwt.split("~")[1:-1]]

    top_level = payload_of(sd_jwt)["_sd"]
    (achievement,) = [value for _salt, name, value in contents if name == "achievement"]

    assert top_level == sorted(top_level)
    assert achievement["_sd"] == sorted(achievement["_sd"])
    # title, level, grade and two decoys inside the achievement
    assert len(achievement["_sd"]) == 3 + 2


RESERVED = {"_sd", "...", "_sd_alg", "cnf"}
# Hypothesis also draws the string constants of the code under test, such as "vct#integrity":
# the names an SD-JWT VC keeps visible cannot be disclosed, so they are no claim names here.
CLAIM_NAMES = st.text(min_size=1).filter(
    lambda name: "." not in name and name not in RESERVED | NEVER_DISCLOSABLE
)
# JSON has no NaN or infinity: issuing refuses them (see below).
FINITE = st.floats(allow_nan=False, allow_infinity=False)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | FINITE | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text().filter(lambda name: name not in RESERVED), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(name=CLAIM_NAMES.filter(lambda name: name not in diploma_claims()), value=JSON_VALUES)
def test_a_disclosure_holds_the_json_the_general_encoder_makes(name, value):
    salt = "c2FsdHNhbHRzYWx0c2FsdHNh"

    sd_jwt = sdjwt.issue(diploma_claims(**{name: value}), disclosable=[name], key=ISSUER_KEY)

    (encoded,) = sd_jwt.split("~")[1:-1]
    assert json.loads(compact.b64url_decode(encoded, "disclosure"))[1:] == [name, value]
    expected = compact.json_dumps([salt, name, value])
    assert sdjwt._disclosure_json(salt, name, value) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1, {"x": float("-inf")}]])
def test_issuing_refuses_numbers_json_does_not_have(value):
    with pytest.raises(ValueError, match="JSON compliant"):
        sdjwt.issue(diploma_claims(grade=value), disclosable=["grade"], key=ISSUER_KEY)
    with pytest.raises(ValueError, match="JSON compliant"):
        sdjwt.issue(diploma_claims(grade=value), disclosable=[], key=ISSUER_KEY)


def issue_diploma_from(claims: dict[str, Any]) -> str:
    return sdjwt.issue(
        claims,
        disclosable=[*DISCLOSABLE, "nationalities"],
        key=ISSUER_KEY,
        holder_jwk=HOLDER_KEY.as_dict(private=False),
    )


# -- issuing refuses what an SD-JWT VC must not be -----------------------------------------


@pytest.mark.parametrize("name", ["iss", "exp", "vct", "status", "nbf"])
def test_issue_keeps_the_always_visible_claims_visible(name):
    with pytest.raises(ValueError, match="visible"):
        sdjwt.issue(diploma_claims(nbf=NOW), disclosable=[name], key=ISSUER_KEY, holder_jwk=None)


@pytest.mark.parametrize(
    ("claims", "disclosable"),
    [
        (diploma_claims(), ["nickname"]),
        (diploma_claims(), ["achievement.minor"]),
        (diploma_claims(), ["given_name.first"]),
        (diploma_claims(), ["status.status_list"]),
        (diploma_claims(_sd=["x"]), []),
        (diploma_claims(vct=None), []),
    ],
)
def test_issue_refuses_claims_it_cannot_express(claims, disclosable):
    with pytest.raises(ValueError):
        sdjwt.issue(claims, disclosable=disclosable, key=ISSUER_KEY)


def test_issue_refuses_a_private_holder_key():
    with pytest.raises(ValueError, match="public"):
        sdjwt.issue(
            diploma_claims(), disclosable=[], key=ISSUER_KEY, holder_jwk=HOLDER_KEY.as_dict(True)
        )


# -- reasons ---------------------------------------------------------------------------------


def test_every_rejection_has_a_readable_reason_in_both_languages():
    from django.utils import translation

    for code in REASONS:
        assert len(str(reason(code))) > 20
    revoked = CredentialRejected("revoked")
    with translation.override("en"):
        assert str(revoked.reason) == "The issuer has revoked this credential."
    with translation.override("nl"):
        assert str(revoked.reason) == "De uitgever heeft dit bewijs ingetrokken."


def test_an_unknown_rejection_code_is_a_programming_error():
    with pytest.raises(ValueError):
        CredentialRejected("sort-of-bad")
