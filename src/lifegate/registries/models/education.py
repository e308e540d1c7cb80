"""A diploma in the embedded education register (like DUO's register of diplomas): the
qualification a registered person was awarded, with the European Learning Model's core
fields (title, EQF and ISCED level, awarding body, date, grade, learning outcomes)."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.registries.models.person import RegisteredPerson

ISCED_VALIDATOR = RegexValidator(
    r"^[0-8][0-9]{0,2}$", _("Enter an ISCED 2011 level or programme code, such as 6 or 645.")
)


class RegisteredDiploma(models.Model):
    """One diploma awarded to a registered person."""

    person = models.ForeignKey(
        RegisteredPerson,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="diplomas",
    )
    title = models.CharField(_("title"), max_length=200)
    level_eqf = models.PositiveSmallIntegerField(
        _("EQF level"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    # ISCED 2011 programme code: level, orientation and completion, e.g. 645 (bachelor's,
    # academic, first degree) or 354 (upper secondary vocational, access to tertiary).
    level_isced = models.CharField(_("ISCED level"), max_length=3, validators=[ISCED_VALIDATOR])
    awarding_body = models.CharField(_("awarding body"), max_length=200)
    awarded_on = models.DateField(_("awarded on"))
    grade = models.CharField(_("grade"), max_length=60, blank=True)
    learning_outcomes = models.TextField(_("learning outcomes (summary)"), blank=True)

    class Meta:
        verbose_name = _("registered diploma")
        verbose_name_plural = _("registered diplomas")
        ordering = ["person", "awarded_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level_eqf__gte=1, level_eqf__lte=8),
                name="registries_diploma_eqf_level",
            ),
        ]

    def __str__(self) -> str:
        # No person: str() ends up in logs and the admin's history.
        return f"{self.title} ({self.awarded_on:%Y})"
