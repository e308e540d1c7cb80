"""Strict compact JWS (ES256) for credentials and status lists.

Decoding refuses anything a careful verifier should not guess at: padding or non-canonical
base64url, JSON with duplicate member names, NaN or infinite numbers, integers beyond 2**53,
headers that are not objects, `crit` extensions, and any algorithm but ES256 (HAIP). Signing
and signature checks use joserfc's ES256 algorithm (with its key checks); the compact
serialization around it is done here, since credentials are signed and checked in bulk and
joserfc's generic path (header registry, key guessing) costs a large share of a signature.
Every problem raises `CredentialRejected`, never a ValueError or binascii error."""

import binascii
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import Key

from lifegate.credentials.errors import CredentialRejected

ALGORITHM = "ES256"
_REGISTRY = jws.JWSRegistry(algorithms=[ALGORITHM])
_ES256 = _REGISTRY.get_alg(ALGORITHM)
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_+/=", b"+/!!!")
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Each byte's value as a base64url character (64 for the others, which never get this far).
_VALUE = bytes(_ALPHABET.find(byte) % 65 for byte in range(256))
# By the length modulo 4: the padding strict decoding needs, and the low bits of the last
# character that encode no byte (which the canonical spelling leaves zero).
_PADDING = (b"", b"", b"==", b"=")
_STRAY_BITS = (0, 0, 0x0F, 0x03)
_ES256_SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class CompactJws:
    """A decoded, not yet verified, compact JWS whose header and payload are JSON objects."""

    text: str
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    encoded = binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE)
    return encoded.rstrip(b"=").decode("ascii")


