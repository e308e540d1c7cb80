"""The SD-JWT wire format (RFC 9901): split a compact SD-JWT, decode its disclosures, and
resolve them against the digests in the issuer-signed payload.

`parse` only checks structure; `resolve` applies the processing rules of RFC 9901 section
7.1 (each digest at most once, disclosures of the right shape in the right place, no claim
named twice). Neither checks a signature: `sdjwt.verify` does that first."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from lifegate.credentials.compact import CompactJws, b64url_decode, decode, json_loads, sha256_b64
from lifegate.credentials.errors import CredentialRejected

# A diploma with every field and a certificate chain in the header stays far below this;
# anything larger is refused before a single byte is decoded.
MAX_TOKEN_BYTES = 64 * 1024
# Nesting of objects, arrays and disclosures inside disclosures.
MAX_DEPTH = 32
SEPARATOR = "~"
SD_JWT_VC_TYPE = "dc+sd-jwt"
KEY_BINDING_TYPE = "kb+jwt"
DIGEST_ALGORITHM = "sha-256"
# SD-JWT VC section 3.2.2.2: these claims are always visible to every verifier.
NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
SD = "_sd"
SD_ALG = "_sd_alg"
ARRAY_ELEMENT = "..."
RESERVED_NAMES = frozenset({SD, ARRAY_ELEMENT})
_CONTAINERS = (dict, list)


class Disclosure(NamedTuple):
    """One disclosure: `name` is None for an array element. (A named tuple: a credential
    carries many, and a frozen dataclass takes three times as long to make.)"""

    encoded: str
    digest: str
    salt: str
    name: str | None
    value: Any


@dataclass(frozen=True)
class ParsedSdJwt:
    """A structurally sound SD-JWT (+ optional KB-JWT), nothing verified yet.

    `presented` is the SD-JWT without the KB-JWT ("<issuer-jwt>~<d1>~...~<dN>~"): the
    string the KB-JWT's sd_hash covers."""

    issuer_jwt: CompactJws
    disclosures: tuple[Disclosure, ...]
    key_binding_jwt: CompactJws | None
    presented: str


@dataclass
class Resolution:
    """The payload with disclosed claims put in place, and where each disclosure went."""

    claims: dict[str, Any]
    # digest of each disclosure used -> dotted claim path ("title", "achievement.title",
    # "nationalities.0")
    paths: dict[str, str] = field(default_factory=dict)


def parse(token: str | bytes) -> ParsedSdJwt:
    """Split a compact SD-JWT into its issuer-signed JWT, disclosures and KB-JWT.

    Raises CredentialRejected: oversized (before any decoding), malformed, unsupported-
    algorithm, duplicate-disclosure."""
    text = _as_text(token)
    parts = text.split(SEPARATOR)
    if len(parts) < 2:
        raise CredentialRejected("malformed", "not an SD-JWT: no '~' separator")
    issuer_jwt = decode(parts[0], "issuer-signed JWT")
    encoded = parts[1:-1]
    if len(set(encoded)) != len(encoded):
        raise CredentialRejected("duplicate-disclosure", "a disclosure is presented twice")
    disclosures = tuple(_disclosure(item) for item in encoded)
    key_binding_jwt = decode(parts[-1], "KB-JWT") if parts[-1] else None
    presented = text[: len(text) - len(parts[-1])]
    return ParsedSdJwt(issuer_jwt, disclosures, key_binding_jwt, presented)


def resolve(payload: dict[str, Any], disclosures: Sequence[Disclosure]) -> Resolution:
    """Replace the digests in `payload` by the disclosed claims (RFC 9901 section 7.1).

    Digests without a disclosure (undisclosed claims and decoys) disappear, as do `_sd`
    and `_sd_alg`. Raises CredentialRejected: duplicate-digest, malformed."""
    resolver = _Resolver(disclosures)
    claims = resolver.object(payload, "", 0)
    claims.pop(SD_ALG, None)
    return Resolution(claims, resolver.paths)


