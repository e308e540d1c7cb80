"""SD-JWT VC: every kind of bad input is refused with its own reason code."""

import json

import pytest

from lifegate.credentials import compact, sdjwt
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.tests.sdjwt_fixtures import (
    HOLDER_KEY,
    ISSUER_KEY,
    NONCE,
    NOW,
    OTHER_KEY,
    VERIFIER,
    digest,
    diploma_claims,
    disclosure,
    issue_diploma,
    present,
    signed_sd_jwt,
    verify,
)


def rejection(token: object, **overrides: object) -> CredentialRejected:
    with pytest.raises(CredentialRejected) as caught:
        verify(token, **overrides)  # type: ignore[arg-type]
    return caught.value


# -- the issuer's signature --------------------------------------------------------------------


def test_a_tampered_signature_is_refused():
    presentation = present(issue_diploma(), ("given_name",))
    jwt, rest = presentation.split("~", 1)
    head, signature = jwt.rsplit(".", 1)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]

    assert rejection(f"{head}.{flipped}~{rest}").code == "bad-signature"


def test_a_tampered_payload_is_refused():
    presentation = present(issue_diploma(), ("given_name",))
    header, payload, signature = presentation.split("~", 1)[0].split(".")
    claims = json.loads(compact.b64url_decode(payload, "payload"))
    claims["exp"] = NOW + 100 * 365 * 24 * 3600
    forged = compact.b64url_encode(json.dumps(claims).encode())
    rest = presentation.split("~", 1)[1]

    assert rejection(f"{header}.{forged}.{signature}~{rest}").code == "bad-signature"


def test_a_credential_signed_by_another_key_of_a_trusted_issuer_is_refused():
    presentation = present(issue_diploma(), ())

    def wrong_key(issuer: str, kid: str | None) -> object:
        return OTHER_KEY

    assert rejection(presentation, issuer_key=wrong_key).code == "bad-signature"


# -- disclosures -------------------------------------------------------------------------------


def test_an_altered_disclosure_is_refused():
    sd_jwt = issue_diploma()
    jwt, *disclosures, _ = sd_jwt.split("~")
    for index, encoded in enumerate(disclosures):
        salt, name, _value = json.loads(compact.b64url_decode(encoded, "disclosure"))
        if name == "given_name":
            disclosures[index] = disclosure(salt, name, "Beatrix")
    altered = "~".join([jwt, *disclosures, ""])

    assert rejection(altered, require_key_binding=False).code == "disclosure-not-referenced"


def test_an_extra_disclosure_is_refused():
    selected = sdjwt.select(issue_diploma(), ("given_name",))
    extra = selected + disclosure("c2FsdHNhbHRzYWx0", "is_admin", True) + "~"

    assert rejection(extra, require_key_binding=False).code == "disclosure-not-referenced"


def test_a_disclosure_from_another_credential_is_refused():
    mine = sdjwt.select(issue_diploma(), ("given_name",))
    theirs = issue_diploma(
        achievement={"title": "PhD", "level": "EQF 8", "grade": "summa cum laude"}
    )
    borrowed = [
        item
        for item in theirs.split("~")[1:-1]
        if json.loads(compact.b64url_decode(item, "d"))[1] == "achievement"
    ]

    rejected = rejection(mine + borrowed[0] + "~", require_key_binding=False)

    assert rejected.code == "disclosure-not-referenced"


def test_a_duplicate_disclosure_is_refused():
    sd_jwt = issue_diploma()
    first = sd_jwt.split("~")[1]

    assert rejection(sd_jwt + first + "~", require_key_binding=False).code == "duplicate-disclosure"


def test_a_digest_listed_twice_is_refused():
    name = disclosure("c2FsdA", "nickname", "Sanne")
    payload = diploma_claims(_sd=[digest(name), digest(name)])

    token = signed_sd_jwt(payload, [name])

    assert rejection(token, require_key_binding=False).code == "duplicate-digest"


def test_a_digest_used_at_two_levels_is_refused():
    name = disclosure("c2FsdA", "title", "MSc")
    payload = diploma_claims(_sd=[digest(name)], achievement={"_sd": [digest(name)]})

    assert rejection(signed_sd_jwt(payload, [name]), require_key_binding=False).code == (
        "duplicate-digest"
    )


@pytest.mark.parametrize("reserved", ["_sd", "..."])
def test_a_disclosure_with_a_reserved_claim_name_is_refused(reserved):
    bad = disclosure("c2FsdA", reserved, ["x"])
    token = signed_sd_jwt(diploma_claims(_sd=[digest(bad)]), [bad])

    rejected = rejection(token, require_key_binding=False)

    assert rejected.code == "malformed"
    assert "reserved" in rejected.detail


def test_a_disclosed_claim_that_repeats_a_visible_one_is_refused():
    clash = disclosure("c2FsdA", "iss", "https://evil.example")
    token = signed_sd_jwt(diploma_claims(_sd=[digest(clash)]), [clash])

    assert rejection(token, require_key_binding=False).code == "malformed"


def test_an_expiry_hidden_in_a_disclosure_is_refused():
    hidden_exp = disclosure("c2FsdA", "exp", NOW + 10)
    claims = diploma_claims(_sd=[digest(hidden_exp)])
    del claims["exp"]

    assert rejection(signed_sd_jwt(claims, [hidden_exp]), require_key_binding=False).code == (
        "malformed"
    )


def test_another_digest_algorithm_is_refused():
    token = signed_sd_jwt(diploma_claims(_sd_alg="sha-512"), [])

    assert rejection(token, require_key_binding=False).code == "unsupported-algorithm"


# -- key binding -------------------------------------------------------------------------------


