"""The person's message box pages, under /inbox/."""

from django.urls import path

from lifegate.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("<uuid:message_id>/", views.message, name="message"),
    path(
        "<uuid:message_id>/attachments/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("<uuid:message_id>/archive", views.archive, name="archive"),
]
