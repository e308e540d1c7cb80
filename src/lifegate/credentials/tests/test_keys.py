"""The issuer key ring: made on first use, kept on disk only, rotated by a command; a retired
key stays published while anything it signed can still be valid, so old credentials keep
verifying."""

import json
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from lifegate.credentials import keys, sdjwt
from lifegate.credentials.issuing import holder_key, issue, stored_sd_jwt
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS, RESIDENCE_CLAIMS
from lifegate.transparency.services import Actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings")]


def published_kids() -> list[str]:
    return [str(key["kid"]) for key in keys.issuer_jwks()["keys"]]


def issue_diploma(person, duo, reference: str = "dossier-1") -> IssuedCredential:
    return issue(
        "diploma",
        person,
        DIPLOMA_CLAIMS,
        actor=duo,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference=reference,
    )


def verifies(credential: IssuedCredential) -> sdjwt.VerifiedSdJwt:
    key = holder_key(credential)
    assert key is not None
    presentation = sdjwt.bind(
        sdjwt.select(stored_sd_jwt(credential), ["title"]),
        holder_key=key,
        audience="https://verifier.example",
        nonce="n",
        issued_at=int(time.time()),
    )
    return sdjwt.verify(
        presentation,
        issuer_key=keys.issuer_key,
        audience="https://verifier.example",
        nonce="n",
    )


def age_ring(days: int) -> None:
    """Pretend every retirement happened `days` ago."""
    path = settings.LIFEGATE_KEY_DIR / keys.RING_FILE
    data = json.loads(path.read_text())
    for key in data["keys"]:
        if key["retired_at"]:
            key["retired_at"] = (timezone.now() - timedelta(days=days)).isoformat()
    path.write_text(json.dumps(data))


def test_the_first_key_is_made_on_first_use_as_a_private_file_beside_a_ring():
    key = keys.current_issuer_key()

    directory = settings.LIFEGATE_KEY_DIR
    key_file = directory / "credentials-issuer-1.jwk.json"
    assert key.is_private and key.kid
    assert key_file.stat().st_mode & 0o077 == 0
    ring = json.loads((directory / keys.RING_FILE).read_text())
    assert [each["kid"] for each in ring["keys"]] == [key.kid]
    assert '"d"' not in (directory / keys.RING_FILE).read_text()
    assert published_kids() == [key.kid]


def test_published_keys_are_public_only():
    keys.current_issuer_key()

    assert all("d" not in key for key in keys.issuer_jwks()["keys"])


def test_rotating_makes_a_new_current_key_and_keeps_the_old_one_published_for_a_while():
    old = keys.current_issuer_key()

    new = keys.rotate()

    assert new.kid != old.kid
    assert keys.current_issuer_key().kid == new.kid
    assert published_kids() == [new.kid, old.kid]  # status tokens it signed still live


def test_credentials_signed_by_an_old_key_still_verify_after_rotation(
    credential_types, person, duo
):
    credential = issue_diploma(person, duo)
    old_kid = credential.kid

    keys.rotate()
    age_ring(days=30)
    newer = issue_diploma(person, duo, "dossier-2")

    assert verifies(credential).kid == old_kid
    assert verifies(newer).kid == keys.current_issuer_key().kid != old_kid


def test_a_retired_key_whose_credentials_all_expired_is_no_longer_published(
    credential_types, person
):
    municipality = Actor(kind="agency", organisation="gemeente-utrecht")
    credential = issue(
        "residence",
        person,
        RESIDENCE_CLAIMS,
        actor=municipality,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference="brp-1",
    )
    keys.rotate()
    age_ring(days=30)
    assert credential.kid in published_kids()  # the residence proof is valid 90 days

    IssuedCredential.objects.update(expires_at=timezone.now() - timedelta(days=1))

    assert published_kids() == [keys.current_issuer_key().kid]
    assert keys.issuer_key(settings.BASE_URL, credential.kid) is None


def test_a_retired_key_that_signed_a_credential_without_expiry_stays_published(
    credential_types, person, duo
):
    credential = issue_diploma(person, duo)  # diplomas do not expire
    keys.rotate()
    keys.rotate()
    age_ring(days=3650)

    assert credential.kid in published_kids()
    assert len(published_kids()) == 2  # the key between signed nothing


def test_the_issuer_key_lookup_trusts_only_this_issuer_and_published_kids():
    kid = keys.current_issuer_key().kid

    assert keys.issuer_key(settings.BASE_URL, kid) is not None
    assert keys.issuer_key("https://other.example", kid) is None
    assert keys.issuer_key(settings.BASE_URL, "unknown") is None
    assert keys.issuer_key(settings.BASE_URL, None) is None


def test_the_rotate_command_prints_the_new_kid():
    old = keys.current_issuer_key().kid
    output = StringIO()

    call_command("rotate_issuer_key", stdout=output)

    printed = output.getvalue().strip()
    assert printed == keys.current_issuer_key().kid != old
