"""Agency clients: the systems of agencies that call the agency API and receive webhook pushes.

A client authenticates with `Authorization: Bearer <client_id>.<secret>`. The secret is shown
once, when it is issued; the database keeps only a keyed hash of it. The webhook secret, which
lifegate itself needs to sign pushes, is sealed instead."""

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.sealing import seal, unseal
from lifegate.journeys.models import AgencyClient, AgencyStaff

SECRET_BYTES = 32
WEBHOOK_SECRET_PREFIX = "whsec_"
WEBHOOK_SEAL_PURPOSE = "agency-webhook-secret"
DEMO_CLIENT_NAME = "demo"
DEMO_FILE_NAME = "demo-agency-clients.json"
DEMO_SCOPES: list[str] = [
    AgencyClient.Scope.SUBMISSIONS,
    AgencyClient.Scope.MESSAGES,
    AgencyClient.Scope.MANDATES,
    AgencyClient.Scope.CREDENTIALS,
]


def _hash_key() -> bytes:
    # Derived from the subject key rather than SECRET_KEY: rotating SECRET_KEY (sessions, CSRF)
    # must not lock every agency out. The purpose label keeps this key apart from other uses.
    secret = settings.LIFEGATE_SUBJECT_KEY.encode()
    return hmac.new(secret, b"lifegate:agency-client-secret", hashlib.sha256).digest()


def hash_secret(secret: str) -> str:
    """Keyed hash of a client secret.

    A fast HMAC-SHA256 is right here, unlike for passwords: the secrets are 256 random bits, so
    there is nothing to guess and slowing each API call down would buy no protection. The key
    means a leaked database alone does not even allow checking a candidate secret."""
    return hmac.new(_hash_key(), secret.encode(), hashlib.sha256).hexdigest()


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and base64 of 32 random bytes."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def webhook_secret(client: AgencyClient) -> str:
    """The client's webhook signing secret, in the clear (empty when it has none)."""
    if not client.webhook_secret_sealed:
        return ""
    return unseal(WEBHOOK_SEAL_PURPOSE, client.webhook_secret_sealed)


def issue_secret(client: AgencyClient) -> str:
    """Give `client` (saved or not) a new client id if it has none and a new secret; returns the
    secret, which is not stored anywhere and cannot be shown again. Saving is up to the caller."""
    if not client.client_id:
        client.client_id = f"lg-{secrets.token_hex(10)}"
    secret = secrets.token_urlsafe(SECRET_BYTES)
    client.secret_hash = hash_secret(secret)
    if client.webhook_url and not client.webhook_secret_sealed:
        issue_webhook_secret(client)
    return secret


def issue_webhook_secret(client: AgencyClient) -> str:
    """Give `client` a new webhook signing secret (sealed on the row; saving is up to the
    caller) and return it."""
    secret = new_webhook_secret()
    client.webhook_secret_sealed = seal(WEBHOOK_SEAL_PURPOSE, secret)
    return secret


def bearer_token(client: AgencyClient, secret: str) -> str:
    """The credential a client sends after `Bearer `."""
    return f"{client.client_id}.{secret}"


def create_client(
    organisation: PublicOrganisation, name: str, scopes: list[str], webhook_url: str = ""
) -> tuple[AgencyClient, str]:
    """Register a client of `organisation`; returns it and its secret (shown once)."""
    unknown = set(scopes) - set(AgencyClient.Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    client = AgencyClient(
        organisation=organisation, name=name, scopes=sorted(set(scopes)), webhook_url=webhook_url
    )
    secret = issue_secret(client)
    client.save()
    return client, secret


def authenticate(authorization_header: str | None) -> AgencyClient | None:
    """The active client whose `Bearer <client_id>.<secret>` credential this is, or None."""
    scheme, _, credential = (authorization_header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    client_id, dot, secret = credential.strip().partition(".")
    if not dot or not client_id or not secret:
        return None
    client = AgencyClient.objects.select_related("organisation").filter(client_id=client_id).first()
    presented = hash_secret(secret)
    # Compared even when there is no such client, so timing does not tell which ids exist.
    expected = client.secret_hash if client else hash_secret(secrets.token_urlsafe(8))
    if not hmac.compare_digest(presented, expected) or client is None or not client.active:
        return None
    return client


# Demo data --------------------------------------------------------------------------------


def demo_file() -> Path:
    """Where the demo credentials are written (mode 0600)."""
    return Path(settings.VAR_DIR) / DEMO_FILE_NAME


def ensure_demo_clients() -> dict[str, dict[str, str]]:
    """One API client (reading submissions, sending and following messages, checking
    mandates, issuing credentials) and one back-office account for every organisation that
    provides services; their credentials are written to `demo_file()`. Idempotent:
    credentials that still work are kept, missing or lost ones are issued anew."""
    path = demo_file()
    known: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    organisations = PublicOrganisation.objects.filter(services__isnull=False).distinct()
    credentials = {}
    with transaction.atomic():
        for organisation in organisations.order_by("slug"):
            entry = known.get(organisation.slug, {})
            credentials[organisation.slug] = _demo_client(organisation, entry) | _demo_staff(
                organisation, entry
            )
    _write_private_json(path, credentials)
    return credentials


def _demo_client(organisation: PublicOrganisation, entry: dict[str, str]) -> dict[str, str]:
    client = AgencyClient.objects.filter(organisation=organisation, name=DEMO_CLIENT_NAME).first()
    if client is not None and not set(DEMO_SCOPES) <= set(client.scopes):
        # A demo from before a scope existed: its clients learn the new scope.
        client.scopes = sorted(set(client.scopes) | set(DEMO_SCOPES))
        client.save(update_fields=["scopes"])
    token = entry.get("token", "")
    if client is not None and authenticate(f"Bearer {token}") == client:
        return {"client_id": client.client_id, "token": token}
    if client is None:
        client, secret = create_client(organisation, DEMO_CLIENT_NAME, DEMO_SCOPES)
    else:
        secret = issue_secret(client)
        client.active = True
        client.save()
    return {"client_id": client.client_id, "token": bearer_token(client, secret)}


def _demo_staff(organisation: PublicOrganisation, entry: dict[str, str]) -> dict[str, str]:
    username = f"{organisation.slug}-staff"
    user, _ = get_user_model().objects.get_or_create(username=username)
    password = entry.get("staff_password", "")
    if not password or not user.check_password(password):
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
    AgencyStaff.objects.update_or_create(user=user, defaults={"organisation": organisation})
    return {"staff_username": username, "staff_password": password}


def _write_private_json(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON, private (0600) from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
