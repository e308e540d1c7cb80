"""The demo catalogue file: it loads, and its content is complete enough to build journeys on:
the nine life events, enough services and agencies, both languages everywhere, every SDG Annex II
procedure offered, and the platform's own processing activities."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count

from lifegate.catalogue import models as m
from lifegate.catalogue.loader import LoadReport, load_catalogue

ANNEX_II = Path(settings.BASE_DIR).parent / "shared" / "reference" / "sdg-annex-ii.md"
NINE_LIFE_EVENTS = {
    "birth",
    "moving-house",
    "moving-to-the-netherlands",
    "moving-abroad",
    "studying",
    "starting-work",
    "retiring",
    "death-of-a-relative",
    "starting-a-business",
}
# Text pairs that may be empty in both languages: set only where they apply.
OPTIONAL_TEXTS: dict[type[m.Bilingual], set[str]] = {
    m.Channel: {"hours"},
    m.PublicService: {"deadline"},
    m.Requirement: {"description"},
}
CATALOGUE_MODELS: list[type[m.Bilingual]] = [
    m.PublicOrganisation,
    m.Channel,
    m.LegalResource,
    m.EvidenceType,
    m.LifeEvent,
    m.ProcessingActivity,
    m.PublicService,
    m.Requirement,
    m.Cost,
    m.SdgProcedure,
]


@pytest.fixture
def loaded(db: None) -> LoadReport:
    return load_catalogue()


def annex_ii_procedures() -> list[dict[str, str]]:
    """The rows of the Annex II table in the shared reference."""
    rows = []
    for line in ANNEX_II.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] == "life event" or set(cells[0]) <= {"-"}:
            continue
        code = "" if cells[3].startswith("(") else cells[3]
        rows.append(
            {"life_event": cells[0], "name": cells[1], "output": cells[2], "oots_code": code}
        )
    return rows


def text_pairs(model: type[m.Bilingual]) -> list[str]:
    return [
        f.name.removesuffix("_nl") for f in model._meta.concrete_fields if f.name.endswith("_nl")
    ]


def test_the_demo_file_loads_in_one_go(loaded: LoadReport) -> None:
    assert loaded.version >= 1
    assert loaded.sections["services"].created == m.PublicService.objects.count()
    assert not any(counts.updated or counts.deleted for counts in loaded.sections.values())


def test_it_has_the_nine_life_events_with_starting_a_business_as_business_event(
    loaded: LoadReport,
) -> None:
    events = {event.slug: event for event in m.LifeEvent.objects.all()}
    assert set(events) >= NINE_LIFE_EVENTS
    assert events["starting-a-business"].kind == m.LifeEvent.Kind.BUSINESS
    assert all(
        events[slug].kind == m.LifeEvent.Kind.LIFE
        for slug in NINE_LIFE_EVENTS - {"starting-a-business"}
    )
    assert events["birth"].sdg_life_event == "Birth"
    positions = [event.position for event in m.LifeEvent.objects.all()]
    assert len(set(positions)) == len(positions), "life events need distinct overview positions"


def test_it_has_at_least_35_services_from_at_least_10_organisations(loaded: LoadReport) -> None:
    assert m.PublicService.objects.count() >= 35
    providers = m.PublicOrganisation.objects.filter(services__isnull=False).distinct()
    assert providers.count() >= 10


def test_every_life_event_has_at_least_three_services_in_order(loaded: LoadReport) -> None:
    for event in m.LifeEvent.objects.annotate(count=Count("event_services")):
        assert event.count >= 3, event.slug
        positions = list(event.event_services.values_list("position", flat=True))
        assert len(set(positions)) == len(positions), (
            f"{event.slug} has two services at one position"
        )


def test_the_birth_plan_starts_with_registration_and_ends_with_the_passport(
    loaded: LoadReport,
) -> None:
    order = list(
        m.EventService.objects.filter(life_event__slug="birth")
        .order_by("position")
        .values_list("service__slug", flat=True)
    )
    assert order[0] == "birth-registration"
    assert (
        order.index("child-benefit")
        < order.index("child-health-insurance")
        < order.index("passport-id-card")
    )


@pytest.mark.parametrize("model", CATALOGUE_MODELS, ids=lambda model: model.__name__)
def test_every_text_is_written_in_dutch_and_english(
    loaded: LoadReport, model: type[m.Bilingual]
) -> None:
    optional = OPTIONAL_TEXTS.get(model, set())
    for row in model._default_manager.all():
        for pair in text_pairs(model):
            nl, en = getattr(row, f"{pair}_nl").strip(), getattr(row, f"{pair}_en").strip()
            where = f"{model.__name__} {row.slug}.{pair}"
            if pair in optional and not nl and not en:
                continue
            assert nl, f"{where}: Dutch text missing"
            assert en, f"{where}: English text missing"
            if len(nl) > 60:
                assert nl != en, f"{where}: the English text is a copy of the Dutch"


def test_services_have_keywords_processing_time_and_a_processing_activity(
    loaded: LoadReport,
) -> None:
    for service in m.PublicService.objects.all():
        assert (
            len(service.keywords_nl.split(", ")) >= 3 and len(service.keywords_en.split(", ")) >= 3
        ), service.slug
        assert service.processing_time.startswith("P"), service.slug
        assert service.processing_activity is not None, service.slug
        assert service.channels.exists(), service.slug
        assert service.legal_resources.exists(), service.slug


def test_deadlines_set_by_law_are_present(loaded: LoadReport) -> None:
    services = {service.slug: service for service in m.PublicService.objects.all()}
    assert "3 dagen" in services["birth-registration"].deadline_nl
    assert "3 days" in services["birth-registration"].deadline_en
    assert "5 dagen" in services["address-change"].deadline_nl
    assert "6" in services["death-registration"].deadline_en


def test_every_sdg_annex_ii_procedure_is_offered_by_a_service(loaded: LoadReport) -> None:
    procedures = annex_ii_procedures()
    assert len(procedures) == 21
    stored = {procedure.name_en: procedure for procedure in m.SdgProcedure.objects.all()}
    for expected in procedures:
        procedure = stored.get(expected["name"])
        assert procedure is not None, f"missing SDG procedure: {expected['name']}"
        assert procedure.life_event_en == expected["life_event"]
        assert procedure.output_en == expected["output"]
        assert procedure.oots_code == expected["oots_code"]
        assert procedure.services.exists(), f"no service offers: {expected['name']}"


def test_the_platform_processing_activities_exist(loaded: LoadReport) -> None:
    for slug in ("identity-login", "portal-home", "registries-read", "registries-admin"):
        activity = m.ProcessingActivity.objects.get(slug=slug)
        assert activity.controller.slug == "logius"
        assert activity.data_categories


def test_organisations_that_provide_services_can_be_reached_by_a_person(loaded: LoadReport) -> None:
    human = [m.Channel.Kind.PHONE, m.Channel.Kind.COUNTER, m.Channel.Kind.CHAT]
    providers = m.PublicOrganisation.objects.filter(services__isnull=False).distinct()
    reachable = providers.filter(channels__kind__in=human).distinct()
    assert reachable.count() >= 10
    for organisation in m.PublicOrganisation.objects.all():
        assert len(organisation.oin) == 20 and organisation.oin.startswith("00000001"), (
            organisation.slug
        )
        assert organisation.channels.filter(kind=m.Channel.Kind.WEBSITE).exists(), organisation.slug
    for channel in m.Channel.objects.filter(
        kind__in=[m.Channel.Kind.PHONE, m.Channel.Kind.COUNTER]
    ):
        assert channel.hours_nl and channel.hours_en, channel.slug
