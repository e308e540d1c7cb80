"""Admin pages for journeys: journeys and submissions to look at (never their personal data,
which is sealed and stays so here), deliveries to watch and retry, agency clients and staff.

A new agency client's secret is shown once, in a message after saving; `manage.py
create_agency_client` does the same from the command line."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lifegate.journeys import agency, delivery, event_processing
from lifegate.journeys.models import (
    AgencyClient,
    AgencyStaff,
    Delivery,
    InboundEvent,
    Journey,
    Step,
    Submission,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; adding, changing and deleting are not offered."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent, never added or removed by hand."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(ReadOnlyInline):
    model = Step
    fields = readonly_fields = ("position", "service_slug", "applicable", "status", "deadline")


@admin.register(Journey)
class JourneyAdmin(ReadOnlyAdmin):
    # Subjects are not shown, not even as hashes: the admin has no processing activity for them.
    list_display = ["life_event_slug", "status", "origin", "language", "started_on", "created_at"]
    list_filter = ["status", "origin", "life_event_slug"]
    fields = readonly_fields = (
        "id",
        "life_event_slug",
        "name_nl",
        "name_en",
        "status",
        "origin",
        "origin_event",
        "language",
        "started_on",
        "created_at",
        "updated_at",
        "finished_at",
    )
    inlines = [StepInline]


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = readonly_fields = (
        "client",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "delivered_at",
    )


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    # The form, subject and actor are sealed and stay so: agencies read them, the operator not.
    list_display = ["id", "service_slug", "organisation", "status", "language", "submitted_at"]
    list_filter = ["status", "organisation"]
    fields = readonly_fields = (
        "id",
        "service_slug",
        "organisation",
        "status",
        "status_reason",
        "language",
        "submitted_at",
        "updated_at",
    )
    inlines = [DeliveryInline]


@admin.action(description=_("Retry the selected dead deliveries"))
def retry_dead_deliveries(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Delivery]
) -> None:
    retried = 0
    for item in queryset.filter(state=Delivery.State.DEAD):
        try:
            delivery.retry_delivery(item)
        except delivery.NotRetryable:
            continue  # retried elsewhere since the list was shown
        retried += 1
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d delivery will be attempted again.",
            "%(count)d deliveries will be attempted again.",
            retried,
        )
        % {"count": retried},
        messages.SUCCESS,
    )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "submission",
        "client",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "delivered_at",
    ]
    list_filter = ["state", "client__organisation"]
    fields = readonly_fields = (
        "id",
        "submission",
        "client",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "delivered_at",
        "created_at",
        "updated_at",
    )
    actions = [retry_dead_deliveries]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for actions to be offered; every field is read-only all the same.
        return request.user.has_perm("journeys.change_delivery")


class AgencyClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=AgencyClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AgencyClient
        fields = ["organisation", "name", "scopes", "active", "webhook_url"]


@admin.register(AgencyClient)
class AgencyClientAdmin(admin.ModelAdmin):
    form = AgencyClientForm
    list_display = ["name", "organisation", "client_id", "active", "webhook_url", "created_at"]
    list_filter = ["active", "organisation"]
    readonly_fields = ["client_id", "created_at"]

    def save_model(self, request: HttpRequest, obj: AgencyClient, form: Any, change: bool) -> None:
        had_webhook_secret = bool(obj.webhook_secret_sealed)
        secret = "" if change else agency.issue_secret(obj)
        if obj.webhook_url and not obj.webhook_secret_sealed:
            agency.issue_webhook_secret(obj)
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(
                request,
                _(
                    "Copy this credential now; it is not shown again: Authorization: Bearer "
                    "%(token)s"
                )
                % {"token": agency.bearer_token(obj, secret)},
            )
        if obj.webhook_secret_sealed and not had_webhook_secret:
            messages.warning(
                request,
                _("Webhook signing secret: %(secret)s") % {"secret": agency.webhook_secret(obj)},
            )


@admin.action(description=_("Process the selected failed events again"))
def process_failed_events_again(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[InboundEvent]
) -> None:
    revived = sum(event_processing.process_again(item) for item in queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d failed event will be processed again.",
            "%(count)d failed events will be processed again.",
            revived,
        )
        % {"count": revived},
        messages.SUCCESS,
    )


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdmin):
    # The sealed BSN (`data_sealed`) is not shown; `last_error` holds no personal data.
    list_display = [
        "type",
        "source",
        "event_id",
        "client",
        "received_at",
        "status",
        "journeys_started",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "type", "client__organisation"]
    fields = readonly_fields = (
        "type",
        "source",
        "event_id",
        "client",
        "received_at",
        "status",
        "journeys_started",
        "processed_at",
        "attempts",
        "last_error",
    )
    actions = [process_failed_events_again]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for actions to be offered; every field is read-only all the same.
        return request.user.has_perm("journeys.change_inboundevent")


@admin.register(AgencyStaff)
class AgencyStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation"]
    list_filter = ["organisation"]
    autocomplete_fields = ["user"]
