# PLACEHOLDER — replaced by the identity building block.
from django.http import HttpResponse
from django.urls import path

app_name = "identity"
urlpatterns = [
    path("login/", lambda r: HttpResponse("login"), name="login"),
    path("logout/", lambda r: HttpResponse("logout"), name="logout"),
]
