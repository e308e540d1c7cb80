from django.apps import AppConfig


class MandatesConfig(AppConfig):
    name = "lifegate.mandates"
    verbose_name = "mandates"
