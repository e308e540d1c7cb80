"""The mailbox table leaves room on its pages (PostgreSQL), so that the counter updates of
every send and every read can stay on the row's own page instead of adding index entries."""

import pytest
from django.db import connection

from lifegate.inbox.models import Mailbox

pytestmark = pytest.mark.django_db


def test_mailbox_pages_are_not_packed_full() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage parameter")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", [Mailbox._meta.db_table]
        )
        (options,) = cursor.fetchone()
    assert "fillfactor=80" in (options or [])
