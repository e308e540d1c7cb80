from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lifegate.portal"
    label = "portal"
