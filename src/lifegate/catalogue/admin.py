"""The catalogue in the Django admin: every model editable, Dutch and English side by side in
"Nederlands" / "English" fieldsets, services with their requirements, costs and life-event
positions inline."""

from typing import Any

from django.contrib import admin

from lifegate.catalogue import models as m

# Typed loosely: django-stubs describes fieldsets with private TypedDicts.
Fieldsets = list[Any]


def bilingual(
    common: tuple[str, ...], texts: tuple[str, ...], extra: Fieldsets | None = None
) -> Fieldsets:
    """Fieldsets with the language-neutral fields first, then one fieldset per language."""
    return [
        (None, {"fields": common}),
        ("Nederlands", {"fields": tuple(f"{name}_nl" for name in texts)}),
        ("English", {"fields": tuple(f"{name}_en" for name in texts)}),
        *(extra or []),
    ]


def search_fields(*texts: str) -> tuple[str, ...]:
    """The slug and both languages of each text field."""
    return ("slug", *(f"{name}_{lang}" for name in texts for lang in ("nl", "en")))


class ChannelInline(admin.TabularInline):
    model = m.Channel
    extra = 0
    fields = ("slug", "kind", "name_nl", "name_en", "address", "hours_nl", "hours_en")


class EventServiceInline(admin.TabularInline):
    model = m.EventService
    extra = 0
    autocomplete_fields = ("life_event", "service")


class RequirementInline(admin.StackedInline):
    model = m.Requirement
    extra = 0
    fields = (
        "slug",
        ("name_nl", "name_en"),
        ("description_nl", "description_en"),
        "evidence_types",
    )
    autocomplete_fields = ("evidence_types",)


class CostInline(admin.TabularInline):
    model = m.Cost
    extra = 0
    fields = ("slug", "value", "currency", "description_nl", "description_en")


@admin.register(m.PublicOrganisation)
class PublicOrganisationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_nl", "name_en", "kind", "oin")
    list_filter = ("kind",)
    search_fields = (*search_fields("name", "description"), "oin")
    fieldsets = bilingual(("slug", "oin", "kind", "homepage"), ("name", "description", "spatial"))
    inlines = (ChannelInline,)


@admin.register(m.Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("slug", "owner", "kind", "address")
    list_filter = ("kind", "owner")
    search_fields = (*search_fields("name", "hours"), "address")
    autocomplete_fields = ("owner",)
    fieldsets = bilingual(("slug", "owner", "kind", "address"), ("name", "hours"))


@admin.register(m.LegalResource)
class LegalResourceAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_nl", "uri")
    search_fields = (*search_fields("name"), "uri")
    fieldsets = bilingual(("slug", "uri"), ("name",))


@admin.register(m.EvidenceType)
class EvidenceTypeAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_nl", "name_en", "issuer")
    list_filter = ("issuer",)
    search_fields = search_fields("name", "description")
    autocomplete_fields = ("issuer",)
    fieldsets = bilingual(("slug", "issuer"), ("name", "description"))


@admin.register(m.LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ("position", "slug", "name_nl", "name_en", "kind", "sdg_life_event")
    list_display_links = ("slug",)
    list_filter = ("kind",)
    ordering = ("position", "slug")
    search_fields = search_fields("name", "description")
    fieldsets = bilingual(("slug", "kind", "position", "sdg_life_event"), ("name", "description"))
    inlines = (EventServiceInline,)


@admin.register(m.ProcessingActivity)
class ProcessingActivityAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_nl", "controller", "version")
    list_filter = ("controller",)
    search_fields = search_fields("name", "purpose", "legal_basis")
    autocomplete_fields = ("controller", "legal_resources")
    fieldsets = bilingual(
        ("slug", "controller", "version", "legal_resources", "data_categories"),
        ("name", "purpose", "legal_basis", "retention"),
    )


@admin.register(m.PublicService)
class PublicServiceAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_nl", "name_en", "competent_authority", "minimum_assurance_level")
    list_filter = ("competent_authority", "life_events", "minimum_assurance_level")
    search_fields = search_fields("name", "description", "keywords")
    autocomplete_fields = (
        "competent_authority",
        "participants",
        "channels",
        "legal_resources",
        "processing_activity",
    )
    fieldsets = bilingual(
        (
            "slug",
            "competent_authority",
            "participants",
            "minimum_assurance_level",
            "processing_time",
            "online_url",
        ),
        (
            "name",
            "description",
            "audience",
            "how_to",
            "output",
            "processing_time",
            "deadline",
            "keywords",
        ),
        extra=[("Relations", {"fields": ("channels", "legal_resources", "processing_activity")})],
    )
    inlines = (EventServiceInline, RequirementInline, CostInline)


@admin.register(m.Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_nl", "service")
    list_filter = ("service__competent_authority",)
    search_fields = search_fields("name", "description")
    autocomplete_fields = ("service", "evidence_types")
    fieldsets = bilingual(("slug", "service", "evidence_types"), ("name", "description"))


@admin.register(m.Cost)
class CostAdmin(admin.ModelAdmin):
    list_display = ("slug", "service", "value", "currency")
    list_filter = ("service__competent_authority",)
    search_fields = search_fields("description")
    autocomplete_fields = ("service",)
    fieldsets = bilingual(("slug", "service", "value", "currency"), ("description",))


@admin.register(m.SdgProcedure)
class SdgProcedureAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "life_event_en", "oots_code")
    list_filter = ("life_event_en",)
    search_fields = search_fields("name", "life_event", "output")
    autocomplete_fields = ("services",)
    fieldsets = bilingual(("slug", "oots_code", "services"), ("life_event", "name", "output"))


@admin.register(m.EventService)
class EventServiceAdmin(admin.ModelAdmin):
    list_display = ("life_event", "position", "service")
    list_filter = ("life_event",)
    list_editable = ("position",)
    search_fields = ("service__slug", "service__name_nl", "service__name_en")
    autocomplete_fields = ("life_event", "service")
