"""The wallets admitted to the OpenID4VCI authorization code flow (settings.OID4VCI_WALLETS).

A wallet asks for a credential in a person's name and receives it at its redirect URI. The
issuer only sends authorization codes to addresses it knows belong to a wallet the operator
admitted (a trust decision, as a national wallet scheme would certify wallets): each wallet
is listed with its OAuth `client_id`, the `name` the person sees when asked to consent, and
its exact `redirect_uris` (https, or an app's reverse-DNS private-use scheme, RFC 8252 7.1).

A wallet listed with a `provider` (the URI its wallet provider's certificate names) is a
client that authenticates, as HAIP 1.0 section 4.4.1 asks: each of its requests carries a
wallet attestation signed by that provider (`credentials.client_attestation`), so an app
that merely copies its client_id or claims its redirect scheme gets nothing. A wallet
listed without one is a public client: the list then decides where codes may go, not who
asks (see docs/security.md)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from lifegate.core.origins import is_private_use_scheme

MAX_CLIENT_ID_LENGTH = 255


@dataclass(frozen=True)
class Wallet:
    """An admitted wallet: its client_id, display name and redirect URIs, and the wallet
    provider whose attestation it must authenticate with (None: a public client)."""

    client_id: str
    name: str
    redirect_uris: tuple[str, ...]
    provider: str | None = None


def admitted(client_id: str) -> Wallet | None:
    """The admitted wallet with this client_id, or None."""
    for wallet in every_wallet():
        if wallet.client_id == client_id:
            return wallet
    return None


def every_wallet() -> list[Wallet]:
    """Every admitted wallet; ImproperlyConfigured when the list cannot be used."""
    configured = settings.OID4VCI_WALLETS
    if not isinstance(configured, list):
        raise ImproperlyConfigured("LIFEGATE_OID4VCI_WALLETS must be a JSON list")
    found = [_wallet(entry) for entry in configured]
    client_ids = [wallet.client_id for wallet in found]
    if len(set(client_ids)) != len(client_ids):
        # Only the first would count: a later entry's provider would silently not apply.
        raise ImproperlyConfigured("each wallet's client_id must be listed once")
    return found


def _wallet(entry: object) -> Wallet:
    if not isinstance(entry, dict):
        raise ImproperlyConfigured("each of LIFEGATE_OID4VCI_WALLETS must be an object")
    client_id, name, uris = entry.get("client_id"), entry.get("name"), entry.get("redirect_uris")
    if (
        not isinstance(client_id, str)
        or not client_id.isascii()
        or not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH
    ):
        raise ImproperlyConfigured("a wallet's client_id must be 1 to 255 ASCII characters")
    if not isinstance(name, str) or not name.strip():
        raise ImproperlyConfigured(f"wallet {client_id!r} needs a name")
    if not isinstance(uris, list) or not uris or not all(_redirect_uri_fits(u) for u in uris):
        raise ImproperlyConfigured(
            f"wallet {client_id!r} needs redirect_uris: https URIs, or URIs of an app's"
            " reverse-DNS scheme (such as com.example.wallet:/callback), without a fragment"
        )
    provider = entry.get("provider")
    if provider is not None and (
        not isinstance(provider, str) or not provider.isascii() or not urlsplit(provider).scheme
    ):
        raise ImproperlyConfigured(
            f"wallet {client_id!r}: provider must be the URI its provider's certificate names"
        )
    return Wallet(client_id, name.strip(), tuple(uris), provider)


def _redirect_uri_fits(uri: object) -> bool:
    """An absolute URI without fragment (RFC 6749 3.1.2) that only the wallet can receive:
    https (a claimed link), http on this machine only, or an app's private-use scheme in
    reverse-DNS form (RFC 8252 7.1: it holds a dot, so no "javascript:", "intent:" or the
    like)."""
    if not isinstance(uri, str) or "#" in uri or not uri.isascii():
        return False
    parts = urlsplit(uri)
    if parts.scheme == "https":
        return bool(parts.hostname)
    if parts.scheme == "http":
        return parts.hostname in ("localhost", "127.0.0.1")
    return is_private_use_scheme(parts.scheme)
