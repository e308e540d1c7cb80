"""The processing record table: span ids stay unique, and on PostgreSQL it carries no index
that nothing asks for (every record written pays for each one)."""

import pytest
from django.db import IntegrityError, connection, transaction

from lifegate.core.subject import Subject
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, record_processing, records_about

pytestmark = pytest.mark.django_db

RESIDENT = Subject("bsn", "999990019")


def _record() -> ProcessingRecord:
    return record_processing(
        name="registries.read_person",
        subject=RESIDENT,
        activity="registries-read",
        actor=Actor(kind="person", subject=RESIDENT),
        data_categories=["name"],
    )


def test_a_span_id_cannot_be_recorded_twice() -> None:
    record = _record()
    record.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_a_persons_records_are_found_newest_first() -> None:
    first, second = _record(), _record()

    assert [r.pk for r in records_about(RESIDENT)] == [second.pk, first.pk]


def test_the_record_table_has_no_pattern_or_duplicate_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL gives varchar columns a second index for LIKE; SQLite does not")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
            [ProcessingRecord._meta.db_table],
        )
        definitions = [definition.split(" USING btree ")[1] for (definition,) in cursor]
    # The primary key, span id (unique), trace id, and a person's records newest first.
    assert sorted(definitions) == [
        "(data_subject_hash, start_time DESC)",
        "(id)",
        "(span_id)",
        "(trace_id)",
    ]
