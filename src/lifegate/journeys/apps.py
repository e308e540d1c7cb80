from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "lifegate.journeys"
    verbose_name = "journeys"
