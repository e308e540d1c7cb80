"""The status of wallet and key attestations: a wallet provider that finds a wallet instance
compromised (a rooted phone, a leaked key) withdraws its attestations through a Token Status
List, as it does in the EUDI wallet ecosystem; the attestation names its entry in `status`
(`status_list.idx` and `.uri`, as a credential does).

An attestation with such a reference is taken only while its entry is VALID. The list is
fetched from the provider over HTTPS (`trust.wallet_provider_list`: no redirects, a size
limit, cached for the token's ttl) and its token must be signed with a certificate whose chain
leads to a wallet provider anchor, naming the wallet's provider where that is known (a wallet
attestation). A list that cannot be fetched or checked refuses the attestation: an issuer
cannot tell a withdrawn wallet from a working one without it. An attestation without
`status` is taken as before (its short lifetime bounds it), and so is one whose `status`
uses another mechanism than a status list: as with credentials (`sdjwt_verify`), a mechanism
this issuer does not know is not an error."""

from typing import Any

from lifegate.credentials import statuslist, trust
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.sdjwt_verify import status_reference

SCHEME = "https://"


class Withdrawn(Exception):
    """The attestation may not be used; the message says why, in a sentence that starts with
    the attestation's name."""


def check(claims: dict[str, Any], provider: str | None, what: str) -> None:
    """Raise Withdrawn unless the attestation with `claims` (`what`: its name in messages)
    has no status, or a VALID entry in its provider's status list."""
    try:
        reference = status_reference(claims)
    except CredentialRejected as wrong:
        raise Withdrawn(f"{what}'s {wrong.detail}") from None
    if reference is None:
        return
    if not reference.uri.startswith(SCHEME):
        raise Withdrawn(f"{what}'s status list address is not an https URL")
    try:
        status = trust.wallet_provider_list(reference.uri, provider).get(reference.index)
    except CredentialRejected as unavailable:
        raise Withdrawn(
            f"{what}'s status could not be checked ({unavailable.detail}); try again later"
        ) from None
    except IndexError:
        raise Withdrawn(f"{what}'s status index lies outside its status list") from None
    if status == statuslist.INVALID:
        raise Withdrawn(f"{what} is revoked by its wallet provider")
    if status == statuslist.SUSPENDED:
        raise Withdrawn(f"{what} is suspended by its wallet provider")
    if status != statuslist.VALID:
        raise Withdrawn(f"{what} is not valid (status {status})")
