"""Every message sent and every message read updates its recipient's mailbox row. With the
table's pages packed full, PostgreSQL writes each new row version to another page and adds
it to the primary key index too; with room left on each page it can keep the version on the
same page and skip the index (a HOT update). The setting applies to pages written from now on."""

from typing import Any

from django.db import migrations

FILL_FACTOR = 80


def leave_room(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("inbox", "Mailbox")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILL_FACTOR})")


def pack_full(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("inbox", "Mailbox")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0004_mailbox_without_pattern_index"),
    ]

    operations = [migrations.RunPython(leave_room, pack_full)]
