"""`manage.py exchange_node_info`: this node's entry for a peer's trust list, as JSON."""

import json
from typing import Any

from django.core.management.base import BaseCommand, no_translations

from lifegate.exchange.nodes import node_info


class Command(BaseCommand):
    help = (
        "Print this node's id, country, name, base URL and public signing keys (JSON), the "
        "entry a peer adds with `exchange_trust`; creates the node's key on first run."
    )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(node_info(), indent=2))
