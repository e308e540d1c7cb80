"""The catalogue in the Django admin: every model editable, Dutch and English side by side in
"Nederlands" / "English" fieldsets, services with their requirements, costs, request form and
life-event steps inline, life events with their questions and steps, requirements with their
evidence broker entries, evidence types with their providers (the evidence directory) and the
credential types this node issues.

A step's rule and deadline are checked by `EventService.clean()`; what it waits for is checked
here, because a many-to-many choice is only known to the form: steps of the same life event,
never waiting for each other in a circle."""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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


class EventServiceForm(forms.ModelForm):
    """A step in a life event; `depends_on` offers (and accepts) only steps of that event."""

    class Meta:
        model = m.EventService
        fields = (
            "life_event",
            "service",
            "position",
            "step_kind",
            "rule",
            "reason_nl",
            "reason_en",
            "skip_reason_nl",
            "skip_reason_en",
            "depends_on",
            "deadline_days",
            "deadline_from",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        depends_on = self.fields.get("depends_on")
        if isinstance(depends_on, forms.ModelMultipleChoiceField):
            steps = m.EventService.objects.select_related("life_event", "service")
            if self.instance.life_event_id is not None:
                steps = steps.filter(life_event_id=self.instance.life_event_id)
            depends_on.queryset = steps.exclude(pk=self.instance.pk)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        life_event = cleaned.get("life_event") or getattr(self.instance, "life_event", None)
        depends_on = list(cleaned.get("depends_on") or [])
        if life_event is None or not depends_on:
            return cleaned
        elsewhere = [step for step in depends_on if step.life_event_id != life_event.pk]
        if elsewhere:
            message = gettext("A step can only wait for steps of the same life event: %(steps)s.")
            self.add_error("depends_on", message % {"steps": ", ".join(map(str, elsewhere))})
        elif self.instance.pk is not None and _waits_for(depends_on, self.instance):
            self.add_error("depends_on", gettext("These steps would wait for each other."))
        return cleaned


def _waits_for(depends_on: list[m.EventService], step: m.EventService) -> bool:
    """True when one of `depends_on` already waits, directly or not, for `step`."""
    edges: dict[int, set[int]] = {}
    through = m.EventService.depends_on.through.objects.filter(
        from_eventservice__life_event_id=step.life_event_id
    ).exclude(from_eventservice_id=step.pk)
    for source, target in through.values_list("from_eventservice_id", "to_eventservice_id"):
        edges.setdefault(source, set()).add(target)
    seen, todo = set(), [dependency.pk for dependency in depends_on]
    while todo:
        current = todo.pop()
        if current == step.pk:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(edges.get(current, ()))
    return False


STEP_PLAN_FIELDS = (
    "rule",
    ("reason_nl", "reason_en"),
    ("skip_reason_nl", "skip_reason_en"),
    "depends_on",
    ("deadline_days", "deadline_from"),
)


class ServiceStepInline(admin.StackedInline):
    """The services of a life event, in order, with their plan rules."""

    model = m.EventService
    fk_name = "life_event"
    form = EventServiceForm
    extra = 0
    autocomplete_fields = ("service",)
    fields = (("service", "position", "step_kind"), *STEP_PLAN_FIELDS)
    verbose_name = _("step")
    verbose_name_plural = _("steps")


class LifeEventStepInline(ServiceStepInline):
    """The life events a service is part of, with its plan rules there."""

    fk_name = "service"
    autocomplete_fields = ("life_event",)
    fields = (("life_event", "position", "step_kind"), *STEP_PLAN_FIELDS)


class QuestionInline(admin.StackedInline):
    model = m.LifeEventQuestion
    extra = 0
    fields = (
        ("key", "kind", "position", "required"),
        ("label_nl", "label_en"),
        ("help_nl", "help_en"),
        "choices",
    )


class FormFieldForm(forms.ModelForm):
    class Meta:
        model = m.FormField
        fields = (
            "key",
            "kind",
            "position",
            "required",
            "prefill",
            "label_nl",
            "label_en",
            "help_nl",
            "help_en",
            "choices",
        )
        help_texts = {
            "prefill": _(
                "A fact government already knows, e.g. person.full_name or answers.move_date. "
                "Empty: the person fills it in."
            ),
        }


class FormFieldInline(admin.StackedInline):
    model = m.FormField
    form = FormFieldForm
    extra = 0
    fields = (
        ("key", "kind", "position", "required"),
        "prefill",
        ("label_nl", "label_en"),
        ("help_nl", "help_en"),
        "choices",
    )


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


class EvidenceMappingInline(admin.TabularInline):
    """The evidence broker entries of a requirement: per country, the evidence that meets it."""

    model = m.EvidenceMapping
    extra = 0
    fields = ("country", "evidence_type")
    autocomplete_fields = ("evidence_type",)


class EvidenceProviderInline(admin.TabularInline):
    """The evidence directory entries of an evidence type: per country, who provides it."""

    model = m.EvidenceProvider
    extra = 0
    fields = ("country", "node", "organisation_name_nl", "organisation_name_en")


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
    inlines = (EvidenceProviderInline,)


@admin.register(m.CredentialType)
class CredentialTypeAdmin(admin.ModelAdmin):
    """The claims are edited as JSON; `CredentialType.clean()` says what is wrong with them."""

    list_display = ("slug", "name_nl", "name_en", "issuer", "validity_days")
    list_filter = ("issuer",)
    search_fields = search_fields("name", "description")
    autocomplete_fields = ("issuer",)
    fieldsets = bilingual(
        ("slug", "issuer", "validity_days"),
        ("name", "description"),
        [(None, {"fields": ("claims",)})],
    )


@admin.register(m.LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ("position", "slug", "name_nl", "name_en", "kind", "sdg_life_event")
    list_display_links = ("slug",)
    list_filter = ("kind",)
    ordering = ("position", "slug")
    search_fields = search_fields("name", "description")
    fieldsets = bilingual(("slug", "kind", "position", "sdg_life_event"), ("name", "description"))
    inlines = (QuestionInline, ServiceStepInline)


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
    inlines = (LifeEventStepInline, FormFieldInline, RequirementInline, CostInline)


@admin.register(m.Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_nl", "service")
    list_filter = ("service__competent_authority",)
    search_fields = search_fields("name", "description")
    autocomplete_fields = ("service", "evidence_types")
    fieldsets = bilingual(("slug", "service", "evidence_types"), ("name", "description"))
    inlines = (EvidenceMappingInline,)


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
    form = EventServiceForm
    list_display = ("life_event", "position", "service", "step_kind", "rule")
    list_filter = ("life_event", "step_kind")
    list_editable = ("position",)
    search_fields = ("service__slug", "service__name_nl", "service__name_en", "rule")
    autocomplete_fields = ("life_event", "service")
    fields = (("life_event", "service"), ("position", "step_kind"), *STEP_PLAN_FIELDS)


@admin.register(m.EvidenceMapping)
class EvidenceMappingAdmin(admin.ModelAdmin):
    """The evidence broker: which evidence types meet a requirement, per country."""

    list_display = ("requirement", "country", "evidence_type")
    list_filter = ("country", "evidence_type")
    search_fields = ("requirement__slug", "evidence_type__slug", "country")
    autocomplete_fields = ("requirement", "evidence_type")
    fields = ("requirement", "country", "evidence_type")


@admin.register(m.EvidenceProvider)
class EvidenceProviderAdmin(admin.ModelAdmin):
    """The evidence directory: who provides an evidence type, per country."""

    list_display = ("evidence_type", "country", "node", "organisation_name_en")
    list_filter = ("country", "node")
    search_fields = ("evidence_type__slug", "organisation_name_nl", "organisation_name_en")
    autocomplete_fields = ("evidence_type",)
    fieldsets = bilingual(("evidence_type", "country", "node"), ("organisation_name",))
