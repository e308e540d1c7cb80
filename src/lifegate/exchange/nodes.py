"""This node and its trust list: the peer nodes it exchanges evidence with, and their keys.

The trust list is a JSON file (settings.EXCHANGE_PEERS_FILE):

    {"peers": [{"id": "ee", "country": "EE", "name": "lifegate Estonia",
                "base_url": "http://127.0.0.1:8001", "jwks": {"keys": [<public EC keys>]}}]}

A node not in it is refused. Without the file this node trusts nobody. The file is read again
whenever it changes on disk, so `manage.py exchange_trust` takes effect without a restart."""

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django_countries import countries
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from lifegate.core.keys import SIGNING_ALGORITHM, public_jwks

NODE_KEY_NAME = "exchange-node"
NODE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
ENTRY_FIELDS = ("id", "country", "name", "base_url", "jwks")


class UnknownNode(LookupError):
    """No peer node with this id is in the trust list."""


@dataclass(frozen=True)
class ThisNode:
    """This lifegate node as its peers know it."""

    id: str
    country: str
    base_url: str


@dataclass(frozen=True)
class Peer:
    """A trusted peer node: where it is and which keys sign its messages."""

    id: str
    country: str
    name: str
    base_url: str
    jwks: KeySet

    def url(self, path: str) -> str:
        """The absolute URL of `path` (starting with "/") on this peer."""
        return self.base_url + path


def this_node() -> ThisNode:
    """This node, from settings NODE_ID, NODE_COUNTRY and BASE_URL."""
    return ThisNode(id=settings.NODE_ID, country=settings.NODE_COUNTRY, base_url=settings.BASE_URL)


def node_name(country: str) -> str:
    """The display name of the node of `country` (in English, the exchange's language)."""
    with translation.override("en"):
        return f"lifegate {countries.name(country) or country}"


def node_info() -> dict[str, Any]:
    """What peers need to trust this node: id, country, name, base URL and public keys (JWKS).
    Creates the node's signing key on first use."""
    node = this_node()
    return {
        "id": node.id,
        "country": node.country,
        "name": node_name(node.country),
        "base_url": node.base_url,
        "jwks": public_jwks(NODE_KEY_NAME),
    }


def peer(node_id: str) -> Peer:
    """The trusted peer `node_id`; raises UnknownNode when the trust list does not name it."""
    try:
        return _trust_list()[node_id]
    except KeyError:
        raise UnknownNode(node_id) from None


def peers() -> list[Peer]:
    """Every trusted peer, in the order of the trust list."""
    return list(_trust_list().values())


def parse_entry(entry: Any, where: str = "peer") -> Peer:
    """A validated peer from one trust-list entry (also the output of `exchange_node_info`);
    raises ImproperlyConfigured saying what is wrong."""
    if not isinstance(entry, dict):
        raise ImproperlyConfigured(f"{where}: must be an object")
    missing = [field for field in ENTRY_FIELDS if field not in entry]
    if missing:
        raise ImproperlyConfigured(f"{where}: missing {', '.join(missing)}")
    node_id, country, name = entry["id"], entry["country"], entry["name"]
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        raise ImproperlyConfigured(f"{where}: id must be lowercase letters, digits and '-'")
    if not isinstance(country, str) or not COUNTRY_CODE.match(country):
        raise ImproperlyConfigured(f"{where}: country must be a two-letter code such as 'EE'")
    if not isinstance(name, str) or not name.strip():
        raise ImproperlyConfigured(f"{where}: name must be a non-empty text")
    return Peer(
        id=node_id,
        country=country,
        name=name.strip(),
        base_url=_base_url(entry["base_url"], where),
        jwks=_public_keys(entry["jwks"], where),
    )


def _base_url(value: Any, where: str) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{where}: base_url must be an http(s) URL")
    if parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{where}: base_url must not have a query or fragment")
    return str(value).rstrip("/")


