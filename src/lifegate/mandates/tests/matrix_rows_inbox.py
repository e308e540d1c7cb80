"""The matrix rows of the message box: its pages and API, and the notification settings."""

from lifegate.mandates.tests import matrix_effects as effects
from lifegate.mandates.tests.matrix_endpoints import (
    MANAGERS,
    READERS,
    SETTINGS_OWNER,
    Endpoint,
    addresses,
    fixed,
    get,
    letter,
    message_id,
    nothing,
    pdf,
    post,
    send,
)
from lifegate.mandates.tests.matrix_world import Owned, World, confirmation_token


def message_page(world: World, target: Owned) -> str:
    return f"/inbox/{target.message.pk}/"


def attachment_page(world: World, target: Owned) -> str:
    return f"/inbox/{target.message.pk}/attachments/{target.attachment.pk}/"


def message_api(world: World, target: Owned) -> str:
    return f"/api/inbox/messages/{target.message.pk}"


def confirm_page(world: World, target: Owned) -> str:
    return f"/inbox/settings/confirm/{confirmation_token(target)}/"


def token(world: World, target: Owned) -> dict[str, str]:
    return {"token": confirmation_token(target)}


PAGES = [
    Endpoint("message box", "page", "inbox/", get(fixed("/inbox/")), READERS, shows=letter),
    Endpoint(
        "message",
        "page",
        "inbox/<uuid:message_id>/",
        get(message_page),
        READERS,
        shows=letter,
        effect=effects.read,
        by_id=True,
    ),
    Endpoint(
        "attachment",
        "page",
        "inbox/<uuid:message_id>/attachments/<uuid:attachment_id>/",
        get(attachment_page),
        READERS,
        shows=pdf,
        by_id=True,
    ),
    Endpoint(
        "archive a message",
        "page",
        "inbox/<uuid:message_id>/archive",
        post(lambda w, t: f"/inbox/{t.message.pk}/archive", lambda w, t: {"archived": "1"}),
        MANAGERS,
        ok=frozenset({302}),
        shows=message_id,
        effect=effects.archived,
        by_id=True,
    ),
    Endpoint(
        "notification settings",
        "page",
        "inbox/settings/",
        get(fixed("/inbox/settings/")),
        SETTINGS_OWNER,
        shows=addresses,
        self_only=True,
    ),
    Endpoint(
        "save notification preferences",
        "page",
        "inbox/settings/",
        post(fixed("/inbox/settings/"), lambda w, t: {"notify": "never", "language": "en"}),
        SETTINGS_OWNER,
        ok=frozenset({302}),
        effect=effects.never_notified,
        self_only=True,
    ),
    Endpoint(
        "register an address",
        "page",
        "inbox/settings/address/",
        post(fixed("/inbox/settings/address/"), lambda w, t: {"email": effects.CHANGED}),
        SETTINGS_OWNER,
        ok=frozenset({302}),
        effect=effects.address_waits,
        self_only=True,
    ),
    Endpoint(
        "send the confirmation link again",
        "page",
        "inbox/settings/address/resend/",
        post(fixed("/inbox/settings/address/resend/"), nothing),
        SETTINGS_OWNER,
        ok=frozenset({302}),
        effect=effects.link_resent,
        self_only=True,
    ),
    Endpoint(
        "remove the address",
        "page",
        "inbox/settings/address/remove/",
        post(fixed("/inbox/settings/address/remove/"), nothing),
        SETTINGS_OWNER,
        ok=frozenset({302}),
        effect=effects.address_removed,
        self_only=True,
    ),
    Endpoint(
        "confirmation page",
        "page",
        "inbox/settings/confirm/<str:token>/",
        get(confirm_page),
        SETTINGS_OWNER,
        self_only=True,
    ),
    Endpoint(
        "confirm the address",
        "page",
        "inbox/settings/confirm/<str:token>/",
        post(confirm_page, nothing),
        SETTINGS_OWNER,
        ok=frozenset({302}),
        effect=effects.address_confirmed,
        self_only=True,
    ),
]

API = [
    Endpoint(
        "list messages",
        "api",
        "GET /api/inbox/messages",
        get(fixed("/api/inbox/messages")),
        READERS,
        shows=letter,
    ),
    Endpoint(
        "open a message",
        "api",
        "GET /api/inbox/messages/{message_id}",
        get(message_api),
        READERS,
        shows=letter,
        effect=effects.read,
        by_id=True,
    ),
    Endpoint(
        "archive a message",
        "api",
        "POST /api/inbox/messages/{message_id}/archive",
        send("POST", lambda w, t: f"{message_api(w, t)}/archive", lambda w, t: {"archived": True}),
        MANAGERS,
        shows=message_id,
        effect=effects.archived,
        by_id=True,
    ),
    Endpoint(
        "download an attachment",
        "api",
        "GET /api/inbox/messages/{message_id}/attachments/{attachment_id}",
        get(lambda w, t: f"{message_api(w, t)}/attachments/{t.attachment.pk}"),
        READERS,
        shows=pdf,
        by_id=True,
    ),
    Endpoint(
        "notification settings",
        "api",
        "GET /api/inbox/notifications/",
        get(fixed("/api/inbox/notifications/")),
        SETTINGS_OWNER,
        shows=addresses,
        self_only=True,
    ),
    Endpoint(
        "save notification preferences",
        "api",
        "PUT /api/inbox/notifications/",
        send(
            "PUT",
            fixed("/api/inbox/notifications/"),
            lambda w, t: {"notify": "never", "language": "en"},
        ),
        SETTINGS_OWNER,
        shows=addresses,
        effect=effects.never_notified,
        self_only=True,
    ),
    Endpoint(
        "register an address",
        "api",
        "POST /api/inbox/notifications/address",
        send(
            "POST",
            fixed("/api/inbox/notifications/address"),
            lambda w, t: {"email": effects.CHANGED},
        ),
        SETTINGS_OWNER,
        ok=frozenset({202}),
        effect=effects.address_waits,
        self_only=True,
    ),
    Endpoint(
        "remove the address",
        "api",
        "DELETE /api/inbox/notifications/address",
        send("DELETE", fixed("/api/inbox/notifications/address"), nothing),
        SETTINGS_OWNER,
        effect=effects.address_removed,
        self_only=True,
    ),
    Endpoint(
        "send the confirmation link again",
        "api",
        "POST /api/inbox/notifications/address/confirmation-link",
        send("POST", fixed("/api/inbox/notifications/address/confirmation-link"), nothing),
        SETTINGS_OWNER,
        ok=frozenset({202}),
        shows=addresses,
        effect=effects.link_resent,
        self_only=True,
    ),
    Endpoint(
        "confirm the address",
        "api",
        "POST /api/inbox/notifications/address/confirmation",
        send("POST", fixed("/api/inbox/notifications/address/confirmation"), token),
        SETTINGS_OWNER,
        shows=lambda w, t: [t.pending_email],
        effect=effects.address_confirmed,
        self_only=True,
    ),
]
