from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "lifegate.transparency"
    label = "transparency"
