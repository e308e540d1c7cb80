"""`manage.py audit_credential_log`: recompute the credentials transparency log from its
entries and check it against the stored tree and every signed checkpoint. Prints what was
checked and every problem; exits with status 1 when there is a problem (for cron and CI)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, no_translations

from lifegate.credentials.log_audit import audit


class Command(BaseCommand):
    help = (
        "Audit the credentials transparency log: every subtree recomputed from the entries, "
        "every checkpoint's signature and root, consistency between consecutive checkpoints."
    )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        report = audit()
        for line in report.checked():
            self.stdout.write(f"checked: {line}")
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"problem: {problem}"))
        if not report.ok:
            raise CommandError(f"the log failed its audit ({len(report.problems)} problems)")
        self.stdout.write(self.style.SUCCESS("the log is intact"))
