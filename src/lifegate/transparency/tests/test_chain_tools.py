"""The processing log's sealing task and commands, the check behind "your records are covered
by a verified checkpoint", the canonical bytes, and the benchmark's measurements."""

import json
import random
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lifegate.transparency import chain, chain_bench
from lifegate.transparency.canonical import PLAIN_FIELDS, digest, encoder, record_columns
from lifegate.transparency.models import ChainCheckpoint, ChainLink, ProcessingRecord
from lifegate.transparency.tasks import seal_processing_log
from lifegate.transparency.tests.chain_attacks import build_log, record_any

pytestmark = pytest.mark.django_db


@pytest.fixture
def rng() -> random.Random:
    return random.Random(9)


def canonical_of(record_id: int) -> bytes:
    table = connection.ops.quote_name(ProcessingRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {record_columns('r')} FROM {table} r WHERE r.id = %s", [record_id])
        return encoder()(cursor.fetchone())


def test_the_task_links_and_seals(rng) -> None:
    for _ in range(12):
        record_any(rng)

    number = seal_processing_log.call()

    checkpoint = ChainCheckpoint.objects.get()
    assert number == checkpoint.number == 1
    assert sum(checkpoint.lengths) == ChainLink.objects.count() == 12


def test_the_seal_command_prints_the_checkpoint(rng) -> None:
    for _ in range(5):
        record_any(rng)
    out = StringIO()

    call_command("seal_processing_log", stdout=out)

    assert "records linked: 5" in out.getvalue()
    assert "checkpoint 1 (" in out.getvalue()


def test_the_verify_command_prints_what_it_checked(rng) -> None:
    build_log(rng, rounds=1)
    out = StringIO()

    call_command("verify_processing_log", stdout=out)

    text = out.getvalue()
    assert "checked: 4 partitions, 100 links read in chain order" in text
    assert "not yet sealed: 7 (7 not yet linked)" in text
    assert "the processing log is intact" in text


def test_the_verify_command_fails_and_names_the_record_when_one_was_changed(rng) -> None:
    build_log(rng, rounds=1)
    victim = ChainLink.objects.get(partition=0, sequence=0)
    ProcessingRecord.objects.filter(pk=victim.record_id).update(organisation="Someone else")
    out = StringIO()

    with pytest.raises(CommandError, match="failed verification"):
        call_command("verify_processing_log", stdout=out)

    assert "problem: record-changed" in out.getvalue()
    assert f"record {victim.record_id}, partition {victim.partition}" in out.getvalue()


def test_the_report_is_json_for_an_api(rng) -> None:
    build_log(rng, rounds=1)
    ProcessingRecord.objects.filter(pk=ChainLink.objects.get(partition=1, sequence=5).pk).delete()

    data = json.loads(json.dumps(chain.verify_chain().as_dict()))

    assert data["ok"] is False
    assert data["problems"][0]["kind"] == "record-missing"
    assert data["links"] == 100


def test_a_persons_records_are_covered_by_the_latest_checkpoint(rng) -> None:
    build_log(rng, rounds=2)
    ids = list(ChainLink.objects.values_list("record_id", flat=True)[:30])

    covered = chain.covered_by_checkpoint(ids)

    assert covered == ChainCheckpoint.objects.get(number=2)


def test_a_record_after_the_last_seal_is_not_covered_yet(rng) -> None:
    build_log(rng, rounds=1)
    newest = ProcessingRecord.objects.latest("pk")

    assert chain.covered_by_checkpoint([newest.pk]) is None
    chain.extend_chain()
    assert chain.covered_by_checkpoint([newest.pk]) is None  # linked, not signed yet
    chain.seal()
    assert chain.covered_by_checkpoint([newest.pk]) is not None


def test_a_changed_record_is_not_covered(rng) -> None:
    build_log(rng, rounds=1)
    ids = list(ChainLink.objects.values_list("record_id", flat=True)[:10])
    ProcessingRecord.objects.filter(pk=ids[3]).update(name="x")

    assert chain.covered_by_checkpoint(ids) is None
    assert chain.covered_by_checkpoint(ids[:3]) is not None


def test_a_forged_latest_checkpoint_leaves_the_one_before(rng) -> None:
    build_log(rng, rounds=2)
    first_ids = list(ChainLink.objects.filter(sequence=0).values_list("record_id", flat=True))
    latest = ChainCheckpoint.objects.get(number=2)
    header, payload, _ = latest.token.split(".")
    ChainCheckpoint.objects.filter(pk=latest.pk).update(token=f"{header}.{payload}.AAAA")

    assert chain.covered_by_checkpoint(first_ids) == ChainCheckpoint.objects.get(number=1)


def test_times_are_canonical_utc_with_microseconds(rng) -> None:
    record = record_any(rng)
    ProcessingRecord.objects.filter(pk=record.pk).update(
        start_time=record.start_time.replace(microsecond=0)
    )

    fields = canonical_of(record.pk).split(b"\x00")

    start = record.start_time.replace(microsecond=0).replace(tzinfo=None)
    assert fields[17] == start.isoformat(timespec="microseconds").encode()
    assert fields[0] == str(record.pk).encode()


def test_the_canonical_bytes_follow_from_the_values_alone(rng) -> None:
    """Written out from the model's values, so the same on SQLite and PostgreSQL (the suite
    runs on both) and after moving the log from one to the other."""
    record = ProcessingRecord.objects.get(pk=record_any(rng).pk)
    ProcessingRecord.objects.filter(pk=record.pk).update(resource_attributes={"b": 1, "a": "é"})
    record.refresh_from_db()

    def time(value: datetime) -> str:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")

    def compact(value: object) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    expected = [
        str(record.pk),
        *(getattr(record, name) for name in PLAIN_FIELDS),
        time(record.start_time),
        time(record.end_time),
        compact(record.data_categories),
        '{"a":"é","b":1}',
    ]
    assert canonical_of(record.pk) == "\x00".join(expected).encode()


def test_a_nul_moved_between_fields_changes_the_digest(rng) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text cannot hold a NUL character")
    record = record_any(rng)
    query = ProcessingRecord.objects.filter(pk=record.pk)
    query.update(name="a\x00b", processing_activity_id="c")
    before = canonical_of(record.pk)
    query.update(name="a", processing_activity_id="b\x00c")

    assert before.startswith(b"\x01")
    assert digest(canonical_of(record.pk)) != digest(before)


def test_the_benchmark_measures_verification_and_its_floor(rng) -> None:
    build_log(rng, rounds=1)

    result = chain_bench.compare(rounds=1)

    assert result["records"] == 107
    assert chain_bench.verification_rate().records == 100  # the linked ones
    assert chain_bench.hashing_rate().records == 107
    assert result["ratio"] > 0 and result["ratio_in_memory"] > 0
