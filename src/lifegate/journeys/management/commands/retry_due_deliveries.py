"""The safety net for webhook deliveries: enqueue every delivery whose attempt is due.

Each failed attempt enqueues the next one itself; this command catches what a lost task, a
crashed worker or a task backend without deferred tasks would otherwise leave behind. Safe to
run from cron at any interval: an attempt that is not due, or already running, is skipped."""

from typing import Any

from django.core.management.base import BaseCommand, no_translations

from lifegate.journeys import delivery


class Command(BaseCommand):
    help = "Enqueue webhook deliveries that are pending or due for a retry (safe to run often)."

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        due = delivery.due_deliveries()
        for item in due:
            delivery.enqueue(item.pk)
        self.stdout.write(f"{len(due)} deliveries enqueued")
