"""`manage.py exchange_trust SOURCE`: put another node in this node's trust list.

SOURCE is that node's `exchange_node_info` output: a file, `-` for standard input, or a URL
(its base URL, or the full URL of its GET /api/exchange/node)."""

import json
import sys
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lifegate.exchange import nodes

NODE_INFO_PATH = "/api/exchange/node"


class Command(BaseCommand):
    help = (
        "Add a peer node to the trust list (EXCHANGE_PEERS_FILE) from its node info (a file, "
        "'-' or a URL), or replace its entry; --remove ID takes a node out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", help="node info: file, '-' or URL")
        parser.add_argument("--name", help="the name to show for the node (default: its own)")
        parser.add_argument("--remove", metavar="ID", help="remove node ID from the trust list")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.EXCHANGE_PEERS_FILE
        if options["remove"]:
            removed = nodes.distrust(options["remove"])
            verb = "removed from" if removed else "was not in"
            self.stdout.write(f"node {options['remove']} {verb} the trust list {path}")
            return
        if not options["source"]:
            raise CommandError("give the node info: a file, '-' or a URL (or --remove ID)")
        info = _read(options["source"])
        if options["name"] and isinstance(info, dict):
            info["name"] = options["name"]
        try:
            peer = nodes.trust(info)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        kids = ", ".join(str(key.kid) for key in peer.jwks)
        self.stdout.write(
            f"trusting node {peer.id} ({peer.country}, {peer.name}) at {peer.base_url}, "
            f"keys {kids}; trust list {path}"
        )


def _read(source: str) -> Any:
    try:
        if source == "-":
            text = sys.stdin.read()
        elif urlsplit(source).scheme in ("http", "https"):
            text = _fetch(source)
        else:
            with open(source, encoding="utf-8") as file:
                text = file.read()
        return json.loads(text)
    except (OSError, requests.RequestException) as error:
        raise CommandError(f"cannot read the node info: {error}") from error
    except ValueError as error:
        raise CommandError(f"the node info is not JSON: {error}") from error


def _fetch(url: str) -> str:
    if urlsplit(url).path in ("", "/"):
        url = url.rstrip("/") + NODE_INFO_PATH
    timeout = (settings.EXCHANGE_CONNECT_TIMEOUT_SECONDS, settings.EXCHANGE_READ_TIMEOUT_SECONDS)
    response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.text
