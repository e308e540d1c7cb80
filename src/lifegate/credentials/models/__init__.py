"""The credentials building block's tables, one module per entity group."""

from lifegate.credentials.models.log import LogCheckpoint, LogEntry, LogHead, LogSubtree  # noqa: F401
