"""`manage.py exchange_housekeeping`: periodic work of the evidence exchange, for cron (and
`make demo-federation`). Safe to run as often as you like."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser, no_translations

from lifegate.exchange import delivery, messages, tasks


class Command(BaseCommand):
    help = (
        "Enqueue the removal of expired replay records of node messages, the expiry of "
        "evidence requests nobody decided on in time and the delivery of answers whose task "
        "was lost; --now does them here instead of in the worker."
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
            self.stdout.write(f"answers enqueued again: {delivery.redeliver_stalled()}")
            return
        tasks.forget_expired_messages.enqueue()
        tasks.expire_requests.enqueue()
        tasks.redeliver_stalled.enqueue()
        self.stdout.write("enqueued: forget_expired_messages, expire_requests, redeliver_stalled")
