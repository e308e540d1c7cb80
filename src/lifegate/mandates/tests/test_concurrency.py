"""Two grants of the same mandate at the same moment store one: the duplicate check and the
insert are serialised per pair of people."""

import threading

import pytest
from django.db import connection

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
