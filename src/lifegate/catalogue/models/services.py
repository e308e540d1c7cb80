"""Public services (CPSV-AP), with their request forms, requirements, costs and SDG procedures."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models.base import AskedValue, AssuranceLevel, Bilingual
from lifegate.catalogue.models.evidence import EvidenceType
from lifegate.catalogue.models.life_events import LifeEvent
from lifegate.catalogue.models.organisations import (
    Channel,
    LegalResource,
    ProcessingActivity,
    PublicOrganisation,
)


class PublicService(Bilingual):
    """A public service (cpsv:PublicService) provided by a competent authority."""

    competent_authority = models.ForeignKey(
        PublicOrganisation, on_delete=models.PROTECT, related_name="services"
    )
    participants = models.ManyToManyField(
        PublicOrganisation, blank=True, related_name="participating_services"
    )
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField()
    description_en = models.TextField()
    audience_nl = models.TextField(help_text=_("For whom"))
    audience_en = models.TextField()
    how_to_nl = models.TextField(help_text=_("How to start"))
    how_to_en = models.TextField()
    output_nl = models.CharField(max_length=300, help_text=_("What you get (cv:Output)"))
    output_en = models.CharField(max_length=300)
    processing_time = models.CharField(
        max_length=40, blank=True, help_text=_("ISO 8601 duration, e.g. P8W")
    )
    processing_time_nl = models.CharField(max_length=200, blank=True)
    processing_time_en = models.CharField(max_length=200, blank=True)
    deadline_nl = models.CharField(
        max_length=300, blank=True, help_text=_("A deadline set by law, if any")
    )
    deadline_en = models.CharField(max_length=300, blank=True)
    keywords_nl = models.CharField(max_length=300, blank=True)
    keywords_en = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True, help_text=_("Where the service is started online"))
    minimum_assurance_level = models.CharField(
        max_length=12, choices=AssuranceLevel.choices, default=AssuranceLevel.SUBSTANTIAL
    )
    channels = models.ManyToManyField(Channel, blank=True, related_name="services")
    legal_resources = models.ManyToManyField(LegalResource, blank=True, related_name="services")
    life_events = models.ManyToManyField(LifeEvent, through="EventService", related_name="services")
    processing_activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
    )

    class Meta(Bilingual.Meta):
        verbose_name = _("public service")


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    LONG_TEXT = "long-text", _("long text")
    DATE = "date", _("date")
    NUMBER = "number", _("number")
    EMAIL = "email", _("e-mail address")
    PHONE = "phone", _("phone number")
    IBAN = "iban", _("IBAN")
    POSTCODE = "postcode", _("Dutch postcode")
    COUNTRY = "country", _("country")
    YES_NO = "yes-no", _("yes or no")
    CHOICE = "choice", _("choice")


class FormField(AskedValue):
    """A field of a service's request form. A field with `prefill` is filled from what
    government already knows (a fact path such as `person.full_name`, see `catalogue.rules`);
    the person confirms it instead of typing it."""

    service = models.ForeignKey(PublicService, on_delete=models.CASCADE, related_name="form_fields")
    kind = models.CharField(max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    prefill = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["service", "position", "key"]
        verbose_name = _("form field")
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="unique_form_field_key")
        ]

    def __str__(self) -> str:
        return f"{self.service.slug}: {self.key}"

    def problems(self) -> dict[str, str]:
        from lifegate.catalogue import rules

        problems = super().problems()
        problem = rules.prefill_problem(self.prefill)
        if problem:
            problems["prefill"] = problem
        return problems


class Requirement(Bilingual):
    """A condition for a service (cv:Requirement), met by one of its evidence types."""

    service = models.ForeignKey(
        PublicService, on_delete=models.CASCADE, related_name="requirements"
    )
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    evidence_types = models.ManyToManyField(EvidenceType, blank=True, related_name="requirements")

    class Meta(Bilingual.Meta):
        verbose_name = _("requirement")


class Cost(Bilingual):
    """A fee for a service (cv:Cost). A value of zero means free of charge."""

    service = models.ForeignKey(PublicService, on_delete=models.CASCADE, related_name="costs")
    value = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    description_nl = models.CharField(max_length=300)
    description_en = models.CharField(max_length=300)

    class Meta(Bilingual.Meta):
        verbose_name = _("cost")

    @property
    def name(self) -> str:
        """Costs have no name; their description serves."""
        return self.localized("description")


class SdgProcedure(Bilingual):
    """One of the 21 procedures of the Single Digital Gateway regulation, Annex II, and the
    services that offer it online."""

    life_event_nl = models.CharField(max_length=80)
    life_event_en = models.CharField(max_length=80)
    name_nl = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    output_nl = models.CharField(max_length=300)
    output_en = models.CharField(max_length=300)
    oots_code = models.CharField(max_length=10, blank=True)
    services = models.ManyToManyField(PublicService, related_name="sdg_procedures")

    class Meta(Bilingual.Meta):
        verbose_name = _("SDG procedure")
