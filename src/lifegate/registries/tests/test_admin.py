"""The admin shows the embedded register read-only, records every person it shows in the
processing log, and keeps identifiers out of its URLs."""

import re

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from lifegate.core.subject import Subject
from lifegate.registries.admin import ADMIN_ACTIVITY, OPERATOR
from lifegate.registries.models import ParentChildRelation, Partnership, RegisteredPerson
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(loaded: int) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("operator", "operator@example.org", "x"))
    return client


def test_the_person_list_and_a_person_are_shown(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.first()
    assert person is not None
    assert (
        admin_client_logged_in.get(
            reverse("admin:registries_registeredperson_changelist")
        ).status_code
        == 200
    )
    page = admin_client_logged_in.get(
        reverse("admin:registries_registeredperson_change", args=[person.pk])
    )
    assert page.status_code == 200
    assert person.family_name in page.text


@pytest.mark.parametrize(
    "model", ["registeredperson", "registeredaddress", "parentchildrelation", "partnership"]
)
def test_nothing_can_be_added(admin_client_logged_in: Client, model: str) -> None:
    assert admin_client_logged_in.get(reverse(f"admin:registries_{model}_add")).status_code == 403


def test_a_person_cannot_be_changed_or_deleted(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.first()
    assert person is not None
    url = reverse("admin:registries_registeredperson_change", args=[person.pk])
    admin_client_logged_in.post(url, {"family_name": "Changed"})
    assert (
        admin_client_logged_in.post(
            reverse("admin:registries_registeredperson_delete", args=[person.pk])
        ).status_code
        == 403
    )
    person.refresh_from_db()
    assert person.family_name != "Changed"


# Every page that shows persons records the read in the processing log.


def admin_records() -> QuerySet[ProcessingRecord]:
    return ProcessingRecord.objects.filter(processing_activity_id=ADMIN_ACTIVITY)


def subject_of(person: RegisteredPerson) -> Subject:
    if person.eidas_person_identifier:
        return Subject("eidas", person.eidas_person_identifier)
    return Subject("bsn", person.bsn)


def test_the_person_list_records_one_read_per_person_on_the_page(
    admin_client_logged_in: Client,
) -> None:
    page = admin_client_logged_in.get(reverse("admin:registries_registeredperson_changelist"))
    shown = list(page.context["cl"].result_list)
    assert 0 < len(shown) < RegisteredPerson.objects.count()
    assert admin_records().count() == len(shown)
    for person in shown:
        [record] = records_about(subject_of(person))
        assert record.actor_kind == "system"
        assert record.organisation == OPERATOR.organisation
        assert "name" in record.data_categories
    assert len({record.trace_id for record in admin_records()}) == 1
    not_shown = RegisteredPerson.objects.exclude(pk__in=[person.pk for person in shown]).first()
    assert not_shown is not None
    assert records_about(subject_of(not_shown)) == []


def test_a_persons_page_records_one_read_of_that_person(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.filter(eidas_person_identifier__isnull=True).first()
    assert person is not None
    page = admin_client_logged_in.get(
        reverse("admin:registries_registeredperson_change", args=[person.pk])
    )
    assert page.status_code == 200
    [record] = admin_records()
    assert records_about(Subject("bsn", person.bsn)) == [record]
    assert "identifiers" in record.data_categories


def test_an_eu_citizens_page_is_recorded_under_their_eidas_identifier(
    admin_client_logged_in: Client,
) -> None:
    person = RegisteredPerson.objects.filter(eidas_person_identifier__isnull=False).first()
    assert person is not None and person.eidas_person_identifier
    admin_client_logged_in.get(
        reverse("admin:registries_registeredperson_change", args=[person.pk])
    )
    [record] = records_about(Subject("eidas", person.eidas_person_identifier))
    assert record.processing_activity_id == ADMIN_ACTIVITY


def test_a_persons_history_page_records_the_read(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.first()
    assert person is not None
    page = admin_client_logged_in.get(
        reverse("admin:registries_registeredperson_history", args=[person.pk])
    )
    assert page.status_code == 200
    assert [record.processing_activity_id for record in records_about(subject_of(person))] == [
        ADMIN_ACTIVITY
    ]


def test_a_parent_child_relation_records_both_persons(admin_client_logged_in: Client) -> None:
    relation = ParentChildRelation.objects.select_related("parent", "child").first()
    assert relation is not None
    admin_client_logged_in.get(
        reverse("admin:registries_parentchildrelation_change", args=[relation.pk])
    )
    assert len(records_about(subject_of(relation.parent))) == 1
    assert len(records_about(subject_of(relation.child))) == 1
    assert admin_records().count() == 2


def test_the_relation_lists_record_each_person_shown_once(admin_client_logged_in: Client) -> None:
    for model, fields in [
        ("parentchildrelation", ("parent", "child")),
        ("partnership", ("first_partner", "second_partner")),
    ]:
        ProcessingRecord.objects.all().delete()
        page = admin_client_logged_in.get(reverse(f"admin:registries_{model}_changelist"))
        rows = list(page.context["cl"].result_list)
        persons = {getattr(row, field).pk: getattr(row, field) for row in rows for field in fields}
        assert admin_records().count() == len(persons) > 0, model
        for person in persons.values():
            assert len(records_about(subject_of(person))) == 1, model


def test_pages_that_show_no_person_record_nothing(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.first()
    assert person is not None
    url = reverse("admin:registries_registeredperson_change", args=[person.pk])
    assert admin_client_logged_in.post(url, {"family_name": "Changed"}).status_code == 403
    missing = reverse("admin:registries_registeredperson_change", args=[person.pk + 10_000])
    assert admin_client_logged_in.get(missing).status_code == 302
    search = reverse("admin:registries_registeredperson_changelist") + "?q=Nobodyhasthisname"
    assert admin_client_logged_in.get(search).context["cl"].result_count == 0
    assert admin_client_logged_in.get(reverse("admin:index")).status_code == 200
    assert not admin_records().exists()


# Identifiers stay out of URLs: no search by identifier, and links address rows by primary key.


def search(client: Client, term: str) -> list[RegisteredPerson]:
    page = client.get(reverse("admin:registries_registeredperson_changelist"), {"q": term})
    assert page.status_code == 200
    return list(page.context["cl"].result_list)


def test_identifiers_are_not_search_fields() -> None:
    fields = {field.lstrip("=^@") for field in site._registry[RegisteredPerson].search_fields}
    assert fields.isdisjoint({"bsn", "eidas_person_identifier"})


def test_searching_by_an_identifier_finds_nobody(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.filter(eidas_person_identifier__isnull=False).first()
    assert person is not None and person.eidas_person_identifier
    assert search(admin_client_logged_in, person.bsn) == []
    assert search(admin_client_logged_in, person.eidas_person_identifier) == []
    assert person in search(admin_client_logged_in, person.family_name)


def test_a_person_can_be_found_by_postcode_and_city(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.filter(address__isnull=False).select_related("address")[0]
    assert person.address is not None
    assert person in search(admin_client_logged_in, person.address.postcode)
    assert person in search(admin_client_logged_in, person.address.city)


def urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def test_no_admin_url_contains_an_identifier(admin_client_logged_in: Client) -> None:
    client = admin_client_logged_in
    person = RegisteredPerson.objects.filter(parent_relations__isnull=False).first()
    relation = ParentChildRelation.objects.first()
    partnership = Partnership.objects.first()
    assert person is not None and relation is not None and partnership is not None
    changelist = reverse("admin:registries_registeredperson_changelist")
    pages = [
        client.get(changelist),
        client.get(changelist, {"q": person.family_name, "resident__exact": "1"}),
        client.get(changelist, {"p": "2", "o": "4"}),
        client.get(reverse("admin:registries_registeredperson_change", args=[person.pk])),
        client.get(reverse("admin:registries_registeredperson_history", args=[person.pk])),
        client.get(reverse("admin:registries_parentchildrelation_changelist")),
        client.get(reverse("admin:registries_parentchildrelation_change", args=[relation.pk])),
        client.get(reverse("admin:registries_partnership_changelist")),
        client.get(reverse("admin:registries_partnership_change", args=[partnership.pk])),
    ]
    assert all(page.status_code == 200 for page in pages)
    urls = "\n".join(url for page in pages for url in urls_in(page.text))
    person_url = reverse("admin:registries_registeredperson_change", args=[person.pk])
    assert person_url in urls  # the object links are there, by primary key
    identifiers = RegisteredPerson.objects.values_list("bsn", "eidas_person_identifier")
    leaked = [value for row in identifiers for value in row if value and value in urls]
    assert leaked == []


def test_the_admin_autocomplete_does_not_list_persons(admin_client_logged_in: Client) -> None:
    person = RegisteredPerson.objects.filter(child_relations__isnull=False).first()
    assert person is not None
    answer = admin_client_logged_in.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "registries",
            "model_name": "parentchildrelation",
            "field_name": "parent",
            "term": person.family_name,
        },
    )
    assert answer.status_code == 404
    assert person.family_name not in answer.text
    assert search(admin_client_logged_in, person.family_name)  # the list's search still works
