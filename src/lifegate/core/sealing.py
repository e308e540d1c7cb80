"""Authenticated encryption of small personal values (identifiers in sessions and logs).

AES-256-GCM with a key derived from `LIFEGATE_SUBJECT_KEY` per purpose; the purpose is also
the associated data, so a value sealed for one use cannot be opened as another."""

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


class UnsealError(ValueError):
    """The sealed value was damaged, forged, or sealed with another key or purpose."""


def _key(purpose: str) -> bytes:
    secret = settings.LIFEGATE_SUBJECT_KEY.encode()
    return hmac.new(secret, f"lifegate:{purpose}".encode(), hashlib.sha256).digest()


def seal(purpose: str, plaintext: str) -> str:
    """Encrypt `plaintext` for `purpose`; the result is URL-safe base64 text."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(purpose: str, token: str) -> str:
    """Inverse of `seal`; raises `UnsealError` for anything not sealed by us for `purpose`."""
    try:
        raw = base64.urlsafe_b64decode(token.encode())
        plain = AESGCM(_key(purpose)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()
        )
    except (InvalidTag, ValueError, TypeError) as exc:
        raise UnsealError(purpose) from exc
    return plain.decode()
