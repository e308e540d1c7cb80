"""Admin pages to watch mandates: status, scope and period. Nothing here identifies a person:
the principal's and representative's hashes and sealed identifiers are never shown, nor is an
invitation code's hash."""

from django.contrib import admin

from lifegate.journeys.admin import ReadOnlyAdmin
from lifegate.mandates.models import Mandate, MandateInvitation

_MANDATE_FIELDS = (
    "id",
    "status",
    "scope_kind",
    "scope_slug",
    "valid_from",
    "valid_until",
    "created_at",
    "accepted_at",
    "first_used_at",
    "ended_at",
    "ended_by",
)


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "status", "scope_kind", "scope_slug", "valid_from", "valid_until"]
    list_filter = ["status", "scope_kind", "ended_by"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = readonly_fields = _MANDATE_FIELDS


@admin.register(MandateInvitation)
class MandateInvitationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "expires_at", "used_at"]
    fields = readonly_fields = ("id", "created_at", "expires_at", "used_at")
