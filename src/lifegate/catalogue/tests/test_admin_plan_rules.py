"""Catalogue editors write plan rules in the admin: a life event's steps, questions and a
service's request form are edited inline, and a rule, deadline or dependency the plan engine
could not use is refused on the field, with the reason."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lifegate.catalogue import models as m
from lifegate.catalogue import rules
from lifegate.catalogue.tests.factories import CatalogueFixture, build_catalogue
from lifegate.catalogue.tests.test_admin import _inline_management_data

pytestmark = pytest.mark.django_db
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def catalogue() -> CatalogueFixture:
    return build_catalogue()


@pytest.fixture
def editor(client: Client, catalogue: CatalogueFixture) -> Client:
    user = get_user_model().objects.create_superuser("editor", "editor@lifegate.invalid", "pw")
    client.force_login(user)
    return client


def change_form(editor: Client, obj: m.LifeEvent | m.PublicService) -> tuple[str, dict[str, Any]]:
    """The change form's URL and the data it would post unchanged."""
    url = reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])
    context = editor.get(url, headers=ENGLISH).context
    form = context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data |= _inline_management_data(context)
    return url, {k: ("" if v is None else v) for k, v in data.items()}


def step_prefix(data: dict[str, Any], step: m.EventService) -> str:
    """The inline form prefix (`event_services-0`) of `step` in posted data."""
    return next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("event_services-") and key.endswith("-id") and value == step.pk
    )


def step_errors(response: Any) -> list[dict[str, Any]]:
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is m.EventService
    )
    return [errors for errors in formset.errors if errors]


def birth_step(catalogue: CatalogueFixture, service: m.PublicService) -> m.EventService:
    return m.EventService.objects.get(life_event=catalogue.birth, service=service)


def test_the_life_event_form_shows_its_questions_and_steps_and_a_service_its_form(
    editor: Client, catalogue: CatalogueFixture
) -> None:
    m.LifeEventQuestion.objects.create(
        life_event=catalogue.birth,
        key="uses_childcare",
        kind="yes-no",
        label_nl="Opvang?",
        label_en="Childcare?",
    )
    m.FormField.objects.create(
        service=catalogue.child_benefit, key="iban", kind="iban", label_nl="IBAN", label_en="IBAN"
    )
    event_page = editor.get(reverse("admin:catalogue_lifeevent_change", args=[catalogue.birth.pk]))
    service_page = editor.get(
        reverse("admin:catalogue_publicservice_change", args=[catalogue.child_benefit.pk])
    )
    assert b"uses_childcare" in event_page.content
    assert b'name="event_services-0-rule"' in event_page.content
    assert b'value="iban"' in service_page.content
    assert b'name="event_services-0-depends_on"' in service_page.content


def test_saving_a_rule_with_an_unknown_fact_shows_why_on_the_rule_field(
    editor: Client, catalogue: CatalogueFixture
) -> None:
    url, data = change_form(editor, catalogue.birth)
    prefix = step_prefix(data, birth_step(catalogue, catalogue.child_benefit))
    data[f"{prefix}-rule"] = "person.shoe_size > 40"
    response = editor.post(url, data, headers=ENGLISH)
    assert response.status_code == 200
    with translation.override("en"):
        expected = rules.rule_problem("person.shoe_size > 40", [])
    assert expected.startswith("This rule uses a fact that does not exist")
    assert step_errors(response) == [{"rule": [expected]}]
    assert birth_step(catalogue, catalogue.child_benefit).rule == ""


def test_saving_a_rule_that_is_not_cel_is_refused(
    editor: Client, catalogue: CatalogueFixture
) -> None:
    url, data = change_form(editor, catalogue.birth)
    data[f"{step_prefix(data, birth_step(catalogue, catalogue.child_benefit))}-rule"] = "age >>> 3"
    response = editor.post(url, data, headers=ENGLISH)
    [errors] = step_errors(response)
    assert "This rule is not valid CEL" in errors["rule"][0]


