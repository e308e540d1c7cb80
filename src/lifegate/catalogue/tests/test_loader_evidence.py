"""Loading the evidence broker and directory from the catalogue file: rows identified by their
fields load exactly and idempotently, mistakes are refused by name, and a file may be written
in English only."""

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from lifegate.catalogue import models as m
from lifegate.catalogue.loader import (
    CatalogueError,
    export_catalogue,
    load_catalogue,
    load_catalogue_data,
    read_catalogue_file,
)
from lifegate.catalogue.validation import validate_catalogue

pytestmark = pytest.mark.django_db
EE_FILE = Path(settings.CATALOGUE_DATA_FILE).with_name("catalogue-ee.yaml")


@pytest.fixture
def demo() -> dict[str, Any]:
    return read_catalogue_file(settings.CATALOGUE_DATA_FILE)


@pytest.fixture
def estonian() -> dict[str, Any]:
    return read_catalogue_file(EE_FILE)


def refused(data: Any) -> list[str]:
    """Load `data`, expecting a refusal that writes nothing."""
    before = m.EvidenceMapping.objects.count(), m.EvidenceProvider.objects.count()
    with pytest.raises(CatalogueError) as raised:
        load_catalogue_data(data)
    assert (m.EvidenceMapping.objects.count(), m.EvidenceProvider.objects.count()) == before
    return raised.value.problems


def broker_row(data: dict[str, Any], requirement: str, country: str) -> dict[str, Any]:
    return next(
        row
        for row in data["evidence_broker"]
        if row["requirement"] == requirement and row["country"] == country
    )


def directory_row(data: dict[str, Any], evidence_type: str, country: str) -> dict[str, Any]:
    return next(
        row
        for row in data["evidence_directory"]
        if row["evidence_type"] == evidence_type and row["country"] == country
    )


def test_loading_twice_keeps_one_row_each(demo: dict[str, Any]) -> None:
    first = load_catalogue()
    second = load_catalogue()
    assert first.sections["evidence_broker"].created == 3
    assert first.sections["evidence_directory"].created == 4
    assert second.sections["evidence_broker"].unchanged == 3
    assert second.sections["evidence_directory"].unchanged == 4
    assert not second.changed


def test_the_export_writes_the_rows_as_the_file_has_them(demo: dict[str, Any]) -> None:
    load_catalogue()
    exported = export_catalogue()
    assert exported["evidence_broker"] == demo["evidence_broker"]
    assert exported["evidence_directory"] == demo["evidence_directory"]


def test_a_changed_provider_is_updated_in_place(demo: dict[str, Any]) -> None:
    load_catalogue()
    stored = m.EvidenceProvider.objects.get(evidence_type__slug="birth-certificate", country="EE")
    directory_row(demo, "birth-certificate", "EE")["node"] = "ee-test"
    report = load_catalogue_data(demo)
    assert report.sections["evidence_directory"].updated == 1
    assert m.EvidenceProvider.objects.get(pk=stored.pk).node == "ee-test"


def test_rows_no_longer_in_the_file_are_removed(demo: dict[str, Any]) -> None:
    load_catalogue()
    demo["evidence_broker"] = [r for r in demo["evidence_broker"] if r["country"] != "NL"]
    report = load_catalogue_data(demo)
    assert report.sections["evidence_broker"].deleted == 1
    assert not m.EvidenceMapping.objects.filter(country="NL").exists()


def test_unknown_slugs_are_refused_by_name(demo: dict[str, Any]) -> None:
    broker_row(demo, "first-registration-birth", "EE")["requirement"] = "first-registration-dna"
    directory_row(demo, "birth-certificate", "EE")["evidence_type"] = "birth-scroll"
    problems = refused(demo)
    assert (
        "evidence_broker[first-registration-dna/EE/birth-certificate].requirement: "
        "unknown requirements slug 'first-registration-dna'" in problems
    )
    assert (
        "evidence_directory[birth-scroll/EE].evidence_type: "
        "unknown evidence_types slug 'birth-scroll'" in problems
    )


