"""The identity app's tables. Sessions live in Django's session store; the only tables are
the development identity provider's codes and tokens."""

from lifegate.identity.dev_idp.models import DevIdpAccessToken, DevIdpAuthorizationCode

__all__ = ["DevIdpAccessToken", "DevIdpAuthorizationCode"]
