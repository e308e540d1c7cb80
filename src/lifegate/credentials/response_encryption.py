"""Encrypted OpenID4VP responses: response mode `direct_post.jwt` under HAIP 1.0.

Each presentation request has its own ephemeral P-256 key pair. The verifier puts the public
key in the request object's `client_metadata.jwks` (use "enc", alg "ECDH-ES", kid = its RFC
7638 thumbprint) together with `encrypted_response_enc_values_supported` (A128GCM, A256GCM);
the private key is kept only sealed in the request row, and only while the request waits.
The wallet encrypts the response parameters (a JSON object: `vp_token` and `state`, or
`error`) as a compact JWE to that key and posts it as the form field `response`.

Decryption is joserfc's, behind checks that give each refusal its own description: the
size, a readable protected header, alg ECDH-ES (no key wrapping, no `dir`), enc A128GCM or
A256GCM, and the request's kid. A response encrypted to another request's key never
decrypts with this one, so an answer cannot be moved between requests."""

import json
from collections.abc import Mapping
from typing import Any

from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from lifegate.core.sealing import seal, unseal
from lifegate.credentials import compact, sdjwt
from lifegate.credentials.errors import CredentialRejected

ALGORITHM = "ECDH-ES"
CURVE = "P-256"
DEFAULT_ENC = "A128GCM"  # OpenID4VP 1.0 section 8.3: the enc when the verifier names none
ENC_VALUES = ("A128GCM", "A256GCM")
KEY_PURPOSE = "credentials-presentation-response-key"
# Two SD-JWTs' worth of vp_token (verifying.MAX_VP_TOKEN_CHARS) as base64url (4/3 of it),
# with ample room for the protected header and the other parts.
MAX_RESPONSE_CHARS = 4 * sdjwt.MAX_TOKEN_BYTES
_REGISTRY = jwe.JWERegistry(algorithms=[ALGORITHM, *ENC_VALUES])
_REGISTRY.max_ciphertext_length = MAX_RESPONSE_CHARS


class UndecryptableResponse(ValueError):
    """A `response` that is not a JWE this request's key opens into a JSON object;
    `description` is English and names no value."""

    def __init__(self, description: str) -> None:
        self.description = description
        super().__init__(description)


def new_sealed_key() -> str:
    """A fresh P-256 key pair for one request's responses, sealed (private part included)."""
    key = ECKey.generate_key(CURVE, {"use": "enc", "alg": ALGORITHM}, private=True, auto_kid=True)
    return seal(KEY_PURPOSE, json.dumps(key.as_dict(private=True)))


def public_jwk(sealed_key: str) -> dict[str, Any]:
    """The public half of a sealed response key, as the request object's `jwks` lists it."""
    public = _key(sealed_key).as_dict(private=False)
    return {name: public[name] for name in ("kty", "crv", "x", "y", "use", "alg", "kid")}


def decrypt(response: str, sealed_key: str) -> dict[str, Any]:
    """The response parameters in `response` (a compact JWE to the sealed key). Raises
    UndecryptableResponse with a description of what is wrong."""
    if not response:
        raise UndecryptableResponse("response is missing")
    if len(response) > MAX_RESPONSE_CHARS:
        raise UndecryptableResponse("response is too large")
    header = _protected_header(response)
    if header.get("alg") != ALGORITHM:
        raise UndecryptableResponse("response must be encrypted with alg ECDH-ES")
    if header.get("enc") not in ENC_VALUES:
        raise UndecryptableResponse("response must be encrypted with enc A128GCM or A256GCM")
    key = _key(sealed_key)
    if header.get("kid") != key.kid:
        raise UndecryptableResponse("response is not encrypted to this request's key (kid)")
    try:
        plaintext = jwe.decrypt_compact(response, key, registry=_REGISTRY).plaintext
    except (JoseError, ValueError, TypeError, KeyError):
        raise UndecryptableResponse("response could not be decrypted") from None
    try:
        payload = compact.json_loads(plaintext or b"", "response payload")
    except CredentialRejected:
        raise UndecryptableResponse("response payload is not JSON") from None
    if not isinstance(payload, dict):
        raise UndecryptableResponse("response payload is not a JSON object")
    return payload


def encrypt(payload: Mapping[str, Any], recipient: ECKey, enc: str = DEFAULT_ENC) -> str:
    """`payload` as a compact JWE to `recipient` (ECDH-ES, `enc`), naming its kid: what a
    wallet posts as `response`."""
    header = {"alg": ALGORITHM, "enc": enc}
    if recipient.kid:
        header["kid"] = recipient.kid
    return jwe.encrypt_compact(header, json.dumps(payload), recipient, registry=_REGISTRY)


def _key(sealed_key: str) -> ECKey:
    return ECKey.import_key(json.loads(unseal(KEY_PURPOSE, sealed_key)))


def _protected_header(response: str) -> dict[str, Any]:
    parts = response.split(".")
    if len(parts) != 5:
        raise UndecryptableResponse("response is not a compact JWE")
    try:
        header = compact.json_loads(compact.b64url_decode(parts[0], "header"), "header")
    except CredentialRejected:
        raise UndecryptableResponse("response header is not readable") from None
    if not isinstance(header, dict):
        raise UndecryptableResponse("response header is not readable")
    return header
