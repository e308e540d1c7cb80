"""Removing what OpenID4VCI leaves behind once it can no longer be used.

An offer is of use while its code may still be exchanged or its access token still
redeemed; a wallet's authorization request while the person may still answer it, or while
the offer that answers it is of use. Afterwards the rows only say that a person's credential
went to some wallet, which the processing log already records; so they go, together with
expired nonces (otherwise cleared only as new ones are made, so a quiet node would keep
them) and used DPoP proofs and attestation PoPs (only ever cleared here). The copies a
wallet picked up are credentials of their own and stay."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from lifegate.credentials.models import (
    CredentialNonce,
    CredentialOffer,
    UsedProof,
    WalletAuthorization,
)
from lifegate.credentials.oid4vci_authorize import CLEAR_MARGIN


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind were removed."""

    offers: int
    authorizations: int
    nonces: int
    used_proofs: int

    def __str__(self) -> str:
        return (
            f"offers {self.offers}, wallet requests {self.authorizations}, "
            f"nonces {self.nonces}, used proofs {self.used_proofs}"
        )


def purge_spent(now: datetime | None = None) -> Purged:
    """Delete the offers, wallet requests, nonces and used proofs no one can use any more."""
    moment = timezone.now() if now is None else now
    with transaction.atomic():
        # An offer whose code expired, and whose token (if it got one) expired too: a used
        # code or token is refused just the same once its time is up.
        offers = CredentialOffer.objects.filter(code_expires_at__lte=moment).filter(
            Q(token_expires_at__isnull=True) | Q(token_expires_at__lte=moment)
        )
        # A request past its time with no offer left: refused, unanswered, or answered by
        # an offer removed just now.
        removed = _deleted(offers, CredentialOffer)
        authorizations = WalletAuthorization.objects.filter(
            expires_at__lte=moment - CLEAR_MARGIN, offer__isnull=True
        )
        return Purged(
            offers=removed,
            authorizations=_deleted(authorizations, WalletAuthorization),
            nonces=_deleted(
                CredentialNonce.objects.filter(expires_at__lte=moment), CredentialNonce
            ),
            used_proofs=_deleted(UsedProof.objects.filter(expires_at__lte=moment), UsedProof),
        )


def _deleted(rows: QuerySet[Any], model: type[Model]) -> int:
    _total, by_model = rows.delete()
    return by_model.get(model._meta.label, 0)
