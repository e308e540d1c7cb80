"""Races between people acting on one mandate at the same moment: two grants store one (the
duplicate check and the insert are serialised per pair of people), and an invitation
withdrawn while its code is redeemed stays withdrawn."""

import threading
import time

import pytest
from django.db import connection, transaction

from lifegate.mandates import services
from lifegate.mandates.models import Mandate, MandateInvitation, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import period, person
from lifegate.registries.personas import DemoPersona

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_of_one_mandate_store_it_once(
    personas: dict[str, DemoPersona],
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers with one database lock, so grants never race; CI runs "
            "this test on PostgreSQL"
        )
    principal = personas["elderly"].subject
    representative = personas["student"].subject
    start = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def grant() -> None:
        try:
            start.wait()
            services.grant(
                principal,
                representative,
                [Scope(ScopeKind.INBOX_READ)],
                *period(),
                person(principal),
            )
            outcomes.append("granted")
        except services.MandateRefused as refused:
            outcomes.append(refused.code)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=grant) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert sorted(outcomes) == ["duplicate"] * (THREADS - 1) + ["granted"]
    # One offer waiting for the representative; the refused grants left nothing behind.
    assert Mandate.objects.count() == 1
    assert MandateInvitation.objects.count() == 1


def wait_for_a_blocked_lock(seconds: float = 60) -> None:
    """Return once a session of this database is blocked by another's lock (PostgreSQL)."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND cardinality(pg_blocking_pids(pid)) > 0"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no session came to wait for the lock")


@pytest.mark.django_db(transaction=True)
def test_an_invitation_withdrawn_while_its_code_is_redeemed_stays_withdrawn(
    personas: dict[str, DemoPersona],
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; CI runs this test on PostgreSQL")
    principal = personas["elderly"].subject
    representative = personas["student"].subject
    granted = services.grant(
        principal, None, [Scope(ScopeKind.INBOX_READ)], *period(), person(principal)
    )
    code, mandate = granted.invitation_code, granted.mandates[0]
    ended, release = threading.Event(), threading.Event()
    outcome: list[str] = []
    errors: list[BaseException] = []

    def withdraw() -> None:
        # The principal's withdrawal holds its lock on the mandate until released.
        try:
            with transaction.atomic():
                services.end(mandate.pk, principal, person(principal))
                ended.set()
                assert release.wait(60)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def redeem() -> None:
        try:
            assert ended.wait(60)
            services.accept(code, representative, person(representative))
            outcome.append("accepted")
        except services.MandateRefused as refused:
            outcome.append(refused.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=withdraw), threading.Thread(target=redeem)]
    for thread in threads:
        thread.start()
    assert ended.wait(60)
    wait_for_a_blocked_lock()  # the redemption reaches the mandate while the withdrawal holds it
    release.set()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert outcome == ["code-unknown"]
    mandate.refresh_from_db()
    assert (mandate.status, mandate.accepted_at) == (Mandate.Status.ENDED, None)
