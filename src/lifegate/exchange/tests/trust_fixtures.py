"""Two nodes in one test process: this node ("nl") and a trusted peer ("ee"), each with its
own signing key in a temporary key directory, and a trust list naming the peer. A test signs
"as" the peer (or as a stranger) and verifies as this node. The fixture `nodes_in_process`
(conftest.py) sets it up."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jws

from lifegate.core.keys import public_jwks, signing_key
from lifegate.exchange import messages
from lifegate.exchange.nodes import NODE_KEY_NAME

PEER_URL = "http://127.0.0.1:9"


@dataclass
class NodesInProcess:
    settings: Any
    tmp_path: Path

    @property
    def peers_file(self) -> Path:
        return Path(self.settings.EXCHANGE_PEERS_FILE)

    def key_dir(self, node_id: str) -> Path:
        return self.tmp_path / "keys" / node_id

    @contextmanager
    def acting_as(self, node_id: str, key_dir: str = "") -> Iterator[None]:
        """Settings of node `node_id` (its own key directory, or the one named) meanwhile."""
        saved = (self.settings.NODE_ID, self.settings.LIFEGATE_KEY_DIR)
        self.settings.NODE_ID = node_id
        self.settings.LIFEGATE_KEY_DIR = self.key_dir(key_dir or node_id)
        try:
            yield
        finally:
            self.settings.NODE_ID, self.settings.LIFEGATE_KEY_DIR = saved

    def sign_as(
        self,
        node_id: str,
        payload: dict[str, Any] | None = None,
        key_dir: str = "",
        **envelope: Any,
    ) -> str:
        """A message signed by `node_id` (with the key in the key directory of node `key_dir`,
        by default its own) to this node ("nl") unless `to` says otherwise."""
        options = {"to": "nl", "message_type": "ping", "conversation_id": "c-1"} | envelope
        with self.acting_as(node_id, key_dir):
            return messages.sign(payload or {"nonce": "n-1"}, **options)

    def craft(self, claims: Any, header: dict[str, Any] | None = None, node_id: str = "ee") -> str:
        """A JWS signed with the real key of `node_id` but with any header and claims."""
        with self.acting_as(node_id):
            key = signing_key(NODE_KEY_NAME)
        protected = {"alg": "ES256", "kid": key.kid, "typ": messages.MESSAGE_TYP} | (header or {})
        return jws.serialize_compact(protected, json.dumps(claims), key)

    def write_peers(self, document: Any) -> None:
        self.peers_file.write_text(document if isinstance(document, str) else json.dumps(document))

    def peer_entry(self, node_id: str = "ee", **changes: Any) -> dict[str, Any]:
        with self.acting_as(node_id):
            jwks = public_jwks(NODE_KEY_NAME)
        entry = {
            "id": node_id,
            "country": node_id.upper(),
            "name": f"node {node_id}",
            "base_url": PEER_URL,
            "jwks": jwks,
        }
        return entry | changes
