"""The admin shows the embedded register read-only."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from lifegate.registries.models import RegisteredPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(loaded: int) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("operator", "operator@example.org", "x"))
    return client


def test_the_person_list_and_a_person_are_shown(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.first()
    assert person is not None
    assert (
        admin_client_logged_in.get(
            reverse("admin:registries_registeredperson_changelist")
        ).status_code
        == 200
    )
    page = admin_client_logged_in.get(
        reverse("admin:registries_registeredperson_change", args=[person.pk])
    )
    assert page.status_code == 200
    assert person.family_name in page.text


@pytest.mark.parametrize(
    "model", ["registeredperson", "registeredaddress", "parentchildrelation", "partnership"]
)
def test_nothing_can_be_added(admin_client_logged_in: Client, model: str) -> None:
    assert admin_client_logged_in.get(reverse(f"admin:registries_{model}_add")).status_code == 403


def test_a_person_cannot_be_changed_or_deleted(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.first()
    assert person is not None
    url = reverse("admin:registries_registeredperson_change", args=[person.pk])
    admin_client_logged_in.post(url, {"family_name": "Changed"})
    assert (
        admin_client_logged_in.post(
            reverse("admin:registries_registeredperson_delete", args=[person.pk])
        ).status_code
        == 403
    )
    person.refresh_from_db()
    assert person.family_name != "Changed"
