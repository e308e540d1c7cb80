"""Interoperability with the IETF reference implementation of SD-JWT (`sd-jwt` 0.10.4 on
PyPI, built on jwcrypto; used only in tests).

Both directions: lifegate's credentials and presentations verified by the reference
verifier (signature, disclosures and key binding), and SD-JWTs issued and presented with
key binding by the reference issuer and holder verified by `lifegate.credentials.sdjwt`.

Where the reference package (0.10.4) differs from RFC 9901 / SD-JWT VC, read from its
source:
- its issuer signs with header typ "example+sd-jwt" unless told otherwise; SD-JWT VC needs
  "dc+sd-jwt", so these tests pass `extra_header_parameters={"typ": "dc+sd-jwt"}` (and
  one test shows lifegate refusing the default, as it should);
- its holder dates the KB-JWT with the wall clock (`int(time())`), so its presentations are
  verified at the real time, for a credential issued at the real time;
- its verifier is laxer than RFC 9901 section 7: it does not refuse disclosures that no
  digest references, nor check exp/nbf or the KB-JWT's iat. That is verifier policy, not
  wire format, and lifegate keeps the strict checks.
The wire format itself agrees: disclosures, digests, `_sd`/`...`, `cnf.jwk`, the KB-JWT
(typ "kb+jwt", sd_hash over "<issuer-jwt>~<disclosures>~") are the same in both."""

import time
from typing import Any

import pytest
from joserfc.jwk import ECKey, Key
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from lifegate.credentials import sdjwt
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.tests.sdjwt_fixtures import (
    HOLDER_KEY,
    ISSUER,
    ISSUER_KEY,
    NONCE,
    VCT,
    VERIFIER,
    diploma_claims,
    issue_diploma,
    present,
)

REFERENCE_KID = "reference-issuer-1"
REFERENCE_ISSUER_KEY = JWK.generate(kty="EC", crv="P-256", kid=REFERENCE_KID)
REFERENCE_HOLDER_KEY = JWK.generate(kty="EC", crv="P-256")


def lifegate_issuer_key_for_reference(issuer: str, header: dict[str, Any]) -> JWK:
    assert issuer == ISSUER
    assert header["kid"] == ISSUER_KEY.kid
    return JWK(**ISSUER_KEY.as_dict(private=False))


def reference_issuer_key(issuer: str, kid: str | None) -> Key | None:
    if issuer == ISSUER and kid == REFERENCE_KID:
        return ECKey.import_key(REFERENCE_ISSUER_KEY.export_public(as_dict=True))
    return None


# -- lifegate issues and presents, the reference verifies -----------------------------------


def test_the_reference_verifier_accepts_a_lifegate_presentation_with_key_binding():
    presentation = present(issue_diploma(), ("achievement.title", "achievement.level"))

    verifier = SDJWTVerifier(
        presentation,
        lifegate_issuer_key_for_reference,
        expected_aud=VERIFIER,
        expected_nonce=NONCE,
    )

    claims = verifier.get_verified_payload()
    assert claims["achievement"] == {
        "title": "Master of Science in Computer Science",
        "level": "EQF 7",
        "awarding_body": "Universiteit van Nergens",
        "awarded_on": "2024-07-05",
    }
    assert "given_name" not in claims
    assert claims["vct"] == VCT
    assert claims["cnf"] == {"jwk": HOLDER_KEY.as_dict(private=False)}


def test_the_reference_verifier_checks_lifegate_key_binding():
    presentation = present(issue_diploma(), ("given_name",))

    with pytest.raises(ValueError, match="nonce"):
        SDJWTVerifier(
            presentation,
            lifegate_issuer_key_for_reference,
            expected_aud=VERIFIER,
            expected_nonce="another-nonce",
        )


def test_the_reference_verifier_checks_lifegate_sd_hash():
    sd_jwt = issue_diploma()
    kb_jwt = present(sd_jwt, ("given_name",)).rsplit("~", 1)[1]
    other_selection = sdjwt.select(sd_jwt, ("family_name",))

    with pytest.raises(ValueError, match="digest"):
        SDJWTVerifier(
            other_selection + kb_jwt,
            lifegate_issuer_key_for_reference,
            expected_aud=VERIFIER,
            expected_nonce=NONCE,
        )