def b64url_decode(text: str, what: str) -> bytes:
    """Decode base64url without padding; only the canonical encoding of some bytes passes,
    so one token cannot be spelled two ways."""
    try:
        raw = text.encode("ascii")
        tail = len(raw) % 4
        # Strict decoding refuses foreign characters and misplaced padding; the translation
        # makes padding and the standard alphabet's "+" and "/" foreign too.
        data = binascii.a2b_base64(raw.translate(_FROM_URLSAFE) + _PADDING[tail], strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise CredentialRejected("malformed", f"{what} is not base64url") from None
    if tail and _VALUE[raw[-1]] & _STRAY_BITS[tail]:
        # The last character's low bits encode no byte: another spelling of the same bytes.
        raise CredentialRejected("malformed", f"{what} is not canonical base64url")
    return data


def sha256_b64(text: str) -> str:
    """base64url(SHA-256(ASCII text)): the digest SD-JWT uses for disclosures and sd_hash."""
    return b64url_encode(hashlib.sha256(text.encode("ascii")).digest())


def json_loads(data: bytes, what: str) -> Any:
    """Strict JSON: UTF-8, unique member names, finite numbers, bounded nesting."""
    try:
        text = data.decode("utf-8")
        try:
            # Exactly one value and nothing around it (the usual case): the scanner alone.
            value, end = _DECODER.scan_once(text, 0)  # type: ignore[attr-defined]
        except StopIteration:  # not a value at the start: the full decoder says why
            value, end = None, -1
        return value if end == len(text) else _DECODER.decode(text)
    except (ValueError, RecursionError):
        # ValueError covers invalid UTF-8 and JSON, duplicate names and overlong integers.
        raise CredentialRejected("malformed", f"{what} is not valid JSON") from None


def json_dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as signed."""
    return _ENCODER.encode(value).encode("utf-8")


def decode(text: str, what: str) -> CompactJws:
    """Split and decode a compact JWS signed with ES256, without checking the signature."""
    parts = text.split(".")
    if len(parts) != 3:
        raise CredentialRejected("malformed", f"{what} is not a compact JWS")
    if len(parts[0]) <= _CACHED_HEADER_CHARS:
        header = dict(_cached_header(parts[0], what))
    else:
        header = _decoded_header(parts[0], what)
    payload = json_loads(b64url_decode(parts[1], f"{what} payload"), f"{what} payload")
    if not isinstance(payload, dict):
        raise CredentialRejected("malformed", f"{what} payload is not a JSON object")
    signature = b64url_decode(parts[2], f"{what} signature")
    if len(signature) != _ES256_SIGNATURE_BYTES:
        raise CredentialRejected("malformed", f"{what} signature is not an ES256 signature")
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    return CompactJws(text, header, payload, signing_input, signature)


def _decoded_header(encoded: str, what: str) -> dict[str, Any]:
    header = json_loads(b64url_decode(encoded, f"{what} header"), f"{what} header")
    if not isinstance(header, dict):
        raise CredentialRejected("malformed", f"{what} header is not a JSON object")
    _check_header(header, what)
    return header


# A signer puts the same header on everything it signs with one key (with x5c, a kilobyte
# or more): each is decoded and checked once, and handed out as a copy of its members (their
# values are shared, and nothing changes them). A refused header raises every time.
_CACHED_HEADER_CHARS = 8192
_cached_header = lru_cache(maxsize=256)(_decoded_header)


def media_type(header: Mapping[str, Any]) -> str | None:
    """The header's typ, compared as RFC 7515 4.1.9 asks: case-insensitively, with or
    without the "application/" prefix."""
    typ = header.get("typ")
    if not isinstance(typ, str):
        return None
    return typ.lower().removeprefix("application/")


def signature_valid(token: CompactJws, key: Key) -> bool:
    """Whether `key` (an EC P-256 key fit for ES256) made the token's signature."""
    try:
        _ES256.check_key(key)
    except JoseError:
        return False
    return _ES256.verify(token.signing_input, token.signature, key)


def sign(header: Mapping[str, Any], payload: Mapping[str, Any], key: Key) -> str:
    """A compact JWS of `payload` signed with ES256; `header` must set alg ES256."""
    items = _hashable(header)
    if items is not None:
        encoded_header = _encoded_header(items)
    else:  # 1 == True would mix up cached headers: only texts are cached
        encoded_header = _check_and_encode_header(header)
    # joserfc's key checks: an EC key on P-256, allowed to sign, with no other alg or use.
    _ES256.check_key(key)
    signing_input = f"{encoded_header}.{b64url_encode(json_dumps(payload))}"
    signature = _ES256.sign(signing_input.encode("ascii"), key)
    return f"{signing_input}.{b64url_encode(signature)}"


_HeaderItems = tuple[tuple[str, str | tuple[str, ...]], ...]


def _hashable(header: Mapping[str, Any]) -> _HeaderItems | None:
    """The header as a cache key when its values are texts and lists of texts (x5c)."""
    items: list[tuple[str, str | tuple[str, ...]]] = []
    for name, value in header.items():
        if type(value) is str:
            items.append((name, value))
        elif type(value) is list and all(type(each) is str for each in value):
            items.append((name, tuple(value)))
        else:
            return None
    return tuple(items)


@lru_cache(maxsize=64)
def _encoded_header(items: _HeaderItems) -> str:
    # A signer uses a few headers (one per key and typ): each checked and encoded once.
    header = {name: list(value) if type(value) is tuple else value for name, value in items}
    return _check_and_encode_header(header)


def _check_and_encode_header(header: Mapping[str, Any]) -> str:
    if header.get("alg") != ALGORITHM:
        raise ValueError(f"sign makes {ALGORITHM} signatures only")
    _REGISTRY.check_header(dict(header))
    return b64url_encode(json_dumps(header))


def _check_header(header: dict[str, Any], what: str) -> None:
    if header.get("alg") != ALGORITHM:
        raise CredentialRejected("unsupported-algorithm", f"{what} is not signed with ES256")
    if "crit" in header:
        raise CredentialRejected("malformed", f"{what} header names critical extensions")
    for name in ("kid", "typ"):
        if name in header and not isinstance(header[name], str):
            raise CredentialRejected("malformed", f"{what} header {name} is not a string")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):  # a name given twice counts once in the dict
        raise ValueError("duplicate member name")
    return members


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _bounded_int(text: str) -> int:
    # I-JSON (RFC 7493 2.2): integers beyond 2**53 do not survive other parsers, and a
    # 400-digit one would overflow every comparison with a float (a NumericDate check).
    number = int(text)
    if not -_MAX_SAFE_INTEGER <= number <= _MAX_SAFE_INTEGER:
        raise ValueError("integer out of range")
    return number


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


# Made once: json.loads and json.dumps with options build a new decoder or encoder per call.
_MAX_SAFE_INTEGER = 2**53 - 1
_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_members,
    parse_constant=_no_constant,
    parse_float=_finite_float,
    parse_int=_bounded_int,
)
# No NaN or infinity either: JSON has none, and the decoder above refuses them.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
