"""The issuer's signing keys: a key ring on disk that rotates, never in the database.

The keys are ES256 (P-256) keys in settings.LIFEGATE_KEY_DIR, made and loaded like every
other lifegate key (`lifegate.core.keys`), named `credentials-issuer-<n>`. A small ring file
beside them (`credentials-issuer-ring.json`, no secrets) says which one is current and when
the others were retired. `rotate()` (`manage.py rotate_issuer_key`) adds a new current key.

A retired key stays published (`issuer_jwks`) as long as anything it signed can still be
valid: a credential that has not expired (or never expires), or a status list token, which
lives at most STATUS_TOKEN_LIFETIME. Its private key file stays on disk: dropping it would
gain nothing and lose the record of what was used.

A stolen or lost key is withdrawn instead (`withdraw`, `manage.py withdraw_issuer_key`): it is
taken out of the published set at once, whatever it signed, and this node's lookup refuses it
with `withdrawn-key` (a current key is replaced by a new one first). What it signed no longer
verifies: the portal wallet's credentials are signed again (`withdrawal`), copies in external
wallets have to be picked up again."""

import fcntl
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from joserfc.jwk import ECKey, Key, KeySetSerialization

from lifegate.core.files import create_private_file, replace_file
from lifegate.core.keys import signing_key
from lifegate.credentials.errors import CredentialRejected

KEY_PREFIX = "credentials-issuer-"
RING_FILE = "credentials-issuer-ring.json"
LOCK_FILE = ".credentials-issuer-ring.lock"
# How long a signed status list token is valid (its `exp`): a retired key stays published at
# least this long, so verifiers can still check the tokens it signed.
STATUS_TOKEN_LIFETIME = timedelta(hours=24)

_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int, int, int], "Ring"]] = {}


