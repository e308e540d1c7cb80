"""`manage.py seal_credential_log`: sign a checkpoint of the credentials transparency log
(its current size and root), unless the latest checkpoint has that size already. Safe to run
as often as you like; --enqueue leaves it to the task worker."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lifegate.credentials import log, tasks


class Command(BaseCommand):
    help = "Sign a checkpoint of the credentials transparency log (or --enqueue it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="let the task worker do it")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            tasks.seal_log.enqueue()
            self.stdout.write("enqueued: seal_log")
            return
        try:
            checkpoint = log.checkpoint()
        except log.LogDamaged as error:
            raise CommandError(f"not signed: {error} (run audit_credential_log)") from error
        self.stdout.write(
            f"checkpoint: size {checkpoint.size}, root {log.b64(bytes(checkpoint.root))}"
        )
