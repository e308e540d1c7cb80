from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "lifegate.catalogue"
    label = "catalogue"
