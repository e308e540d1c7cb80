from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "lifegate.credentials"
    verbose_name = "credentials"
