"""The processing history service: a person's records only, newest first, filtered by
organisation, processing activity and period, paged by keyset both ways, described in the
active language (register texts, who acted, kinds of data, other nodes), which of them a
signed checkpoint covers, and every read recorded."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from lifegate.catalogue.loader import load_catalogue
from lifegate.catalogue.models import FormField, ProcessingActivity
from lifegate.catalogue.tests.factories import make_organisation, make_service
from lifegate.core.subject import Subject
from lifegate.exchange.provider import PROVISION_ACTIVITY
from lifegate.exchange.received import EXCHANGE_ACTIVITY
from lifegate.transparency import chain, history, history_export
from lifegate.transparency.history_labels import FOREIGN_DIRECTIONS
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import (
    Actor,
    ForeignOperation,
    record_processing,
    subject_hash,
)

pytestmark = pytest.mark.django_db
RESIDENT = Subject("bsn", "999990019")
OTHER = Subject("bsn", "999990032")
REPRESENTATIVE = Subject("bsn", "999990044")
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def own_viewer(subject: Subject = RESIDENT) -> history.Viewer:
    return history.Viewer(subject_hash(subject))


def record(
    subject: Subject = RESIDENT,
    *,
    minutes: int = 0,
    activity: str = "inbox-reading",
    actor: Actor | None = None,
    **fields: object,
) -> ProcessingRecord:
    values: dict[str, object] = {
        "name": "inbox.read",
        "subject": subject,
        "activity": activity,
        "actor": actor or Actor(kind="person", subject=subject),
        "data_categories": ["message"],
        "started_at": START + timedelta(minutes=minutes),
    }
    return record_processing(**(values | fields))  # type: ignore[arg-type]


def page(filters: history.HistoryFilter | None = None, **kwargs: object) -> history.HistoryPage:
    return history.history_page(
        RESIDENT,
        filters or history.HistoryFilter(),
        viewer=own_viewer(),
        actor=Actor(kind="person", subject=RESIDENT),
        **kwargs,  # type: ignore[arg-type]
    )


def spans(result: history.HistoryPage) -> list[str]:
    return [entry.record.span_id for entry in result.entries]


def test_it_shows_only_the_persons_records_newest_first() -> None:
    older, newer = record(minutes=1), record(minutes=5)
    record(OTHER, minutes=3)

    result = page()

    assert spans(result) == [newer.span_id, older.span_id]


def test_every_read_is_recorded_under_the_transparency_activity() -> None:
    page()

    [seen] = ProcessingRecord.objects.filter(name="transparency.history")
    assert seen.data_subject_hash == subject_hash(RESIDENT)
    assert seen.processing_activity_id == history.ACTIVITY == "transparency-access"
    assert seen.actor_hash == subject_hash(RESIDENT) and seen.data_categories == ["processing-log"]


def test_filters_by_organisation_activity_and_period() -> None:
    make_organisation("belasting-test", "Belasting Test", "Tax Test")
    agency = Actor(kind="agency", organisation="belasting-test")
    by_agency = record(minutes=0, actor=agency, activity="income-tax")
    march_1 = record(minutes=1)
    march_2 = record(minutes=24 * 60, activity="income-tax", actor=agency)

    assert spans(page(history.HistoryFilter(organisation="belasting-test"))) == [
        march_2.span_id,
        by_agency.span_id,
    ]
    both = history.HistoryFilter(activity="income-tax", since=date(2026, 3, 2))
    assert spans(page(both)) == [march_2.span_id]
    first_day = history.HistoryFilter(until=date(2026, 3, 1))
    assert march_2.span_id not in spans(page(first_day)) and len(spans(page(first_day))) == 2
    # Bounds beyond the years any record can have: nothing, or no narrowing at all.
    assert spans(page(history.HistoryFilter(until=date(1999, 12, 31)))) == []
    assert spans(page(history.HistoryFilter(since=date(9500, 1, 1)))) == []
    wide = history.HistoryFilter(since=date(1, 1, 1), until=date(9999, 12, 31))
    made = {by_agency.span_id, march_1.span_id, march_2.span_id}
    assert made <= set(spans(page(wide)))  # (with the reads of the log these pages recorded)


def test_paging_follows_the_cursors_both_ways_without_gaps_or_repeats() -> None:
    made = [record(minutes=n // 2) for n in range(7)]  # pairs share a start time

    first = page(size=3)
    second = page(size=3, after=first.next_cursor)
    third = page(size=3, after=second.next_cursor)
    back = page(size=3, before=third.previous_cursor)

    assert [len(p.entries) for p in (first, second, third)] == [3, 3, 1]
    assert first.previous_cursor is None and third.next_cursor is None
    assert spans(back) == spans(second) and back.previous_cursor is not None
    seen = spans(first) + spans(second) + spans(third)
    expected = sorted(made, key=lambda r: (r.start_time, r.pk), reverse=True)
    assert seen == [r.span_id for r in expected]


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "W10", "WyJ4IiwgMV0", "WyIyMDI2LTAzLTAxIiwgMV0"]
)
def test_a_cursor_that_was_not_handed_out_is_refused(cursor: str) -> None:
    with pytest.raises(history.InvalidCursor):
        page(after=cursor)


def test_filter_options_come_from_the_persons_own_records() -> None:
    make_organisation("belasting-test", "Belasting Test", "Tax Test")
    record(actor=Actor(kind="agency", organisation="belasting-test"))
    record(OTHER, actor=Actor(kind="agency", organisation="elsewhere"), activity="secret")

    with translation.override("en"):
        options = history.filter_options(RESIDENT)

    assert {(c.value, c.label) for c in options.organisations} == {("belasting-test", "Tax Test")}
    assert [c.value for c in options.activities] == ["inbox-reading"]
    history.check_filter(history.HistoryFilter(organisation="belasting-test"), options)
    with pytest.raises(history.UnknownFilter) as unknown:
        history.check_filter(history.HistoryFilter(organisation="elsewhere"), options)
    assert unknown.value.field == "organisation"
    with pytest.raises(history.UnknownFilter):
        history.check_filter(history.HistoryFilter(activity="secret"), options)


def test_purpose_and_legal_basis_come_from_the_register_in_the_page_language() -> None:
    controller = make_organisation("logius-test", "Logius", "Logius")
    ProcessingActivity.objects.create(
        slug="inbox-reading",
        controller=controller,
        name_nl="Uw berichtenbox tonen",
        name_en="Showing your message box",
        purpose_nl="Berichten laten lezen.",
        purpose_en="Letting you read messages.",
        legal_basis_nl="AVG artikel 6, lid 1, onder e",
        legal_basis_en="GDPR article 6(1)(e)",
    )
    record()
    record(minutes=1, activity="unregistered")

    with translation.override("en"):
        unregistered, registered = [entry.activity for entry in page().entries]
    with translation.override("nl"):
        dutch = page(history.HistoryFilter(activity="inbox-reading")).entries[0].activity

    assert (registered.name, registered.purpose, registered.legal_basis) == (
        "Showing your message box",
        "Letting you read messages.",
        "GDPR article 6(1)(e)",
    )
    assert dutch.name == "Uw berichtenbox tonen" and dutch.legal_basis.startswith("AVG")
    assert not unregistered.registered and unregistered.name == "unregistered"


def test_who_acted_is_described_without_naming_anyone_else() -> None:
    record(minutes=0)
    on_behalf = Actor(kind="person", subject=REPRESENTATIVE, on_behalf_of=RESIDENT)
    record(minutes=1, actor=on_behalf)
    record(minutes=2, actor=Actor(kind="agency", organisation="belasting-test"))
    record(minutes=3, actor=Actor(kind="system"))
    record(minutes=4, actor=Actor(kind="person", subject=OTHER))

    with translation.override("en"):
        described = [(e.acted_by.code, e.acted_by.label) for e in page().entries]

    assert described == [
        ("person", "Another person"),
        ("system", "An automated system"),
        ("agency", "The organisation"),
        ("representative", "A representative, on your behalf"),
        ("self", "You"),
    ]


def test_a_representative_looking_sees_themselves_and_the_principals_name() -> None:
    record(actor=Actor(kind="person", subject=REPRESENTATIVE, on_behalf_of=RESIDENT))
    record(minutes=1)
    viewer = history.Viewer(subject_hash(REPRESENTATIVE), "Anna de Vries")

    with translation.override("en"):
        result = history.history_page(
            RESIDENT,
            history.HistoryFilter(),
            viewer=viewer,
            actor=Actor(kind="person", subject=REPRESENTATIVE, on_behalf_of=RESIDENT),
        )

    labels = [entry.acted_by.label for entry in result.entries]
    assert labels == ["Anna de Vries", "You, on behalf of Anna de Vries"]
    [seen] = ProcessingRecord.objects.filter(name="transparency.history")
    assert seen.actor_hash == subject_hash(REPRESENTATIVE)
    assert seen.on_behalf_of_hash == subject_hash(RESIDENT)


def test_kinds_of_data_and_status_are_in_words_in_both_languages() -> None:
    record(data_categories=["date_of_birth", "bsn", "child_given_names"], status="ERROR")

    with translation.override("en"):
        [entry] = page().entries
    with translation.override("nl"):  # the first look is now a record too: left out
        [dutch] = page(history.HistoryFilter(activity="inbox-reading")).entries

    assert [c.label for c in entry.categories] == [
        "Date of birth",
        "Citizen service number (BSN)",
        "Child given names",
    ]
    assert entry.status.label == "Failed" and dutch.status.code == "ERROR"
    assert dutch.categories[0].label == "Geboortedatum"


def test_fields_sent_with_a_request_are_named_as_the_services_form_names_them() -> None:
    municipality = make_organisation("gemeente-test", "Gemeente Test", "Municipality of Test")
    moving = make_service("moving-test", municipality, "Verhuizing", "Moving")
    other = make_service("other-test", municipality, "Iets anders", "Something else")
    FormField.objects.create(
        service=moving, key="new_postcode", label_nl="Nieuwe postcode", label_en="New postcode"
    )
    FormField.objects.create(
        service=other, key="new_postcode", label_nl="Postcode", label_en="Postcode"
    )
    FormField.objects.create(
        service=other, key="move_date", label_nl="Verhuisdatum", label_en="Moving date"
    )
    record(activity="moving-test", data_categories=["new_postcode", "move_date", "name"])

    with translation.override("nl"):
        [dutch] = page().entries
    with translation.override("en"):
        english = page(history.HistoryFilter(activity="moving-test")).entries[0]

    # The service's own label first, another service's for a key it lacks, shared words
    # for kinds of data every building block uses.
    assert [c.label for c in dutch.categories] == ["Nieuwe postcode", "Verhuisdatum", "Naam"]
    assert [c.label for c in english.categories] == ["New postcode", "Moving date", "Name"]
    assert [c.code for c in english.categories] == ["new_postcode", "move_date", "name"]


def test_related_operations_in_other_nodes_say_who_asked_and_who_answered() -> None:
    node = "https://ee.lifegate.example"
    record(
        activity=PROVISION_ACTIVITY,
        foreign=ForeignOperation("a" * 32, "b" * 16, node),
    )
    record(minutes=1, activity=EXCHANGE_ACTIVITY, foreign=ForeignOperation("c" * 32, "", node))

    with translation.override("en"):
        answered, asked = [entry.foreign for entry in page().entries]

    assert asked is not None and answered is not None
    assert (asked.direction, asked.label) == ("asked-by", f"Asked by {node}")
    assert (asked.trace_id, asked.span_id) == ("a" * 32, "b" * 16)
    assert (answered.direction, answered.label) == ("answered-by", f"Answered by {node}")
    assert set(FOREIGN_DIRECTIONS) == {PROVISION_ACTIVITY, EXCHANGE_ACTIVITY}


def test_export_rows_hold_every_matching_record_and_record_the_export() -> None:
    for n in range(history_export.EXPORT_BATCH + 2):  # more than one batch
        record(minutes=n)
    record(OTHER)

    rows = list(
        history_export.export_rows(
            RESIDENT,
            history.HistoryFilter(activity="inbox-reading"),
            viewer=own_viewer(),
            actor=Actor(kind="person", subject=RESIDENT),
        )
    )

    assert len(rows) == history_export.EXPORT_BATCH + 2
    assert set(rows[0]) == set(history_export.EXPORT_FIELDS)
    assert rows[0]["started_at"] > rows[-1]["started_at"]
    assert ProcessingRecord.objects.filter(name="transparency.export").count() == 1
    assert RESIDENT.value not in str(rows)


def test_a_page_sealed_by_a_checkpoint_is_covered_entirely() -> None:
    made = [record(minutes=n) for n in range(4)]
    checkpoint = chain.seal()

    coverage = history.checkpoint_coverage(sorted(made, key=lambda r: -r.pk))

    assert coverage.covered == {r.pk for r in made} and coverage.uncovered == 0
    assert (coverage.checkpoint, coverage.issued_at) == (checkpoint.number, checkpoint.issued_at)


def test_records_after_the_last_seal_are_not_covered_yet() -> None:
    sealed = [record(minutes=n) for n in range(3)]
    chain.seal()
    newer = [record(minutes=10 + n) for n in range(2)]

    coverage = history.checkpoint_coverage(sorted(sealed + newer, key=lambda r: -r.pk))

    assert coverage.covered == {r.pk for r in sealed} and coverage.uncovered == 2
    assert coverage.checkpoint == 1


def test_without_a_checkpoint_nothing_is_covered() -> None:
    made = [record(minutes=n) for n in range(3)]

    coverage = history.checkpoint_coverage(made)

    assert coverage == history.Coverage(frozenset(), uncovered=3)
    assert history.checkpoint_coverage([]) == history.Coverage(frozenset())


def test_a_changed_record_is_never_shown_as_covered() -> None:
    made = [record(minutes=n) for n in range(6)]  # oldest first
    chain.seal()
    ProcessingRecord.objects.filter(pk=made[2].pk).update(organisation="someone-else")

    coverage = history.checkpoint_coverage(list(reversed(made)))

    assert made[2].pk not in coverage.covered
    assert coverage.covered == {made[0].pk, made[1].pk}  # the run of oldest records before it


def test_the_register_holds_the_activity_a_look_is_recorded_under() -> None:
    load_catalogue()

    activity = ProcessingActivity.objects.get(slug=history.ACTIVITY)

    assert activity.controller.slug == "logius" and "processing-log" in activity.data_categories
    assert "15" in activity.legal_basis_en and "15" in activity.legal_basis_nl