@pytest.mark.parametrize("country", ["ZZ", "ee", "EST"])
def test_a_country_that_is_not_an_iso_code_is_refused(demo: dict[str, Any], country: str) -> None:
    broker_row(demo, "first-registration-birth", "EE")["country"] = country
    directory_row(demo, "residence-certificate", "EE")["country"] = country
    problems = refused(demo)
    assert any(
        p.startswith(
            f"evidence_broker[first-registration-birth/{country}/birth-certificate].country:"
        )
        and "ISO 3166-1 alpha-2" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(f"evidence_directory[residence-certificate/{country}].country:")
        for p in problems
    ), problems


def test_the_broker_may_only_name_evidence_the_requirement_accepts(demo: dict[str, Any]) -> None:
    broker_row(demo, "first-registration-residence", "EE")["evidence_type"] = "birth-certificate"
    problems = refused(demo)
    assert problems == [
        "evidence_broker[first-registration-residence/EE/birth-certificate].evidence_type: "
        "'birth-certificate' is not one of the evidence types of requirement "
        "'first-registration-residence'"
    ]


def test_a_row_twice_or_without_its_identity_is_refused(demo: dict[str, Any]) -> None:
    demo["evidence_directory"].append(copy.deepcopy(demo["evidence_directory"][0]))
    demo["evidence_broker"].append({"requirement": "first-registration-birth", "country": "DE"})
    demo["evidence_broker"].append({**demo["evidence_broker"][0], "priority": 1})
    problems = refused(demo)
    assert "evidence_directory[birth-certificate/EE]: is listed more than once" in problems
    assert "evidence_broker[3]: evidence_type is missing" in problems
    assert (
        "evidence_broker[first-registration-birth/EE/birth-certificate].priority: unknown field"
        in problems
    )


def test_a_bad_node_id_and_a_missing_organisation_name_are_refused(demo: dict[str, Any]) -> None:
    row = directory_row(demo, "birth-certificate", "NL")
    row["node"] = "Node NL"
    del row["organisation_name"]["nl"]
    problems = refused(demo)
    assert any(p.startswith("evidence_directory[birth-certificate/NL].node:") for p in problems)
    assert (
        "evidence_directory[birth-certificate/NL].organisation_name.nl: Dutch text is missing"
        in problems
    )


def test_the_sections_must_be_lists(demo: dict[str, Any]) -> None:
    demo["evidence_broker"] = {"first-registration-birth": "EE"}
    assert "evidence_broker: section is missing or not a list" in refused(demo)


# Languages --------------------------------------------------------------------------------


def test_an_english_only_file_fills_dutch_from_english(estonian: dict[str, Any]) -> None:
    assert validate_catalogue(estonian) == []
    load_catalogue_data(estonian)
    event = m.LifeEvent.objects.get(slug="moving-to-estonia")
    assert event.name_nl == event.name_en == "Coming to live in Estonia"
    service = m.PublicService.objects.get(slug="residence-registration")
    assert service.keywords_nl == service.keywords_en
    assert service.processing_time_nl == "Usually within 10 working days"


def test_a_dutch_text_given_in_an_english_only_file_is_kept(estonian: dict[str, Any]) -> None:
    estonian["life_events"][0]["name"]["nl"] = "Komen wonen in Estland"
    load_catalogue_data(estonian)
    assert m.LifeEvent.objects.get(slug="moving-to-estonia").name_nl == "Komen wonen in Estland"


def test_without_the_languages_key_english_alone_is_refused(estonian: dict[str, Any]) -> None:
    del estonian["languages"]
    problems = refused(estonian)
    assert "life_events[moving-to-estonia].name.nl: Dutch text is missing" in problems


@pytest.mark.parametrize("languages", [[], ["fr"], "en", ["en", "en"]])
def test_a_malformed_languages_key_is_refused(estonian: dict[str, Any], languages: Any) -> None:
    estonian["languages"] = languages
    problems = refused(estonian)
    assert "languages: must be a list of distinct languages out of nl, en" in problems


def test_the_english_only_file_on_disk_loads_as_written(tmp_path: Path) -> None:
    report = load_catalogue(EE_FILE)
    assert report.sections["evidence_broker"].created == 4
    copy_of_export = tmp_path / "ee.yaml"
    copy_of_export.write_text(yaml.safe_dump(export_catalogue(version=1)), encoding="utf-8")
    assert not load_catalogue(copy_of_export).changed