def test_key_binding_by_another_key_is_refused():
    presentation = present(issue_diploma(), ("given_name",), holder_key=OTHER_KEY)

    assert rejection(presentation).code == "key-binding-invalid"


def test_key_binding_for_another_verifier_is_refused():
    presentation = present(issue_diploma(), ("given_name",), audience="https://other.example")

    assert rejection(presentation).code == "wrong-audience"


def test_key_binding_for_another_request_is_refused():
    presentation = present(issue_diploma(), ("given_name",), nonce="another-nonce")

    assert rejection(presentation).code == "wrong-nonce"


def test_key_binding_over_other_disclosures_is_refused():
    sd_jwt = issue_diploma()
    bound_to_name = present(sd_jwt, ("given_name",))
    kb_jwt = bound_to_name.rsplit("~", 1)[1]
    with_grade = sdjwt.select(sd_jwt, ("given_name", "achievement.grade"))

    assert rejection(with_grade + kb_jwt).code == "key-binding-mismatch"


def test_key_binding_of_the_wrong_type_is_refused():
    selected = sdjwt.select(issue_diploma(), ("given_name",))
    claims = {"iat": NOW, "aud": VERIFIER, "nonce": NONCE, "sd_hash": compact.sha256_b64(selected)}
    kb_jwt = compact.sign({"alg": "ES256", "typ": "JWT"}, claims, HOLDER_KEY)

    assert rejection(selected + kb_jwt).code == "key-binding-invalid"


def test_key_binding_for_a_credential_without_holder_key_is_refused():
    sd_jwt = sdjwt.issue(diploma_claims(), disclosable=["given_name"], key=ISSUER_KEY)
    presentation = present(sd_jwt, ("given_name",))

    assert rejection(presentation).code == "key-binding-invalid"


@pytest.mark.parametrize("age", [sdjwt.KEY_BINDING_MAX_AGE_SECONDS + 120, -120])
def test_old_or_future_key_binding_is_refused(age):
    presentation = present(issue_diploma(), ("given_name",), issued_at=NOW - age)

    assert rejection(presentation).code == "stale-key-binding"


def test_key_binding_within_the_clock_skew_is_accepted():
    presentation = present(issue_diploma(), ("given_name",), issued_at=NOW + 30)

    assert verify(presentation).key_bound is True


# -- validity ----------------------------------------------------------------------------------


def test_an_expired_credential_is_refused():
    presentation = present(issue_diploma(exp=NOW - 3600), ("given_name",))

    assert rejection(presentation).code == "expired"


def test_expiry_allows_a_little_clock_skew():
    presentation = present(issue_diploma(exp=NOW - 30), ("given_name",))

    assert verify(presentation).expires_at == NOW - 30


def test_a_credential_not_yet_valid_is_refused():
    presentation = present(issue_diploma(nbf=NOW + 3600), ("given_name",))

    assert rejection(presentation).code == "not-yet-valid"


def test_a_credential_issued_in_the_future_is_refused():
    presentation = present(issue_diploma(iat=NOW + 3600), ("given_name",))

    assert rejection(presentation).code == "not-yet-valid"


# -- issuer, type and format -------------------------------------------------------------------


def test_a_credential_from_an_unknown_issuer_is_refused():
    presentation = present(issue_diploma(iss="https://diploma-mill.example"), ("given_name",))

    assert rejection(presentation).code == "unknown-issuer"


def test_a_credential_of_another_type_is_refused():
    token = signed_sd_jwt(diploma_claims(), [], typ="JWT")

    assert rejection(token, require_key_binding=False).code == "wrong-type"


def test_an_unsigned_credential_is_refused():
    header = compact.b64url_encode(b'{"alg":"none","typ":"dc+sd-jwt"}')
    payload = compact.b64url_encode(json.dumps(diploma_claims()).encode())

    assert rejection(f"{header}.{payload}.~", require_key_binding=False).code == (
        "unsupported-algorithm"
    )


@pytest.mark.parametrize(
    "token",
    [
        "",
        "~",
        "not a token",
        "eyJhbGciOiJFUzI1NiJ9",
        "a.b.c~",
        "é~",
        b"\xff\xfe~",
        None,
        42,
    ],
)
def test_malformed_input_is_refused(token):
    assert rejection(token, require_key_binding=False).code == "malformed"


def test_a_padded_or_non_canonical_segment_is_refused():
    sd_jwt = issue_diploma()
    jwt, rest = sd_jwt.split("~", 1)
    header, payload, signature = jwt.split(".")

    assert rejection(f"{header}=.{payload}.{signature}~{rest}").code == "malformed"


def test_duplicate_json_members_are_refused():
    header = compact.b64url_encode(b'{"alg":"ES256","alg":"ES256","typ":"dc+sd-jwt"}')
    token = f"{header}.e30.{'A' * 86}~"

    assert rejection(token, require_key_binding=False).code == "malformed"


def test_an_oversized_token_is_refused_before_parsing():
    presentation = present(issue_diploma(), ("given_name",))
    padding = "~" * (sdjwt.MAX_TOKEN_BYTES - len(presentation) + 1)

    assert rejection(padding + presentation).code == "oversized"
    assert rejection("é" * (sdjwt.MAX_TOKEN_BYTES + 1)).code == "oversized"
    assert rejection(b"x" * (sdjwt.MAX_TOKEN_BYTES + 1)).code == "oversized"


def test_deeply_nested_json_is_refused_without_crashing():
    deep = "[" * 20_000 + "]" * 20_000
    bad = compact.b64url_encode(deep.encode())
    token = signed_sd_jwt(diploma_claims(), []) + bad + "~"

    assert rejection(token, require_key_binding=False).code == "malformed"
