from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "lifegate.exchange"
    verbose_name = "exchange"
