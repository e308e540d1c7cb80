"""The notification settings pages, under /inbox/settings/."""

from django.urls import path

from lifegate.inbox import views_notifications as views

app_name = "inbox-settings"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("address/", views.register_address, name="address"),
    path("address/resend/", views.resend, name="resend"),
    path("address/remove/", views.remove, name="remove"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
