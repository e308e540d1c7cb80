"""What catalogue entities share: slugs and the `_nl`/`_en` text pairs (`Bilingual`), levels of
assurance, and the key, label and help of a question or form field (`AskedValue`)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.core.i18n import Localized

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Use lower-case letters, digits and hyphens.")
)
oin_validator = RegexValidator(r"^\d{20}$", _("An OIN is 20 digits."))


class AssuranceLevel(models.TextChoices):
    """eIDAS levels of assurance a service can require."""

    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


class Bilingual(Localized, models.Model):
    """Base for catalogue entities: a slug and helpers for the `_nl`/`_en` text pairs."""

    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])

    class Meta:
        abstract = True
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.localized("name") or self.slug

    @property
    def name(self) -> str:
        """Name in the active language."""
        return self.localized("name")


identifier_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("Use lower-case letters, digits and underscores.")
)


class AskedValue(Localized, models.Model):
    """What a question and a form field share: a key, a label and help text in both
    languages, whether it is required, and the options of a choice."""

    key = models.CharField(max_length=40, validators=[identifier_validator])
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    label_nl = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    help_nl = models.CharField(max_length=300, blank=True)
    help_en = models.CharField(max_length=300, blank=True)
    # For kind=choice: [{"value": "rent", "nl": "Huur", "en": "Rent"}, ...]
    choices = models.JSONField(default=list, blank=True)
    kind: str

    class Meta:
        abstract = True

    def problems(self) -> dict[str, str]:
        """Field name → why its value cannot work; empty when all is well."""
        from lifegate.catalogue import rules

        problem = rules.choices_problem(self.kind, self.choices)
        return {"choices": problem} if problem else {}

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)
