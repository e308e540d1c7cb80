"""A residential address in the embedded population register (one row per dwelling)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

POSTCODE_PATTERN = r"^[1-9][0-9]{3} [A-Z]{2}$"
ESTONIAN_POSTCODE_PATTERN = r"^[0-9]{5}$"


def validate_postcode(value: str) -> None:
    """A postcode of this node's country (settings.NODE_COUNTRY): the register holds the
    addresses of its own residents only. Dutch "1234 AB" by default, Estonian "10115"."""
    if settings.NODE_COUNTRY == "EE":
        if not re.fullmatch(ESTONIAN_POSTCODE_PATTERN, value):
            raise ValidationError(_("Enter a postcode of five digits."), code="invalid")
    elif not re.fullmatch(POSTCODE_PATTERN, value):
        raise ValidationError(_("Enter a postcode like 1234 AB."), code="invalid")


class RegisteredAddress(models.Model):
    """An address in this node's country where one or more registered persons live."""

    street = models.CharField(_("street"), max_length=120)
    house_number = models.PositiveIntegerField(_("house number"))
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postcode = models.CharField(
        _("postcode"),
        max_length=7,
        validators=[validate_postcode],
    )
    city = models.CharField(_("city"), max_length=80)
    municipality = models.CharField(_("municipality"), max_length=80)

    class Meta:
        verbose_name = _("registered address")
        verbose_name_plural = _("registered addresses")
        ordering = ["postcode", "house_number", "house_number_addition"]
        constraints = [
            models.UniqueConstraint(
                fields=["postcode", "house_number", "house_number_addition"],
                name="registries_address_unique_postcode_number",
            ),
        ]

    def __str__(self) -> str:
        number = f"{self.house_number}{self.house_number_addition}"
        return f"{self.street} {number}, {self.postcode} {self.city}"
