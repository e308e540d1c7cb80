"""`manage.py verify_processing_log`: recompute the processing log's hash chains from the
records and check every signed checkpoint. Prints what was checked and every problem (with
record ids and positions, never personal data); exits with status 1 on a problem (for cron,
CI and the restore drill). --json prints the report as JSON instead."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lifegate.transparency import chain


class Command(BaseCommand):
    help = (
        "Verify the processing log: every record against its link, every link against the "
        "one before, every checkpoint's signature and signed heads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        report = chain.verify_chain()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            for line in report.checked():
                self.stdout.write(f"checked: {line}")
            for problem in report.problems:
                self.stdout.write(self.style.ERROR(f"problem: {problem.kind}: {problem.detail}"))
                where = {
                    "record": problem.record_id,
                    "partition": problem.partition,
                    "position": problem.position,
                    "checkpoint": problem.checkpoint,
                }
                found = ", ".join(f"{k} {v}" for k, v in where.items() if v is not None)
                if found:
                    self.stdout.write(f"  at {found}")
            for kind, count in report.unlisted.items():
                self.stdout.write(self.style.ERROR(f"problem: ... and {count} more {kind}"))
        if not report.ok:
            total = len(report.problems) + sum(report.unlisted.values())
            raise CommandError(f"the processing log failed verification ({total} problems)")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("the processing log is intact"))
