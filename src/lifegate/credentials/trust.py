"""Whom the verifier trusts: the trust list of issuers, their keys, and credential status.

The trust list is this node's own issuer (its base URL) and the issuers of the lifegate nodes
in settings.LIFEGATE_TRUSTED_ISSUERS (their base URLs): a verifier in another node trusts
this node's issuers by listing this node there. Issuers outside the list are trusted when
their credential's `x5c` certificate chain leads to a configured trust anchor
(`issuer_anchors`, HAIP 1.0; `certified_key`). A peer issuer's keys come from its SD-JWT VC
issuer metadata (`/.well-known/jwt-vc-issuer`), fetched over HTTP and cached for
JWKS_CACHE_SECONDS; an unknown kid fetches it again (the issuer may have rotated), at most
once per JWKS_REFETCH_SECONDS. This node's own keys are read directly.

Status: a credential's status list must be published by its own issuer (the token's `iss`
and its URI's origin); the token is verified with the issuer's keys. This node's own lists
are read from the database at every check (the entries its tokens are signed from), so a
revocation counts at once; a peer's list is cached for its `ttl` (at most until it
expires), as the Token Status List allows.

Both caches sit in the shared cache (one fetch serves every process) and, in front of it, in a
memo of this process that keeps each entry exactly as long as the shared entry lives: a
verification then reads neither the cache server nor a copy of the list. `forget` empties
the memo (tests, and whoever clears the shared cache on purpose)."""

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key

from lifegate.core import json_input
from lifegate.credentials import (
    compact,
    issuer_anchors,
    keys,
    peer_http,
    sdjwt_verify,
    statuslist,
)
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.models import StatusList
from lifegate.credentials.status_lists import STATUS_PATH

JWKS_CACHE_SECONDS = 300
JWKS_REFETCH_SECONDS = 60
STATUS_CACHE_MAX_SECONDS = 3600
METADATA_TYPE = "application/json"
STATUS_LIST_ACCEPT = f"application/{statuslist.STATUS_LIST_TYPE}"


class IssuerUnreachable(Exception):
    """A trusted issuer's keys could not be fetched: the credential cannot be checked now."""


def trusted_issuers() -> list[str]:
    """This node's issuer and the configured peer issuers (base URLs, no trailing slash)."""
    peers = settings.LIFEGATE_TRUSTED_ISSUERS
    issuers = [settings.BASE_URL, *(str(url).rstrip("/") for url in peers)]
    return list(dict.fromkeys(issuers))  # in order, each once


def is_trusted(issuer: str) -> bool:
    """Whether credentials of `issuer` are accepted at all."""
    return issuer in trusted_issuers()


def issuer_key(issuer: str, kid: str | None) -> Key | None:
    """The public key `kid` of a trusted issuer, or None (unknown issuer or key): the lookup
    `sdjwt.verify` and `statuslist.verify_status_list` take. Raises IssuerUnreachable when
    a peer issuer's keys cannot be fetched."""
    if issuer == settings.BASE_URL:
        return keys.issuer_key(issuer, kid)
    if not kid or not is_trusted(issuer):
        return None
    cached = _cached(_cache_key("jwks", issuer))
    found = _key_in(cached if cached is not None else _fetch_jwks(issuer), kid)
    if found is None and cached is not None and _may_refetch(issuer):
        found = _key_in(_fetch_jwks(issuer), kid)
    return found


def certified_key(issuer: str, x5c: Any, now: float | None = None) -> Key | None:
    """The key an `x5c` certificate chain to a configured trust anchor certifies for `issuer`
    at `now` (seconds since the epoch; default: the clock), or None: look the key up by kid
    (`issuer_key`) instead. So it is for the issuers of the trust list (this node and
    LIFEGATE_TRUSTED_ISSUERS): they are checked only with the keys they publish, so that no
    anchor can speak for them and a key they withdraw is refused at once. Any other issuer
    has only its chain (`issuer_anchors.certified_key`, whose refusal is CredentialRejected).
    """
    if is_trusted(issuer):
        return None
    moment = None if now is None else datetime.fromtimestamp(now, UTC)
    return issuer_anchors.certified_key(issuer, x5c, moment)


def _may_refetch(issuer: str) -> bool:
    """Whether an unknown kid may fetch the issuer's keys again now (once a minute at most:
    unknown kids must not make this node hammer a peer)."""
    return bool(cache.add(_cache_key("jwks-refetch", issuer), 1, JWKS_REFETCH_SECONDS))


