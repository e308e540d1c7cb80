"""The message box's periodic work, for cron (and `make demo`): notifications whose task was
lost, reminders, unread reports to senders, expiry warnings and removal of expired messages.
Also takes over tasks a killed worker left "running". Safe to run as often as you like: every
step does its work once, and a step still waiting in the queue is not enqueued again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser, no_translations

from lifegate.inbox import tasks


class Command(BaseCommand):
    help = (
        "Enqueue the message box's housekeeping (notification sweep, reminders, unread "
        "reports, expiry warnings, removal of expired messages); --now runs it here instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="run every step in this process, not the worker"
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        recovered = tasks.recover_lost_tasks()
        if recovered:
            self.stdout.write(f"{recovered} lost tasks enqueued again")
        if options["now"]:
            for step in tasks.HOUSEKEEPING:
                self.stdout.write(f"{step.name}: {step.call()}")
            return
        enqueued = tasks.enqueue_housekeeping()
        self.stdout.write(f"enqueued: {', '.join(enqueued) or 'nothing (all still queued)'}")
