from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "lifegate.inbox"
    verbose_name = "message box"
