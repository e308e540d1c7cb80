"""Authorization codes and access tokens of the development identity provider.

Codes and tokens are stored only as SHA-256 hashes (they are long random strings), so a
database dump cannot be replayed against the provider. The models belong to the `identity`
app (see identity/models.py)."""

import hashlib
from datetime import timedelta

from django.db import models
from django.utils import timezone

CODE_LIFETIME = timedelta(seconds=60)
# Used codes are kept a while so a replay is recognised (and a nonce is not reused).
CODE_RETENTION = timedelta(days=1)


def token_hash(value: str) -> str:
    """The stored form of a code or token."""
    return hashlib.sha256(value.encode()).hexdigest()


class DevIdpAuthorizationCode(models.Model):
    """One authorization code: single use, valid for `CODE_LIFETIME`."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=200)
    nonce = models.CharField(max_length=255, db_index=True)
    persona_key = models.CharField(max_length=100)
    acr = models.CharField(max_length=100)
    auth_time = models.DateTimeField()
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "identity"

    def __str__(self) -> str:
        return f"authorization code {self.pk}"

    # The methods Authlib's grants call (AuthorizationCodeMixin).
    def get_redirect_uri(self) -> str:
        """The redirect URI the code was issued for."""
        return self.redirect_uri

    def get_scope(self) -> str:
        """The granted scope."""
        return self.scope

    def get_nonce(self) -> str:
        """The relying party's nonce, echoed in the ID token."""
        return self.nonce

    def get_auth_time(self) -> int:
        """When the persona logged in (seconds since the epoch)."""
        return int(self.auth_time.timestamp())

    def get_acr(self) -> str:
        """The eIDAS level of assurance URI of the login."""
        return self.acr

    def get_amr(self) -> list[str] | None:
        """No authentication method references."""
        return None


class DevIdpAccessToken(models.Model):
    """An access token for the userinfo endpoint."""

    token_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=200)
    scope = models.CharField(max_length=200)
    persona_key = models.CharField(max_length=100)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_in = models.PositiveIntegerField()
    revoked = models.BooleanField(default=False)
    authorization_code = models.ForeignKey(
        DevIdpAuthorizationCode, on_delete=models.CASCADE, related_name="access_tokens"
    )

    class Meta:
        app_label = "identity"

    def __str__(self) -> str:
        return f"access token {self.pk}"

    # The methods Authlib's bearer token validator calls (TokenMixin).
    def check_client(self, client: object) -> bool:
        """True when the token was issued to `client`."""
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        """The granted scope."""
        return self.scope

    def get_expires_in(self) -> int:
        """Lifetime in seconds."""
        return self.expires_in

    def is_expired(self) -> bool:
        """True once the lifetime has passed."""
        return timezone.now() >= self.issued_at + timedelta(seconds=self.expires_in)

    def is_revoked(self) -> bool:
        """True when the token was revoked (its code was replayed)."""
        return self.revoked
