"""Django forms built from catalogue data: a life event's questions and a service's request
form. Field validation (IBAN check digits, Dutch postcodes, dates, countries) comes from
well-kept libraries, and every error message is in the person's language."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from localflavor.generic.forms import IBANFormField
from localflavor.nl.forms import NLZipCodeField

from lifegate.catalogue.models import FormField, LifeEventQuestion

YES_NO = (("yes", _("Yes")), ("no", _("No")))
PHONE = RegexValidator(r"^\+?[0-9 ()-]{6,20}$", _("Enter a phone number, e.g. 030 123 4567."))
# Dates a person can mean in a life event (a birth long ago, a retirement ahead); beyond them
# a deadline counted from the date would not be a date at all.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)
DATE_RANGE = _("Enter a date between 1 January 1900 and 31 December 2100.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(
            format="%Y-%m-%d",
            attrs={"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()},
        )


def _date_field(**common: Any) -> forms.DateField:
    return forms.DateField(
        widget=DateInput(),
        validators=[
            MinValueValidator(EARLIEST_DATE, DATE_RANGE),
            MaxValueValidator(LATEST_DATE, DATE_RANGE),
        ],
        **common,
    )


def _choices(options: list[dict[str, str]]) -> list[tuple[str, str]]:
    language = (get_language() or "nl")[:2]
    return [(str(o["value"]), o.get(language) or o.get("nl", "")) for o in options]


FIELDS: dict[str, Callable[..., forms.Field]] = {
    "text": lambda **common: forms.CharField(max_length=200, **common),
    "long-text": lambda **common: forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), **common
    ),
    "date": _date_field,
    "number": lambda **common: forms.IntegerField(min_value=0, **common),
    "email": lambda **common: forms.EmailField(**common),
    "phone": lambda **common: forms.CharField(max_length=20, validators=[PHONE], **common),
    "iban": lambda **common: IBANFormField(**common),
    "postcode": lambda **common: NLZipCodeField(
        error_messages={"invalid": _("Enter a postcode like 1234 AB.")}, **common
    ),
    "country": lambda **common: forms.ChoiceField(choices=[("", "—"), *countries], **common),
    "yes-no": lambda **common: forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, **common
    ),
}


def form_field(
    kind: str, *, label: str, help_text: str, required: bool, options: Any
) -> forms.Field:
    """The form field for a catalogue field kind (unknown kinds are plain text)."""
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": required}
    if kind == "choice":
        return forms.ChoiceField(
            choices=_choices(options or []), widget=forms.RadioSelect, **common
        )
    return FIELDS.get(kind, FIELDS["text"])(**common)


def to_json(kind: str, value: Any) -> Any:
    """A cleaned value as stored in answers and submissions (JSON: dates as ISO text)."""
    if kind == "yes-no":
        return value == "yes"
    if isinstance(value, date):
        return value.isoformat()
    return value if value is not None else ""


def from_json(kind: str, value: Any) -> Any:
    """Inverse of `to_json`, for showing a stored value in a form again."""
    if kind == "yes-no" and isinstance(value, bool):
        return "yes" if value else "no"
    return value


class CatalogueForm(forms.Form):
    """A form whose fields come from catalogue rows with key, kind, label, help, choices."""

    kinds: dict[str, str]

    def __init__(
        self, rows: Iterable[LifeEventQuestion | FormField], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = {}
        for row in rows:
            self.kinds[row.key] = row.kind
            self.fields[row.key] = form_field(
                row.kind,
                label=row.localized("label"),
                help_text=row.localized("help"),
                required=row.required,
                options=row.choices,
            )

    def values(self) -> dict[str, Any]:
        """The cleaned data as JSON values (call after `is_valid()`)."""
        return {key: to_json(self.kinds[key], value) for key, value in self.cleaned_data.items()}