def _as_text(token: object) -> str:
    if isinstance(token, bytes):
        if len(token) > MAX_TOKEN_BYTES:
            raise CredentialRejected("oversized", f"larger than {MAX_TOKEN_BYTES} bytes")
        if not token.isascii():
            raise CredentialRejected("malformed", "an SD-JWT is ASCII text")
        return token.decode("ascii")
    if not isinstance(token, str):
        raise CredentialRejected("malformed", "an SD-JWT is text")
    # A character is at least one byte, so this check needs no encoding first.
    if len(token) > MAX_TOKEN_BYTES:
        raise CredentialRejected("oversized", f"larger than {MAX_TOKEN_BYTES} bytes")
    if not token.isascii():
        raise CredentialRejected("malformed", "an SD-JWT is ASCII text")
    return token


def _disclosure(encoded: str) -> Disclosure:
    if not encoded:
        raise CredentialRejected("malformed", "an empty disclosure")
    content = json_loads(b64url_decode(encoded, "disclosure"), "disclosure")
    if type(content) is not list or len(content) not in (2, 3):
        raise CredentialRejected("malformed", "a disclosure is not an array of 2 or 3 items")
    salt = content[0]
    if not isinstance(salt, str):
        raise CredentialRejected("malformed", "a disclosure's salt is not a string")
    if len(content) == 2:
        name = None
    else:
        name = content[1]
        if not isinstance(name, str):
            raise CredentialRejected("malformed", "a disclosure's claim name is not a string")
        if name in RESERVED_NAMES:
            raise CredentialRejected("malformed", f"a disclosure uses the reserved name {name!r}")
    return Disclosure(encoded, sha256_b64(encoded), salt, name, content[-1])


class _Resolver:
    """Walks the payload once; every digest it meets, in `_sd` arrays and `...` array
    elements, directly or inside disclosed values, must be new."""

    def __init__(self, disclosures: Sequence[Disclosure]) -> None:
        self.by_digest = {disclosure.digest: disclosure for disclosure in disclosures}
        self.seen: set[str] = set()
        self.paths: dict[str, str] = {}

    def value(self, value: Any, path: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CredentialRejected("malformed", f"claims nested deeper than {MAX_DEPTH}")
        if isinstance(value, dict):
            return self.object(value, path, depth)
        if isinstance(value, list):
            return self.array(value, path, depth)
        return value

    def object(self, obj: dict[str, Any], path: str, depth: int) -> dict[str, Any]:
        # Claims are mostly plain values: only objects and arrays go through `value`, and
        # a path is only made for them (`value` checks the depth of every other value).
        result: dict[str, Any] = {}
        for name, item in obj.items():
            if name == SD:
                continue
            if isinstance(item, _CONTAINERS):
                result[name] = self.value(item, _join(path, name), depth + 1)
            elif depth >= MAX_DEPTH:
                self.value(item, path, depth + 1)  # raises: too deep
            else:
                result[name] = item
        digests = obj.get(SD, [])
        if not isinstance(digests, list):
            raise CredentialRejected("malformed", "_sd is not an array")
        for digest in digests:
            disclosure = self.disclosure_for(digest)
            if disclosure is None:
                continue
            if disclosure.name is None:
                raise CredentialRejected("malformed", "an array element disclosed as a claim")
            if disclosure.name in result:
                raise CredentialRejected("malformed", f"claim {disclosure.name!r} given twice")
            child = _join(path, disclosure.name)
            self.paths[digest] = child
            result[disclosure.name] = self.value(disclosure.value, child, depth + 1)
        return result

    def array(self, array: list[Any], path: str, depth: int) -> list[Any]:
        result: list[Any] = []
        for element in array:
            child = _join(path, str(len(result)))
            if not _is_element_digest(element):
                result.append(self.value(element, child, depth + 1))
                continue
            digest = element[ARRAY_ELEMENT]
            disclosure = self.disclosure_for(digest)
            if disclosure is None:
                continue
            if disclosure.name is not None:
                raise CredentialRejected("malformed", "a claim disclosed as an array element")
            self.paths[digest] = child
            result.append(self.value(disclosure.value, child, depth + 1))
        return result

    def disclosure_for(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise CredentialRejected("malformed", "a digest is not a string")
        seen = self.seen
        if digest in seen:
            raise CredentialRejected("duplicate-digest", "a digest occurs more than once")
        seen.add(digest)
        return self.by_digest.get(digest)


def _is_element_digest(element: Any) -> bool:
    return isinstance(element, dict) and len(element) == 1 and ARRAY_ELEMENT in element


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
