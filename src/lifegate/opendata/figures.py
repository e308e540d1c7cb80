"""Raw monthly counts behind the usage statistics, each from one aggregate query.

Every count comes with the number of different people it is based on (distinct keyed hashes
of the person, counted inside the database): suppression looks at people, not rows. No query
reads an identifier, a sealed value or a text; only dates, catalogue keys and counts leave the
database, which is why these queries record no processing of anyone's personal data.

The queries use only what SQLite and PostgreSQL both offer: grouping by month, counts with
filters and window functions for the median."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from lifegate.exchange.models import EvidenceRequest
from lifegate.inbox.models import Message
from lifegate.journeys.models import Journey, StatusChange, Submission, SubmittedDocument
from lifegate.opendata.periods import Period, month_key

Key = tuple[str, str]  # (catalogue slug, "YYYY-MM")
READ_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class Counts:
    """How many things happened (journeys, decisions, pieces of evidence) and to how many
    different people."""

    rows: int
    people: int


@dataclass(frozen=True)
class MessageCounts:
    """Messages an organisation sent in a month, and how many were read within 7 days. The
    people counts are recipients: all, those who read within 7 days, and those who did not."""

    sent: int
    people: int
    read: int
    readers: int
    non_readers: int


def journeys_started(period: Period) -> dict[Key, Counts]:
    """Journeys started per life event and month (by the day they started)."""
    journeys = Journey.objects.filter(
        started_on__gte=period.first_day, started_on__lt=period.end_day
    ).annotate(month=TruncMonth("started_on"))
    return _counted(journeys, "life_event_slug", "id", "subject_hash")


def journeys_completed(period: Period) -> dict[Key, Counts]:
    """Journeys finished per life event and month (by the moment they finished)."""
    journeys = Journey.objects.filter(
        status=Journey.Status.FINISHED,
        finished_at__gte=period.start,
        finished_at__lt=period.end,
    ).annotate(month=TruncMonth("finished_at"))
    return _counted(journeys, "life_event_slug", "id", "subject_hash")


def _decisions(period: Period) -> QuerySet[StatusChange]:
    """The status changes that decided a submission (decided or rejected; both are final, so
    each submission has at most one), in the month of the decision."""
    return StatusChange.objects.filter(
        status__in=Submission.FINAL, changed_at__gte=period.start, changed_at__lt=period.end
    ).annotate(month=TruncMonth("changed_at"), service=F("submission__service_slug"))


def decisions(period: Period) -> dict[Key, Counts]:
    """Submissions decided per service and month."""
    return _counted(_decisions(period), "service", "submission", "submission__subject_hash")


def median_days_to_decision(period: Period) -> dict[Key, float]:
    """Median days from submission to decision per service and month.

    Portable SQL has no median: a window numbers each group's decisions by duration and the
    query keeps only the middle one (odd count) or two (even count), which are averaged here."""
    partition = [F("service"), F("month")]
    middle = (
        _decisions(period)
        .annotate(
            duration=ExpressionWrapper(
                F("changed_at") - F("submission__submitted_at"), output_field=DurationField()
            )
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=F("duration").asc()),
            size=Window(Count("id"), partition_by=partition),
        )
        .filter(Q(rank=(F("size") + 1) / 2) | Q(rank=(F("size") + 2) / 2))
        .values_list("service", "month", "duration")
    )
    durations: dict[Key, list[timedelta]] = defaultdict(list)
    for service, month, duration in middle:
        durations[(service, _month(month))].append(duration)
    return {
        key: sum(values, timedelta()).total_seconds() / len(values) / 86400
        for key, values in durations.items()
    }


def messages(period: Period) -> dict[Key, MessageCounts]:
    """Messages per sending organisation and month (by the moment they were sent)."""
    read = Q(read_at__isnull=False, read_at__lte=F("sent_at") + READ_WITHIN)
    not_read = Q(read_at__isnull=True) | Q(read_at__gt=F("sent_at") + READ_WITHIN)
    groups = (
        Message.objects.filter(sent_at__gte=period.start, sent_at__lt=period.end)
        .annotate(month=TruncMonth("sent_at"))
        .values("organisation__slug", "month")
        .annotate(
            sent=Count("id"),
            people=Count("recipient_hash", distinct=True),
            read=Count("id", filter=read),
            readers=Count("recipient_hash", distinct=True, filter=read),
            non_readers=Count("recipient_hash", distinct=True, filter=not_read),
        )
        .order_by()
    )
    return {
        (group["organisation__slug"], _month(group["month"])): MessageCounts(
            sent=group["sent"],
            people=group["people"],
            read=group["read"],
            readers=group["readers"],
            non_readers=group["non_readers"],
        )
        for group in groups
    }


def evidence_once_only(period: Period) -> dict[Key, Counts]:
    """Pieces of evidence fetched from the government source that holds them and sent with a
    submission, per organisation that received the submission and month it was sent. People
    are those the evidence is about."""
    evidence = EvidenceRequest.objects.filter(
        status=EvidenceRequest.Status.RECEIVED,
        submission__submitted_at__gte=period.start,
        submission__submitted_at__lt=period.end,
    ).annotate(month=TruncMonth("submission__submitted_at"))
    return _counted(evidence, "submission__organisation__slug", "id", "subject_hash")


def evidence_uploaded(period: Period) -> dict[Key, Counts]:
    """Documents people uploaded with a submission, per organisation that received the
    submission and month it was sent. People are those who sent the submissions."""
    documents = SubmittedDocument.objects.filter(
        submission__submitted_at__gte=period.start, submission__submitted_at__lt=period.end
    ).annotate(month=TruncMonth("submission__submitted_at"))
    return _counted(documents, "submission__organisation__slug", "id", "submission__subject_hash")


def _counted(queryset: QuerySet, key: str, rows: str, person: str) -> dict[Key, Counts]:
    """`rows` (distinct) and `person` (distinct) counted per `key` and the annotated month."""
    groups = (
        queryset.values(key, "month")
        .annotate(rows=Count(rows, distinct=True), people=Count(person, distinct=True))
        .order_by()
    )
    return {
        (group[key], _month(group["month"])): Counts(rows=group["rows"], people=group["people"])
        for group in groups
    }


def _month(value: date | datetime) -> str:
    """The month key of a truncated date or date-time (the latter in the platform's zone)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return month_key(value)
