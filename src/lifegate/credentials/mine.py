"""A person's own credentials, as the "My credentials" pages and API show them: the list, one
credential with its claims, and a new offer to put a copy in another wallet.

Credentials are proofs about the logged-in person themselves: a mandate does not cover
someone else's proofs, so someone acting for another person sees (and can hand out) only
their own. Someone else's credential and an unknown one are alike: None. Showing the list
(when it is not empty), a credential's claims and making an offer are recorded in the
person's processing log (what was issued to whom, and when, is itself personal data)."""

from typing import Any, NamedTuple
from uuid import UUID

from django.db import transaction

from lifegate.core.subject import Subject
from lifegate.credentials import issuing, oid4vci
from lifegate.credentials.models import IssuedCredential
from lifegate.transparency.services import Actor, record_processing, subject_hash

LOG_ENTRY_PATH = "/api/credentials/log/entries/{index}"


class ClaimRow(NamedTuple):
    """One claim of a credential: its key, its label in the active language, its value."""

    key: str
    label: str
    value: Any


class NotOfferable(Exception):
    """A revoked or suspended credential cannot be put in another wallet."""


def credentials(person: Subject) -> list[IssuedCredential]:
    """The person's own credentials, newest first (recorded when there are any)."""
    found = list(issuing.credentials_of(person))
    if found:
        _record(person, "credentials.list", ["credential-overview"])
    return found


def credential(person: Subject, credential_id: UUID) -> IssuedCredential | None:
    """The person's own credential `credential_id` (not a wallet copy), or None."""
    return (
        IssuedCredential.objects.filter(
            pk=credential_id, subject_hash=subject_hash(person), copy_of__isnull=True
        )
        .select_related("credential_type__issuer", "status_list")
        .first()
    )


def claim_rows(person: Subject, found: IssuedCredential) -> list[ClaimRow]:
    """Every claim of `found`, in the credential type's order (recorded as a view)."""
    kind = found.credential_type
    claims = issuing.subject_claims(found)
    _record(person, f"credentials.view.{kind.slug}", list(claims))
    return [
        ClaimRow(key, kind.claim_label(key), claims[key])
        for key in kind.claim_keys
        if key in claims
    ]


def log_entry_path(found: IssuedCredential) -> str:
    """Where anyone reads the credential's entry in the transparency log."""
    return LOG_ENTRY_PATH.format(index=found.log_index)


def new_offer(person: Subject, found: IssuedCredential) -> oid4vci.Offer:
    """A new OpenID4VCI offer of a copy of `found` (recorded: the person hands out a copy of
    their proof); raises NotOfferable unless it is valid."""
    if found.state != IssuedCredential.State.VALID:
        raise NotOfferable
    with transaction.atomic():
        made = oid4vci.make_offer(found)
        record_offer(person, found)
    return made


def record_offer(person: Subject, found: IssuedCredential, wallet: str = "") -> None:
    """The person handed out a copy of `found` to a wallet (naming it when it asked itself,
    by its client_id): in their processing log."""
    name = f"credentials.offer.{found.credential_type.slug}"
    _record(person, f"{name} to {wallet}" if wallet else name, ["credential-offer"])


def _record(person: Subject, name: str, categories: list[str]) -> None:
    """The person's own use of their credentials, in their processing log."""
    record_processing(
        name=name[:120],
        subject=person,
        activity=issuing.ACTIVITY,
        actor=Actor(kind="person", subject=person),
        data_categories=categories,
    )
