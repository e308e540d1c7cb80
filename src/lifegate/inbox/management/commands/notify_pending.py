"""The safety net for new-message notifications: enqueue the messages still waiting for their
e-mail some minutes after they were sent (their task was lost, or failed). Safe to run from
cron at any interval: a message is notified once however often it is enqueued.
`inbox_housekeeping` runs this too."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser, no_translations

from lifegate.inbox import notifications


class Command(BaseCommand):
    help = "Enqueue notifications of messages still not notified (safe to run often)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.INBOX_NOTIFY_SWEEP_MINUTES,
            help="minutes since the message was sent (LIFEGATE_INBOX_NOTIFY_SWEEP_MINUTES)",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        count = notifications.notify_pending(older_than_minutes=options["older_than"])
        self.stdout.write(f"{count} messages enqueued for notification")
