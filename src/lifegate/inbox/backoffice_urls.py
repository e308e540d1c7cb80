"""Messages in the agency back office, under /back-office/messages/."""

from django.urls import path

from lifegate.inbox import backoffice

app_name = "backoffice_messages"
urlpatterns = [
    path("", backoffice.message_list, name="list"),
    path("new", backoffice.send, name="send"),
    path("<uuid:message_id>/", backoffice.message_detail, name="message"),
]
