"""The evidence broker and directory as the two nodes' catalogues say them: which evidence meets
a requirement for a person from a country, and which node provides it."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rdflib import Graph

from lifegate.catalogue import evidence
from lifegate.catalogue import models as m
from lifegate.catalogue.loader import export_catalogue, load_catalogue, load_catalogue_data
from lifegate.catalogue.rdf import catalogue_graph
from lifegate.catalogue.tests.test_cpsv_ap_export import BASE, SHAPES, _validate

pytestmark = pytest.mark.django_db
EE_FILE = Path(settings.CATALOGUE_DATA_FILE).with_name("catalogue-ee.yaml")


def options(requirement: str, country: str) -> list[tuple[str, str]]:
    """(evidence type slug, provider node) of each exchange option."""
    return [
        (evidence_type.slug, provider.node)
        for evidence_type, provider in evidence.exchange_options(requirement, country)
    ]


@pytest.fixture
def dutch_node() -> None:
    load_catalogue()


@pytest.fixture
def estonian_node() -> None:
    load_catalogue(EE_FILE)


def test_an_estonian_registering_in_the_netherlands_gets_birth_and_residence_from_estonia(
    dutch_node: None,
) -> None:
    assert options("first-registration-birth", "EE") == [("birth-certificate", "ee")]
    assert options("first-registration-residence", "EE") == [("residence-certificate", "ee")]
    [provider] = evidence.providers_for("birth-certificate", "EE")
    assert (
        provider.organisation_name_en == "Ministry of the Interior of Estonia (Population Register)"
    )
    assert "Estland" in provider.organisation_name_nl


def test_a_dutch_birth_certificate_comes_from_this_node(dutch_node: None) -> None:
    assert options("first-registration-birth", "NL") == [("birth-certificate", "nl")]
    assert [p.node for p in evidence.providers_for("residence-certificate", "NL")] == ["nl"]


def test_the_broker_names_only_evidence_the_requirement_accepts(dutch_node: None) -> None:
    requirement = m.Requirement.objects.get(slug="first-registration-birth")
    accepted = {t.slug for t in requirement.evidence_types.all()}
    assert accepted == {"birth-certificate", "foreign-birth-certificate"}
    for mapping in m.EvidenceMapping.objects.select_related("requirement", "evidence_type"):
        assert mapping.evidence_type in mapping.requirement.evidence_types.all(), mapping


def test_where_the_broker_knows_nothing_there_is_nothing_to_fetch(dutch_node: None) -> None:
    assert evidence.evidence_types_for("first-registration-residence", "NL") == []
    assert options("first-registration-residence", "DE") == []
    assert options("first-registration-identity", "EE") == []
    assert options("no-such-requirement", "EE") == []
    assert evidence.providers_for("birth-certificate", "ZZ") == []


def test_country_codes_are_read_in_any_case(dutch_node: None) -> None:
    assert [t.slug for t in evidence.evidence_types_for("first-registration-birth", "ee")] == [
        "birth-certificate"
    ]
    assert evidence.is_country_code("ee") and evidence.is_country_code("NL")
    assert not evidence.is_country_code("ZZ") and not evidence.is_country_code("EST")


def test_the_estonian_catalogue_loads_into_an_empty_database(estonian_node: None) -> None:
    service = m.PublicService.objects.get(slug="residence-registration")
    assert service.competent_authority.slug == "tallinn-city-government"
    assert service.minimum_assurance_level == m.AssuranceLevel.SUBSTANTIAL
    assert [e.slug for e in service.life_events.all()] == ["moving-to-estonia"]
    assert service.form_fields.count() == 6 and service.processing_activity is not None
    assert m.LifeEvent.objects.get().name_en == "Coming to live in Estonia"
    assert (
        m.ProcessingActivity.objects.filter(
            slug__in=["evidence-exchange", "evidence-provision", "identity-login"]
        ).count()
        == 3
    )


def test_the_estonian_node_fetches_dutch_evidence_from_the_dutch_node(estonian_node: None) -> None:
    assert options("residence-registration-birth", "NL") == [("birth-certificate", "nl")]
    assert options("residence-registration-residence", "NL") == [("residence-certificate", "nl")]
    assert options("residence-registration-birth", "EE") == [("birth-certificate", "ee")]
    assert options("residence-registration-residence", "EE") == [("residence-certificate", "ee")]
    assert options("residence-registration-birth", "DE") == []


def test_english_only_texts_serve_dutch_readers_too(estonian_node: None) -> None:
    service = m.PublicService.objects.get(slug="residence-registration")
    assert service.name_nl == service.name_en == "Register your place of residence in Estonia"
    [provider] = evidence.providers_for("birth-certificate", "NL")
    assert provider.organisation_name_nl == provider.organisation_name_en
    assert m.FormField.objects.get(key="street_line").label_nl.startswith("Address in Estonia")


def test_the_estonian_catalogue_exported_and_loaded_again_is_unchanged(
    estonian_node: None,
) -> None:
    exported = export_catalogue(version=1)
    assert [row["requirement"] for row in exported["evidence_broker"]] == [
        "residence-registration-birth",
        "residence-registration-birth",
        "residence-registration-residence",
        "residence-registration-residence",
    ]
    report = load_catalogue_data(exported)
    assert not report.changed
    assert export_catalogue(version=1) == exported


def test_the_broker_and_directory_keep_their_order(dutch_node: None) -> None:
    broker: list[Any] = list(evidence.broker_entries())
    keys = [(e.requirement.slug, e.country, e.evidence_type.slug) for e in broker]
    assert keys == sorted(keys) and len(keys) == 3
    directory = [(p.evidence_type.slug, p.country) for p in evidence.directory_entries()]
    assert directory == [
        ("birth-certificate", "EE"),
        ("birth-certificate", "NL"),
        ("residence-certificate", "EE"),
        ("residence-certificate", "NL"),
    ]
    assert [p.country for p in evidence.directory_entries("birth-certificate", "nl")] == ["NL"]


def test_an_editor_cannot_map_evidence_the_requirement_does_not_accept(dutch_node: None) -> None:
    mapping = m.EvidenceMapping(
        requirement=m.Requirement.objects.get(slug="first-registration-residence"),
        country="DE",
        evidence_type=m.EvidenceType.objects.get(slug="birth-certificate"),
    )
    with pytest.raises(ValidationError) as raised:
        mapping.full_clean()
    assert set(raised.value.message_dict) == {"evidence_type"}
    mapping.evidence_type = m.EvidenceType.objects.get(slug="residence-certificate")
    mapping.full_clean()


def test_the_broker_and_directory_open_in_the_admin(dutch_node: None, admin_client: Client) -> None:
    for model in (m.EvidenceMapping, m.EvidenceProvider, m.Requirement, m.EvidenceType):
        name = model._meta.model_name
        first = model._default_manager.first()
        assert first is not None
        for url in (
            reverse(f"admin:catalogue_{name}_changelist"),
            reverse(f"admin:catalogue_{name}_change", args=[first.pk]),
        ):
            assert admin_client.get(url).status_code == 200, url


def test_the_estonian_catalogue_validates_against_the_cpsv_ap_shapes(estonian_node: None) -> None:
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, violations, report = _validate(catalogue_graph(BASE), shapes)
    assert violations == 0, report
    assert conforms