def metadata_url(issuer: str) -> str:
    """Where an issuer publishes its SD-JWT VC issuer metadata: the well-known path goes
    between the host and the issuer's own path (SD-JWT VC section 5)."""
    parts = urlsplit(issuer)
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwt-vc-issuer{parts.path.rstrip('/')}"


def status_of(reference: sdjwt_verify.StatusReference, issuer: str) -> int:
    """The status (statuslist.VALID, INVALID or SUSPENDED) of entry `reference.index` of the
    status list at `reference.uri`, published by `issuer`. Raises CredentialRejected
    (status-unavailable) when it cannot be established."""
    if not reference.uri.startswith(issuer.rstrip("/") + "/"):
        raise _unavailable("the status list is not published by the credential's issuer")
    entries = _own_list(reference.uri) if issuer == settings.BASE_URL else None
    if entries is None:
        entries = _peer_list(reference.uri, issuer)
    try:
        return entries.get(reference.index)
    except IndexError:
        raise _unavailable("the status index lies outside the list") from None


def _key_in(jwks: dict[str, Any], kid: str) -> Key | None:
    for entry in jwks.get("keys", []):
        if isinstance(entry, dict) and entry.get("kid") == kid:
            return _public_key(entry)
    return None


# The JWKs imported so far, by kid, with their keys. Every verification asks for the same
# few issuer keys, and importing one (point decoding and validation) costs more than the
# signature check's share. A key is reused only for a JWK of string members (1 == True
# would make other JWKs look equal) that equals the imported one.
_imported: dict[str, tuple[dict[str, str], Key | None]] = {}
_IMPORTED_MAX = 256


def _public_key(entry: dict[str, Any]) -> Key | None:
    kid = entry["kid"]
    plain = all(type(value) is str for value in entry.values())
    known = _imported.get(kid) if plain else None
    if known is not None and known[0] == entry:
        return known[1]
    try:
        key = ECKey.import_key(entry)
    except (JoseError, ValueError, TypeError, KeyError, AttributeError):
        key = None
    if key is not None and key.is_private:
        key = None
    if plain:
        if len(_imported) >= _IMPORTED_MAX:
            _imported.clear()
        _imported[kid] = (dict(entry), key)
    return key


def _fetch_jwks(issuer: str) -> dict[str, Any]:
    """The issuer's JWK Set from its metadata, cached for JWKS_CACHE_SECONDS."""
    try:
        metadata = json_input.loads(peer_http.fetch(metadata_url(issuer), METADATA_TYPE))
    except (peer_http.PeerUnreachable, ValueError):
        raise IssuerUnreachable("the issuer's metadata could not be fetched") from None
    if not isinstance(metadata, dict) or metadata.get("issuer") != issuer:
        raise IssuerUnreachable("the issuer's metadata names another issuer")
    jwks = metadata.get("jwks")
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise IssuerUnreachable("the issuer's metadata has no JWK Set")
    _store(_cache_key("jwks", issuer), jwks, JWKS_CACHE_SECONDS)
    return jwks


def _own_list(uri: str) -> statuslist.StatusList | None:
    """This node's list at `uri`, from the database (None: not one of this node's lists)."""
    prefix = settings.BASE_URL + STATUS_PATH
    number = uri.removeprefix(prefix)
    if not uri.startswith(prefix) or not number.isdigit():
        return None
    row = StatusList.objects.filter(pk=int(number)).only("bits", "packed").first()
    if row is None:
        raise _unavailable("no such status list")
    # The list its tokens are signed from, changed in the same transaction as they are.
    return statuslist.StatusList.from_bytes(row.bits, bytes(row.packed))


def _peer_list(uri: str, issuer: str) -> statuslist.StatusList:
    return _fetched_list(
        _cache_key("status", uri), uri, _status_key(issuer), _status_certified_key(issuer)
    )


def wallet_provider_list(uri: str, provider: str | None) -> statuslist.StatusList:
    """The status list at `uri` of a wallet provider (for its wallet and key attestations):
    fetched and cached like a peer's, its token signed with a key whose certificate chain
    leads to a wallet provider anchor (settings.LIFEGATE_WALLET_PROVIDER_ANCHORS) and, unless
    `provider` is None, names `provider`. Raises CredentialRejected (status-unavailable)."""
    anchors = str(settings.LIFEGATE_WALLET_PROVIDER_ANCHORS or "")

    def no_kid_key(_issuer: str, _kid: str | None) -> Key | None:
        return None  # a provider is known by its certificate only

    def provider_key(_issuer: str, x5c: Any, now: float) -> Key | None:
        return issuer_anchors.key_certified_by(
            anchors, provider, x5c, datetime.fromtimestamp(now, UTC)
        )

    # Keyed by provider too: the same list trusted under another provider name is another entry.
    name = _cache_key("wallet-status", f"{provider or ''} {uri}")
    return _fetched_list(name, uri, no_kid_key, provider_key)


