"""SD-JWT VC (RFC 9901, typ `dc+sd-jwt`): issue, select, bind (key binding) and verify.

Pure functions, no database. The issuer signs a JWT that holds salted digests of the
selectively disclosable claims; the holder keeps only the disclosures for the claims they
want to show (`select`) and proves possession of the key named in `cnf` with a KB-JWT over
the presentation (`bind`); the verifier checks all of it (`verify`). ES256 only (HAIP 1.0).

Failures of `parse`, `select` and `verify` raise `CredentialRejected` with a specific code;
mistakes of the calling code (a claim to disclose that is not there) raise ValueError."""

import hashlib
import secrets
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any

from joserfc.jwk import Key

from lifegate.credentials.compact import ALGORITHM, b64url_encode, json_dumps, sha256_b64, sign
from lifegate.credentials.sdjwt_parse import (
    ARRAY_ELEMENT,
    DIGEST_ALGORITHM,
    KEY_BINDING_TYPE,
    MAX_TOKEN_BYTES,
    NEVER_DISCLOSABLE,
    SD,
    SD_ALG,
    SD_JWT_VC_TYPE,
    SEPARATOR,
    Disclosure,
    ParsedSdJwt,
    parse,
    resolve,
)
from lifegate.credentials.sdjwt_verify import (
    ALLOWED_CLOCK_SKEW_SECONDS,
    KEY_BINDING_MAX_AGE_SECONDS,
    IssuerKeyLookup,
    StatusReference,
    VerifiedSdJwt,
    verify,
)

__all__ = [
    "ALLOWED_CLOCK_SKEW_SECONDS",
    "DIGEST_ALGORITHM",
    "KEY_BINDING_MAX_AGE_SECONDS",
    "KEY_BINDING_TYPE",
    "MAX_TOKEN_BYTES",
    "SD_JWT_VC_TYPE",
    "Disclosure",
    "IssuerKeyLookup",
    "ParsedSdJwt",
    "StatusReference",
    "VerifiedSdJwt",
    "bind",
    "digest_of",
    "issue",
    "parse",
    "select",
    "verify",
]

DEFAULT_DECOYS = 2
# 144 bits (RFC 9901 section 9.3 asks at least 128), a multiple of 3 bytes: 24 characters.
SALT_BYTES = 18
SALT_CHARS = SALT_BYTES * 4 // 3
_RESERVED = frozenset({SD, SD_ALG, ARRAY_ELEMENT, "cnf"})
_NESTED_RESERVED = _RESERVED - {"cnf"}
_PLAIN_VALUES = frozenset({str, int, float, bool, type(None)})


def issue(
    claims: Mapping[str, Any],
    *,
    disclosable: Collection[str],
    key: Key,
    holder_jwk: Mapping[str, Any] | None = None,
    decoys: int = DEFAULT_DECOYS,
    x5c: Sequence[str] = (),
) -> str:
    """An SD-JWT VC "<issuer-jwt>~<disclosure>~...~" signed with `key` (ES256).

    `claims` holds at least `iss`, `vct` and `iat` (and, as the caller wants, `exp`, `nbf`,
    `status` {"status_list": {"idx", "uri"}} and the subject's claims). Each name in
    `disclosable` becomes a disclosure: a top-level claim ("grade") or a claim inside a
    top-level object ("achievement.title"). Every object with disclosures also gets `decoys`
    fake digests, and its `_sd` array is sorted, so the payload does not tell how many or
    which claims are hidden. `holder_jwk` (a public JWK) becomes `cnf` for key binding.
    `x5c` (base64 DER certificates, the signing key's first) goes into the header."""
    _check_claims(claims, disclosable, holder_jwk)
    names = sorted(set(disclosable))
    parents = sorted({name.rpartition(".")[0] for name in names if "." in name})
    # Concealing changes only the payload and the objects that hold disclosures: copies of
    # those, so the caller's claims stay as they were (every other value is only read).
    payload = dict(claims)
    for parent in parents:
        payload[parent] = dict(payload[parent])
    salts = _salts(len(names) + max(decoys, 0) * (len(parents) + 1))
    disclosures: list[str] = []
    for name in names:
        parent, _dot, child = name.rpartition(".")
        if parent:
            _conceal(payload[parent], child, next(salts), disclosures)
    for parent in parents:
        _add_decoys_and_sort(payload[parent], decoys, salts)
    for name in (name for name in names if "." not in name):
        _conceal(payload, name, next(salts), disclosures)
    _add_decoys_and_sort(payload, decoys, salts)
    payload[SD_ALG] = DIGEST_ALGORITHM
    if holder_jwk is not None:
        payload["cnf"] = {"jwk": dict(holder_jwk)}
    header: dict[str, Any] = {"alg": ALGORITHM, "typ": SD_JWT_VC_TYPE}
    if key.kid:
        header["kid"] = key.kid
    if x5c:
        header["x5c"] = list(x5c)
    return SEPARATOR.join([sign(header, payload, key), *disclosures]) + SEPARATOR


def select(sd_jwt: str, names: Iterable[str]) -> str:
    """The SD-JWT with only the disclosures for `names` (dotted claim paths), without KB-JWT.

    A name keeps its own disclosure, the disclosures of the objects around it (to show
    "achievement.title", "achievement" must be shown too, if it is itself disclosable) and
    everything inside it ("achievement" shows all its disclosable parts). Names of claims
    that are always visible, or absent, select nothing."""
    parsed = parse(sd_jwt)
    paths = resolve(parsed.issuer_jwt.payload, parsed.disclosures).paths
    wanted = frozenset(names)
    kept = [
        disclosure.encoded
        for disclosure in parsed.disclosures
        if disclosure.digest in paths and _is_selected(paths[disclosure.digest], wanted)
    ]
    return SEPARATOR.join([parsed.issuer_jwt.text, *kept]) + SEPARATOR


