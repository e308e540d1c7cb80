"""(being written)"""

from django.urls import URLPattern

app_name = "inbox-settings"
urlpatterns: list[URLPattern] = []
