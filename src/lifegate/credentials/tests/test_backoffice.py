"""Credentials in the agency back office: staff see their organisation's counts without
personal data, find a person's credentials through a posted form (the look recorded), issue
from the registers, and suspend, reinstate or revoke (a revoke confirmed); other
organisations' credentials are a 404, bad input a 422 in the staff member's language that
writes nothing."""

from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.credentials import backoffice, revocation
from lifegate.credentials.issuing import issue
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS, RESIDENCE_CLAIMS
from lifegate.journeys.models import AgencyStaff
from lifegate.registries import demo_sources
from lifegate.registries.education import diplomas_of
from lifegate.registries.models import RegisteredPerson
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings")]
HOME = "/back-office/credentials/"
API = IssuedCredential.Source.AGENCY_API


def staff_client(client: Client, organisation: str, language: str = "en") -> Client:
    user = User.objects.create_user(f"{organisation}-staff")
    AgencyStaff.objects.create(
        user=user, organisation=PublicOrganisation.objects.get(slug=organisation)
    )
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def municipality(client: Client, credential_types: Any) -> Client:
    return staff_client(client, "gemeente-utrecht")


@pytest.fixture
def education(client: Client, credential_types: Any) -> Client:
    return staff_client(client, "duo")


def person_form(prefix: str, subject: Subject, **more: str) -> dict[str, str]:
    return {f"{prefix}-scheme": subject.scheme, f"{prefix}-value": subject.value} | {
        f"{prefix}-{key}": value for key, value in more.items()
    }


def records(subject: Subject) -> list[str]:
    rows = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(subject))
    return sorted(row.name for row in rows)


def a_diploma(subject: Subject) -> IssuedCredential:
    duo = Actor(kind="agency", organisation="duo")
    return issue(
        "diploma", subject, DIPLOMA_CLAIMS, actor=duo, source=API, source_reference="dossier-1"
    )