def bind(sd_jwt: str, *, holder_key: Key, audience: str, nonce: str, issued_at: int) -> str:
    """The presentation: `sd_jwt` (as `select` returns it) followed by a KB-JWT signed with
    the holder's private key, for this verifier (`audience`) and request (`nonce`).

    The KB-JWT's sd_hash is the digest of `sd_jwt` exactly as presented (RFC 9901 4.3.1)."""
    if not sd_jwt.endswith(SEPARATOR):
        raise ValueError("bind takes an SD-JWT that ends with '~' and has no KB-JWT yet")
    payload = {
        "iat": issued_at,
        "aud": audience,
        "nonce": nonce,
        "sd_hash": sha256_b64(sd_jwt),
    }
    header = {"alg": ALGORITHM, "typ": KEY_BINDING_TYPE}
    return sd_jwt + sign(header, payload, holder_key)


def digest_of(sd_jwt: str) -> bytes:
    """SHA-256 of the issuer-signed JWT of `sd_jwt` (which may also be just that JWT).

    This is what the transparency log records: it identifies the credential, and reveals
    no claim, since the JWT holds only salted digests of the disclosable claims."""
    issuer_jwt = sd_jwt.split(SEPARATOR, 1)[0]
    return hashlib.sha256(issuer_jwt.encode("ascii")).digest()


def _check_claims(
    claims: Mapping[str, Any], disclosable: Collection[str], holder_jwk: Mapping[str, Any] | None
) -> None:
    for name, kind in (("iss", str), ("vct", str), ("iat", int)):
        if not isinstance(claims.get(name), kind):
            raise ValueError(f"an SD-JWT VC needs the claim {name!r} ({kind.__name__})")
    _check_no_reserved_names(claims, 0)
    for name in disclosable:
        _check_disclosable(claims, name)
    if holder_jwk is not None and "d" in holder_jwk:
        raise ValueError("holder_jwk must be the holder's public key")


def _check_no_reserved_names(value: Any, depth: int) -> None:
    if isinstance(value, Mapping):
        reserved = _RESERVED if depth == 0 else _NESTED_RESERVED
        if not reserved.isdisjoint(value):
            clash = sorted(reserved & set(value))
            raise ValueError(f"claims must not use the reserved names {clash}")
        items: Iterable[Any] = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return
    for item in items:
        if type(item) not in _PLAIN_VALUES:  # most claims: nothing inside to check
            _check_no_reserved_names(item, depth + 1)


def _check_disclosable(claims: Mapping[str, Any], name: str) -> None:
    parent, _dot, child = name.rpartition(".")
    if not parent:
        if name in NEVER_DISCLOSABLE:
            raise ValueError(f"{name!r} must stay visible in an SD-JWT VC")
        if name not in claims:
            raise ValueError(f"no claim {name!r} to make disclosable")
        return
    if parent in NEVER_DISCLOSABLE:
        raise ValueError(f"{parent!r} must stay visible in an SD-JWT VC")
    container = claims.get(parent)
    if "." in parent or not isinstance(container, Mapping) or child not in container:
        raise ValueError(f"no claim {name!r} inside a top-level object to make disclosable")


def _salts(count: int) -> Iterator[str]:
    """`count` random base64url salts of SALT_BYTES, from one call to the system's random
    source, encoded at once (SALT_BYTES is a multiple of 3: each salt is whole characters)."""
    pool = b64url_encode(secrets.token_bytes(SALT_BYTES * count))
    return (pool[start : start + SALT_CHARS] for start in range(0, len(pool), SALT_CHARS))


def _conceal(obj: dict[str, Any], name: str, salt: str, disclosures: list[str]) -> None:
    """Move claim `name` out of `obj` into a new disclosure; leave its digest in `_sd`."""
    encoded = b64url_encode(_disclosure_json(salt, name, obj.pop(name)))
    obj.setdefault(SD, []).append(sha256_b64(encoded))
    disclosures.append(encoded)


def _disclosure_json(salt: str, name: str, value: Any) -> bytes:
    """json_dumps([salt, name, value]), the same bytes, made directly for the usual case of
    a string or integer value (the salt is base64url: nothing in it needs escaping)."""
    if type(value) is str:
        encoded_value = encode_basestring(value)
    elif type(value) is int:
        encoded_value = int.__repr__(value)
    else:
        return json_dumps([salt, name, value])
    return f'["{salt}",{encode_basestring(name)},{encoded_value}]'.encode()


def _add_decoys_and_sort(obj: dict[str, Any], decoys: int, salts: Iterator[str]) -> None:
    if SD not in obj:
        return
    digests: list[str] = obj[SD]
    # A decoy is the digest of a random string: indistinguishable from a real digest.
    digests.extend(sha256_b64(next(salts)) for _ in range(decoys))
    # Sorted, digests (of salted values) tell nothing of the claims' order (RFC 9901 4.2.4.1).
    digests.sort()


def _is_selected(path: str, wanted: frozenset[str]) -> bool:
    return any(
        path == name or name.startswith(path + ".") or path.startswith(name + ".")
        for name in wanted
    )
