"""`manage.py seal_processing_log`: link every processing record not yet on the hash chain and
sign a checkpoint of every partition's head (unless nothing changed since the last). Safe to
run as often as you like, also beside the task; --enqueue leaves it to the task worker."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lifegate.transparency import chain, tasks


class Command(BaseCommand):
    help = "Seal the processing log: chain new records and sign a checkpoint (or --enqueue it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="let the task worker do it")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            tasks.seal_processing_log.enqueue()
            self.stdout.write("enqueued: seal_processing_log")
            return
        try:
            linked = chain.extend_chain()
            checkpoint = chain.seal()
        except chain.ChainDamaged as error:
            raise CommandError(f"not sealed: {error} (run verify_processing_log)") from error
        self.stdout.write(f"records linked: {linked}")
        lengths = ", ".join(str(length) for length in checkpoint.lengths)
        self.stdout.write(
            f"checkpoint {checkpoint.number} ({checkpoint.issued_at:%Y-%m-%d %H:%M:%S} UTC): "
            f"partition lengths {lengths}"
        )
