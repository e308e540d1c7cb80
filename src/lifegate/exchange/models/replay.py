"""Replay protection for signed node-to-node messages."""

from datetime import datetime
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

_COLUMNS = ("sender", "message_id", "received_at", "expires_at")


class ReceivedMessage(models.Model):
    """A signed message this node accepted from a peer, kept until it would have expired anyway:
    the same (sender, message id) a second time is a replay and is refused."""

    sender = models.CharField(max_length=64)
    message_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sender", "message_id"], name="exchange_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.sender}/{self.message_id}"

    @classmethod
    def remember(cls, sender: str, message_id: str, expires_at: datetime) -> bool:
        """Keep (sender, message_id); False when it was kept before (a replay). One statement
        that cannot fail on the duplicate: no savepoint is needed inside a caller's
        transaction, and no transaction of its own outside one (PostgreSQL and SQLite both
        take `ON CONFLICT ... DO NOTHING`)."""
        fields = [cast("models.Field[Any, Any]", cls._meta.get_field(name)) for name in _COLUMNS]
        values = [sender, message_id, timezone.now(), expires_at]
        quote = connection.ops.quote_name
        # Only the model's own table and column names go into the text; values are parameters.
        sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}, {}) DO NOTHING".format(  # noqa: S608
            quote(cls._meta.db_table),
            ", ".join(quote(str(field.column)) for field in fields),
            ", ".join(["%s"] * len(fields)),
            quote(str(fields[0].column)),
            quote(str(fields[1].column)),
        )
        params = [
            field.get_db_prep_value(value, connection)
            for field, value in zip(fields, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount == 1
