"""`manage.py credentials_housekeeping`: periodic work of the credentials building block,
for cron (and `make demo`). Safe to run as often as you like."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser, no_translations

from lifegate.credentials import oid4vci_purge, tasks, verifying


class Command(BaseCommand):
    help = (
        "Enqueue the removal of verifiers' presentation requests and their results past "
        "LIFEGATE_PRESENTATION_RETENTION_MINUTES, and of OpenID4VCI offers, wallet requests, "
        "nonces and used proofs no longer of use, and the follow-up of issuer keys withdrawn "
        "in the last week; --now does it here instead of in the worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="do it in this process")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(f"presentation requests removed: {verifying.purge_stale()}")
            self.stdout.write(f"wallet exchanges removed: {oid4vci_purge.purge_spent()}")
            self.stdout.write(f"withdrawn keys: {tasks.follow_up_withdrawals.call()}")
            return
        tasks.purge_presentation_requests.enqueue()
        tasks.purge_wallet_exchanges.enqueue()
        tasks.follow_up_withdrawals.enqueue()
        self.stdout.write(
            "enqueued: purge_presentation_requests, purge_wallet_exchanges, follow_up_withdrawals"
        )
