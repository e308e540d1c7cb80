"""The safety net for registry events: enqueue every accepted event whose task seems lost
(accepted more than five minutes ago and still not processed). Safe to run from cron at any
interval: processing an event twice starts nothing twice."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser, no_translations

from lifegate.journeys import event_processing


class Command(BaseCommand):
    help = "Enqueue registry events that were accepted but not processed (safe to run often)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than", type=int, default=300, help="seconds since the event was accepted"
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        count = event_processing.enqueue_pending(options["older_than"])
        self.stdout.write(f"{count} registry events enqueued")
