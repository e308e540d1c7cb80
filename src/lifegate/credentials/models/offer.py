"""OpenID4VCI 1.0 offers: a person's "put in another wallet" (pre-authorised code), and a
wallet's own request for a credential (authorization code flow).

A `CredentialOffer` lets one external wallet pick up one copy of one of the person's
credentials: the pre-authorised code in the offer (QR code or link) is exchanged once for
an access token, and the token once for the copy; the wallet must send the offer's
transaction code with it, which the person reads from the portal and types in the wallet,
so a QR code seen over someone's shoulder is of no use on its own. Codes and tokens are
stored only as SHA-256 hashes (they are bearer secrets) and expire within minutes. A
`CredentialNonce` is a `c_nonce` from the nonce endpoint: it is used once, in a wallet's key
proof. A `UsedProof` is a DPoP proof or wallet attestation PoP already accepted, kept while it
could be replayed.

In the authorization code flow a wallet first pushes its request (`WalletAuthorization`:
which wallet, where to answer, which credential type, its PKCE challenge); when the person
approves it and picks a credential, a `CredentialOffer` for that credential is made whose
code is the authorization code, linked to the request it answers."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import CredentialType
from lifegate.credentials.models.issued import IssuedCredential


class WalletAuthorization(models.Model):
    """A wallet's pushed authorization request (RFC 9126), until the person decides on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # SHA-256 (hex) of the request_uri's secret part; it expires, and is decided on once.
    request_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    client_id = models.CharField(max_length=255)
    redirect_uri = models.TextField()
    credential_type = models.ForeignKey(CredentialType, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=512, blank=True, default="")
    # PKCE (RFC 7636), S256 only: base64url SHA-256 of the wallet's code verifier.
    code_challenge = models.CharField(max_length=43)
    # RFC 9449 section 10: the thumbprint of the key the code is bound to, when given.
    dpop_jkt = models.CharField(max_length=43, blank=True, default="")
    # The thumbprint of the wallet instance's key its attestation named (cnf.jwk), when the
    # wallet authenticates: only that instance may exchange the code.
    instance_jkt = models.CharField(max_length=43, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("wallet authorization request")

    def __str__(self) -> str:
        return f"wallet authorization request {self.pk}"


class CredentialOffer(models.Model):
    """One offer of a copy of `credential` to an external wallet."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    credential = models.ForeignKey(
        IssuedCredential, on_delete=models.CASCADE, related_name="offers"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # SHA-256 (hex) of the pre-authorised code; it expires, and is exchanged at most once.
    code_hash = models.CharField(max_length=64, unique=True)
    code_expires_at = models.DateTimeField()
    code_used_at = models.DateTimeField(null=True, blank=True)
    # HMAC-SHA256 (hex), keyed with the pre-authorised code, of the transaction code the
    # person types into the wallet (OpenID4VCI 1.0 section 4.1.1); empty for an offer
    # without one. Wrong codes are counted: too many and the offer is used up.
    tx_code_hash = models.CharField(max_length=64, blank=True, default="")
    tx_code_failures = models.PositiveSmallIntegerField(default=0)
    # SHA-256 (hex) of the access token it was exchanged for: good for one credential.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_used_at = models.DateTimeField(null=True, blank=True)
    # The RFC 7638 thumbprint of the wallet key a DPoP-bound token is bound to; empty for a
    # Bearer token (a wallet that sent no DPoP proof for it).
    token_key_thumbprint = models.CharField(max_length=43, blank=True, default="")
    # The wallet's authorization request this offer answers (authorization code flow; its
    # code is then the authorization code); None for a pre-authorised code offer.
    authorization = models.OneToOneField(
        WalletAuthorization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="offer",
    )
    # The copy the wallet picked up.
    issued_copy = models.ForeignKey(
        IssuedCredential,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("credential offer")

    def __str__(self) -> str:
        return f"credential offer {self.pk}"


class CredentialNonce(models.Model):
    """A c_nonce handed out by the nonce endpoint, accepted once until it expires."""

    nonce_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("credential nonce")

    def __str__(self) -> str:
        return f"credential nonce {self.pk}"


class UsedProof(models.Model):
    """A proof a wallet's key made, accepted once: a DPoP proof (RFC 9449 section 11.1) or a
    client attestation's proof of possession. SHA-256 of its kind, endpoint and jti, kept
    until the proof is too old to be accepted anyway."""

    proof_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("used proof")

    def __str__(self) -> str:
        return f"used proof {self.pk}"
