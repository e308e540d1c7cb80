"""Catalogue editors work in the Django admin: every catalogue model can be listed and edited."""

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.urls import reverse

from lifegate.catalogue.models import (
    CredentialType,
    EvidenceMapping,
    EvidenceProvider,
    EvidenceType,
    PublicOrganisation,
    PublicService,
    Requirement,
)
from lifegate.catalogue.tests.factories import build_catalogue


@pytest.fixture
def editor_client(client, db):
    build_catalogue()
    # Every catalogue model has a row, so each change form is opened too.
    CredentialType.objects.create(
        slug="diploma",
        name_nl="Diploma",
        name_en="Diploma",
        issuer=PublicOrganisation.objects.order_by("pk")[0],
        claims=[
            {
                "key": "title",
                "label_nl": "Opleiding",
                "label_en": "Qualification",
                "disclosable": True,
            }
        ],
    )
    kind = EvidenceType.objects.order_by("pk")[0]
    requirement = Requirement.objects.order_by("pk")[0]
    EvidenceMapping.objects.create(requirement=requirement, country="EE", evidence_type=kind)
    EvidenceProvider.objects.create(
        evidence_type=kind,
        country="EE",
        node="ee",
        organisation_name_nl="Rahvastikuregister",
        organisation_name_en="Population register",
    )
    user = get_user_model().objects.create_superuser("editor", "editor@lifegate.invalid", "pw")
    client.force_login(user)
    return client


def test_every_catalogue_model_is_editable_in_the_admin_on_its_own_or_inline():
    models = apps.get_app_config("catalogue").get_models()
    inline = {i.model for model_admin in site._registry.values() for i in model_admin.inlines}
    missing = [
        m.__name__
        for m in models
        if m not in site._registry and m not in inline and m._meta.auto_created is False
    ]
    assert missing == [], missing


def test_each_changelist_and_change_form_opens(editor_client):
    for model in site._registry:
        if model._meta.app_label != "catalogue":
            continue
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert editor_client.get(changelist).status_code == 200, changelist
        first = model._default_manager.first()
        assert first is not None, f"no {meta.model_name} to open the change form of"
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
        assert editor_client.get(change).status_code == 200, change


def test_an_editor_can_change_a_service_name_in_both_languages(editor_client):
    service = PublicService.objects.order_by("slug").first()
    assert service is not None
    url = reverse("admin:catalogue_publicservice_change", args=[service.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    inline_data = _inline_management_data(editor_client.get(url).context)
    data.update(inline_data)
    data.update({"name_nl": "Nieuwe naam", "name_en": "New name"})
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = editor_client.post(url, data)
    assert response.status_code == 302, getattr(
        response.context.get("errors"), "as_text", lambda: ""
    )()
    service.refresh_from_db()
    assert (service.name_nl, service.name_en) == ("Nieuwe naam", "New name")


def _inline_management_data(context):
    data = {}
    for formset in context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for index, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                data[f"{formset.formset.prefix}-{index}-{name}"] = value
    return data
