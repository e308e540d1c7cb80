"""IETF Token Status List: the revocation and suspension state of issued credentials.

A status list is a byte array holding one status of `bits` bits (1, 2, 4 or 8) per
credential; entry i sits in byte i * bits // 8, starting at the least significant bit. It
is published compressed (DEFLATE in the ZLIB format, base64url) inside a JWT signed by the
issuer (typ `statuslist+jwt`, `sub` = the list's URI), which verifiers may cache for `ttl`
seconds. A credential points to its entry with status.status_list {"idx", "uri"}.

Everything that can go wrong with a fetched list raises CredentialRejected with code
status-unavailable: the verifier then cannot tell whether the credential was revoked."""

import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from joserfc.jwk import Key

from lifegate.credentials import compact
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.sdjwt_verify import CertifiedKeyLookup

VALID = 0
INVALID = 1
SUSPENDED = 2
STATUS_LIST_TYPE = "statuslist+jwt"
BIT_SIZES = (1, 2, 4, 8)
# 2^24 entries of 8 bits: a list larger than this is not one lifegate publishes or reads.
MAX_LIST_BYTES = 16 * 1024 * 1024
# A compressed list of mostly valid entries is small; a random 16 MiB list would not fit.
MAX_TOKEN_BYTES = 4 * 1024 * 1024
ALLOWED_CLOCK_SKEW_SECONDS = 60

# (iss, kid) -> the status list issuer's public key, or None when not trusted.
StatusListKeyLookup = Callable[[str, str | None], Key | None]


