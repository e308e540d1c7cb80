"""Replay protection for signed node-to-node messages."""

from django.db import models


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
