"""Credential types in the catalogue file: they load with their issuer, validity and claims,
export as written, and claims a credential could not carry are refused by name."""

import copy
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from lifegate.catalogue import models as m
from lifegate.catalogue.loader import (
    CatalogueError,
    export_catalogue,
    load_catalogue,
    load_catalogue_data,
    read_catalogue_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict[str, Any]:
    return read_catalogue_file(settings.CATALOGUE_DATA_FILE)


def credential_type(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(row for row in data["credential_types"] if row["slug"] == slug)


def refused(data: Any) -> list[str]:
    before = m.CredentialType.objects.count()
    with pytest.raises(CatalogueError) as raised:
        load_catalogue_data(data)
    assert m.CredentialType.objects.count() == before
    return raised.value.problems


def test_the_demo_file_has_a_diploma_a_birth_registration_and_a_residence_proof() -> None:
    report = load_catalogue()

    assert report.sections["credential_types"].created == 3
    diploma = m.CredentialType.objects.get(slug="diploma")
    assert diploma.issuer.slug == "duo"
    assert diploma.validity_days is None
    assert diploma.vct == f"{settings.BASE_URL}/credentials/types/diploma"
    assert {"title", "level_eqf", "level_isced", "awarding_body", "awarded_on"} <= set(
        diploma.claim_keys
    )
    assert diploma.disclosable_claims == diploma.claim_keys
    assert diploma.claim_label("awarded_on", "nl") == "Datum van uitreiking"
    assert diploma.claim_label("awarded_on", "en") == "Date awarded"
    assert m.CredentialType.objects.get(slug="residence").validity_days == 90


def test_the_platform_declares_the_credential_issuing_activity() -> None:
    load_catalogue()

    activity = m.ProcessingActivity.objects.get(slug="credential-issuing")
    assert {"diploma", "address", "credential-status"} <= set(activity.data_categories)


def test_the_export_writes_credential_types_as_the_file_has_them(demo: dict[str, Any]) -> None:
    load_catalogue()

    def by_slug(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda row: row["slug"])

    assert export_catalogue()["credential_types"] == by_slug(demo["credential_types"])


def test_a_claim_that_may_not_be_left_out_is_stored_and_exported(demo: dict[str, Any]) -> None:
    data = copy.deepcopy(demo)
    credential_type(data, "diploma")["claims"][0]["disclosable"] = False

    load_catalogue_data(data)

    diploma = m.CredentialType.objects.get(slug="diploma")
    assert diploma.claims[0]["disclosable"] is False
    assert diploma.claim_keys[0] not in diploma.disclosable_claims
    exported = credential_type(export_catalogue(), "diploma")["claims"][0]
    assert exported["disclosable"] is False


def test_claims_a_credential_cannot_carry_are_refused_by_name(demo: dict[str, Any]) -> None:
    data = copy.deepcopy(demo)
    claims = credential_type(data, "diploma")["claims"]
    claims[0]["key"] = "iss"
    claims[1]["label"] = {"nl": "Achternaam"}
    claims[2]["disclosable"] = "yes"
    credential_type(data, "residence")["claims"][1]["key"] = "given_names"

    problems = refused(data)

    assert "credential_types[diploma].claims[family_name].label.en: English text is missing" in (
        problems
    )
    assert (
        "credential_types[diploma].claims[date_of_birth].disclosable: must be true or false"
        in problems
    )


def test_a_reserved_or_repeated_claim_key_is_refused(demo: dict[str, Any]) -> None:
    for key, message in (("iss", "iss is reserved"), ("family_name", "more than once")):
        data = copy.deepcopy(demo)
        credential_type(data, "residence")["claims"][0]["key"] = key

        with translation.override("en"):
            problems = refused(data)

        assert any(
            p.startswith("credential_types[residence].claims:") and message in p for p in problems
        ), problems


def test_an_unknown_issuer_or_a_validity_of_zero_is_refused(demo: dict[str, Any]) -> None:
    data = copy.deepcopy(demo)
    credential_type(data, "diploma")["issuer"] = "nobody"
    credential_type(data, "residence")["validity_days"] = 0

    problems = refused(data)

    assert "credential_types[diploma].issuer: unknown organisations slug 'nobody'" in problems
    assert any(p.startswith("credential_types[residence].validity_days:") for p in problems)


def test_the_estonian_catalogue_still_loads_without_credential_types() -> None:
    report = load_catalogue(settings.CATALOGUE_DATA_FILE.with_name("catalogue-ee.yaml"))

    assert report.sections["credential_types"].created == 0
