from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "lifegate.opendata"
    label = "opendata"