def _fetched_list(
    name: str,
    uri: str,
    key_for: statuslist.StatusListKeyLookup,
    certified: sdjwt_verify.CertifiedKeyLookup,
) -> statuslist.StatusList:
    """The status list at `uri`, cached under `name` for its token's ttl, or fetched and its
    token checked with `key_for` and `certified` (see `statuslist.verify_status_list`)."""
    cached = _cached(name, _status_list)
    if cached is not None:
        return cached
    try:
        token = peer_http.fetch(uri, STATUS_LIST_ACCEPT).strip()
    except peer_http.PeerUnreachable:
        raise _unavailable("the status list could not be fetched") from None
    try:
        entries = statuslist.verify_status_list(
            token, uri=uri, key_for=key_for, certified_key=certified
        )
    except IssuerUnreachable:
        raise _unavailable("the issuer's keys could not be fetched") from None
    seconds = _cache_seconds(token)
    if seconds > 0:
        _store(name, (entries.bits, entries.to_bytes()), seconds, entries)
    return entries


def _status_list(stored: tuple[int, bytes]) -> statuslist.StatusList:
    bits, packed = stored
    return statuslist.StatusList.from_bytes(bits, packed)


# The memo: cache key -> (when the shared entry expires, on time.time()'s clock; the value).
# A verifier asks for the same few issuers' keys and status lists again and again; reading
# them from a cache server is a round trip, and a status list is a copy of the whole list.
_memo: dict[str, tuple[float, Any]] = {}
_MEMO_MAX = 1024


def forget() -> None:
    """Empty this process's memo of keys and status lists (the shared cache stays)."""
    _memo.clear()


def _cached(name: str, restore: Callable[[Any], Any] | None = None) -> Any:
    """The value cached under `name`, from the memo or else the shared cache (then memoised
    until the shared entry expires, made usable by `restore`); None when neither has it."""
    found = _memo.get(name)
    if found is not None:
        if found[0] > _now():
            return found[1]
        _memo.pop(name, None)
    shared = cache.get(name)
    if not isinstance(shared, tuple) or len(shared) != 2 or shared[0] <= _now():
        return None
    expires, value = shared
    usable = restore(value) if restore else value
    _remember(name, expires, usable)
    return usable


def _store(name: str, value: Any, seconds: int, usable: Any = None) -> None:
    """Cache `value` under `name` for `seconds`, shared and in the memo (as `usable`, when it
    differs from what the shared cache holds)."""
    expires = _now() + seconds
    cache.set(name, (expires, value), seconds)
    _remember(name, expires, value if usable is None else usable)


def _now() -> float:
    """The clock the cached entries expire by (seconds since the epoch)."""
    return time.time()


def _remember(name: str, expires: float, value: Any) -> None:
    if len(_memo) >= _MEMO_MAX:
        _memo.clear()
    _memo[name] = (expires, value)


def _status_key(issuer: str) -> statuslist.StatusListKeyLookup:
    """Only the credential's own issuer may publish its status. The status list draft does
    not require `iss` in the token: without it, the token must verify with a key of the
    credential's issuer."""

    def key_for(token_issuer: str, kid: str | None) -> Key | None:
        return issuer_key(issuer, kid) if token_issuer in (issuer, "") else None

    return key_for


def _status_certified_key(issuer: str) -> sdjwt_verify.CertifiedKeyLookup:
    """`_status_key` for certificate chains: the token's certificate must name the
    credential's issuer."""

    def status_certified_key(token_issuer: str, x5c: Any, now: float) -> Key | None:
        return certified_key(issuer, x5c, now) if token_issuer in (issuer, "") else None

    return status_certified_key


def _cache_seconds(token: str) -> int:
    """How long a verified token may be cached: its ttl, never beyond its exp."""
    claims = compact.decode(token, "status list token").payload
    ttl = claims.get("ttl")
    seconds = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else 0
    expires = claims.get("exp")
    if isinstance(expires, int | float) and not isinstance(expires, bool):
        seconds = min(seconds, int(expires - time.time()))
    return max(0, min(seconds, STATUS_CACHE_MAX_SECONDS))


@lru_cache(maxsize=1024)
def _cache_key(kind: str, value: str) -> str:
    # Short: Django checks every character of a cache key on every use.
    return f"credentials:v2:{kind}:{hashlib.blake2b(value.encode(), digest_size=16).hexdigest()}"


def _unavailable(detail: str) -> CredentialRejected:
    return CredentialRejected("status-unavailable", detail)
