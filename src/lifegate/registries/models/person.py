"""A natural person registered in the embedded population register."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from lifegate.registries.models.address import RegisteredAddress

# "XX/YY/" precedes the national identifier in an eIDAS PersonIdentifier (1-based position).
NATIONAL_PART_START = 7
COUNTRY_CODE_VALIDATOR = RegexValidator(r"^[A-Z]{2}$", _("Enter an ISO 3166-1 alpha-2 code."))
EIDAS_IDENTIFIER_VALIDATOR = RegexValidator(
    r"^[A-Z]{2}/[A-Z]{2}/\S+$", _("Enter an eIDAS PersonIdentifier like DE/NL/12345.")
)


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    UNKNOWN = "unknown", _("unknown")


class RegisteredPerson(models.Model):
    """One person: a resident, or a non-resident registered like in the Dutch RNI."""

    bsn = models.CharField(_("BSN"), max_length=9, unique=True)
    given_names = models.CharField(_("given names"), max_length=200)
    name_prefix = models.CharField(_("name prefix"), max_length=20, blank=True)
    family_name = models.CharField(_("family name"), max_length=200)
    gender = models.CharField(_("gender"), max_length=7, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), db_index=True)
    place_of_birth = models.CharField(_("place of birth"), max_length=80)
    country_of_birth = models.CharField(
        _("country of birth"), max_length=2, validators=[COUNTRY_CODE_VALIDATOR]
    )
    nationality = models.CharField(
        _("nationality"), max_length=2, validators=[COUNTRY_CODE_VALIDATOR]
    )
    date_of_death = models.DateField(_("date of death"), null=True, blank=True)
    # False: registered as a non-resident (like the Dutch RNI), so without a Dutch address.
    resident = models.BooleanField(_("resident"), default=True)
    eidas_person_identifier = models.CharField(
        _("eIDAS PersonIdentifier"),
        max_length=256,
        unique=True,
        null=True,
        blank=True,
        validators=[EIDAS_IDENTIFIER_VALIDATOR],
    )
    address = models.ForeignKey(
        RegisteredAddress,
        verbose_name=_("address"),
        on_delete=models.PROTECT,
        related_name="occupants",
        null=True,
        blank=True,
    )
    address_since = models.DateField(_("living at this address since"), null=True, blank=True)

    class Meta:
        verbose_name = _("registered person")
        verbose_name_plural = _("registered persons")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resident=True) | models.Q(address__isnull=True),
                name="registries_non_resident_without_address",
            ),
        ]
        indexes = [
            # The national part of the eIDAS identifier ("EE/NL/38001085718" -> "38001085718"):
            # the same person asked for by another receiving country, found without a scan
            # (`EmbeddedPopulationRegister.match_eidas`).
            models.Index(
                Substr("eidas_person_identifier", NATIONAL_PART_START),
                name="registries_person_eidas_nat",
            ),
        ]

    def __str__(self) -> str:
        # No BSN: str() ends up in logs and the admin's history.
        return " ".join(p for p in (self.given_names, self.name_prefix, self.family_name) if p)
