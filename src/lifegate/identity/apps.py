from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "lifegate.identity"
    label = "identity"
