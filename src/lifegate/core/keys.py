"""Signing keys: generated on first use, kept as JWK files on disk, published as JWKS.

Private keys live only in `settings.LIFEGATE_KEY_DIR` (mode 0600): never in the database,
never in logs. Every building block that signs something (the development identity
provider, credentials, node-to-node messages) asks for its own key by name."""

import json
import re
import threading
from pathlib import Path

from django.conf import settings
from joserfc.jwk import ECKey, KeyParameters, KeySetSerialization

from lifegate.core.files import create_private_file

SIGNING_ALGORITHM = "ES256"
CURVE = "P-256"
_KEY_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_cache: dict[Path, ECKey] = {}
_lock = threading.Lock()


def signing_key(name: str) -> ECKey:
    """The private EC P-256 (ES256) key called `name`, created on first use.

    The key has a `kid`: its RFC 7638 thumbprint."""
    path = _key_path(name)
    with _lock:
        key = _cache.get(path)
        if key is None:
            key = _load(path) if path.exists() else _create(path)
            _cache[path] = key
    return key


def public_jwks(*names: str) -> KeySetSerialization:
    """A JWK Set (a dict: {"keys": [...]}) with the public parts of the named keys."""
    return {"keys": [signing_key(name).as_dict(private=False) for name in names]}


def _key_path(name: str) -> Path:
    if not _KEY_NAME.match(name):
        raise ValueError("a key name is lowercase letters, digits, '.', '_' or '-'")
    return Path(settings.LIFEGATE_KEY_DIR) / f"{name}.jwk.json"


def _load(path: Path) -> ECKey:
    key = ECKey.import_key(json.loads(path.read_text()))
    if not key.is_private:
        raise ValueError(f"{path.name} holds no private key")
    key.ensure_kid()
    return key


def _create(path: Path) -> ECKey:
    """Generate a key and publish it without ever overwriting one: when another process was
    first, its key is used, so every process signs with the same key."""
    parameters: KeyParameters = {"alg": SIGNING_ALGORITHM, "use": "sig"}
    key = ECKey.generate_key(CURVE, parameters, private=True, auto_kid=True)
    if not create_private_file(path, json.dumps(key.as_dict(private=True))):
        return _load(path)
    return key
