"""The issuer's public metadata, as wallets and verifiers discover it.

- SD-JWT VC issuer metadata (`/.well-known/jwt-vc-issuer`): the issuer identifier (the node's
  base URL, the `iss` of every credential) and its JWK Set, current and retired keys.
- OpenID4VCI 1.0 credential issuer metadata (`/.well-known/openid-credential-issuer`): the
  endpoints, and one credential configuration per catalogue credential type (format
  `dc+sd-jwt`, its `vct`, ES256, key binding by JWK, display names and claim labels in Dutch
  and English), each with the `scope` a wallet asks for it by (its slug; HAIP 1.0). Without
  `authorization_servers` the issuer is its own authorization server (RFC 8414 metadata at
  /.well-known/oauth-authorization-server: token, pushed authorization request and
  authorization endpoints, PKCE S256, DPoP).
- SD-JWT VC Type Metadata at each type's `vct`, an HTTPS URL of this node
  (`/credentials/types/<slug>`): names and descriptions per language, and per claim its
  labels, that the issuer always includes it, and whether it is selectively disclosable
  (`sd` "always" for the claims a holder may leave out, "never" for the others)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import CredentialType
from lifegate.core.i18n import LANGUAGES
from lifegate.core.keys import SIGNING_ALGORITHM
from lifegate.credentials import wallets
from lifegate.credentials.keys import issuer_jwks

FORMAT = "dc+sd-jwt"
CREDENTIAL_PATH = "/credentials/oid4vci/credential"
NONCE_PATH = "/credentials/oid4vci/nonce"
TOKEN_PATH = "/credentials/oid4vci/token"
PAR_PATH = "/credentials/oid4vci/par"
AUTHORIZE_PATH = "/credentials/oid4vci/authorize"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
PKCE_METHOD = "S256"
# Client authentication with a wallet attestation (OAuth 2.0 Attestation-Based Client Auth).
ATTESTATION_AUTH_METHOD = "attest_jwt_client_auth"
ISSUER_NAME = _("lifegate: proofs from government")


def jwt_vc_issuer_metadata() -> dict[str, Any]:
    """SD-JWT VC issuer metadata: `issuer` and `jwks`."""
    return {"issuer": settings.BASE_URL, "jwks": issuer_jwks()}


def _issuer_display() -> list[dict[str, str]]:
    entries = []
    for language in LANGUAGES:
        with translation.override(language):
            entries.append({"name": str(ISSUER_NAME), "locale": language})
    return entries


def _display(kind: CredentialType) -> list[dict[str, str]]:
    entries = []
    for language in LANGUAGES:
        entry = {"name": kind.localized("name", language), "locale": language}
        description = kind.localized("description", language)
        if description:
            entry["description"] = description
        entries.append(entry)
    return entries


def _claims(kind: CredentialType) -> list[dict[str, Any]]:
    return [
        {
            "path": [key],
            "display": [
                {"name": kind.claim_label(key, language), "locale": language}
                for language in LANGUAGES
            ],
        }
        for key in kind.claim_keys
    ]


def credential_configuration(kind: CredentialType) -> dict[str, Any]:
    """The OpenID4VCI credential configuration of a credential type."""
    return {
        "format": FORMAT,
        "scope": kind.slug,
        "vct": kind.vct,
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": [SIGNING_ALGORITHM],
        "proof_types_supported": {"jwt": _jwt_proof_type()},
        "credential_metadata": {"display": _display(kind), "claims": _claims(kind)},
    }


def _some_wallet_attests() -> bool:
    try:
        return any(wallet.provider for wallet in wallets.every_wallet())
    except ImproperlyConfigured:  # reported by manage.py check; no wallet is served then
        return False


def _jwt_proof_type() -> dict[str, Any]:
    proof_type: dict[str, Any] = {"proof_signing_alg_values_supported": [SIGNING_ALGORITHM]}
    if settings.OID4VCI_REQUIRE_KEY_ATTESTATION:
        # OpenID4VCI 12.2.4: an empty object asks for a key attestation without constraints.
        proof_type["key_attestations_required"] = {}
    return proof_type


def type_metadata(kind: CredentialType) -> dict[str, Any]:
    """The SD-JWT VC Type Metadata document of a credential type, retrieved from its `vct`.
    Every claim is mandatory: the issuer refuses to issue a credential missing one."""
    disclosable = set(kind.disclosable_claims)
    document: dict[str, Any] = {"vct": kind.vct, "name": kind.name_en}
    if kind.description_en:
        document["description"] = kind.description_en
    document["display"] = _display(kind)
    document["claims"] = [
        {
            "path": [key],
            "display": [
                {"locale": language, "label": kind.claim_label(key, language)}
                for language in LANGUAGES
            ],
            "mandatory": True,
            "sd": "always" if key in disclosable else "never",
        }
        for key in kind.claim_keys
    ]
    return document


def credential_endpoint() -> str:
    """The credential endpoint's URL, as the issuer metadata names it."""
    return settings.BASE_URL + CREDENTIAL_PATH


def token_endpoint() -> str:
    """The token endpoint's URL, as the authorization server metadata names it."""
    return settings.BASE_URL + TOKEN_PATH


def credential_issuer_metadata() -> dict[str, Any]:
    """OpenID4VCI credential issuer metadata, configurations keyed by credential type slug."""
    base = settings.BASE_URL
    kinds = CredentialType.objects.order_by("slug")
    return {
        "credential_issuer": base,
        "credential_endpoint": credential_endpoint(),
        "nonce_endpoint": base + NONCE_PATH,
        "display": _issuer_display(),
        "credential_configurations_supported": {
            kind.slug: credential_configuration(kind) for kind in kinds
        },
    }


def authorization_server_metadata() -> dict[str, Any]:
    """RFC 8414 metadata of the issuer as its own authorization server: the pre-authorised
    code grant (no client authentication) and the authorization code grant for admitted
    wallets (`credentials.wallets`: known by client_id and redirect URIs, authenticated by
    wallet attestations when trusted wallet providers are configured), with pushed
    authorization requests only (RFC 9126), PKCE S256 and the `iss` response parameter
    (RFC 9207); DPoP-bound tokens (RFC 9449; HAIP 1.0 asks for DPoP)."""
    base = settings.BASE_URL
    attested: dict[str, Any] = {}
    if settings.LIFEGATE_WALLET_PROVIDER_ANCHORS and _some_wallet_attests():
        attested = {
            "token_endpoint_auth_methods_supported": ["none", ATTESTATION_AUTH_METHOD],
            "client_attestation_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "client_attestation_pop_signing_alg_values_supported": [SIGNING_ALGORITHM],
        }
    return {
        "issuer": base,
        "token_endpoint": token_endpoint(),
        "authorization_endpoint": base + AUTHORIZE_PATH,
        "pushed_authorization_request_endpoint": base + PAR_PATH,
        "require_pushed_authorization_requests": True,
        "grant_types_supported": [AUTHORIZATION_CODE_GRANT, PRE_AUTHORIZED_GRANT],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": [PKCE_METHOD],
        "scopes_supported": list(
            CredentialType.objects.order_by("slug").values_list("slug", flat=True)
        ),
        "authorization_response_iss_parameter_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
        "dpop_signing_alg_values_supported": [SIGNING_ALGORITHM],
    } | attested
