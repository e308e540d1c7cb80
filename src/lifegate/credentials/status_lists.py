"""The issuer's status lists (IETF Token Status List) in the database: handing out entries,
changing them, and the signed list token served at /credentials/status/<id>.

An issued credential gets an entry drawn at random among the free ones of a list (so the
index says nothing about when it was issued, or about its neighbours), and keeps it: entries
are never reused. A change of status flips the entry's bits (1 revoked, 2 suspended, 0
valid again), raises the list's version, and signs a new token whose digest is appended to
the transparency log in the same transaction. The stored token is served until the version
changes, the issuer key rotates or it nears its expiry; a replacement is logged too, so
every token a verifier ever received is in the log."""

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lifegate.credentials import log, statuslist
from lifegate.credentials.issuer_certificates import current_signer
from lifegate.credentials.keys import STATUS_TOKEN_LIFETIME, current_issuer_key
from lifegate.credentials.models import IssuedCredential, StatusList
from lifegate.credentials.models.issued import DEFAULT_BITS, DEFAULT_SIZE

STATUS_PATH = "/credentials/status/"
# How long a verifier may cache a token before fetching it again (its `ttl` claim).
TOKEN_TTL_SECONDS = 300
# A stored token is replaced when less than this is left before it expires.
TOKEN_REFRESH_MARGIN = timedelta(hours=12)
# Entries are drawn at random while a list is at most half full, so a draw rarely hits a
# taken entry; then a new list is started.
FILL_DIVISOR = 2

STATUS_OF_STATE: Mapping[str, int] = {
    IssuedCredential.State.VALID: statuslist.VALID,
    IssuedCredential.State.REVOKED: statuslist.INVALID,
    IssuedCredential.State.SUSPENDED: statuslist.SUSPENDED,
}
_random = secrets.SystemRandom()


def status_list_uri(status_list_id: int) -> str:
    """Where the list's token is published; credentials name it in status.status_list.uri."""
    return f"{settings.BASE_URL}{STATUS_PATH}{status_list_id}"


def _new_list() -> StatusList:
    packed = statuslist.StatusList(DEFAULT_BITS, DEFAULT_SIZE).to_bytes()
    return StatusList.objects.create(bits=DEFAULT_BITS, size=DEFAULT_SIZE, packed=packed)


def allocate() -> tuple[StatusList, int]:
    """A free entry of a status list, for a credential about to be issued: call it inside
    the issuing transaction. Concurrent allocations on one list take turns (the counter's
    row lock), so each sees the entries the others took."""
    with transaction.atomic(savepoint=False):
        open_lists = StatusList.objects.filter(allocated__lt=F("size") / FILL_DIVISOR)
        chosen = open_lists.order_by("id").only("id", "size").first() or _new_list()
        StatusList.objects.filter(pk=chosen.pk).update(allocated=F("allocated") + 1)
        taken = IssuedCredential.objects.filter(status_list_id=chosen.pk)
        while True:
            index = _random.randrange(chosen.size)
            if not taken.filter(status_index=index).exists():
                return chosen, index


def apply_states(status_list_id: int, states: Mapping[int, str]) -> StatusList:
    """Set the entries `states` (index -> IssuedCredential.State) of one list, raise its
    version and publish a new token (logged); inside the caller's transaction."""
    with transaction.atomic(savepoint=False):
        row = StatusList.objects.select_for_update().get(pk=status_list_id)
        entries = statuslist.StatusList.from_bytes(row.bits, bytes(row.packed))
        for index, state in states.items():
            entries.set(index, STATUS_OF_STATE[state])
        row.packed = entries.to_bytes()
        row.version += 1
        row.updated_at = timezone.now()
        _publish(row, entries)
    return row


def status_list_token(status_list: StatusList) -> str:
    """The signed token (typ statuslist+jwt) of the list's current version: the stored one
    while it is fresh, otherwise a new one (signed with the current issuer key, logged)."""
    if _fresh(status_list):
        return status_list.token
    with transaction.atomic():
        row = StatusList.objects.select_for_update().get(pk=status_list.pk)
        if not _fresh(row):
            _publish(row, statuslist.StatusList.from_bytes(row.bits, bytes(row.packed)))
    return row.token


def _fresh(row: StatusList) -> bool:
    return bool(
        row.token
        and row.token_version == row.version
        and row.token_kid == current_issuer_key().kid
        and row.token_expires_at is not None
        and row.token_expires_at - timezone.now() > TOKEN_REFRESH_MARGIN
    )


def _publish(row: StatusList, entries: statuslist.StatusList) -> None:
    """Sign the list's token, append its digest to the log and store it with the row."""
    key, x5c = current_signer()
    now = timezone.now()
    expires = now + STATUS_TOKEN_LIFETIME
    row.token = statuslist.sign_status_list(
        entries,
        uri=status_list_uri(row.pk),
        issuer=settings.BASE_URL,
        key=key,
        issued_at=int(now.timestamp()),
        ttl_seconds=TOKEN_TTL_SECONDS,
        expires_at=int(expires.timestamp()),
        x5c=x5c,
    )
    row.token_version = row.version
    row.token_kid = str(key.kid)
    row.token_expires_at = expires
    log.append("status-list", hashlib.sha256(row.token.encode("ascii")).digest())
    row.save()
