"""Tamper evidence of the processing log: records are chained and sealed by a background sealer,
and changing, deleting, inserting or reordering any record, or editing a checkpoint, is found
by the verifier every time (issue 8, item 2)."""

import random
import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from lifegate.transparency import chain
from lifegate.transparency.canonical import FIELDS
from lifegate.transparency.chain_verify import ChainReport
from lifegate.transparency.models import ChainCheckpoint, ChainHead, ChainLink, ProcessingRecord
from lifegate.transparency.tests.chain_attacks import ATTACKS, build_log, record_any

TRIALS = 30


@pytest.fixture
def rng() -> random.Random:
    return random.Random(8)


@pytest.fixture
def passed_at_once(settings):
    """The sealer moves its horizon past every record at once (no grace for late commits)."""
    settings.TRANSPARENCY_CHAIN_GRACE_SECONDS = 0


def assert_chain_order(partition: int) -> None:
    sequences = ChainLink.objects.filter(partition=partition).values_list("sequence", flat=True)
    assert sorted(sequences) == list(range(len(sequences)))


@pytest.mark.django_db
def test_every_field_of_a_record_is_hashed() -> None:
    concrete = {field.attname for field in ProcessingRecord._meta.concrete_fields}
    assert set(FIELDS) == concrete
    assert len(FIELDS) == len(concrete)


@pytest.mark.django_db
def test_an_untampered_log_verifies(rng) -> None:
    build_log(rng)

    report = chain.verify_chain()

    assert report.ok, report.problems
    assert report.links == report.records == report.sealed == 400
    assert report.checkpoints == report.valid_checkpoints == 4
    assert report.not_yet_sealed == report.not_linked == 7
    assert ChainLink.objects.count() == 400
    for partition in range(chain.partitions()):
        assert_chain_order(partition)


@pytest.mark.django_db
def test_records_made_after_the_last_seal_are_not_yet_sealed_rather_than_tampering(rng) -> None:
    build_log(rng, rounds=1)
    assert chain.verify_chain().not_linked == 7

    chain.extend_chain()
    report = chain.verify_chain()

    assert report.ok, report.problems
    assert (report.not_linked, report.linked_not_sealed, report.sealed) == (0, 7, 100)
    chain.seal()
    assert chain.verify_chain().not_yet_sealed == 0


@pytest.mark.django_db
def test_sealing_again_without_new_records_changes_nothing(rng) -> None:
    build_log(rng, rounds=1)
    first = chain.seal()

    assert chain.extend_chain() == 0
    assert chain.seal() == first
    assert ChainCheckpoint.objects.count() == 2  # the one build_log made, and `first`


@pytest.mark.django_db
def test_a_checkpoint_signs_every_partitions_length_and_head(rng) -> None:
    build_log(rng, rounds=2)

    checkpoint = ChainCheckpoint.objects.latest("number")
    signed = chain.read_checkpoint(checkpoint.token)

    heads = list(ChainHead.objects.order_by("partition"))
    assert signed.number == checkpoint.number == 2
    assert signed.lengths == checkpoint.lengths == [head.length for head in heads]
    assert sum(signed.lengths) == 200
    assert signed.heads == [bytes(head.hash) for head in heads]
    assert len(heads) == settings.TRANSPARENCY_CHAIN_PARTITIONS


@pytest.mark.django_db
def test_a_record_committed_later_with_a_lower_id_is_still_linked(rng) -> None:
    count = chain.partitions()
    first = record_any(rng)
    # A record whose transaction took an id earlier but commits after the next seal.
    late_id = first.pk + count
    ProcessingRecord.objects.filter(pk=record_any(rng).pk).update(id=first.pk + 3 * count)
    chain.seal()
    ProcessingRecord.objects.filter(pk=record_any(rng).pk).update(id=late_id)

    chain.seal()

    link = ChainLink.objects.get(record_id=late_id)
    assert link.partition == late_id % count
    # Chained in the order of linking: after the record with the higher id.
    assert link.sequence == ChainLink.objects.get(record_id=first.pk + 3 * count).sequence + 1
    assert chain.verify_chain().ok


@pytest.mark.django_db
def test_the_sealer_passes_only_records_older_than_the_grace_period(rng) -> None:
    count = chain.partitions()
    old, recent = record_any(rng), record_any(rng)
    ProcessingRecord.objects.filter(pk=old.pk).update(end_time=old.end_time - chain.grace() * 2)
    ProcessingRecord.objects.filter(pk=recent.pk).update(id=old.pk + 10 * count)
    chain.seal()
    assert ChainHead.objects.get(partition=old.pk % count).horizon == old.pk
    # Committed late: one within the grace period, one (against the rule) long after.
    ProcessingRecord.objects.filter(pk=record_any(rng).pk).update(id=old.pk + 5 * count)
    ProcessingRecord.objects.filter(pk=record_any(rng).pk).update(id=old.pk - count)

    chain.seal()

    assert ChainLink.objects.filter(record_id=old.pk + 5 * count).exists()
    assert not ChainLink.objects.filter(record_id=old.pk - count).exists()
    report = chain.verify_chain()
    assert [(p.kind, p.record_id) for p in report.problems] == [("record-unlinked", old.pk - count)]


@pytest.mark.django_db
def test_a_sealer_does_not_build_on_a_forged_head(rng) -> None:
    build_log(rng, rounds=1)
    ChainHead.objects.filter(partition=1).update(hash=b"\x00" * 32)

    with pytest.raises(chain.ChainDamaged):
        chain.seal()
    assert any(p.kind == "head-mismatch" for p in chain.verify_chain().problems)


@pytest.mark.django_db
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_tampering_is_detected_every_time(attack, rng, passed_at_once) -> None:
    """The required test: each kind of tampering, on 30 random records (or checkpoints), each
    trial rolled back afterwards; the verifier must name it every time."""
    build_log(rng)
    missed: list[str] = []
    for trial in range(TRIALS):
        with transaction.atomic():
            expect = ATTACKS[attack](rng)
            report = chain.verify_chain()
            transaction.set_rollback(True)
        if not expect.met_by(report):
            missed.append(f"trial {trial}: {expect} not in {report.problems}")

    assert not missed, missed
    assert chain.verify_chain().ok  # every trial was undone


@pytest.mark.django_db
def test_the_report_names_only_the_changed_record(rng) -> None:
    build_log(rng, rounds=2)
    victim = rng.choice(list(ChainLink.objects.all()))
    ProcessingRecord.objects.filter(pk=victim.record_id).update(name="something.else")

    report = chain.verify_chain()

    assert [(p.kind, p.record_id, p.partition, p.position) for p in report.problems] == [
        ("record-changed", victim.record_id, victim.partition, victim.sequence)
    ]
    assert report.record_ids() == {victim.record_id}


@pytest.mark.django_db(transaction=True)
def test_concurrent_sealers_link_every_record_exactly_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database serialises threads; run on PostgreSQL")
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        local = random.Random(worker)
        try:
            for _ in range(5):
                with transaction.atomic():
                    for _ in range(20):
                        record_any(local)
                if worker % 2:
                    chain.seal()
                else:
                    chain.extend_chain(limit=local.randint(1, 30))
        except BaseException as failure:  # reported below, in the test's thread
            failures.append(failure)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for each in workers:
        each.start()
    for each in workers:
        each.join()
    chain.seal()

    assert not failures
    assert ChainLink.objects.count() == ProcessingRecord.objects.count() == 400
    for partition in range(chain.partitions()):
        assert_chain_order(partition)
    report: ChainReport = chain.verify_chain()
    assert report.ok, report.problems
    numbers = list(ChainCheckpoint.objects.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
