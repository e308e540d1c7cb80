"""The service catalogue, modelled on CPSV-AP 3.2 (Core Public Service Vocabulary Application
Profile). Every text a person reads exists in Dutch (`_nl`) and English (`_en`); `localized()`
picks the active language. Rows are keyed by a stable `slug` that also forms their URI."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Use lower-case letters, digits and hyphens.")
)
oin_validator = RegexValidator(r"^\d{20}$", _("An OIN is 20 digits."))


class AssuranceLevel(models.TextChoices):
    """eIDAS levels of assurance a service can require."""

    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


class Bilingual(models.Model):
    """Base for catalogue entities: a slug and helpers for the `_nl`/`_en` text pairs."""

    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])

    class Meta:
        abstract = True
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.localized("name") or self.slug

    def localized(self, field: str, language: str | None = None) -> str:
        """The text of `field` in `language` (default: the active one), falling back to Dutch."""
        code = (language or get_language() or "nl")[:2]
        value = getattr(self, f"{field}_{code}", "") if code in ("nl", "en") else ""
        return value or getattr(self, f"{field}_nl", "")

    @property
    def name(self) -> str:
        """Name in the active language."""
        return self.localized("name")


class PublicOrganisation(Bilingual):
    """A government organisation providing services (cv:PublicOrganisation)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        NATIONAL_AGENCY = "national-agency", _("national agency")
        INDEPENDENT_BODY = "independent-body", _("independent administrative body")
        PRIVATE_WITH_PUBLIC_TASK = (
            "private-public-task",
            _("private organisation with a public task"),
        )

    oin = models.CharField("OIN", max_length=20, unique=True, validators=[oin_validator])
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    homepage = models.URLField(blank=True)
    # dct:spatial: the administrative territory the organisation serves
    spatial_nl = models.CharField(max_length=120, default="Nederland")
    spatial_en = models.CharField(max_length=120, default="The Netherlands")

    class Meta(Bilingual.Meta):
        verbose_name = _("public organisation")


class Channel(Bilingual):
    """A way to reach an organisation: website, phone, counter, e-mail, chat, app (cv:Channel)."""

    class Kind(models.TextChoices):
        WEBSITE = "website", _("website")
        PHONE = "phone", _("phone")
        COUNTER = "counter", _("counter")
        EMAIL = "email", _("e-mail")
        CHAT = "chat", _("chat")
        APP = "app", _("app")
        MAIL = "mail", _("post")

    owner = models.ForeignKey(PublicOrganisation, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    address = models.CharField(
        max_length=300, blank=True, help_text=_("URL, phone number or street address")
    )
    hours_nl = models.CharField(max_length=200, blank=True)
    hours_en = models.CharField(max_length=200, blank=True)

    class Meta(Bilingual.Meta):
        verbose_name = _("channel")


class LegalResource(Bilingual):
    """A law or regulation a service is based on (eli:LegalResource)."""

    uri = models.URLField(help_text=_("ELI or wetten.overheid.nl address"))
    name_nl = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)

    class Meta(Bilingual.Meta):
        verbose_name = _("legal resource")


class EvidenceType(Bilingual):
    """A kind of proof a service may require, e.g. a birth certificate.

    Exported as cv:Evidence conforming to a cv:EvidenceType."""

    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    issuer = models.ForeignKey(
        PublicOrganisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_types",
    )

    class Meta(Bilingual.Meta):
        verbose_name = _("evidence type")


class LifeEvent(Bilingual):
    """A moment in life (cv:LifeEvent) or of a business (cv:BusinessEvent) grouping services."""

    class Kind(models.TextChoices):
        LIFE = "life", _("life event")
        BUSINESS = "business", _("business event")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LIFE)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order in the overview"))
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField()
    description_en = models.TextField()
    # Code from the EU SDG life-event list where one applies (e.g. "Birth", "Moving").
    sdg_life_event = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("life event")


class ProcessingActivity(Bilingual):
    """An entry in the register of processing activities (GDPR art. 30): purpose and legal basis.
    Processing records point here (`dpl.core.processing_activity_id`)."""

    controller = models.ForeignKey(
        PublicOrganisation, on_delete=models.PROTECT, related_name="processing_activities"
    )
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    purpose_nl = models.TextField()
    purpose_en = models.TextField()
    legal_basis_nl = models.TextField()
    legal_basis_en = models.TextField()
    legal_resources = models.ManyToManyField(LegalResource, blank=True)
    data_categories = models.JSONField(default=list, help_text=_('e.g. ["name", "address"]'))
    retention_nl = models.CharField(max_length=300, blank=True)
    retention_en = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta(Bilingual.Meta):
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")


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


class EventService(models.Model):
    """A service's place in a life event: the order in which a person deals with it."""

    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.CASCADE, related_name="event_services"
    )
    service = models.ForeignKey(
        PublicService, on_delete=models.CASCADE, related_name="event_services"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["life_event", "position", "service__slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["life_event", "service"], name="unique_service_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.life_event.slug} #{self.position}: {self.service.slug}"


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
