"""The agency back office: staff of an agency log in, see their own agency's submissions only,
open one (the read is logged) and update its status with a message to the person."""

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from lifegate.catalogue.models import PublicService
from lifegate.journeys import backoffice
from lifegate.journeys.backoffice import LANGUAGE_NAMES
from lifegate.journeys.models import AgencyStaff, Step, Submission
from lifegate.journeys.tests.agency_factories import (
    PERSON,
    Agencies,
    make_agencies,
    make_submission,
)
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


@pytest.fixture
def agencies() -> Agencies:
    return make_agencies()


def make_user(username: str, agencies: Agencies | None = None) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    if agencies is not None:
        AgencyStaff.objects.create(user=user, organisation=agencies.mine)
    return user


@pytest.fixture
def staff(client: Client, agencies: Agencies) -> Client:
    client.force_login(make_user("gemeente-test-staff", agencies))
    return client


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_staff_log_in_with_username_and_password(client: Client, agencies: Agencies) -> None:
    make_user("gemeente-test-staff", agencies)
    assert client.get("/back-office/").url.startswith("/back-office/login/")  # type: ignore[attr-defined]
    assert client.get("/back-office/login/").status_code == 200
    wrong = client.post(
        "/back-office/login/", {"username": "gemeente-test-staff", "password": "nope"}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors
    right = client.post(
        "/back-office/login/", {"username": "gemeente-test-staff", "password": PASSWORD}
    )
    assert right.status_code == 302 and right.url == "/back-office/"  # type: ignore[attr-defined]
    assert client.get("/back-office/").status_code == 200


def test_a_user_who_is_not_agency_staff_is_refused(client: Client, agencies: Agencies) -> None:
    make_submission(agencies.service)
    client.force_login(make_user("someone"))
    assert client.get("/back-office/").status_code == 403


def test_staff_see_only_their_own_agencys_submissions(staff: Client, agencies: Agencies) -> None:
    mine = make_submission(agencies.service)
    theirs = make_submission(agencies.other_service)
    page = english(staff).get("/back-office/").content.decode()
    assert f"/back-office/submissions/{mine.pk}/" in page
    assert str(theirs.pk) not in page
    assert PERSON.value not in page  # the list shows no personal data
    row = page.split(f"/back-office/submissions/{mine.pk}/", 1)[1].split("</tr>", 1)[0]
    assert f'<td class="utrecht-table__cell">{LANGUAGE_NAMES[mine.language]}</td>' in row
    assert staff.get(f"/back-office/submissions/{theirs.pk}/").status_code == 404
    assert records_about(PERSON) == []


def test_the_list_filters_by_status(staff: Client, agencies: Agencies) -> None:
    new = make_submission(agencies.service)
    decided = make_submission(agencies.service, status=Submission.Status.DECIDED)
    page = staff.get("/back-office/", {"status": "decided"}).content.decode()
    assert str(decided.pk) in page and str(new.pk) not in page


def test_the_list_pages_keep_the_filter(
    staff: Client, agencies: Agencies, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backoffice, "PAGE_SIZE", 1)
    for _ in range(2):
        make_submission(agencies.service, status=Submission.Status.DECIDED)

    first = staff.get("/back-office/", {"status": "decided"}).content.decode()
    second = staff.get("/back-office/", {"status": "decided", "page": "2"}).content.decode()

    assert 'href="?status=decided&amp;page=2"' in first and "page=1" not in first
    assert 'href="?status=decided&amp;page=1"' in second and "page=3" not in second


def test_opening_a_submission_shows_its_fields_with_sources_and_is_logged(
    staff: Client, agencies: Agencies
) -> None:
    submission = make_submission(agencies.service)
    response = english(staff).get(f"/back-office/submissions/{submission.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Noor" in page and PERSON.value in page
    assert "population register" in page and "entered by the person" in page
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    [record] = records_about(PERSON)
    assert record.actor_kind == "agency" and record.organisation == agencies.mine.slug
    assert "gemeente-test-staff" in record.name


def test_staff_update_the_status_with_a_message_to_the_person(
    staff: Client, agencies: Agencies
) -> None:
    submission = make_submission(agencies.service)
    url = f"/back-office/submissions/{submission.pk}/"
    response = staff.post(url, {"status": "decided", "message": "Ingeschreven."})
    assert response.status_code == 302 and response.url == url  # type: ignore[attr-defined]
    submission.refresh_from_db()
    assert submission.status == "decided"
    change = submission.changes.get()
    assert (change.message, change.changed_by) == ("Ingeschreven.", "staff:gemeente-test-staff")
    assert Step.objects.get(pk=submission.step_id).status == Step.Status.DECIDED
    assert 'name="status"' not in staff.get(url).content.decode()  # settled: no more form


def test_a_rejection_without_a_reason_shows_a_field_error(
    staff: Client, agencies: Agencies
) -> None:
    submission = make_submission(agencies.service)
    response = english(staff).post(
        f"/back-office/submissions/{submission.pk}/", {"status": "rejected", "message": ""}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["message"] == [
        "Give the reason for the rejection; the person reads it."
    ]
    assert Submission.objects.get(pk=submission.pk).status == "submitted"


def test_only_statuses_the_life_cycle_allows_are_offered(staff: Client, agencies: Agencies) -> None:
    submission = make_submission(agencies.service, status=Submission.Status.IN_PROGRESS)
    url = f"/back-office/submissions/{submission.pk}/"
    choices = [value for value, _ in staff.get(url).context["form"].fields["status"].choices]
    assert choices == ["decided", "rejected"]
    response = staff.post(url, {"status": "received", "message": ""})
    assert response.status_code == 422 and response.context["form"].errors["status"]
    assert Submission.objects.get(pk=submission.pk).status == "in-progress"


def test_staff_of_another_agency_cannot_update_a_submission(
    client: Client, agencies: Agencies
) -> None:
    theirs = make_submission(agencies.other_service)
    client.force_login(make_user("gemeente-test-staff", agencies))
    response = client.post(f"/back-office/submissions/{theirs.pk}/", {"status": "decided"})
    assert response.status_code == 404
    assert Submission.objects.get(pk=theirs.pk).status == "submitted"


def test_a_service_no_longer_the_agencys_is_refused_by_the_decision_point(
    staff: Client, agencies: Agencies
) -> None:
    submission = make_submission(agencies.service)
    # The catalogue now names another organisation competent for the service: as in the
    # agency API, its old submissions are no longer the agency's to read or change.
    PublicService.objects.filter(pk=agencies.service.pk).update(competent_authority=agencies.other)
    url = f"/back-office/submissions/{submission.pk}/"

    assert staff.get(url).status_code == 404
    assert staff.post(url, {"status": "received", "message": ""}).status_code == 404
    assert Submission.objects.get(pk=submission.pk).status == "submitted"
    assert records_about(PERSON) == []


def test_a_status_update_without_csrf_token_is_refused(agencies: Agencies) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("gemeente-test-staff", agencies))
    submission = make_submission(agencies.service)
    response: Any = browser.post(
        f"/back-office/submissions/{submission.pk}/", {"status": "decided"}
    )
    assert response.status_code == 403
    assert Submission.objects.get(pk=submission.pk).status == "submitted"
