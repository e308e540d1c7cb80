"""The life-event definitions as open data: services in order, each rule as CEL and in words,
the reasons people are told, dependencies, deadlines and questions, holding to the published
schema, for the fixture and for the whole demo catalogue."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifegate.catalogue.loader import load_catalogue
from lifegate.catalogue.models import LifeEventQuestion
from lifegate.catalogue.tests.factories import add_to_event, make_service
from lifegate.opendata import schemas
from lifegate.opendata.life_events import life_events_document

BASE = "https://lifegate.example"


@pytest.fixture
def moving(catalogue):
    """Moving house: report the move within 5 days of it, then a benefit that waits for it and
    applies only with children under 18."""
    LifeEventQuestion.objects.create(
        life_event=catalogue.moving,
        key="move_date",
        kind="date",
        label_nl="Wanneer verhuist u?",
        label_en="When do you move?",
    )
    report = catalogue.moving.event_services.get()
    report.deadline_days, report.deadline_from = 5, "answers.move_date"
    report.save()
    benefit = add_to_event(catalogue.moving, catalogue.child_benefit, 2)
    benefit.rule = "minor_children > 0"
    benefit.reason_nl, benefit.reason_en = "U hebt kinderen.", "You have children."
    benefit.skip_reason_nl, benefit.skip_reason_en = "Geen kinderen.", "No children."
    benefit.save()
    benefit.depends_on.add(report)
    return catalogue


def _event(document: schemas.LifeEventsDownload, slug: str) -> schemas.LifeEventDefinition:
    return next(event for event in document.life_events if event.id == slug)


def test_steps_come_in_order_with_their_rules_in_words_and_dependencies(moving):
    event = _event(life_events_document(BASE), "moving")

    report, benefit = event.steps
    assert (report.service.id, benefit.service.id) == ("change-address", "child-benefit")
    assert report.applies_when.always is True
    assert benefit.applies_when.expression == "minor_children > 0"
    assert benefit.applies_when.text == schemas.Texts(
        nl="Het aantal kinderen onder 18 jaar is groter dan 0",
        en="The number of your children under 18 is more than 0",
    )
    assert benefit.applies_when.skip_reason == schemas.Texts(nl="Geen kinderen.", en="No children.")
    assert benefit.depends_on == ["change-address"]
    assert benefit.service.competent_authority.id == "svb"


def test_a_deadline_is_given_in_days_and_in_words(moving):
    event = _event(life_events_document(BASE), "moving")

    deadline = event.steps[0].deadline
    assert deadline is not None
    assert (deadline.days, deadline.counts_from) == (5, "answers.move_date")
    assert deadline.text.en == "5 days after the date given for “When do you move?”"
    assert deadline.text.nl == "5 dagen na de datum bij “Wanneer verhuist u?”"


def test_events_link_to_their_catalogue_uris_and_pages(moving):
    event = _event(life_events_document(BASE), "starting-business")

    assert event.kind == "business"
    assert event.uri == f"{BASE}/catalogue/id/business-event/starting-business"
    assert event.page == f"{BASE}/catalogue/life-events/starting-business/"


def test_the_download_holds_to_its_schema(moving, client):
    response = client.get("/opendata/life-events.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = schemas.LifeEventsDownload.model_validate(response.json())
    assert {event.id for event in document.life_events} == {
        "birth",
        "moving",
        "studying",
        "retiring",
        "starting-business",
    }
    assert "person.is_resident" in document.facts


def test_every_rule_of_the_demo_catalogue_is_put_into_words(db):
    load_catalogue(settings.CATALOGUE_DATA_FILE)

    document = life_events_document(BASE)

    rules = [step.applies_when for event in document.life_events for step in event.steps]
    with_rule = [rule for rule in rules if rule.expression]
    assert len(with_rule) >= 20
    assert [rule.expression for rule in with_rule if rule.text is None] == []


def test_the_number_of_queries_does_not_grow_with_the_catalogue(moving):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            life_events_document(BASE)
        return len(captured)

    few = queries()
    for number in range(5):
        service = make_service(f"extra-{number}", moving.svb)
        add_to_event(moving.birth, service, 10 + number).depends_on.add(
            moving.birth.event_services.first()
        )

    assert queries() == few
