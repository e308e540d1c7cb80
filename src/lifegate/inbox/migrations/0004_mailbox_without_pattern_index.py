"""On PostgreSQL, Django gives a varchar primary key a second index, with varchar_pattern_ops,
for LIKE queries. Nothing looks a mailbox up by LIKE (its key is a keyed hash; every lookup and
ON CONFLICT is by equality, which the primary key serves), yet every message sent and every
message read updates a mailbox row and paid for both indexes. The second one goes."""

from typing import Any

from django.db import migrations

PATTERN_INDEX = "inbox_mailbox_recipient_hash_5231fb90_like"


def drop_pattern_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename = 'inbox_mailbox' AND indexdef LIKE %s",
            ["%varchar_pattern_ops%"],
        )
        names = [name for (name,) in cursor.fetchall()]
    for name in names:
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_pattern_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {PATTERN_INDEX}"
        " ON inbox_mailbox (recipient_hash varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0003_message_read_by"),
    ]

    operations = [migrations.RunPython(drop_pattern_index, restore_pattern_index)]
