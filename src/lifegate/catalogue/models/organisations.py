"""Who provides services: public organisations, their channels, the laws services rest on, and
the register of processing activities (GDPR art. 30)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models.base import Bilingual, oin_validator


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
