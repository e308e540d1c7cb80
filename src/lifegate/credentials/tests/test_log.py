"""The credentials transparency log in the database: appends, checkpoints, proofs, audit."""

import base64
import hashlib
import io
import json
import threading
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from joserfc import jws
from joserfc.jwk import ECKey

from lifegate.core.keys import signing_key
from lifegate.credentials import log, merkle
from lifegate.credentials.models import LogCheckpoint, LogEntry, LogHead, LogSubtree
from lifegate.credentials.tasks import seal_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path):
    """A fresh log key per test, and a fixed origin."""
    settings.LIFEGATE_KEY_DIR = tmp_path
    settings.BASE_URL = "https://nl.lifegate.example"


def digest(n: int) -> bytes:
    return hashlib.sha256(f"credential {n}".encode()).digest()


def fill(count: int, kind: str = "credential") -> list[int]:
    start = log.current_size()
    return [log.append(kind, digest(start + n)) for n in range(count)]


def leaves_of_entries() -> list[bytes]:
    return [
        log.entry_leaf_hash(kind, bytes(value))
        for kind, value in LogEntry.objects.order_by("index").values_list("kind", "digest")
    ]


def stored_subtrees() -> dict[tuple[int, int], bytes]:
    rows = LogSubtree.objects.values_list("level", "index", "hash")
    return {(level, index): bytes(value) for level, index, value in rows}


def every_subtree(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    levels = merkle.levels(leaves)
    return {(lv, i): value for lv, row in enumerate(levels) for i, value in enumerate(row)}


def problems_of(report) -> str:
    return "\n".join(report.problems)


# --- appending ----------------------------------------------------------------------------


def test_appends_get_indices_from_zero_without_gaps():
    assert fill(3) == [0, 1, 2]
    assert log.append("status-list", digest(99)) == 3

    assert list(LogEntry.objects.values_list("index", "kind")) == [
        (0, "credential"),
        (1, "credential"),
        (2, "credential"),
        (3, "status-list"),
    ]
    assert LogHead.objects.get().size == log.current_size() == 4


def test_each_append_stores_every_subtree_it_completes():
    fill(11)

    assert stored_subtrees() == every_subtree(leaves_of_entries())
    # 11 leaves: 5 pairs, 2 quadruples, 1 subtree of 8
    assert LogSubtree.objects.filter(level=0).count() == 11
    assert LogSubtree.objects.filter(level=3).count() == 1


def test_the_kind_is_part_of_the_leaf():
    log.append("credential", digest(1))
    log.append("status-list", digest(1))

    first, second = leaves_of_entries()
    assert first == merkle.leaf_hash(b"\x01" + digest(1))
    assert second == merkle.leaf_hash(b"\x02" + digest(1))


@pytest.mark.parametrize(
    ("kind", "value"),
    [("credential", b"short"), ("diploma", bytes(32)), ("credential", "a" * 32)],
)
def test_an_entry_is_a_32_byte_digest_of_a_known_kind(kind, value):
    with pytest.raises(ValueError):
        log.append(kind, value)
    assert not LogEntry.objects.exists()


def test_bulk_appends_build_the_same_tree_as_single_appends(monkeypatch):
    monkeypatch.setattr(log, "BATCH_SIZE", 4)
    fill(3)
    added = log.append_many("credential", [digest(n) for n in range(3, 30)])
    fill(2)

    assert added == range(3, 30)
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(32))
    assert stored_subtrees() == every_subtree(leaves_of_entries())
    assert log.tree_root(32) == merkle.root(leaves_of_entries())


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_get_indices_without_gaps_or_repeats():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database serialises threads; run on PostgreSQL")
    failures: list[BaseException] = []

    def issue(worker: int) -> None:
        try:
            for n in range(15):
                with transaction.atomic():
                    log.append("credential", digest(worker * 100 + n))
        except BaseException as failure:  # reported below, in the test's thread
            failures.append(failure)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=issue, args=(worker,)) for worker in range(4)]
    for each in workers:
        each.start()
    for each in workers:
        each.join()

    assert not failures
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(60))
    log.checkpoint()
    assert log.audit().ok


# --- checkpoints and proofs ---------------------------------------------------------------


def test_a_checkpoint_signs_the_size_and_root():
    fill(13)

    checkpoint = log.checkpoint()

    signed = log.verify_checkpoint(checkpoint.token)
    assert signed.size == checkpoint.size == 13
    assert signed.root == bytes(checkpoint.root) == merkle.root(leaves_of_entries())
    assert signed.origin == "https://nl.lifegate.example/api/credentials/log"
    assert signed.kid == checkpoint.kid
    # Anyone can check it with the published key and a JOSE library.
    [jwk] = log.public_keys()["keys"]
    assert "d" not in jwk
    verified = jws.deserialize_compact(checkpoint.token, ECKey.import_key(jwk))
    assert verified.headers()["typ"] == "lifegate-log-checkpoint+jwt"
    assert json.loads(verified.payload)["root"] == log.b64(signed.root)


