"""A residential address in the embedded population register (one row per dwelling)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

POSTCODE_PATTERN = r"^[1-9][0-9]{3} [A-Z]{2}$"


class RegisteredAddress(models.Model):
    """A Dutch address where one or more registered persons live."""

    street = models.CharField(_("street"), max_length=120)
    house_number = models.PositiveIntegerField(_("house number"))
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postcode = models.CharField(
        _("postcode"),
        max_length=7,
        validators=[RegexValidator(POSTCODE_PATTERN, _("Enter a postcode like 1234 AB."))],
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
