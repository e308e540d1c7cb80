"""`manage.py exchange_ping PEER`: a signed round trip to a peer node, to check that the two
nodes trust each other."""

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lifegate.exchange import messages
from lifegate.exchange.client import PeerRefused, PeerUnavailable
from lifegate.exchange.nodes import UnknownNode
from lifegate.exchange.ping import ping_token, send_ping


class Command(BaseCommand):
    help = (
        "Send a signed ping to a peer node and print its verified pong (JSON); --sign-only "
        "prints the signed ping instead of sending it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("peer", help="the peer's node id, as in the trust list")
        parser.add_argument("--sign-only", action="store_true", help="print the signed ping")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["sign_only"]:
                self.stdout.write(ping_token(options["peer"]))
                return
            result = send_ping(options["peer"])
        except UnknownNode as error:
            raise CommandError(f"node {error} is not in the trust list") from error
        except PeerRefused as error:
            raise CommandError(
                f"the peer refused the ping: {error.status} {error.problem}"
            ) from error
        except PeerUnavailable as error:
            raise CommandError(f"the peer is unavailable: {error.reason}") from error
        except messages.MessageRejected as error:
            raise CommandError(
                f"the pong was refused: {error.code}: {error.description}"
            ) from error
        self.stdout.write(json.dumps(asdict(result)))
