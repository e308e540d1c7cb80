"""The usage figures themselves: what is counted in which month, the median time to a
decision, the share read within 7 days, the evidence sent once-only or uploaded, and that the
figures come from a fixed number of aggregate queries however much usage there is."""

from datetime import date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifegate.exchange.models import EvidenceRequest
from lifegate.opendata.disclosure import Status
from lifegate.opendata.statistics import usage_statistics
from lifegate.opendata.tests.factories import (
    IN_MONTH,
    MONTH,
    TODAY,
    make_decision,
    make_exchanged_evidence,
    make_journey,
    make_message,
    make_submission,
    make_upload,
    moment,
)


def _value(measure: str, dimension_id: str, month: str = MONTH) -> object:
    figure = usage_statistics(TODAY).figure(measure, dimension_id, month)
    return figure.value if figure.status == Status.PUBLISHED else figure.status.value


def test_journeys_count_in_the_month_they_started_and_the_month_they_finished(catalogue):
    for who in range(10):
        make_journey(catalogue.moving, who, date(2026, 9, 28), finished_on=date(2026, 10, 2))

    assert _value("journeys-started", "moving", "2026-09") == 10
    assert _value("journeys-completed", "moving", "2026-09") == "suppressed"
    assert _value("journeys-completed", "moving", "2026-10") == 10


def test_months_follow_dutch_time(catalogue):
    """23:30 on 31 October in Amsterdam is 22:30 UTC: still October."""
    late_evening = timezone.make_aware(datetime(2026, 10, 31, 23, 30))
    for who in range(10):
        make_message(catalogue.svb, who, late_evening, read_after=None)

    assert _value("messages-sent", "svb", "2026-10") == 10


def test_the_median_of_an_odd_number_of_decisions_is_the_middle_one(catalogue):
    sent = moment(date(2026, 9, 20))
    for who, days in enumerate([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30]):
        make_decision(catalogue.child_benefit, who, sent, sent + timedelta(days=days + 10))

    assert _value("decisions", "child-benefit") == 11
    assert _value("median-days-to-decision", "child-benefit") == 16.0


def test_the_median_of_an_even_number_of_decisions_averages_the_middle_two(catalogue):
    sent = moment(date(2026, 9, 20))
    for who, hours in enumerate([24, 48, 72, 96, 120, 144, 168, 192, 216, 240]):
        make_decision(catalogue.child_benefit, who, sent, sent + timedelta(hours=hours + 240))

    assert _value("median-days-to-decision", "child-benefit") == 15.5  # (360 h + 384 h) / 2


def test_decisions_count_in_the_month_of_the_decision_per_service(catalogue):
    for who in range(10):
        make_decision(
            catalogue.child_benefit, who, moment(date(2026, 8, 25)), moment(date(2026, 9, 1))
        )
    for who in range(10):
        make_decision(catalogue.state_pension, who, moment(IN_MONTH), moment(IN_MONTH))

    assert _value("decisions", "child-benefit", "2026-09") == 10
    assert _value("decisions", "child-benefit") == "suppressed"
    assert _value("decisions", "state-pension") == 10
    assert _value("median-days-to-decision", "state-pension") == 0.0


def test_read_within_7_days_includes_the_seventh_day(catalogue):
    sent = moment(IN_MONTH)
    for who in range(10):
        make_message(catalogue.svb, who, sent, read_after=timedelta(days=7))
    for who in range(10, 20):
        make_message(catalogue.svb, who, sent, read_after=timedelta(days=7, seconds=1))
    for who in range(20, 30):
        make_message(catalogue.svb, who, sent, read_after=None)

    assert _value("messages-sent", "svb") == 30
    assert _value("messages-read-within-7-days", "svb") == 33.3


def test_evidence_counts_per_receiving_organisation_once_only_and_uploaded(catalogue):
    for who in range(10):
        submission = make_submission(catalogue.child_benefit, who, moment(IN_MONTH))
        make_exchanged_evidence(submission, "birth-certificate")
        make_exchanged_evidence(submission, "residence")
        make_upload(submission, "proof-of-address")
    for who in range(10, 22):
        make_upload(make_submission(catalogue.student_finance, who, moment(IN_MONTH)))

    assert _value("evidence-once-only", "svb") == 20
    assert _value("evidence-uploaded", "svb") == 10
    assert _value("evidence-once-only", "duo") == "suppressed"
    assert _value("evidence-uploaded", "duo") == 12
    assert _value("evidence-uploaded", "gemeente-utrecht") == "suppressed"


def test_evidence_counts_only_once_it_was_sent_with_a_submission(catalogue):
    for who in range(10):
        submission = make_submission(catalogue.child_benefit, who, moment(IN_MONTH))
        make_exchanged_evidence(submission, "birth-certificate")
        # Asked for but never shared, or shared but still waiting to be sent along.
        make_exchanged_evidence(submission, "residence", EvidenceRequest.Status.DECLINED)
        make_exchanged_evidence(submission, "income", EvidenceRequest.Status.AWAITING_CONSENT)
        not_sent = make_exchanged_evidence(submission, "identity")
        EvidenceRequest.objects.filter(pk=not_sent.pk).update(submission=None)

    assert _value("evidence-once-only", "svb") == 10


def test_evidence_counts_in_the_month_the_submission_was_sent(catalogue):
    """Sent at 23:30 on 30 September in Amsterdam (21:30 UTC), evidence received earlier."""
    late_evening = timezone.make_aware(datetime(2026, 9, 30, 23, 30))
    for who in range(10):
        submission = make_submission(catalogue.state_pension, who, late_evening)
        make_exchanged_evidence(submission)
        make_upload(submission)

    assert _value("evidence-once-only", "svb", "2026-09") == 10
    assert _value("evidence-uploaded", "svb", "2026-09") == 10
    assert _value("evidence-once-only", "svb", "2026-10") == "suppressed"
    assert _value("evidence-uploaded", "svb", "2026-10") == "suppressed"


def test_the_number_of_queries_does_not_grow_with_usage(catalogue):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            usage_statistics(TODAY)
        return len(captured)

    make_journey(catalogue.birth, 1, IN_MONTH)
    few = queries()
    for who in range(2, 40):
        make_journey(catalogue.birth, who, IN_MONTH, finished_on=IN_MONTH)
        make_decision(catalogue.child_benefit, who, moment(IN_MONTH), moment(IN_MONTH))
        make_message(catalogue.duo, who, moment(IN_MONTH), read_after=timedelta(days=1))
        submission = make_submission(catalogue.student_finance, who, moment(IN_MONTH))
        make_exchanged_evidence(submission)
        make_upload(submission)

    assert queries() == few
