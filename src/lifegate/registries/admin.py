"""Read-only admin pages for the embedded population register: the demo data is generated, and a
real register is changed at its source, never here.

Showing a person is processing their personal data: every page that shows persons records one
processing record per person shown (activity `registries-admin`) before it is sent. Identifiers
stay out of URLs: pages address rows by primary key, and the BSN and the eIDAS identifier are not
search fields, because a search puts its terms in the URL and URLs end up in access logs."""

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from lifegate.core.subject import Subject
from lifegate.registries.models import (
    ParentChildRelation,
    Partnership,
    RegisteredAddress,
    RegisteredDiploma,
    RegisteredPerson,
)
from lifegate.transparency.services import Actor, record_processing

ADMIN_ACTIVITY = "registries-admin"
# The operator's staff act for the platform; the processing log has no place for staff accounts.
OPERATOR = Actor(kind="system", organisation="lifegate operator")
PERSON_LIST_DATA = ("name", "date_of_birth", "nationality", "residence")
PERSON_DETAIL_DATA = (
    "identifiers",
    "name",
    "gender",
    "date_of_birth",
    "place_of_birth",
    "nationality",
    "date_of_death",
    "address",
)
RELATION_DATA = ("name", "family_relations")
DIPLOMA_DATA = ("name", "diplomas")


def person_subject(person: RegisteredPerson) -> Subject:
    """The subject the person logs in as (EU citizens by eIDAS identifier, others by BSN), so
    the read shows in their own processing log."""
    identifier = person.eidas_person_identifier
    return Subject("eidas", identifier) if identifier else Subject("bsn", person.bsn)


def record_admin_reads(
    name: str, persons: Iterable[RegisteredPerson], categories: Sequence[str]
) -> None:
    """One processing record per distinct person shown, all in one transaction and one trace."""
    shown = {person.pk: person for person in persons}
    trace_id = secrets.token_hex(16)
    with transaction.atomic():
        for person in shown.values():
            record_processing(
                name=name,
                subject=person_subject(person),
                activity=ADMIN_ACTIVITY,
                actor=OPERATOR,
                data_categories=categories,
                trace_id=trace_id,
            )


def _shown(response: HttpResponse, key: str) -> Any:
    """The context value `key` of a page that is about to be sent, or None."""
    if isinstance(response, TemplateResponse) and response.status_code == 200:
        return (response.context_data or {}).get(key)
    return None


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; adding, changing and deleting are not offered."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PersonReadingAdmin(ReadOnlyAdmin):
    """A read-only admin whose list, detail and history pages show registered persons, and
    record each person they show."""

    list_data: tuple[str, ...] = RELATION_DATA
    detail_data: tuple[str, ...] = RELATION_DATA
    history_data: tuple[str, ...] = RELATION_DATA

    def persons_in(self, obj: Any) -> list[RegisteredPerson]:
        """The persons a row shows."""
        raise NotImplementedError

    def _record(self, page: str, rows: Iterable[Any], categories: Sequence[str]) -> None:
        persons = [person for row in rows for person in self.persons_in(row)]
        record_admin_reads(f"registries.admin.{self.opts.model_name}.{page}", persons, categories)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = _shown(response, "cl")
        if changelist is not None:
            self._record("list", changelist.result_list, self.list_data)
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = _shown(response, "original")
        if obj is not None:
            self._record("view", [obj], self.detail_data)
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        obj = _shown(response, "object")
        if obj is not None:
            self._record("history", [obj], self.history_data)
        return response


@admin.register(RegisteredPerson)
class RegisteredPersonAdmin(PersonReadingAdmin):
    list_display = [
        "family_name",
        "name_prefix",
        "given_names",
        "date_of_birth",
        "nationality",
        "resident",
    ]
    list_filter = ["resident", "nationality", "gender"]
    # No identifiers here: the search terms end up in the URL.
    search_fields = ["family_name", "given_names", "address__postcode", "address__city"]
    list_select_related = ["address"]
    list_data = PERSON_LIST_DATA
    detail_data = PERSON_DETAIL_DATA
    history_data = ("name",)  # the page shows only the name

    def persons_in(self, obj: RegisteredPerson) -> list[RegisteredPerson]:
        return [obj]

    def get_search_fields(self, request: HttpRequest) -> list[str] | tuple[str, ...]:
        # No page offers an autocomplete of persons, and its JSON would list names without a
        # processing record: without search fields the admin's autocomplete answers 404.
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            return ()
        return super().get_search_fields(request)


@admin.register(RegisteredAddress)
class RegisteredAddressAdmin(ReadOnlyAdmin):
    list_display = [
        "street",
        "house_number",
        "house_number_addition",
        "postcode",
        "city",
        "municipality",
    ]
    list_filter = ["municipality"]
    search_fields = ["street", "postcode", "city"]


@admin.register(ParentChildRelation)
class ParentChildRelationAdmin(PersonReadingAdmin):
    list_display = ["parent", "child", "has_parental_authority"]
    list_filter = ["has_parental_authority"]
    list_select_related = ["parent", "child"]

    def persons_in(self, obj: ParentChildRelation) -> list[RegisteredPerson]:
        return [obj.parent, obj.child]


@admin.register(Partnership)
class PartnershipAdmin(PersonReadingAdmin):
    list_display = ["first_partner", "second_partner", "kind", "started_on", "ended_on"]
    list_filter = ["kind"]
    list_select_related = ["first_partner", "second_partner"]

    def persons_in(self, obj: Partnership) -> list[RegisteredPerson]:
        return [obj.first_partner, obj.second_partner]


@admin.register(RegisteredDiploma)
class RegisteredDiplomaAdmin(PersonReadingAdmin):
    """The education register: each page shows the diplomas' holders by name."""

    list_display = ["title", "level_eqf", "awarding_body", "awarded_on", "person"]
    list_filter = ["level_eqf"]
    search_fields = ["title", "awarding_body"]
    list_select_related = ["person"]
    list_data = DIPLOMA_DATA
    detail_data = DIPLOMA_DATA
    history_data = DIPLOMA_DATA

    def persons_in(self, obj: RegisteredDiploma) -> list[RegisteredPerson]:
        return [obj.person]