def _public_keys(value: Any, where: str) -> KeySet:
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list) or not value["keys"]:
        raise ImproperlyConfigured(f"{where}: jwks must be a JWK Set with at least one key")
    try:
        key_set = KeySet.import_key_set(value)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise ImproperlyConfigured(f"{where}: jwks holds an unreadable key") from error
    for key in key_set:
        # A trust list is public: a private key in it is a leak, not a configuration.
        if not isinstance(key, ECKey) or key.is_private or key.alg not in (None, SIGNING_ALGORITHM):
            raise ImproperlyConfigured(f"{where}: jwks must hold public EC P-256 keys only")
        if key.as_dict()["crv"] != "P-256":
            raise ImproperlyConfigured(f"{where}: jwks must hold public EC P-256 keys only")
    return key_set


def parse_trust_list(document: Any, source: str) -> dict[str, Peer]:
    """The peers of a trust-list document, by id; ImproperlyConfigured when it is malformed."""
    if not isinstance(document, dict) or not isinstance(document.get("peers"), list):
        raise ImproperlyConfigured(f'{source}: must be an object with a "peers" list')
    result: dict[str, Peer] = {}
    for index, entry in enumerate(document["peers"]):
        found = parse_entry(entry, f"{source}: peers[{index}]")
        if found.id in result:
            raise ImproperlyConfigured(f"{source}: peer {found.id!r} appears twice")
        if found.id == settings.NODE_ID:
            raise ImproperlyConfigured(f"{source}: names this node ({found.id!r}) as a peer")
        result[found.id] = found
    return result


def read_trust_list(path: Path) -> dict[str, Peer]:
    """The peers in the trust-list file at `path` (none when there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"{path}: not valid JSON ({error})") from error
    return parse_trust_list(document, str(path))


# The parsed trust list, keyed by the file's identity on disk so that an edit (or an atomic
# replace) is picked up by every process at its next lookup.
_cache: dict[str, tuple[tuple[int, int, int], dict[str, Peer]]] = {}
_lock = threading.Lock()


def _trust_list() -> dict[str, Peer]:
    path = Path(settings.EXCHANGE_PEERS_FILE)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return {}
    version = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    # Validation depends on this node's id too (a node never trusts itself as a peer).
    cache_key = f"{settings.NODE_ID}:{path}"
    with _lock:
        cached = _cache.get(cache_key)
        if cached is not None and cached[0] == version:
            return cached[1]
    loaded = read_trust_list(path)
    with _lock:
        _cache[cache_key] = (version, loaded)
    return loaded


def trust(entry: Any) -> Peer:
    """Add the node described by `entry` (the output of a peer's `exchange_node_info`) to the
    trust list file, or replace the entry with its id; returns the peer. The file is replaced
    atomically, so running nodes never read half of it."""
    found = parse_entry(entry, "node info")
    if found.id == settings.NODE_ID:
        raise ImproperlyConfigured(f"node info: {found.id!r} is this node itself")
    document = _trust_document()
    others = [e for e in document["peers"] if not (isinstance(e, dict) and e.get("id") == found.id)]
    clean = {field: entry[field] for field in ENTRY_FIELDS} | {"base_url": found.base_url}
    _write_trust_document({**document, "peers": [*others, clean]})
    return found


def distrust(node_id: str) -> bool:
    """Remove node `node_id` from the trust list file; False when it was not in it."""
    document = _trust_document()
    kept = [e for e in document["peers"] if not (isinstance(e, dict) and e.get("id") == node_id)]
    if len(kept) == len(document["peers"]):
        return False
    _write_trust_document({**document, "peers": kept})
    return True


def _trust_document() -> dict[str, Any]:
    path = Path(settings.EXCHANGE_PEERS_FILE)
    read_trust_list(path)  # refuse to edit a file that is already broken
    if not path.exists():
        return {"peers": []}
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _write_trust_document(document: dict[str, Any]) -> None:
    path = Path(settings.EXCHANGE_PEERS_FILE)
    parse_trust_list(document, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