@dataclass(frozen=True)
class RingKey:
    """A key of the ring: its number, kid, and when it was made and (if so) retired."""

    number: int
    kid: str
    created_at: datetime
    retired_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def name(self) -> str:
        """The key's name for `lifegate.core.keys.signing_key`."""
        return f"{KEY_PREFIX}{self.number}"

    def as_dict(self) -> dict[str, Any]:
        """How the ring file writes it."""
        return {
            "number": self.number,
            "kid": self.kid,
            "created_at": self.created_at.isoformat(),
            "retired_at": _moment_text(self.retired_at),
            "withdrawn_at": _moment_text(self.withdrawn_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RingKey":
        """Inverse of `as_dict` (a ring written before withdrawals has no withdrawn_at)."""
        return cls(
            number=int(data["number"]),
            kid=str(data["kid"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            retired_at=_moment(data.get("retired_at")),
            withdrawn_at=_moment(data.get("withdrawn_at")),
        )


def _moment_text(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Ring:
    """The ring file: every key, the current one last."""

    keys: tuple[RingKey, ...]

    @property
    def current(self) -> RingKey:
        """The key that signs from now on; never a withdrawn one (`withdraw` makes a new one
        first), so a ring edited or restored by hand into that state stops signing."""
        current = self.keys[-1]
        if current.withdrawn_at is not None:
            raise ImproperlyConfigured(
                f"the current issuer key {current.kid} is withdrawn: run rotate_issuer_key"
            )
        return current

    @property
    def withdrawn_kids(self) -> frozenset[str]:
        """The kids of the withdrawn keys."""
        return frozenset(key.kid for key in self.keys if key.withdrawn_at)

    def text(self) -> str:
        """The ring file's content."""
        return json.dumps({"keys": [key.as_dict() for key in self.keys]}, indent=2) + "\n"


def _directory() -> Path:
    return Path(settings.LIFEGATE_KEY_DIR)


def _new_ring_key(number: int) -> RingKey:
    key = signing_key(f"{KEY_PREFIX}{number}")
    return RingKey(number=number, kid=str(key.kid), created_at=timezone.now())


def _read_ring() -> Ring | None:
    path = _directory() / RING_FILE
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    # Every write is a new file (`replace_file`): its inode tells two writes within one tick
    # of the clock apart, which the modification time alone would not.
    stamp = (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
    data = json.loads(path.read_text())
    ring = Ring(tuple(RingKey.from_dict(each) for each in data["keys"]))
    with _lock:
        _cache[path] = (stamp, ring)
    return ring


def ring() -> Ring:
    """The key ring, made with a first key on first use (by whichever process is first)."""
    found = _read_ring()
    if found is not None:
        return found
    first = Ring((_new_ring_key(1),))
    # When another process was first, its ring (and first key, the same file) stands.
    create_private_file(_directory() / RING_FILE, first.text())
    return _read_ring() or first


@contextmanager
def _ring_lock() -> Iterator[None]:
    """Rotations take turns (two at once must not both add key n+1 and lose one)."""
    directory = _directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_ring(new: Ring) -> None:
    replace_file(_directory() / RING_FILE, new.text())


def rotate() -> RingKey:
    """Make a new current issuer key and retire the one before; returns the new key."""
    with _ring_lock():
        old = ring()
        now = timezone.now()
        last = old.keys[-1]  # (also when it was withdrawn by hand: this mends that)
        retired = replace(last, retired_at=last.retired_at or now)
        new = _new_ring_key(last.number + 1)
        _write_ring(Ring((*old.keys[:-1], retired, new)))
    return new


class UnknownKey(Exception):
    """No key of the ring has this kid."""


@dataclass(frozen=True)
class Withdrawal:
    """What `withdraw` did: the withdrawn key, the key that signs now, whether a new one had
    to be made (the withdrawn key was current), and whether it was withdrawn before."""

    key: RingKey
    current: RingKey
    rotated: bool
    already: bool


def withdraw(kid: str) -> Withdrawal:
    """Take the key `kid` out of use at once: never published or accepted again, whatever it
    signed. The current key is first replaced by a new one. Raises UnknownKey."""
    with _ring_lock():
        old = ring()
        found = next((key for key in old.keys if key.kid == kid), None)
        if found is None:
            raise UnknownKey(kid)
        if found.withdrawn_at is not None:
            return Withdrawal(found, old.keys[-1], rotated=False, already=True)
        now = timezone.now()
        withdrawn = replace(found, retired_at=found.retired_at or now, withdrawn_at=now)
        kept = [withdrawn if key.number == found.number else key for key in old.keys]
        last = old.keys[-1]
        rotated = found.number == last.number
        if rotated:
            kept.append(_new_ring_key(last.number + 1))
        _write_ring(Ring(tuple(kept)))
    return Withdrawal(withdrawn, kept[-1], rotated=rotated, already=False)


def current_issuer_key() -> ECKey:
    """The private key that signs credentials and status lists now (ES256, kid set)."""
    return signing_key(ring().current.name)


def _still_needed(retired: list[RingKey]) -> set[str]:
    """The kids of retired keys that signed something that may still be valid."""
    from lifegate.credentials.models import IssuedCredential

    now = timezone.now()
    recent = {
        key.kid
        for key in retired
        if key.retired_at is None or key.retired_at + STATUS_TOKEN_LIFETIME > now
    }
    unexpired = IssuedCredential.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), kid__in=[key.kid for key in retired]
    )
    return recent | set(unexpired.values_list("kid", flat=True).distinct())


def published_keys() -> list[ECKey]:
    """The current key and every retired key still needed, current first (private keys:
    callers publish only `as_dict(private=False)`)."""
    found = ring()
    keys = found.keys
    needed = _still_needed([key for key in keys[:-1] if key.withdrawn_at is None])
    kept = [found.current, *(key for key in reversed(keys[:-1]) if key.kid in needed)]
    return [signing_key(key.name) for key in kept]


def issuer_jwks() -> KeySetSerialization:
    """The issuer's public keys as a JWK Set: what its credentials and status lists verify
    with."""
    return {"keys": [key.as_dict(private=False) for key in published_keys()]}


def issuer_key(issuer: str, kid: str | None) -> Key | None:
    """The public key of this node's issuer with `kid`, if published: the lookup that
    `sdjwt.verify` and `statuslist.verify_status_list` take, trusting this node only.
    Raises CredentialRejected (withdrawn-key) for a key this node withdrew."""
    if issuer != settings.BASE_URL or not kid:
        return None
    if kid in ring().withdrawn_kids:
        raise CredentialRejected("withdrawn-key", "the issuer withdrew the key that signed it")
    for key in issuer_jwks()["keys"]:
        if key.get("kid") == kid:
            return ECKey.import_key(dict(key))
    return None
