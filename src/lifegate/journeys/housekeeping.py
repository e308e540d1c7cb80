"""The journeys' periodic work, for cron (`journeys_housekeeping`, also run by `make demo`):
webhook deliveries whose attempt is due, registry events whose task was lost, and evidence
files that no submitted document refers to. Each step is safe to run at any interval."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from lifegate.core.orphans import remove_orphan_files
from lifegate.journeys import delivery, event_processing
from lifegate.journeys.evidence import STORAGE_FOLDER
from lifegate.journeys.models import SubmittedDocument, evidence_storage

# A file younger than this may belong to a submission that is still committing.
ORPHAN_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class Done:
    """What one run did."""

    deliveries: int
    events: int
    orphans_removed: int


def remove_orphan_documents(now: datetime | None = None) -> int:
    """Delete evidence files of submissions that never committed (a process killed between
    writing the file and committing its row) once older than ORPHAN_AGE; returns how many."""
    return remove_orphan_files(
        evidence_storage(),
        STORAGE_FOLDER,
        _referred,
        (now or timezone.now()) - ORPHAN_AGE,
    )


def _referred(names: list[str]) -> set[str]:
    return set(SubmittedDocument.objects.filter(file__in=names).values_list("file", flat=True))


def run(now: datetime | None = None) -> Done:
    """Every step, in this process (deliveries and events are enqueued for the worker)."""
    due = delivery.due_deliveries(now)
    for item in due:
        delivery.enqueue(item.pk)
    return Done(
        deliveries=len(due),
        events=event_processing.enqueue_pending(),
        orphans_removed=remove_orphan_documents(now),
    )
