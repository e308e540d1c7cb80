"""Agency clients: credentials shown once and stored as keyed hashes, authentication, the
command that creates them, and the demo's clients and back-office accounts."""

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate as authenticate_user
from django.core.management import CommandError, call_command
from django.test import override_settings

from lifegate.journeys import agency
from lifegate.journeys.models import AgencyClient, AgencyStaff
from lifegate.journeys.tests.agency_factories import Agencies, make_agencies

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies() -> Agencies:
    return make_agencies()


def test_a_new_clients_secret_is_stored_only_as_a_keyed_hash(agencies: Agencies) -> None:
    client, secret = agency.create_client(agencies.mine, "zaaksysteem", ["submissions"])
    assert len(secret) >= 43  # 256 random bits
    stored = AgencyClient.objects.get(pk=client.pk)
    assert secret not in {stored.secret_hash, stored.client_id, stored.webhook_secret_sealed}
    assert stored.secret_hash == agency.hash_secret(secret)
    with override_settings(LIFEGATE_SUBJECT_KEY="another-key-" * 4):
        assert agency.hash_secret(secret) != stored.secret_hash


def test_a_client_authenticates_with_its_bearer_credential_only(agencies: Agencies) -> None:
    client, secret = agency.create_client(agencies.mine, "zaaksysteem", ["submissions"])
    other, other_secret = agency.create_client(agencies.other, "svb", ["submissions"])
    assert agency.authenticate(f"Bearer {client.client_id}.{secret}") == client
    assert agency.authenticate(f"bearer {client.client_id}.{secret}") == client
    assert agency.authenticate(f"Bearer {client.client_id}.{other_secret}") is None
    assert agency.authenticate(f"Bearer {other.client_id}.{secret}") is None
    assert agency.authenticate(f"Basic {client.client_id}.{secret}") is None
    assert agency.authenticate(f"Bearer {client.client_id}") is None
    assert agency.authenticate("") is None
    assert agency.authenticate(None) is None
    AgencyClient.objects.filter(pk=client.pk).update(active=False)
    assert agency.authenticate(f"Bearer {client.client_id}.{secret}") is None


def test_unknown_scopes_are_refused(agencies: Agencies) -> None:
    with pytest.raises(ValueError, match="everything"):
        agency.create_client(agencies.mine, "greedy", ["submissions", "everything"])
    assert not AgencyClient.objects.exists()


def test_the_command_prints_a_working_credential_and_webhook_secret_once(
    agencies: Agencies,
) -> None:
    out = StringIO()
    call_command(
        "create_agency_client",
        agencies.mine.slug,
        "Zaaksysteem",
        "--scope",
        "submissions",
        "--scope",
        "events",
        "--webhook-url",
        "https://zaken.example.nl/lifegate",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    [credential] = [line.split("Bearer ", 1)[1] for line in lines if "Bearer " in line]
    client = agency.authenticate(f"Bearer {credential}")
    assert client is not None and client.organisation == agencies.mine
    assert client.scopes == ["events", "submissions"]
    assert client.webhook_url == "https://zaken.example.nl/lifegate"
    assert f"webhook signing secret: {agency.webhook_secret(client)}" in lines


def test_the_command_refuses_an_unknown_organisation(agencies: Agencies) -> None:
    with pytest.raises(CommandError, match="no organisation"):
        call_command("create_agency_client", "nobody", "x", stdout=StringIO())


def test_demo_clients_and_staff_work_and_survive_a_second_run(
    agencies: Agencies, tmp_path: Path
) -> None:
    with override_settings(VAR_DIR=tmp_path):
        first = agency.ensure_demo_clients()
        path = agency.demo_file()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert json.loads(path.read_text()) == first
        second = agency.ensure_demo_clients()
    assert set(first) == {agencies.mine.slug, agencies.other.slug}
    assert second == first
    assert AgencyClient.objects.count() == 2 and AgencyStaff.objects.count() == 2
    entry = first[agencies.mine.slug]
    client = agency.authenticate(f"Bearer {entry['token']}")
    assert client is not None and client.organisation == agencies.mine
    user = authenticate_user(username=entry["staff_username"], password=entry["staff_password"])
    assert user is not None and user.agency_staff.organisation == agencies.mine
    assert not user.is_staff  # a back-office account, not an admin account


def test_demo_credentials_are_issued_anew_when_the_file_is_lost(
    agencies: Agencies, tmp_path: Path
) -> None:
    with override_settings(VAR_DIR=tmp_path):
        first = agency.ensure_demo_clients()
        agency.demo_file().unlink()
        second = agency.ensure_demo_clients()
    old, new = first[agencies.mine.slug], second[agencies.mine.slug]
    assert new["token"] != old["token"]
    assert agency.authenticate(f"Bearer {old['token']}") is None
    assert agency.authenticate(f"Bearer {new['token']}") is not None
    assert authenticate_user(username=new["staff_username"], password=new["staff_password"])
    assert AgencyClient.objects.count() == 2
