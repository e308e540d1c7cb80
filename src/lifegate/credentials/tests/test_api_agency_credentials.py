"""The agency credentials API: issuing with claims or from the registers, idempotently; reading
a credential without its claims; revoking, suspending and reinstating; and every refusal as
problem details that writes nothing and never repeats the person's identifier."""

from typing import Any

import pytest
from django.test import Client

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.credentials import api_agency, keys, statuslist
from lifegate.credentials.models import IssuedCredential, LogEntry, StatusList
from lifegate.credentials.revocation import revoke
from lifegate.credentials.status_lists import status_list_token, status_list_uri
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS
from lifegate.journeys.agency import bearer_token, create_client
from lifegate.registries.education import diplomas_of
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings")]
URL = "/api/agency/credentials"
PROBLEM = "application/problem+json"


def auth(organisation_slug: str, scopes: tuple[str, ...] = ("credentials",)) -> dict[str, Any]:
    organisation = PublicOrganisation.objects.get(slug=organisation_slug)
    client, secret = create_client(organisation, "test", list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {bearer_token(client, secret)}"}


@pytest.fixture
def duo_api(credential_types) -> dict[str, Any]:
    return auth("duo")


def body(subject: Subject, **changes: Any) -> dict[str, Any]:
    return {
        "type": "diploma",
        "recipient": {"scheme": subject.scheme, "value": subject.value},
        "claims": DIPLOMA_CLAIMS,
        "source_reference": "dossier-1",
    } | changes


def post(client: Client, headers: dict[str, Any], data: Any, path: str = URL) -> Any:
    return client.post(path, data, content_type="application/json", **headers)


def written() -> tuple[int, int, int]:
    return (
        IssuedCredential.objects.count(),
        LogEntry.objects.count(),
        ProcessingRecord.objects.count(),
    )


def assert_problem(response: Any, status: int, code: str, subject: Subject | None = None) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith(code)
    if subject is not None:
        assert subject.value not in response.content.decode()


def test_issuing_with_claims_answers_201_with_the_credential_but_not_its_claims(
    client, duo_api, person
):
    response = post(client, duo_api, body(person))

    assert response.status_code == 201
    [issued] = response.json()["credentials"]
    stored = IssuedCredential.objects.get()
    assert issued["id"] == str(stored.pk)
    assert response["Location"].endswith(f"{URL}/{stored.pk}")
    assert issued["type"] == "diploma" and issued["state"] == "valid"
    assert issued["status_list"] == status_list_uri(stored.status_list_id)
    assert issued["status_index"] == stored.status_index
    assert issued["source"] == "agency-api" and issued["source_reference"] == "dossier-1"
    assert issued["expires_at"] is None
    text = response.content.decode()
    assert person.value not in text and "HBO-ICT" not in text and "Sanne" not in text


def test_issuing_again_with_the_same_reference_answers_200_with_the_same_credential(
    client, duo_api, person
):
    first = post(client, duo_api, body(person)).json()["credentials"][0]

    again = post(client, duo_api, body(person))

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["credentials"][0]["id"] == first["id"]
    assert IssuedCredential.objects.count() == 1
    # The replay tells the agency the credential's current state: recorded as a read.
    [read] = ProcessingRecord.objects.filter(name="credentials.agency-api.read.diploma")
    assert (read.data_subject_hash, read.actor_kind) == (subject_hash(person), "agency")


def test_issuing_from_the_register_issues_one_credential_per_diploma(client, duo_api, personas):
    subject = personas["resident-substantial"].subject
    data = {"type": "diploma", "recipient": {"scheme": "bsn", "value": subject.value}}

    response = post(client, duo_api, data | {"from_register": True})

    assert response.status_code == 201
    credentials = response.json()["credentials"]
    assert len(credentials) == len(diplomas_of(subject) or []) >= 1
    assert {each["source"] for each in credentials} == {"register"}
    assert {each["source_reference"] for each in credentials} == {None}


def test_reading_a_credential_shows_its_state_and_records_the_read(client, duo_api, person):
    issued = post(client, duo_api, body(person)).json()["credentials"][0]

    response = client.get(f"{URL}/{issued['id']}", **duo_api)

    assert response.status_code == 200
    assert response.json() == issued
    assert "no-store" in response["Cache-Control"]
    record = ProcessingRecord.objects.get(name="credentials.agency-api.read.diploma")
    assert record.data_subject_hash == subject_hash(person)
    assert record.data_categories == ["credential-status"]


def test_revoking_suspending_and_reinstating_through_the_api_change_the_published_list(
    client, duo_api, person
):
    issued = post(client, duo_api, body(person)).json()["credentials"][0]
    path = f"{URL}/{issued['id']}"

    def published() -> int:
        row = StatusList.objects.get()
        uri = status_list_uri(row.pk)
        found = statuslist.verify_status_list(
            status_list_token(row), uri=uri, key_for=keys.issuer_key
        )
        return found.get(issued["status_index"])

    assert post(client, duo_api, {}, f"{path}/suspend").json()["state"] == "suspended"
    assert published() == statuslist.SUSPENDED
    assert post(client, duo_api, {}, f"{path}/reinstate").json()["state"] == "valid"
    assert published() == statuslist.VALID
    assert post(client, duo_api, {}, f"{path}/revoke").json()["state"] == "revoked"
    assert published() == statuslist.INVALID
    assert_problem(post(client, duo_api, {}, f"{path}/reinstate"), 409, "revoked-is-final")


def test_a_change_that_changes_nothing_is_recorded_as_the_read_it_is(client, duo_api, person):
    issued = post(client, duo_api, body(person)).json()["credentials"][0]
    path = f"{URL}/{issued['id']}"
    post(client, duo_api, {}, f"{path}/revoke")

    def reads() -> int:
        return ProcessingRecord.objects.filter(name="credentials.agency-api.read.diploma").count()

    again = post(client, duo_api, {}, f"{path}/revoke")
    assert (again.json()["state"], reads()) == ("revoked", 1)
    refused = post(client, duo_api, {}, f"{path}/reinstate")
    assert (refused.status_code, reads()) == (409, 2)
    revocations = ProcessingRecord.objects.filter(name="credentials.revoke.diploma")
    assert revocations.count() == 1


def test_a_revoke_just_made_by_another_call_is_recorded_as_a_read(
    client, duo_api, person, monkeypatch
):
    issued = post(client, duo_api, body(person)).json()["credentials"][0]
    loaded = api_agency._own_credential

    def loaded_then_revoked_elsewhere(*args: Any) -> IssuedCredential:
        found = loaded(*args)  # as this call saw it: still valid
        revoke(IssuedCredential.objects.get(pk=found.pk), actor=Actor(kind="agency"))
        return found

    monkeypatch.setattr(api_agency, "_own_credential", loaded_then_revoked_elsewhere)
    response = post(client, duo_api, {}, f"{URL}/{issued['id']}/revoke")

    assert response.json()["state"] == "revoked"
    reads = ProcessingRecord.objects.filter(name="credentials.agency-api.read.diploma")
    assert reads.count() == 1
    assert ProcessingRecord.objects.filter(name="credentials.revoke.diploma").count() == 1


def test_without_credentials_a_client_is_refused_401(client, credential_types, person):
    response = post(client, {}, body(person))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert written() == (0, 0, 0)


def test_a_client_without_the_credentials_scope_is_refused_403(client, credential_types, person):
    response = post(client, auth("duo", ("messages",)), body(person))

    assert response.status_code == 403
    assert written() == (0, 0, 0)


def test_an_agency_cannot_issue_another_organisations_credential_type(
    client, credential_types, person
):
    municipality = auth("gemeente-utrecht")

    response = post(client, municipality, body(person))

    assert_problem(response, 403, "not-own-credential-type", person)
    assert written() == (0, 0, 0)


def test_an_agency_does_not_see_another_organisations_credentials(
    client, duo_api, credential_types, person
):
    issued = post(client, duo_api, body(person)).json()["credentials"][0]
    municipality = auth("gemeente-utrecht")

    assert client.get(f"{URL}/{issued['id']}", **municipality).status_code == 404
    assert post(client, municipality, {}, f"{URL}/{issued['id']}/revoke").status_code == 404
    assert IssuedCredential.objects.get().state == "valid"


def test_an_unknown_credential_type_is_a_404(client, duo_api, person):
    response = post(client, duo_api, body(person, type="fishing-licence"))

    assert_problem(response, 404, "unknown-credential-type", person)
    assert written() == (0, 0, 0)


def test_an_unregistered_recipient_is_a_404_without_the_identifier(client, duo_api, person):
    stranger = Subject("bsn", "999999990")

    response = post(client, duo_api, body(stranger))

    assert_problem(response, 404, "unknown-recipient", stranger)
    assert written() == (0, 0, 0)


def test_claims_that_do_not_fit_are_a_422_naming_each_claim_not_its_value(client, duo_api, person):
    claims = {key: value for key, value in DIPLOMA_CLAIMS.items() if key != "grade"}
    claims["salary"] = "a secret 4000"

    response = post(client, duo_api, body(person, claims=claims))

    assert_problem(response, 422, "invalid-claims", person)
    errors = {(e["location"], e["message"]) for e in response.json()["errors"]}
    assert errors == {
        ("claims.grade", "missing"),
        ("claims.salary", "not a claim of this type"),
    }
    assert "a secret" not in response.content.decode()
    assert written() == (0, 0, 0)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_a_number_json_does_not_have_is_a_422_and_nothing_is_issued(
    client, duo_api, person, number
):
    """Python's JSON reads NaN and Infinity; signed into a credential, no verifier (lifegate's
    own included) would read it back."""
    response = post(client, duo_api, body(person, claims=DIPLOMA_CLAIMS | {"level_eqf": number}))

    assert_problem(response, 422, "invalid-claims", person)
    errors = {(e["location"], e["message"]) for e in response.json()["errors"]}
    assert errors == {("claims.level_eqf", "must be a finite number")}
    assert written() == (0, 0, 0)


def test_the_same_reference_with_other_claims_is_a_422(client, duo_api, person):
    post(client, duo_api, body(person))

    response = post(client, duo_api, body(person, claims=DIPLOMA_CLAIMS | {"grade": "cum laude"}))

    assert_problem(response, 422, "reference-used", person)
    assert IssuedCredential.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"from_register": True},  # both claims and from_register
        {"claims": None},  # neither
        {"source_reference": None},  # claims without a reference
        {"recipient": {"scheme": "bsn", "value": "123456789"}},  # fails the elfproef
        {"type": "Not A Slug"},
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400(client, duo_api, person, changes):
    data = {key: value for key, value in (body(person) | changes).items() if value is not None}

    response = post(client, duo_api, data)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert written() == (0, 0, 0)


def test_a_person_without_diplomas_has_nothing_to_issue_from_the_register(client, duo_api, person):
    data = {"type": "diploma", "recipient": {"scheme": "bsn", "value": person.value}}

    response = post(client, duo_api, data | {"from_register": True})

    assert_problem(response, 422, "nothing-to-issue", person)
    assert IssuedCredential.objects.count() == 0
