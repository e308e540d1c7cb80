"""The message box's interface for views, APIs and other building blocks."""

from lifegate.inbox.notifications import notify_language
from lifegate.inbox.reading import (
    InboxFilter,
    InboxPage,
    InvalidCursor,
    attachment_of,
    inbox_page,
    mailbox_of,
    open_message,
    set_archived,
    unread_count,
)
from lifegate.inbox.rendering import render_body
from lifegate.inbox.sending import (
    SYSTEM_KEY_PREFIX,
    NewAttachment,
    NewMessage,
    Outcome,
    Problem,
    SendResult,
    send_message,
    send_messages,
)

__all__ = [
    "SYSTEM_KEY_PREFIX",
    "InboxFilter",
    "InboxPage",
    "InvalidCursor",
    "NewAttachment",
    "NewMessage",
    "Outcome",
    "Problem",
    "SendResult",
    "attachment_of",
    "inbox_page",
    "mailbox_of",
    "notify_language",
    "open_message",
    "render_body",
    "send_message",
    "send_messages",
    "set_archived",
    "unread_count",
]
