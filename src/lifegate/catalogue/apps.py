from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "lifegate.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        from lifegate.catalogue import signals

        signals.connect()
