"""`manage.py exchange_housekeeping`: periodic work of the evidence exchange, for cron (and
`make demo-federation`). Safe to run as often as you like."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser, no_translations

from lifegate.exchange import delivery, messages, tasks


class Command(BaseCommand):
    help = (
        "Enqueue the removal of expired replay records of node messages and the expiry of "
        "evidence requests nobody decided on in time; --now does both here instead of in the "
        "worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="do it in this process")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(
                f"expired message records removed: {messages.forget_expired_messages()}"
            )
            self.stdout.write(f"evidence requests expired: {delivery.expire_due()}")
            return
        tasks.forget_expired_messages.enqueue()
        tasks.expire_requests.enqueue()
        self.stdout.write("enqueued: forget_expired_messages, expire_requests")
