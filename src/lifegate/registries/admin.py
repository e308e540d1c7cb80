"""Read-only admin pages for the embedded population register: the demo data is generated, and a
real register is changed at its source, never here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lifegate.registries.models import (
    ParentChildRelation,
    Partnership,
    RegisteredAddress,
    RegisteredPerson,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; adding, changing and deleting are not offered."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegisteredPerson)
class RegisteredPersonAdmin(ReadOnlyAdmin):
    list_display = [
        "family_name",
        "name_prefix",
        "given_names",
        "date_of_birth",
        "nationality",
        "resident",
    ]
    list_filter = ["resident", "nationality", "gender"]
    search_fields = ["family_name", "given_names", "=bsn", "=eidas_person_identifier"]
    list_select_related = ["address"]


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
class ParentChildRelationAdmin(ReadOnlyAdmin):
    list_display = ["parent", "child", "has_parental_authority"]
    list_filter = ["has_parental_authority"]
    list_select_related = ["parent", "child"]


@admin.register(Partnership)
class PartnershipAdmin(ReadOnlyAdmin):
    list_display = ["first_partner", "second_partner", "kind", "started_on", "ended_on"]
    list_filter = ["kind"]
    list_select_related = ["first_partner", "second_partner"]