class StatusList:
    """`size` statuses of `bits` bits each, all VALID (0) at first."""

    def __init__(self, bits: int, size: int) -> None:
        if bits not in BIT_SIZES:
            raise ValueError("bits is 1, 2, 4 or 8")
        byte_count = (size * bits + 7) // 8
        if size < 0 or byte_count > MAX_LIST_BYTES:
            raise ValueError(f"size must lie between 0 and {MAX_LIST_BYTES * 8 // bits}")
        self.bits = bits
        self.size = size
        self._bytes = bytearray(byte_count)

    @classmethod
    def from_bytes(cls, bits: int, data: bytes) -> "StatusList":
        """The list stored in `data`; its size is every entry the bytes hold."""
        status_list = cls(bits, 0)  # checks bits
        if len(data) > MAX_LIST_BYTES:
            raise ValueError(f"a status list holds at most {MAX_LIST_BYTES} bytes")
        status_list.size = len(data) * 8 // bits
        status_list._bytes = bytearray(data)  # one copy (verifiers make one per check)
        return status_list

    def get(self, index: int) -> int:
        """The status of entry `index`."""
        byte, shift = self._position(index)
        return (self._bytes[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, index: int, status: int) -> None:
        """Set entry `index` to `status` (0 .. 2^bits - 1)."""
        if not 0 <= status < 1 << self.bits:
            raise ValueError(f"a {self.bits}-bit status lies between 0 and {(1 << self.bits) - 1}")
        byte, shift = self._position(index)
        mask = ((1 << self.bits) - 1) << shift
        self._bytes[byte] = (self._bytes[byte] & ~mask) | (status << shift)

    def to_bytes(self) -> bytes:
        """The uncompressed byte array."""
        return bytes(self._bytes)

    def encode(self) -> dict[str, Any]:
        """The `status_list` claim: {"bits", "lst"} with lst = base64url(zlib(bytes))."""
        compressed = zlib.compress(bytes(self._bytes), level=zlib.Z_BEST_COMPRESSION)
        return {"bits": self.bits, "lst": compact.b64url_encode(compressed)}

    @classmethod
    def decode(cls, claim: Any) -> "StatusList":
        """The list in a `status_list` claim. Raises CredentialRejected (status-unavailable)
        for anything but a well-formed claim of at most MAX_LIST_BYTES uncompressed."""
        if not isinstance(claim, Mapping):
            raise _unavailable("status_list is not an object")
        bits, encoded = claim.get("bits"), claim.get("lst")
        if isinstance(bits, bool) or bits not in BIT_SIZES:
            raise _unavailable("status_list bits is not 1, 2, 4 or 8")
        if not isinstance(encoded, str):
            raise _unavailable("status_list lst is not a string")
        try:
            compressed = compact.b64url_decode(encoded, "status_list lst")
        except CredentialRejected as rejected:
            raise _unavailable(rejected.detail) from None
        return cls.from_bytes(bits, _inflate(compressed))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusList):
            return NotImplemented
        return (self.bits, self.size, self._bytes) == (other.bits, other.size, other._bytes)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"StatusList(bits={self.bits}, size={self.size})"

    def _position(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError(f"status list index {index} out of range 0..{self.size - 1}")
        bit = index * self.bits
        return bit // 8, bit % 8


def sign_status_list(
    status_list: StatusList,
    *,
    uri: str,
    issuer: str,
    key: Key,
    issued_at: int,
    ttl_seconds: int,
    expires_at: int,
    x5c: Sequence[str] = (),
) -> str:
    """A Status List Token: compact JWT (ES256, typ statuslist+jwt) for the list at `uri`,
    with the signing key's certificate chain `x5c` in its header when given."""
    header: dict[str, Any] = {"alg": compact.ALGORITHM, "typ": STATUS_LIST_TYPE}
    if key.kid:
        header["kid"] = key.kid
    if x5c:
        header["x5c"] = list(x5c)
    payload = {
        "iss": issuer,
        "sub": uri,
        "iat": issued_at,
        "exp": expires_at,
        "ttl": ttl_seconds,
        "status_list": status_list.encode(),
    }
    return compact.sign(header, payload, key)


def verify_status_list(
    token: str | bytes,
    *,
    uri: str,
    key_for: StatusListKeyLookup,
    certified_key: CertifiedKeyLookup | None = None,
    now: float | None = None,
) -> StatusList:
    """The status list in a Status List Token fetched from `uri`, after checking its size,
    typ, ES256 signature (key from `certified_key(iss, x5c)` when the header has `x5c`, else
    or when that gives None from `key_for(iss, kid)`; iss is "" when absent), that `sub`
    is `uri`, and iat/exp against `now` (default: the clock).

    Raises CredentialRejected (status-unavailable) naming the failed check in `detail`."""
    moment = time.time() if now is None else now
    try:
        jwt = compact.decode(_as_text(token), "status list token")
    except CredentialRejected as rejected:
        raise _unavailable(f"{rejected.code}: {rejected.detail}") from None
    if compact.media_type(jwt.header) != STATUS_LIST_TYPE:
        raise _unavailable(f"the header typ is not {STATUS_LIST_TYPE}")
    issuer = jwt.payload.get("iss", "")
    if not isinstance(issuer, str):
        raise _unavailable("iss is not a string")
    key = None
    if certified_key is not None and "x5c" in jwt.header:
        try:
            key = certified_key(issuer, jwt.header["x5c"], moment)
        except CredentialRejected as rejected:
            raise _unavailable(f"{rejected.code}: {rejected.detail}") from None
    if key is None:
        key = key_for(issuer, jwt.header.get("kid"))
    if key is None:
        raise _unavailable("no trusted key for this status list's issuer and kid")
    if not compact.signature_valid(jwt, key):
        raise _unavailable("the status list's signature does not verify")
    if jwt.payload.get("sub") != uri:
        raise _unavailable("the token is for another status list (sub)")
    _check_times(jwt.payload, moment)
    return StatusList.decode(jwt.payload.get("status_list"))


def _as_text(token: object) -> str:
    if not isinstance(token, str | bytes):
        raise _unavailable("a status list token is text")
    if len(token) > MAX_TOKEN_BYTES:
        raise _unavailable(f"the token is larger than {MAX_TOKEN_BYTES} bytes")
    if not token.isascii():
        raise _unavailable("a status list token is ASCII text")
    return token.decode("ascii") if isinstance(token, bytes) else token


def _check_times(claims: dict[str, Any], now: float) -> None:
    issued_at, expires_at = claims.get("iat"), claims.get("exp")
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise _unavailable("iat is not a NumericDate")
    if expires_at is not None and not _is_number(expires_at):
        raise _unavailable("exp is not a NumericDate")
    if issued_at > now + ALLOWED_CLOCK_SKEW_SECONDS:
        raise _unavailable("the status list is dated in the future")
    if expires_at is not None and now >= expires_at + ALLOWED_CLOCK_SKEW_SECONDS:
        raise _unavailable("the status list has expired")


def _inflate(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, MAX_LIST_BYTES)
    except zlib.error:
        raise _unavailable("status_list lst is not ZLIB data") from None
    if inflater.unconsumed_tail:
        raise _unavailable(f"the status list is larger than {MAX_LIST_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise _unavailable("status_list lst is not one complete ZLIB stream")
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unavailable(detail: str) -> CredentialRejected:
    return CredentialRejected("status-unavailable", detail)
