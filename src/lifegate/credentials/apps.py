from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.core import checks


class CredentialsConfig(AppConfig):
    name = "lifegate.credentials"
    verbose_name = "credentials"

    def ready(self) -> None:
        checks.register(issuer_trust_anchors_check)
        checks.register(issuing_ca_check)
        checks.register(tx_code_length_check)
        checks.register(wallets_check)


def issuer_trust_anchors_check(**_kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` (and every start) reports an issuer trust anchors file that cannot be
    read: verification would then trust no issuer through X.509."""
    return _anchors_file_check("LIFEGATE_ISSUER_TRUST_ANCHORS", "credentials.E001")


def _anchors_file_check(setting: str, check_id: str) -> list[checks.CheckMessage]:
    from django.conf import settings

    from lifegate.credentials.issuer_anchors import AnchorsUnreadable, anchor_certificates

    path = getattr(settings, setting)
    if not path:
        return []
    try:
        anchor_certificates(path)
    except AnchorsUnreadable as unreadable:
        return [
            checks.Error(
                f"{setting} cannot be used: {unreadable}",
                hint="Point it to a PEM file with one or more CA certificates, or leave it empty.",
                id=check_id,
            )
        ]
    return []


def issuing_ca_check(**_kwargs: Any) -> list[checks.CheckMessage]:
    """A CA certificate from another PKI close to its end: this node does not renew it."""
    from django.conf import settings

    from lifegate.credentials import certificates, issuer_certificates, verifier_identity

    found: list[checks.CheckMessage] = []
    for ca, what in (
        (issuer_certificates.CA, "credentials signed"),
        (verifier_identity.CA, "verifier requests signed"),
    ):
        if not (Path(settings.LIFEGATE_KEY_DIR) / ca.certificate_file).exists():
            continue  # made on first use
        cert = ca.certificate()
        if certificates.is_self_signed(cert) or not certificates.renewal_due(cert):
            continue
        found.append(
            checks.Warning(
                f"The CA certificate {ca.certificate_file} ends on "
                f"{cert.not_valid_after_utc:%Y-%m-%d}.",
                hint="Ask the PKI that issued it for a new one and put it in "
                f"{ca.certificate_file}: {what} after it ends will not verify through their "
                "certificates.",
                id="credentials.W002",
            )
        )
    return found


TX_CODE_LENGTHS = range(4, 11)


def tx_code_length_check(**_kwargs: Any) -> list[checks.CheckMessage]:
    """A transaction code too short to stop a guess, or too long to type."""
    from django.conf import settings

    length = settings.OID4VCI_TX_CODE_LENGTH
    if length == 0 or length in TX_CODE_LENGTHS:
        return []
    return [
        checks.Error(
            f"LIFEGATE_OID4VCI_TX_CODE_LENGTH is {length}.",
            hint=f"Use 0 (offers without a transaction code) or {TX_CODE_LENGTHS.start} to "
            f"{TX_CODE_LENGTHS.stop - 1} digits.",
            id="credentials.E003",
        )
    ]


def wallets_check(**_kwargs: Any) -> list[checks.CheckMessage]:
    """A list of admitted wallets that cannot be read: wallets' requests would fail."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from lifegate.credentials import wallets

    try:
        admitted = wallets.every_wallet()
    except ImproperlyConfigured as wrong:
        return [
            checks.Error(
                f"LIFEGATE_OID4VCI_WALLETS cannot be used: {wrong}",
                hint='A JSON list of {"client_id", "name", "redirect_uris"} objects (with '
                '"provider" for wallets that authenticate with a wallet attestation), or [].',
                id="credentials.E004",
            )
        ]
    found = _anchors_file_check("LIFEGATE_WALLET_PROVIDER_ANCHORS", "credentials.E005")
    if settings.OID4VCI_REQUIRE_KEY_ATTESTATION and not settings.LIFEGATE_WALLET_PROVIDER_ANCHORS:
        found.append(
            checks.Error(
                "LIFEGATE_OID4VCI_REQUIRE_KEY_ATTESTATION is on, but "
                "LIFEGATE_WALLET_PROVIDER_ANCHORS is empty: no wallet would get a credential.",
                hint="Point it to a PEM file with the wallet providers' CA certificates.",
                id="credentials.E007",
            )
        )
    attested = [wallet.client_id for wallet in admitted if wallet.provider]
    if attested and not settings.LIFEGATE_WALLET_PROVIDER_ANCHORS:
        found.append(
            checks.Error(
                f"Wallets {attested} must authenticate with a wallet attestation, but "
                "LIFEGATE_WALLET_PROVIDER_ANCHORS is empty: they would all be refused.",
                hint="Point it to a PEM file with the wallet providers' CA certificates.",
                id="credentials.E006",
            )
        )
    public = [wallet.client_id for wallet in admitted if not wallet.provider]
    if public:
        found.append(
            checks.Warning(
                f"Wallets {public} are admitted as public clients, without a wallet "
                "attestation: any app can ask in their name (HAIP 1.0 section 4.4.1 asks "
                "issuers to require client authentication).",
                hint='Give each a "provider" and trust its provider\'s CA in '
                "LIFEGATE_WALLET_PROVIDER_ANCHORS.",
                id="credentials.W003",
            )
        )
    return found
