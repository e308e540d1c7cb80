"""Loading, validating and exporting the catalogue file: loading is idempotent and exact, export
round-trips, and a file with problems is refused with every problem named and nothing written."""

import copy
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from lifegate.catalogue import models as m
from lifegate.catalogue.loader import (
    CatalogueError,
    dump_catalogue,
    export_catalogue,
    load_catalogue,
    read_catalogue_file,
)

pytestmark = pytest.mark.django_db

MODELS = [
    m.PublicOrganisation,
    m.Channel,
    m.LegalResource,
    m.EvidenceType,
    m.LifeEvent,
    m.LifeEventQuestion,
    m.ProcessingActivity,
    m.PublicService,
    m.EventService,
    m.Requirement,
    m.Cost,
    m.FormField,
    m.SdgProcedure,
]
# Lists whose order carries no meaning (sets of slugs).
UNORDERED = {
    "participants",
    "channels",
    "legal_resources",
    "evidence_types",
    "services",
    "depends_on",
}


@pytest.fixture
def demo() -> dict[str, Any]:
    """The parsed demo file, a fresh copy for each test to change."""
    return read_catalogue_file(settings.CATALOGUE_DATA_FILE)


def write(tmp_path: Path, data: Any, name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def canonical(value: Any, key: str = "") -> Any:
    """Rows sorted by slug and slug sets sorted: files that differ only in order compare equal."""
    if isinstance(value, dict):
        return {k: canonical(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        if items and all(isinstance(item, dict) and "slug" in item for item in items):
            return sorted(items, key=lambda item: item["slug"])
        return sorted(items) if key in UNORDERED else items
    return value


def service(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(row for row in data["services"] if row["slug"] == slug)


def test_loading_twice_changes_nothing_and_creates_no_duplicates() -> None:
    first = load_catalogue()
    after_first = counts()
    second = load_catalogue()
    assert first.changed
    assert not second.changed
    assert counts() == after_first
    assert all(c.unchanged for key, c in second.sections.items() if after_first.get(key))


def test_export_equals_the_file_it_was_loaded_from(demo: dict[str, Any]) -> None:
    load_catalogue()
    assert canonical(export_catalogue()) == canonical(demo)


def test_dump_then_load_then_export_is_stable(tmp_path: Path) -> None:
    load_catalogue()
    exported = export_catalogue(version=7)
    path = tmp_path / "exported.yaml"
    dump_catalogue(path, version=7)
    report = load_catalogue(path)
    assert not report.changed
    assert report.version == 7
    assert export_catalogue(version=7) == exported


def test_rows_no_longer_in_the_file_are_removed(tmp_path: Path, demo: dict[str, Any]) -> None:
    load_catalogue()
    demo["sdg_procedures"] = [
        p for p in demo["sdg_procedures"] if p["slug"] != "sdg-emission-stickers"
    ]
    demo["services"] = [s for s in demo["services"] if s["slug"] != "environmental-zone"]
    report = load_catalogue(write(tmp_path, demo))
    assert report.sections["services"].deleted == 1
    assert report.sections["sdg_procedures"].deleted == 1
    assert not m.PublicService.objects.filter(slug="environmental-zone").exists()
    assert not m.Cost.objects.filter(slug="environmental-zone-fee").exists()


def test_relations_and_positions_are_set_exactly_as_the_file_says(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    load_catalogue()
    passport = service(demo, "passport-id-card")
    passport["channels"] = ["gemeente-utrecht-counter"]
    passport["life_events"] = {"birth": 5}
    passport["requirements"] = passport["requirements"][:1]
    report = load_catalogue(write(tmp_path, demo))
    stored = m.PublicService.objects.get(slug="passport-id-card")
    assert report.sections["services"].updated == 1
    assert [c.slug for c in stored.channels.all()] == ["gemeente-utrecht-counter"]
    assert {(es.life_event.slug, es.position) for es in stored.event_services.all()} == {
        ("birth", 5)
    }
    assert stored.requirements.count() == 1


def test_a_changed_text_updates_only_that_row(tmp_path: Path, demo: dict[str, Any]) -> None:
    load_catalogue()
    service(demo, "aow-application")["name"]["en"] = "Claiming your AOW state pension"
    report = load_catalogue(write(tmp_path, demo))
    assert report.sections["services"].updated == 1
    assert report.sections["services"].created == 0
    assert (
        m.PublicService.objects.get(slug="aow-application").name_en
        == "Claiming your AOW state pension"
    )


def refused(tmp_path: Path, data: Any) -> CatalogueError:
    """Load `data`, expecting a refusal that leaves the database exactly as it was."""
    before, exported = counts(), export_catalogue(version=1)
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(write(tmp_path, data))
    assert counts() == before
    assert export_catalogue(version=1) == exported
    return raised.value


def test_an_unknown_reference_is_refused_by_name_and_nothing_is_written(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    load_catalogue()
    service(demo, "birth-registration")["competent_authority"] = "gemeente-atlantis"
    error = refused(tmp_path, demo)
    assert any(
        "services[birth-registration].competent_authority" in p and "gemeente-atlantis" in p
        for p in error.problems
    )


def test_a_missing_english_name_is_refused_on_an_empty_database(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    del service(demo, "child-benefit")["name"]["en"]
    error = refused(tmp_path, demo)
    assert error.problems == ["services[child-benefit].name.en: English text is missing"]
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_bad_oin_is_refused(tmp_path: Path, demo: dict[str, Any]) -> None:
    load_catalogue()
    demo["organisations"][0]["oin"] = "0000000180000000100"
    error = refused(tmp_path, demo)
    assert any(p.startswith("organisations[gemeente-utrecht].oin:") for p in error.problems)


def test_every_problem_is_listed_at_once(tmp_path: Path, demo: dict[str, Any]) -> None:
    load_catalogue()
    broken = copy.deepcopy(demo)
    service(broken, "aow-application")["minimum_assurance_level"] = "very-high"
    service(broken, "aow-application")["life_events"] = {"retiring": 20, "winning-the-lottery": 1}
    broken["life_events"][0]["slug"] = "Birth Event"
    broken["organisations"].append(copy.deepcopy(broken["organisations"][1]))
    service(broken, "student-finance")["processing_time"]["duration"] = "eight weeks"
    broken["legal_resources"][0]["nl"] = "typo: a key that does not exist"
    problems = "\n".join(refused(tmp_path, broken).problems)
    assert "services[aow-application].minimum_assurance_level" in problems
    assert "winning-the-lottery" in problems
    assert "life_events[Birth Event].slug" in problems
    assert "organisations: slug 'rvig' is used more than once" in problems
    assert "OIN '00000001800000002000' is used more than once" in problems
    assert "services[student-finance].processing_time.duration" in problems
    assert "legal_resources[wet-brp].nl: unknown field" in problems


def test_values_of_the_wrong_shape_are_refused_not_crashed_on(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    birth = service(demo, "birth-registration")
    birth["competent_authority"] = ["gemeente-utrecht"]
    birth["channels"] = [{"slug": "gemeente-utrecht-phone"}]
    birth["name"] = "Geboorteaangifte doen"
    birth["life_events"] = {"birth": "first"}
    birth["costs"][0]["value"] = "free"
    demo["organisations"][1]["oin"] = ["00000001800000002000"]
    problems = "\n".join(refused(tmp_path, demo).problems)
    for where in (
        "competent_authority",
        "channels",
        "name",
        "life_events.birth",
        "costs[birth-registration-fee].value",
    ):
        assert f"services[birth-registration].{where}" in problems
    assert "organisations[rvig].oin" in problems


def test_a_missing_section_or_version_is_refused(tmp_path: Path, demo: dict[str, Any]) -> None:
    del demo["channels"]
    demo["version"] = "one"
    problems = refused(tmp_path, demo).problems
    assert "channels: section is missing or not a list" in problems
    assert "version: must be a whole number of 1 or more" in problems


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\norganisations: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.yaml"):
        load_catalogue(path)


def test_the_load_command_reports_and_the_export_command_writes_yaml(tmp_path: Path) -> None:
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    assert "services: " in out.getvalue()
    exported = StringIO()
    call_command("export_catalogue", stdout=exported)
    assert yaml.safe_load(exported.getvalue())["version"] >= 1
    target = tmp_path / "out.yaml"
    call_command("export_catalogue", file=str(target), stdout=StringIO())
    assert canonical(read_catalogue_file(target)) == canonical(export_catalogue())


def test_the_load_command_fails_with_the_problems_of_a_bad_file(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    del demo["organisations"][0]["name"]["en"]
    with pytest.raises(CommandError, match=r"organisations\[gemeente-utrecht\]\.name\.en"):
        call_command("load_catalogue", file=str(write(tmp_path, demo)), stdout=StringIO())
    assert m.PublicOrganisation.objects.count() == 0