def test_a_valid_rule_with_reasons_dependency_and_deadline_is_saved(
    editor: Client, catalogue: CatalogueFixture
) -> None:
    registration = birth_step(catalogue, catalogue.register_birth)
    url, data = change_form(editor, catalogue.birth)
    prefix = step_prefix(data, birth_step(catalogue, catalogue.child_benefit))
    data |= {
        f"{prefix}-rule": "related.age < 18",
        f"{prefix}-reason_nl": "Omdat uw kind jonger is dan 18 jaar.",
        f"{prefix}-reason_en": "Because your child is under 18.",
        f"{prefix}-depends_on": [registration.pk],
        f"{prefix}-deadline_days": "90",
        f"{prefix}-deadline_from": "related.date_of_birth",
    }
    response = editor.post(url, data, headers=ENGLISH)
    assert response.status_code == 302, step_errors(response)
    step = birth_step(catalogue, catalogue.child_benefit)
    assert (step.rule, step.reason_en, step.deadline_days) == (
        "related.age < 18",
        "Because your child is under 18.",
        90,
    )
    assert list(step.depends_on.all()) == [registration]


def test_a_deadline_from_something_that_is_not_a_date_is_refused(
    editor: Client, catalogue: CatalogueFixture
) -> None:
    url, data = change_form(editor, catalogue.birth)
    prefix = step_prefix(data, birth_step(catalogue, catalogue.child_benefit))
    data |= {f"{prefix}-deadline_days": "3", f"{prefix}-deadline_from": "person.full_name"}
    [errors] = step_errors(editor.post(url, data, headers=ENGLISH))
    assert "is not a date fact" in errors["deadline_from"][0]


def test_a_step_cannot_wait_for_a_step_of_another_life_event(
    editor: Client, catalogue: CatalogueFixture
) -> None:
    moving = m.EventService.objects.get(service=catalogue.change_address)
    url, data = change_form(editor, catalogue.passport)
    data |= {
        "event_services-TOTAL_FORMS": "1",
        "event_services-0-life_event": catalogue.birth.pk,
        "event_services-0-position": "9",
        "event_services-0-step_kind": "self-service",
        "event_services-0-depends_on": [moving.pk],
    }
    response = editor.post(url, data, headers=ENGLISH)
    [errors] = step_errors(response)
    assert "only wait for steps of the same life event" in errors["depends_on"][0]
    assert not catalogue.passport.event_services.exists()


def test_steps_cannot_wait_for_each_other(editor: Client, catalogue: CatalogueFixture) -> None:
    registration = birth_step(catalogue, catalogue.register_birth)
    benefit = birth_step(catalogue, catalogue.child_benefit)
    benefit.depends_on.add(registration)
    url, data = change_form(editor, catalogue.birth)
    data[f"{step_prefix(data, registration)}-depends_on"] = [benefit.pk]
    [errors] = step_errors(editor.post(url, data, headers=ENGLISH))
    assert errors["depends_on"] == ["These steps would wait for each other."]
    assert not registration.depends_on.exists()


def test_a_form_field_prefilled_from_an_unknown_fact_is_refused(
    editor: Client, catalogue: CatalogueFixture
) -> None:
    url, data = change_form(editor, catalogue.child_benefit)
    data |= {
        "form_fields-TOTAL_FORMS": "1",
        "form_fields-0-key": "iban",
        "form_fields-0-kind": "iban",
        "form_fields-0-position": "0",
        "form_fields-0-required": "on",
        "form_fields-0-prefill": "person.bank_account",
        "form_fields-0-label_nl": "Rekeningnummer",
        "form_fields-0-label_en": "Bank account",
        "form_fields-0-choices": "[]",
    }
    response = editor.post(url, data, headers=ENGLISH)
    assert response.status_code == 200
    assert "Unknown fact person.bank_account" in response.content.decode()
    data["form_fields-0-prefill"] = ""
    assert editor.post(url, data, headers=ENGLISH).status_code == 302
    assert list(catalogue.child_benefit.form_fields.values_list("key", flat=True)) == ["iban"]
