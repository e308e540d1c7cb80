"""The person's home page: their name from the register, the sections, and a logged read."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from lifegate.catalogue.tests.factories import (
    add_to_event,
    make_life_event,
    make_organisation,
    make_service,
)
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.journeys import services as journeys
from lifegate.registries.services import demo_personas, load_demo_population
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash


@pytest.fixture
def parent(db):
    load_demo_population(size=300)
    return next(p for p in demo_personas() if p.key == "parent")


def _log_in(client, persona, level="substantial"):
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(
            subject=persona.subject,
            loa=level,
            authenticated_at=datetime.now(UTC),
            issuer="http://testserver/dev-idp",
        )
    )
    session.save()


def test_anonymous_visitors_see_the_public_front_page(client, db):
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "One government for every moment in your life" in response.text
    assert ProcessingRecord.objects.count() == 0


def test_the_home_page_greets_the_person_by_their_registered_name(client, parent):
    _log_in(client, parent)
    response = client.get("/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert parent.family_name in response.text
    for section in ("life-events", "messages", "credentials", "mandates", "transparency"):
        assert f'id="section-{section}"' in response.text
    assert "substantial" in response.text


@pytest.mark.parametrize(
    ("language", "links"),
    [
        ("en", ["Go to your credentials", "Go to your authorisations", "See who used your data"]),
        ("nl", ["Naar uw bewijzen", "Naar uw machtigingen", "Bekijk wie uw gegevens gebruikte"]),
    ],
)
def test_every_section_of_the_home_page_leads_to_its_page(client, parent, language, links):
    _log_in(client, parent)
    response = client.get("/", headers={"accept-language": language})
    for anchor, path, text in zip(
        ("home-credentials", "home-mandates", "home-transparency"),
        ("/credentials/", "/mandates/", "/transparency/"),
        links,
        strict=True,
    ):
        link = response.text.split(f'id="{anchor}"', 1)[1].split("</a>", 1)[0]
        assert text in link
        before = response.text.split(f'id="{anchor}"', 1)[0].rsplit("<a ", 1)[1]
        assert f'href="{path}' in before
    assert "will appear here" not in response.text and "straks" not in response.text


def test_the_home_page_speaks_dutch_by_default(client, parent):
    _log_in(client, parent)
    response = client.get("/")
    assert '<html lang="nl">' in response.text
    with translation.override("nl"):
        assert "Welkom" in response.text
        assert "substantieel" in response.text


def test_showing_the_home_page_is_recorded_in_the_processing_log(client, parent):
    _log_in(client, parent)
    client.get("/")
    records = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(parent.subject))
    assert [r.processing_activity_id for r in records] == ["portal-home"]
    assert records[0].name == "portal.home"


def test_the_persons_own_plans_on_the_home_page_are_a_recorded_read(client, parent):
    event = make_life_event("moving-test", "Verhuizen", "Moving")
    add_to_event(event, make_service("register-move-test", make_organisation("gemeente-test")), 1)
    actor = Actor(kind="person", subject=parent.subject)
    journey = journeys.start_journey(event, journeys.Start(subject=parent.subject, actor=actor))
    _log_in(client, parent)
    before = set(ProcessingRecord.objects.values_list("pk", flat=True))

    response = client.get("/", headers={"accept-language": "en"})

    assert f"/journeys/{journey.pk}/" in response.text
    shown = ProcessingRecord.objects.exclude(pk__in=before).filter(
        data_subject_hash=subject_hash(parent.subject)
    )
    assert sorted(record.name for record in shown) == ["journeys.list", "portal.home"]


def test_the_home_page_never_shows_the_bsn(client, parent):
    _log_in(client, parent)
    response = client.get("/")
    assert response.status_code == 200
    assert parent.given_name in response.text  # the logged-in home page, not another one
    assert parent.subject.value not in response.text
    assert parent.subject.value not in response.headers.get("Location", "")
