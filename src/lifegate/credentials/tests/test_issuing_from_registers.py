"""Issuing from the registers: a diploma credential per diploma in the education register,
a birth registration and a residence proof from the population register; the reads and the
issuing are recorded in one trace, and issuing again gives back the same credentials."""

import pytest

from lifegate.catalogue.models import CredentialType
from lifegate.core.subject import Subject
from lifegate.credentials.from_registers import issue_from_register, issue_from_register_once
from lifegate.credentials.issuing import IssuingRefused, subject_claims
from lifegate.credentials.models import IssuedCredential
from lifegate.registries.education import diplomas_of
from lifegate.registries.services import population_register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings")]
MUNICIPALITY = Actor(kind="agency", organisation="gemeente-utrecht")


def test_each_diploma_in_the_register_becomes_its_own_credential(credential_types, personas, duo):
    subject = personas["resident-high"].subject
    diplomas = diplomas_of(subject)
    assert diplomas

    issued = issue_from_register("diploma", subject, actor=duo)

    assert len(issued) == len(diplomas)
    person = population_register().get_person(subject.value, family=False)
    assert person is not None
    for credential, diploma in zip(issued, diplomas, strict=True):
        claims = subject_claims(credential)
        assert claims["title"] == diploma.title
        assert claims["level_eqf"] == diploma.level_eqf
        assert claims["awarded_on"] == diploma.awarded_on.isoformat()
        assert claims["family_name"] == person.family_name_with_prefix
        assert claims["date_of_birth"] == person.date_of_birth.isoformat()
        assert credential.source == IssuedCredential.Source.REGISTER
        assert credential.source_reference == f"education-register:{diploma.reference}"


def test_the_register_reads_and_the_issuing_are_recorded_in_one_trace(
    credential_types, personas, duo
):
    subject = personas["resident-high"].subject

    issued = issue_from_register("diploma", subject, actor=duo)

    records = list(ProcessingRecord.objects.filter(data_subject_hash=subject_hash(subject)))
    names = sorted(record.name for record in records)
    assert names == sorted(
        ["credentials.issue.read-population-register", "credentials.issue.read-education-register"]
        + ["credentials.issue.diploma"] * len(issued)
    )
    assert len({record.trace_id for record in records}) == 1
    assert {record.processing_activity_id for record in records} == {"credential-issuing"}


def test_issuing_from_the_register_again_gives_back_the_same_credentials(
    credential_types, personas, duo
):
    subject = personas["resident-high"].subject
    first = issue_from_register("diploma", subject, actor=duo)

    again = issue_from_register_once("diploma", subject, actor=duo)

    assert [each.credential.pk for each in again] == [each.pk for each in first]
    assert not any(each.created for each in again)
    assert IssuedCredential.objects.count() == len(first)


def test_a_birth_registration_and_a_residence_proof_come_from_the_population_register(
    credential_types, person
):
    [birth] = issue_from_register("birth-registration", person, actor=MUNICIPALITY)
    [residence] = issue_from_register("residence", person, actor=MUNICIPALITY)

    assert subject_claims(birth) == {
        "given_names": "Sanne Maria",
        "family_name": "de Vries",
        "date_of_birth": "1998-04-12",
        "place_of_birth": "Amersfoort",
        "country_of_birth": "NL",
    }
    assert subject_claims(residence) == {
        "given_names": "Sanne Maria",
        "family_name": "de Vries",
        "street_address": "Kerkstraat 12A",
        "postal_code": "3511 AB",
        "locality": "Utrecht",
        "municipality": "Utrecht",
        "registered_since": "2022-03-01",
    }
    assert residence.expires_at is not None and birth.expires_at is None


def test_an_unregistered_person_is_refused_and_nothing_is_issued(credential_types, personas, duo):
    with pytest.raises(IssuingRefused) as refused:
        issue_from_register("diploma", Subject("bsn", "999999990"), actor=duo)

    assert refused.value.code == "unknown-recipient"
    assert IssuedCredential.objects.count() == 0


def test_a_person_without_diplomas_gets_none(credential_types, person, duo):
    with pytest.raises(IssuingRefused) as refused:
        issue_from_register("diploma", person, actor=duo)

    assert refused.value.code == "nothing-to-issue"
    assert IssuedCredential.objects.count() == 0


def test_a_type_no_register_holds_is_refused(credential_types, person, duo):
    CredentialType.objects.create(
        slug="fishing-licence",
        name_nl="Visvergunning",
        name_en="Fishing licence",
        issuer=credential_types["diploma"].issuer,
        claims=[{"key": "water", "label_nl": "Water", "label_en": "Water", "disclosable": True}],
    )

    with pytest.raises(IssuingRefused) as refused:
        issue_from_register("fishing-licence", person, actor=duo)

    assert refused.value.code == "no-register-source"
