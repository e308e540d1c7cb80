"""The admin lists mandates and invitations read-only, without anything that identifies the
people involved or lets anyone redeem an invitation."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from lifegate.mandates.models import Mandate, MandateInvitation, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, period, person
from lifegate.registries.personas import DemoPersona

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("operator", "operator@example.org", "x"))
    return client


def test_mandate_pages_show_no_identifiers_and_offer_no_changes(
    operator: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly, student = personas["elderly"].subject, personas["student"].subject
    grant_active(elderly, student, [Scope(ScopeKind.INBOX_FULL)], *period(), person(elderly))
    mandate = Mandate.objects.get()

    listing = operator.get(reverse("admin:mandates_mandate_changelist"))
    detail = operator.get(reverse("admin:mandates_mandate_change", args=[mandate.pk]))

    for page in (listing, detail):
        assert page.status_code == 200
        html = page.content.decode()
        assert "inbox-full" in html
        for secret in (elderly.value, student.value, mandate.principal_hash):
            assert secret not in html
        assert mandate.representative_hash not in html
    assert operator.get(reverse("admin:mandates_mandate_add")).status_code == 403


def test_invitation_pages_show_no_code_hash(
    operator: Client, personas: dict[str, DemoPersona]
) -> None:
    elderly = personas["elderly"].subject
    grant_active(elderly, None, [Scope(ScopeKind.INBOX_READ)], *period(), person(elderly))
    invitation = MandateInvitation.objects.get()

    page = operator.get(reverse("admin:mandates_mandateinvitation_change", args=[invitation.pk]))

    assert page.status_code == 200
    assert invitation.code_hash not in page.content.decode()