def test_a_checkpoint_is_made_only_when_the_log_grew():
    fill(2)
    first = log.checkpoint()

    assert log.checkpoint() == first
    fill(1)
    assert log.checkpoint().size == 3
    assert LogCheckpoint.objects.count() == 2
    assert LogCheckpoint.objects.latest().size == 3


def test_inclusion_proofs_verify_against_the_checkpoint_root():
    fill(13)
    signed = log.verify_checkpoint(log.checkpoint().token)
    leaves = leaves_of_entries()

    for index in range(13):
        proof = log.inclusion_proof(index, 13)
        assert merkle.verify_inclusion(leaves[index], index, 13, proof, signed.root)
        assert not merkle.verify_inclusion(leaves[index - 1], index, 13, proof, signed.root)


def test_an_entry_is_proven_against_the_latest_checkpoint_or_a_given_size():
    fill(6)
    log.checkpoint()
    fill(4)

    found = log.prove_entry(4)

    assert (found.size, found.kind, found.digest) == (6, "credential", digest(4))
    assert found.checkpoint == LogCheckpoint.objects.latest().token
    assert merkle.verify_inclusion(found.leaf_hash, 4, 6, found.proof, found.root)
    later = log.prove_entry(8, size=10)
    assert later.checkpoint is None
    assert later.root == merkle.root(leaves_of_entries())
    assert merkle.verify_inclusion(later.leaf_hash, 8, 10, later.proof, later.root)


def test_proofs_outside_the_log_are_refused():
    fill(4)
    log.checkpoint()
    fill(1)

    with pytest.raises(log.EntryNotFound):
        log.prove_entry(5)
    with pytest.raises(log.NotYetSealed):
        log.prove_entry(4)
    with pytest.raises(log.ProofUnavailable):
        log.prove_entry(3, size=3)
    with pytest.raises(log.ProofUnavailable):
        log.inclusion_proof(0, 6)
    with pytest.raises(log.ProofUnavailable):
        log.consistency_proof(3, 2)
    with pytest.raises(log.ProofUnavailable):
        log.consistency_proof(-1, 2)


def test_consecutive_checkpoints_are_consistent():
    fill(5)
    old = log.verify_checkpoint(log.checkpoint().token)
    fill(8)
    new = log.verify_checkpoint(log.checkpoint().token)

    proof = log.consistency_proof(5, 13)

    assert merkle.verify_consistency(5, 13, old.root, new.root, proof)
    assert not merkle.verify_consistency(5, 13, new.root, old.root, proof)


def test_a_forged_checkpoint_is_not_verified():
    fill(3)
    token = log.checkpoint().token
    header, _, signature = token.split(".")
    claims = log.checkpoint_claims(token) | {"size": 1000}
    other_key = ECKey.generate_key("P-256", {"alg": "ES256"}, auto_kid=True)
    own_kid = signing_key(log.LOG_KEY_NAME).kid

    forgeries = [
        # signed by another key, under its own kid or under the log's
        jws.serialize_compact(
            {"alg": "ES256", "kid": kid, "typ": log.CHECKPOINT_TYP}, json.dumps(claims), other_key
        )
        for kid in (other_key.kid, own_kid)
    ]
    forgeries.append(f"{header}.{b64url(json.dumps(claims))}.{signature}")  # altered claims
    forgeries += ["not.a.token", token[:-4], ""]

    for forged in forgeries:
        with pytest.raises(log.CheckpointInvalid):
            log.verify_checkpoint(forged)


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def test_the_log_refuses_to_sign_a_tree_that_does_not_extend_its_last_checkpoint():
    fill(4)
    log.checkpoint()
    fill(3)
    LogSubtree.objects.filter(level=2, index=0).update(hash=bytes(32))

    with pytest.raises(log.LogDamaged):
        log.checkpoint()
    assert LogCheckpoint.objects.count() == 1


def test_the_task_and_the_command_make_a_checkpoint():
    fill(3)
    assert seal_log.call() == 3
    fill(2)

    out = io.StringIO()
    call_command("seal_credential_log", stdout=out)

    assert "size 5" in out.getvalue()
    assert LogCheckpoint.objects.latest().size == 5


def test_the_command_can_leave_sealing_to_the_task_worker():
    from django_tasks_db.models import DBTaskResult

    fill(2)
    call_command("seal_credential_log", "--enqueue", stdout=io.StringIO())

    assert DBTaskResult.objects.filter(task_path="lifegate.credentials.tasks.seal_log").exists()
    assert not LogCheckpoint.objects.exists()


# --- audit ------------------------------------------------------------------------------


@pytest.fixture
def sealed_log():
    """A log of 20 entries with checkpoints at 5, 12 and 20."""
    for count in (5, 7, 8):
        fill(count)
        log.checkpoint()
    return SimpleNamespace(size=20)


