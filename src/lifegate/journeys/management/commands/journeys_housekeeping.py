"""The journeys' periodic work, for cron (and `make demo`): see `journeys.housekeeping`."""

from typing import Any

from django.core.management.base import BaseCommand, no_translations

from lifegate.journeys import housekeeping


class Command(BaseCommand):
    help = (
        "Enqueue webhook deliveries that are due and registry events whose task was lost, and "
        "remove evidence files no submission refers to (safe to run often)."
    )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        done = housekeeping.run()
        self.stdout.write(
            f"{done.deliveries} deliveries enqueued, {done.events} registry events enqueued, "
            f"{done.orphans_removed} orphaned evidence files removed"
        )
