"""The "who used my data" page: login at level substantial, the person's records with register
texts in the page's language, filters and paging that refuse what they did not hand out, which
records a signed checkpoint seals, no identifier anywhere in the page, and the visit itself
recorded."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from lifegate.catalogue.models import ProcessingActivity, PublicOrganisation
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.core.subject import Subject
from lifegate.mandates.tests import conftest as mandates_fixtures
from lifegate.mandates.tests.web import log_in_as
from lifegate.registries.personas import DemoPersona
from lifegate.transparency import chain
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import (
    Actor,
    ForeignOperation,
    record_processing,
    subject_hash,
)

# Fixtures shared with the mandates tests: the demo personas, and the organisation that tells
# principals about their mandates (autouse there, and so here).
personas = mandates_fixtures.personas
notice_sender = mandates_fixtures.notice_sender

pytestmark = pytest.mark.django_db
PAGE = reverse("transparency:records")
ENGLISH = {"accept-language": "en"}
DUTCH = {"accept-language": "nl"}
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def tax_office(db: None) -> PublicOrganisation:
    """An agency, and the register entry of the processing it does."""
    office = make_organisation("belasting-test", "Belastingdienst Test", "Tax Office Test")
    ProcessingActivity.objects.create(
        slug="income-tax-test",
        controller=office,
        name_nl="Inkomstenbelasting heffen",
        name_en="Levying income tax",
        purpose_nl="Uw aanslag vaststellen.",
        purpose_en="Setting your assessment.",
        legal_basis_nl="Wettelijke plicht (AVG artikel 6, lid 1, onder c)",
        legal_basis_en="Legal obligation (GDPR article 6(1)(c))",
    )
    return office


def make_record(
    subject: Subject, *, minutes: int = 0, actor: Actor | None = None, **fields: object
) -> ProcessingRecord:
    """A record about `subject` by the tax office (unless `actor` says otherwise)."""
    values: dict[str, object] = {
        "name": "tax.assessment",
        "subject": subject,
        "activity": "income-tax-test",
        "actor": actor or Actor(kind="agency", organisation="belasting-test"),
        "data_categories": ["date_of_birth", "income"],
        "started_at": START + timedelta(minutes=minutes),
    }
    return record_processing(**(values | fields))  # type: ignore[arg-type]


def act_for(client: Client, subject: Subject) -> None:
    response = client.post(reverse("mandates:choose"), {"person": subject_hash(subject)})
    assert response.status_code == 302, response.content


@pytest.fixture
def resident(client: Client, personas: dict[str, DemoPersona]) -> Subject:
    subject = personas["resident-substantial"].subject
    log_in_as(client, subject)
    return subject


def test_anonymous_visitors_log_in_first(client: Client) -> None:
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_a_low_login_logs_in_again_at_substantial(
    client: Client,
    personas: dict[str, DemoPersona],
) -> None:
    log_in_as(client, personas["resident-low"].subject, loa="low")

    response = client.get(PAGE)

    assert response.status_code == 302 and "level=substantial" in response["Location"]


def test_the_english_page_shows_when_who_what_and_why(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)
    representative = Subject("bsn", "999990044")
    make_record(
        resident,
        minutes=1,
        actor=Actor(kind="person", subject=representative, on_behalf_of=resident),
    )

    response = client.get(PAGE, headers=ENGLISH)

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Who used my data",
        "<caption",
        'scope="col">Purpose and legal basis</th>',
        "Tax Office Test",
        "Levying income tax",
        "Setting your assessment.",
        "Legal obligation (GDPR article 6(1)(c))",
        "Date of birth, Income",
        "The organisation",
        "A representative, on your behalf",
        "Completed",
        'id="nav-transparency"',
        '<label class="utrecht-form-label" for="id_organisation">Organisation</label>',
    ):
        assert text in html, text
    assert html.count("data-record") == 2
    assert resident.value not in html and "999990044" not in html


def test_the_dutch_page_shows_the_register_in_dutch(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)

    html = client.get(PAGE, headers=DUTCH).content.decode()

    assert '<html lang="nl">' in html
    for text in (
        "Belastingdienst Test",
        "Inkomstenbelasting heffen",
        "Uw aanslag vaststellen.",
        "Wettelijke plicht (AVG artikel 6, lid 1, onder c)",
        "Geboortedatum",
    ):
        assert text in html, text
    assert "Levying income tax" not in html and resident.value not in html


def test_looking_is_recorded_with_the_person_as_actor(client: Client, resident: Subject) -> None:
    client.get(PAGE)

    [seen] = ProcessingRecord.objects.filter(name="transparency.history")
    assert seen.data_subject_hash == subject_hash(resident)
    assert seen.actor_kind == "person" and seen.actor_hash == subject_hash(resident)
    assert seen.processing_activity_id == "transparency-access"


def test_the_next_visit_shows_the_previous_one(client: Client, resident: Subject) -> None:
    client.get(PAGE)

    html = client.get(PAGE, headers=ENGLISH).content.decode()

    assert "transparency.history" in html and html.count("data-record") == 1


def test_filters_narrow_the_list_and_foreign_nodes_are_named(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)
    make_record(
        resident,
        minutes=1,
        activity="evidence-provision",
        actor=Actor(kind="system"),
        foreign=ForeignOperation("f" * 32, "e" * 16, "https://ee.lifegate.example"),
    )

    html = client.get(
        PAGE, {"activity": "evidence-provision", "since": "2026-03-01"}, headers=ENGLISH
    ).content.decode()

    assert html.count("data-record") == 1
    assert "Asked by https://ee.lifegate.example" in html and "f" * 32 in html
    assert "An automated system" in html and 'id="clear-filters"' in html


@pytest.mark.parametrize(
    "query",
    [
        {"organisation": "not-in-my-records"},
        {"activity": "not-in-my-records"},
        {"since": "2026-03-02", "until": "2026-03-01"},
        {"since": "yesterday"},
    ],
)
def test_a_filter_that_cannot_apply_is_a_400_with_the_form(
    client: Client, resident: Subject, tax_office: PublicOrganisation, query: dict[str, str]
) -> None:
    make_record(resident)

    response = client.get(PAGE, query, headers=ENGLISH)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="form-errors"' in html and "data-record" not in html


def test_paging_links_lead_to_older_and_newer_records(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    for minute in range(30):
        make_record(resident, minutes=minute)

    first = client.get(PAGE, headers=ENGLISH)
    older = first.context["page"].next_cursor
    second = client.get(PAGE, {"after": older}, headers=ENGLISH)

    assert first.content.decode().count("data-record") == 25
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' not in first.content.decode()
    assert second.content.decode().count("data-record") == 5
    assert 'rel="prev"' in second.content.decode()


def test_a_damaged_cursor_says_so_and_shows_the_first_page(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)

    response = client.get(PAGE, {"after": "damaged"}, headers=ENGLISH)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="cursor-invalid"' in html and html.count("data-record") == 1


def test_without_records_the_page_says_so(client: Client, resident: Subject) -> None:
    html = client.get(PAGE, headers=ENGLISH).content.decode()

    assert 'id="no-records"' in html and "data-record" not in html


def test_the_page_shows_which_records_a_signed_checkpoint_seals(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    older = make_record(resident)
    chain.seal()
    newer = make_record(resident, minutes=1)

    html = client.get(PAGE, headers=ENGLISH).content.decode()

    assert "The oldest record on this page is sealed by checkpoint 1 of" in html
    assert "its signature is valid and the record has not changed since" in html
    sealed_cells = html.split(f'id="record-{older.span_id}"')[1].split("</tr>")[0]
    assert 'data-sealed="yes"' in sealed_cells
    assert 'data-sealed="no"' in html.split(f'id="record-{newer.span_id}"')[1].split("</tr>")[0]


def test_a_page_all_sealed_says_so_and_an_unsealed_one_too(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)
    only_tax = {"organisation": "belasting-test"}

    before = client.get(PAGE, only_tax, headers=ENGLISH).content.decode()
    chain.seal()
    after = client.get(PAGE, only_tax, headers=ENGLISH).content.decode()

    assert "No valid checkpoint covers the records on this page yet." in before
    assert "All records on this page are sealed by checkpoint 1 of" in after