def test_an_intact_log_passes_its_audit(sealed_log):
    report = log.audit()

    assert report.ok, problems_of(report)
    assert (report.size, report.entries, report.checkpoints) == (20, 20, 3)
    assert report.subtrees == len(every_subtree(leaves_of_entries())) == 38
    assert report.consistency_proofs == 2
    out = io.StringIO()
    call_command("audit_credential_log", stdout=out)
    assert "the log is intact" in out.getvalue()


def test_appends_and_a_checkpoint_sealed_during_the_audit_are_no_problem(sealed_log, monkeypatch):
    from lifegate.credentials import log_audit

    read_size = log_audit.current_size

    def busy_log() -> int:
        # Whatever size the audit reads, the log grows and is sealed right after.
        size = read_size()
        fill(3)
        log.checkpoint()
        return size

    monkeypatch.setattr(log_audit, "current_size", busy_log)

    report = log.audit()

    assert report.ok, problems_of(report)
    assert report.size == 20


def test_the_audit_finds_a_changed_digest(sealed_log):
    LogEntry.objects.filter(index=7).update(digest=digest(1000))

    report = log.audit()

    assert not report.ok
    text = problems_of(report)
    assert "subtree 0/7 does not match the entries" in text
    assert "checkpoint at size 12: the entries give another root" in text
    assert "checkpoint at size 5:" not in text


def test_the_audit_finds_a_changed_entry_even_when_the_tree_was_rewritten(sealed_log):
    LogEntry.objects.filter(index=2).update(kind="status-list")
    LogSubtree.objects.all().delete()
    leaves = leaves_of_entries()
    LogSubtree.objects.bulk_create(
        LogSubtree(level=level, index=index, hash=value)
        for (level, index), value in every_subtree(leaves).items()
    )

    report = log.audit()

    text = problems_of(report)
    assert "subtree" not in text
    for size in (5, 12, 20):
        assert f"checkpoint at size {size}: the entries give another root" in text


def test_the_audit_finds_a_deleted_entry(sealed_log):
    LogEntry.objects.filter(index=9).delete()

    text = problems_of(log.audit())

    assert "entries 9 to 9 are missing" in text
    assert "checkpoint at size 12: the entries give another root" in text


def test_the_audit_finds_an_inserted_entry(sealed_log):
    # Make room at index 10 the only way the unique index allows: shift the rest up.
    for index in range(19, 9, -1):
        LogEntry.objects.filter(index=index).update(index=index + 1)
    LogEntry.objects.create(index=10, kind="credential", digest=digest(500))

    text = problems_of(log.audit())

    assert "1 entries lie outside the log's 20 entries" in text
    assert "subtree 0/10 does not match the entries" in text
    assert "checkpoint at size 12: the entries give another root" in text


def test_the_audit_finds_reordered_entries(sealed_log):
    LogEntry.objects.filter(index=3).update(index=-1)
    LogEntry.objects.filter(index=4).update(index=3)
    LogEntry.objects.filter(index=-1).update(index=4)

    text = problems_of(log.audit())

    assert "subtree 0/3 does not match the entries" in text
    assert "subtree 0/4 does not match the entries" in text
    assert "checkpoint at size 5: the entries give another root" in text


def test_the_audit_finds_a_forged_checkpoint(sealed_log):
    other_key = ECKey.generate_key("P-256", {"alg": "ES256"}, auto_kid=True)
    claims = {"origin": log.origin(), "size": 20, "root": log.b64(bytes(32)), "iat": 1}
    header = {
        "alg": "ES256",
        "kid": signing_key(log.LOG_KEY_NAME).kid,
        "typ": log.CHECKPOINT_TYP,
    }
    token = jws.serialize_compact(header, json.dumps(claims), other_key)
    LogCheckpoint.objects.filter(size=20).update(token=token, root=bytes(32))

    text = problems_of(log.audit())

    assert "checkpoint at size 20: bad signature" in text


def test_the_audit_finds_a_checkpoint_row_that_differs_from_its_token(sealed_log):
    LogCheckpoint.objects.filter(size=12).update(root=bytes(32))

    text = problems_of(log.audit())

    assert "checkpoint at size 12: differs from its token" in text


def test_the_audit_finds_lost_entries_behind_a_checkpoint(sealed_log):
    LogEntry.objects.filter(index__gte=15).delete()
    LogSubtree.objects.filter(index__gte=15, level=0).delete()
    LogHead.objects.update(size=15)

    text = problems_of(log.audit())

    assert "checkpoint at size 20: the log is smaller" in text


def test_the_audit_command_exits_with_status_1_on_a_problem(sealed_log):
    LogEntry.objects.filter(index=0).update(digest=digest(1000))
    out = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("audit_credential_log", stdout=out)

    assert raised.value.returncode == 1
    assert "problem: subtree 0/0 does not match the entries" in out.getvalue()
    assert "checked: 20 entries read" in out.getvalue()
