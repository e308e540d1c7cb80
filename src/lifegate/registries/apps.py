from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    name = "lifegate.registries"
    label = "registries"
