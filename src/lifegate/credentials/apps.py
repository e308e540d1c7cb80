from typing import Any

from django.apps import AppConfig
from django.core import checks


class CredentialsConfig(AppConfig):
    name = "lifegate.credentials"
    verbose_name = "credentials"

    def ready(self) -> None:
        checks.register(issuer_trust_anchors_check)


def issuer_trust_anchors_check(**_kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` (and every start) reports an issuer trust anchors file that cannot be
    read: verification would then trust no issuer through X.509."""
    from django.conf import settings

    from lifegate.credentials.issuer_anchors import AnchorsUnreadable, anchor_certificates

    path = settings.LIFEGATE_ISSUER_TRUST_ANCHORS
    if not path:
        return []
    try:
        anchor_certificates(path)
    except AnchorsUnreadable as unreadable:
        return [
            checks.Error(
                f"LIFEGATE_ISSUER_TRUST_ANCHORS cannot be used: {unreadable}",
                hint="Point it to a PEM file with one or more CA certificates, or leave it empty.",
                id="credentials.E001",
            )
        ]
    return []