def test_the_reference_holder_presents_a_lifegate_credential_that_lifegate_verifies():
    now = int(time.time())
    sd_jwt = sdjwt.issue(
        diploma_claims(iat=now, exp=now + 3600),
        disclosable=("given_name", "achievement", "achievement.grade"),
        key=ISSUER_KEY,
        holder_jwk=HOLDER_KEY.as_dict(private=False),
    )
    holder = SDJWTHolder(sd_jwt)
    holder.create_presentation(
        {"achievement": {"grade": True}},
        nonce=NONCE,
        aud=VERIFIER,
        holder_key=JWK(**HOLDER_KEY.as_dict(private=True)),
        sign_alg="ES256",
    )

    verified = sdjwt.verify(
        holder.sd_jwt_presentation,
        issuer_key=lambda issuer, kid: ISSUER_KEY if kid == ISSUER_KEY.kid else None,
        audience=VERIFIER,
        nonce=NONCE,
    )

    assert verified.disclosed == {"achievement", "achievement.grade"}
    assert verified.claims["achievement"]["grade"] == "cum laude"
    assert "given_name" not in verified.claims


# -- the reference issues and presents, lifegate verifies -----------------------------------


def reference_issuance(**header: str) -> str:
    now = int(time.time())
    user_claims = {
        "iss": ISSUER,
        "vct": VCT,
        "iat": now,
        "exp": now + 3600,
        SDObj("given_name"): "Sanne",
        SDObj("achievement"): {
            SDObj("title"): "Master of Science",
            "level": "EQF 7",
            SDObj("grade"): "cum laude",
        },
        "nationalities": [SDObj("NL"), SDObj("DE")],
    }
    issuer = SDJWTIssuer(
        user_claims,
        REFERENCE_ISSUER_KEY,
        holder_key=JWK(**REFERENCE_HOLDER_KEY.export_public(as_dict=True)),
        sign_alg="ES256",
        add_decoy_claims=True,
        extra_header_parameters={"typ": "dc+sd-jwt", "kid": REFERENCE_KID, **header},
    )
    return issuer.sd_jwt_issuance


def reference_presentation(issuance: str, disclose: dict[str, Any], nonce: str = NONCE) -> str:
    holder = SDJWTHolder(issuance)
    holder.create_presentation(
        disclose, nonce=nonce, aud=VERIFIER, holder_key=REFERENCE_HOLDER_KEY, sign_alg="ES256"
    )
    return holder.sd_jwt_presentation


def test_lifegate_verifies_a_reference_presentation_with_key_binding():
    presentation = reference_presentation(
        reference_issuance(), {"achievement": {"title": True}, "nationalities": [True, False]}
    )

    verified = sdjwt.verify(
        presentation, issuer_key=reference_issuer_key, audience=VERIFIER, nonce=NONCE
    )

    assert verified.claims["achievement"] == {"title": "Master of Science", "level": "EQF 7"}
    assert verified.claims["nationalities"] == ["NL"]
    assert "given_name" not in verified.claims
    assert verified.disclosed == {"achievement", "achievement.title", "nationalities.0"}
    assert verified.key_bound is True
    assert verified.kid == REFERENCE_KID
    assert verified.holder_jwk is not None
    assert verified.holder_jwk["x"] == REFERENCE_HOLDER_KEY.export_public(as_dict=True)["x"]


def test_lifegate_verifies_everything_the_reference_issuer_discloses():
    presentation = reference_presentation(
        reference_issuance(),
        {
            "given_name": True,
            "achievement": {"title": True, "grade": True},
            "nationalities": [True, True],
        },
    )

    verified = sdjwt.verify(
        presentation, issuer_key=reference_issuer_key, audience=VERIFIER, nonce=NONCE
    )

    assert verified.claims["given_name"] == "Sanne"
    assert verified.claims["achievement"]["grade"] == "cum laude"
    assert verified.claims["nationalities"] == ["NL", "DE"]


def test_lifegate_checks_the_key_binding_of_a_reference_presentation():
    presentation = reference_presentation(
        reference_issuance(), {"given_name": True}, nonce="another-nonce"
    )

    with pytest.raises(CredentialRejected) as caught:
        sdjwt.verify(presentation, issuer_key=reference_issuer_key, audience=VERIFIER, nonce=NONCE)

    assert caught.value.code == "wrong-nonce"


def test_lifegate_refuses_the_reference_default_type_which_is_not_sd_jwt_vc():
    issuance = reference_issuance(typ="example+sd-jwt")

    with pytest.raises(CredentialRejected) as caught:
        sdjwt.verify(issuance, issuer_key=reference_issuer_key, require_key_binding=False)

    assert caught.value.code == "wrong-type"
