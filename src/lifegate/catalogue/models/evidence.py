"""Evidence: its types, the evidence broker (which evidence meets a requirement for a person
from which country) and the evidence directory (who provides it), concepts of the EU
Once-Only Technical System."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models.base import Bilingual
from lifegate.catalogue.models.organisations import PublicOrganisation
from lifegate.core.i18n import Localized


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


# Evidence broker and directory (EU Once-Only Technical System concepts) --------------------

node_validator = RegexValidator(
    r"^[a-z][a-z0-9-]*$", _("A node id uses lower-case letters, digits and hyphens.")
)


def validate_country_code(value: str) -> None:
    """An ISO 3166-1 alpha-2 country code in capitals, such as NL or EE."""
    from django_countries import countries

    if not (isinstance(value, str) and len(value) == 2 and value.isupper() and value in countries):
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code (such as NL or EE)."),
            params={"value": value},
        )


class EvidenceMapping(models.Model):
    """The evidence broker: evidence of this type meets the requirement for a person from
    `country` (the member state whose registers know the person)."""

    requirement = models.ForeignKey(
        "catalogue.Requirement", on_delete=models.CASCADE, related_name="evidence_mappings"
    )
    country = models.CharField(
        max_length=2, validators=[validate_country_code], help_text=_("ISO 3166-1 alpha-2")
    )
    evidence_type = models.ForeignKey(
        EvidenceType, on_delete=models.CASCADE, related_name="mappings"
    )

    class Meta:
        ordering = ["requirement__slug", "country", "evidence_type__slug"]
        verbose_name = _("evidence broker entry")
        verbose_name_plural = _("evidence broker entries")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "country", "evidence_type"], name="unique_evidence_mapping"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement.slug} ({self.country}): {self.evidence_type.slug}"

    def clean(self) -> None:
        """The broker only names evidence the requirement itself accepts."""
        if self.requirement_id is None or self.evidence_type_id is None:
            return
        if not self.requirement.evidence_types.filter(pk=self.evidence_type_id).exists():
            raise ValidationError(
                {"evidence_type": _("This is not one of the requirement's evidence types.")}
            )


class EvidenceProvider(Localized, models.Model):
    """The evidence directory: who provides evidence of this type for people of `country`,
    reached through lifegate node `node` (this node, or a peer in the exchange trust list)."""

    evidence_type = models.ForeignKey(
        EvidenceType, on_delete=models.CASCADE, related_name="providers"
    )
    country = models.CharField(
        max_length=2, validators=[validate_country_code], help_text=_("ISO 3166-1 alpha-2")
    )
    node = models.CharField(
        max_length=40,
        validators=[node_validator],
        help_text=_('The id of the lifegate node that provides it, e.g. "nl" or "ee"'),
    )
    organisation_name_nl = models.CharField(max_length=200)
    organisation_name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["evidence_type__slug", "country"]
        verbose_name = _("evidence provider")
        constraints = [
            models.UniqueConstraint(
                fields=["evidence_type", "country"], name="unique_evidence_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence_type.slug} ({self.country}): {self.node}"

    @property
    def organisation_name(self) -> str:
        """The providing organisation's name in the active language."""
        return self.localized("organisation_name")
