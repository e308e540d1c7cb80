"""Keys, a demo diploma and helpers shared by the SD-JWT tests (no database)."""

import json
from typing import Any

from joserfc.jwk import ECKey, Key

from lifegate.credentials import compact, sdjwt

NOW = 1_800_000_000
ISSUER = "https://lifegate.example/issuers/duo"
VERIFIER = "https://verifier.example"
NONCE = "n-0S6_WzA2Mj"
VCT = "https://lifegate.example/credentials/diploma"
STATUS_URI = "https://lifegate.example/statuslists/1"


def new_key() -> ECKey:
    """A fresh ES256 key with an RFC 7638 thumbprint as kid."""
    return ECKey.generate_key("P-256", {"alg": "ES256", "use": "sig"}, private=True, auto_kid=True)


ISSUER_KEY = new_key()
HOLDER_KEY = new_key()
OTHER_KEY = new_key()


def diploma_claims(**overrides: Any) -> dict[str, Any]:
    """A diploma modelled on the European Learning Model core."""
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "vct": VCT,
        "iat": NOW - 3600,
        "exp": NOW + 365 * 24 * 3600,
        "status": {"status_list": {"idx": 42, "uri": STATUS_URI}},
        "given_name": "Sanne",
        "family_name": "de Vries",
        "achievement": {
            "title": "Master of Science in Computer Science",
            "level": "EQF 7",
            "awarding_body": "Universiteit van Nergens",
            "awarded_on": "2024-07-05",
            "grade": "cum laude",
        },
    }
    claims.update(overrides)
    return claims


DISCLOSABLE = (
    "given_name",
    "family_name",
    "achievement",
    "achievement.title",
    "achievement.level",
    "achievement.grade",
)


def issue_diploma(**overrides: Any) -> str:
    """A diploma SD-JWT VC bound to HOLDER_KEY."""
    return sdjwt.issue(
        diploma_claims(**overrides),
        disclosable=DISCLOSABLE,
        key=ISSUER_KEY,
        holder_jwk=HOLDER_KEY.as_dict(private=False),
    )


def present(sd_jwt: str, names: tuple[str, ...], **bind_overrides: Any) -> str:
    """Select `names` and bind for VERIFIER/NONCE at NOW (overridable)."""
    arguments: dict[str, Any] = {
        "holder_key": HOLDER_KEY,
        "audience": VERIFIER,
        "nonce": NONCE,
        "issued_at": NOW,
    }
    arguments.update(bind_overrides)
    return sdjwt.bind(sdjwt.select(sd_jwt, names), **arguments)


def issuer_key_lookup(issuer: str, kid: str | None) -> Key | None:
    """The trust list of these tests: one issuer, one key."""
    return ISSUER_KEY if issuer == ISSUER and kid == ISSUER_KEY.kid else None


def verify(token: str | bytes, **overrides: Any) -> sdjwt.VerifiedSdJwt:
    """sdjwt.verify as a verifier expecting VERIFIER/NONCE at NOW."""
    arguments: dict[str, Any] = {
        "issuer_key": issuer_key_lookup,
        "audience": VERIFIER,
        "nonce": NONCE,
        "now": NOW,
    }
    arguments.update(overrides)
    return sdjwt.verify(token, **arguments)


def disclosure(*content: Any) -> str:
    """An encoded disclosure, e.g. disclosure(salt, name, value)."""
    return compact.b64url_encode(json.dumps(list(content)).encode())


def signed_sd_jwt(payload: dict[str, Any], disclosures: list[str], **header: Any) -> str:
    """An SD-JWT whose issuer-signed payload is exactly `payload`, signed by ISSUER_KEY:
    for cases a well-behaved issuer never produces."""
    protected = {"alg": "ES256", "typ": "dc+sd-jwt", "kid": ISSUER_KEY.kid, **header}
    return "~".join([compact.sign(protected, payload, ISSUER_KEY), *disclosures]) + "~"


def digest(encoded_disclosure: str) -> str:
    """The SD-JWT digest of an encoded disclosure."""
    return compact.sha256_b64(encoded_disclosure)