def test_the_overview_counts_only_the_organisations_own_types_without_personal_data(
    municipality: Client, person: Subject
) -> None:
    a_diploma(person)  # another organisation's type
    municipality.post(HOME + "issue", person_form("issue", person, type="residence"))
    ProcessingRecord.objects.all().delete()

    response = municipality.get(HOME)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="count-residence"' in page and 'id="count-birth-registration"' in page
    assert 'id="count-diploma"' not in page
    row = page.split('id="count-residence"', 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<", 1)[0] for cell in row.split('numeric">')[1:]] == ["1", "0", "0", "0"]
    assert person.value not in page
    assert records(person) == []


def test_only_agency_staff_get_in(client: Client, credential_types: Any) -> None:
    assert client.get(HOME).url.startswith("/back-office/login/")  # type: ignore[attr-defined]
    client.force_login(User.objects.create_user("someone"))
    assert client.get(HOME).status_code == 403
    assert client.post(HOME + "find", {}).status_code == 403


def test_finding_a_persons_credentials_lists_the_own_ones_and_records_the_look(
    education: Client, person: Subject
) -> None:
    mine = a_diploma(person)
    municipality = Actor(kind="agency", organisation="gemeente-utrecht")
    theirs = issue(
        "residence",
        person,
        RESIDENCE_CLAIMS,
        actor=municipality,
        source=API,
        source_reference="d-2",
    )
    before = records(person)

    response = education.post(HOME + "find", person_form("find", person))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{HOME}{mine.pk}/" in page and str(theirs.pk) not in page
    assert records(person) == sorted([*before, "credentials.backoffice.find by duo-staff"])
    # The identifier is only ever posted; a GET (after a login, say) goes to the overview.
    assert education.get(HOME + "find").url == HOME  # type: ignore[attr-defined]


def test_a_person_without_credentials_of_the_organisation_is_told_so(
    education: Client, person: Subject
) -> None:
    response = education.post(HOME + "find", person_form("find", person))

    assert response.status_code == 200
    assert 'id="found-none"' in response.content.decode()
    assert records(person) == ["credentials.backoffice.find by duo-staff"]


@pytest.mark.parametrize(
    ("language", "value", "message"),
    [
        ("en", "123456789", "This is not a BSN"),
        ("nl", "123456789", "Dit is geen BSN"),
        ("en", "", "This field is required."),
        ("nl", "", "Dit veld is verplicht."),
    ],
)
def test_a_malformed_identifier_is_a_422_in_the_staff_members_language(
    client: Client, credential_types: Any, language: str, value: str, message: str
) -> None:
    staff = staff_client(client, "duo", language)

    response = staff.post(HOME + "find", {"find-scheme": "bsn", "find-value": value})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert ProcessingRecord.objects.count() == 0


def test_an_unregistered_person_is_a_422_and_nothing_is_recorded(education: Client) -> None:
    stranger = Subject("bsn", demo_sources.test_range_bsns()[5])

    found = education.post(HOME + "find", person_form("find", stranger))
    issued = education.post(HOME + "issue", person_form("issue", stranger, type="diploma"))

    for response in (found, issued):
        assert response.status_code == 422
        assert "No registered person has this identifier." in response.content.decode()
    assert IssuedCredential.objects.count() == 0
    assert ProcessingRecord.objects.count() == 0


def test_issuing_from_the_register_opens_the_new_credential(
    municipality: Client, person: Subject
) -> None:
    response = municipality.post(HOME + "issue", person_form("issue", person, type="residence"))

    credential = IssuedCredential.objects.get()
    assert response.status_code == 302
    assert response.url == f"{HOME}{credential.pk}/"  # type: ignore[attr-defined]
    assert credential.source == IssuedCredential.Source.REGISTER
    assert "credentials.issue.residence" in records(person)
    page = municipality.get(response.url).content.decode()  # type: ignore[attr-defined]
    assert "Issued: the person finds it under My credentials." in page
    assert person.value in page and "lg-state--valid" in page
    assert "credentials.backoffice.read.residence by gemeente-utrecht-staff" in records(person)

    again = municipality.post(HOME + "issue", person_form("issue", person, type="residence"))
    assert again.status_code == 302 and IssuedCredential.objects.count() == 1
    page = municipality.get(again.url).content.decode()  # type: ignore[attr-defined]
    assert "This was issued before; nothing new was issued." in page


def test_several_diplomas_are_listed_after_issuing(education: Client, personas: Any) -> None:
    subject = next(
        persona.subject
        for persona in personas.values()
        if persona.subject.scheme == "bsn" and len(diplomas_of(persona.subject) or []) > 1
    )

    response = education.post(HOME + "issue", person_form("issue", subject, type="diploma"))

    page = response.content.decode()
    issued = IssuedCredential.objects.all()
    assert response.status_code == 200
    assert issued.count() == len(diplomas_of(subject) or [])
    assert all(f"{HOME}{credential.pk}/" in page for credential in issued)
    before = records(subject)

    again = education.post(HOME + "issue", person_form("issue", subject, type="diploma"))

    assert again.status_code == 200 and IssuedCredential.objects.count() == issued.count()
    assert "This was issued before; nothing new was issued." in again.content.decode()
    # Issuing again reads the registers and shows each credential's state: all recorded.
    reads = ["credentials.backoffice.read.diploma by duo-staff"] * issued.count()
    register = [
        "credentials.issue.read-education-register",
        "credentials.issue.read-population-register",
    ]
    assert Counter(records(subject)) - Counter(before) == Counter(reads + register)


def test_nothing_in_the_register_is_a_readable_422_that_writes_nothing(
    education: Client, person: Subject
) -> None:
    response = education.post(HOME + "issue", person_form("issue", person, type="diploma"))

    assert response.status_code == 422
    assert "The registers hold nothing of this type for this person." in response.content.decode()
    assert IssuedCredential.objects.count() == 0


def test_only_the_organisations_register_types_can_be_chosen(
    education: Client, person: Subject
) -> None:
    response = education.post(HOME + "issue", person_form("issue", person, type="residence"))

    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    assert IssuedCredential.objects.count() == 0


def test_another_organisations_credential_is_a_404(municipality: Client, person: Subject) -> None:
    diploma = a_diploma(person)

    assert municipality.get(f"{HOME}{diploma.pk}/").status_code == 404
    post = municipality.post(f"{HOME}{diploma.pk}/", {"state": "revoked", "confirm": "yes"})
    assert post.status_code == 404
    diploma.refresh_from_db()
    assert diploma.state == "valid"


def test_suspending_reinstating_and_revoking_after_confirmation(
    education: Client, person: Subject
) -> None:
    diploma = a_diploma(person)
    page = f"{HOME}{diploma.pk}/"

    def state() -> str:
        diploma.refresh_from_db()
        return diploma.state

    suspended = education.post(page, {"state": "suspended"})
    assert suspended.status_code == 302 and state() == "suspended"
    assert "credentials.suspend.diploma" in records(person)
    assert education.post(page, {"state": "valid"}).status_code == 302 and state() == "valid"

    unconfirmed = education.post(page, {"state": "revoked"})
    assert unconfirmed.status_code == 422 and state() == "valid"
    assert "revoking cannot be undone" in unconfirmed.content.decode()

    revoked = education.post(page, {"state": "revoked", "confirm": "yes"})
    assert revoked.status_code == 302 and state() == "revoked"
    final = education.get(page).content.decode()
    assert "The credential is revoked." in final and 'id="settled"' in final
    assert 'id="change-form"' not in final

    refused = education.post(page, {"state": "valid"})
    assert refused.status_code == 409 and state() == "revoked"
    twice = education.post(page, {"state": "revoked", "confirm": "yes"})  # the back button
    assert twice.status_code == 302 and state() == "revoked"
    assert records(person).count("credentials.revoke.diploma") == 1


def test_a_revoke_elsewhere_meanwhile_is_a_409_that_changes_nothing(
    education: Client, person: Subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    diploma = a_diploma(person)
    stale = IssuedCredential.objects.get(pk=diploma.pk)  # what the page loaded
    revocation.revoke(diploma, actor=Actor(kind="agency", organisation="duo"))
    monkeypatch.setattr(backoffice, "_own_credential", lambda staff, credential_id: stale)
    before = records(person)

    response = education.post(f"{HOME}{diploma.pk}/", {"state": "suspended"})

    diploma.refresh_from_db()
    assert response.status_code == 409 and diploma.state == "revoked"
    assert "This change is not possible from the current state." in response.content.decode()
    new = Counter(records(person)) - Counter(before)
    assert new == Counter(["credentials.backoffice.read.diploma by duo-staff"])


def test_someone_who_left_the_register_still_has_their_credentials_found(
    education: Client, person: Subject
) -> None:
    diploma = a_diploma(person)
    RegisteredPerson.objects.filter(bsn=person.value).delete()

    response = education.post(HOME + "find", person_form("find", person))

    assert response.status_code == 200
    assert f"{HOME}{diploma.pk}/" in response.content.decode()


def test_the_pages_speak_dutch(client: Client, credential_types: Any, person: Subject) -> None:
    staff = staff_client(client, "duo", "nl")
    diploma = a_diploma(person)

    overview = staff.get(HOME).content.decode()
    detail = staff.get(f"{HOME}{diploma.pk}/").content.decode()

    assert "Bewijzen van een persoon zoeken" in overview
    assert "Voor altijd intrekken" in detail
