"""The forms of the authorisations pages: giving a mandate, and accepting one with an
invitation code.

The forms only parse; whether a mandate may be given (a known person, not oneself, no
overlap, a scope in the catalogue, a period within the maximum) is decided by
`lifegate.mandates.services`, whose refusal the view shows on the field it is about."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import LifeEvent, PublicService
from lifegate.core.subject import Subject, bsn_is_valid
from lifegate.mandates.errors import MESSAGES
from lifegate.mandates.models import ScopeKind
from lifegate.mandates.scopes import Scope

TEXTBOX = {"class": "utrecht-textbox utrecht-textbox--html-input"}
CHECKBOX = {"class": "utrecht-checkbox utrecht-checkbox--html-input"}
BY_BSN = "bsn"
BY_CODE = "code"
# Which field a refusal by the services is about; None: the form as a whole.
REFUSAL_FIELDS: dict[str, str | None] = {
    "unknown-person": "bsn",
    "self-mandate": "bsn",
    "period-reversed": "valid_until",
    "period-too-long": "valid_until",
    "period-past": "valid_until",
    "period-start-past": "valid_from",
    "period-start-far": "valid_from",
}
NOT_IN_CATALOGUE: dict[str, Any] = {"invalid_choice": MESSAGES["unknown-scope"]}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d", attrs=TEXTBOX)


def default_period(today: date | None = None) -> tuple[date, date]:
    """From today for a year, or for the longest period allowed when that is shorter."""
    start = today or timezone.localdate()
    return start, start + timedelta(days=min(365, settings.MANDATES_MAX_DAYS))


def _checkboxes(label: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOX),
        error_messages=NOT_IN_CATALOGUE,
    )


class GrantForm(forms.Form):
    """Whom the person authorises, for what, and for how long."""

    representative = forms.ChoiceField(
        label=_("Whom do you want to authorise?"),
        choices=[
            (BY_BSN, _("Someone whose citizen service number (BSN) I know")),
            (BY_CODE, _("Someone I give an invitation code to")),
        ],
        initial=BY_BSN,
        widget=forms.RadioSelect(attrs={"class": "utrecht-radio-button"}),
    )
    bsn = forms.CharField(
        label=_("Their citizen service number (BSN)"),
        help_text=_("9 digits. Not needed when you give an invitation code."),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={**TEXTBOX, "inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    inbox = _checkboxes(_("Your message box"))
    processing_log = _checkboxes(
        _("Who used your data"),
        _("They see who used which kinds of your data, when and why; not the data itself."),
    )
    life_events = _checkboxes(
        _("Life events"), _("All services of the life event, now and those added later.")
    )
    services = _checkboxes(_("Services"))
    valid_from = forms.DateField(label=_("From"), widget=DateInput())
    valid_until = forms.DateField(label=_("Until and including"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inbox"].choices = [  # type: ignore[attr-defined]
            (ScopeKind.INBOX_READ.value, _("Reading my messages")),
            (ScopeKind.INBOX_FULL.value, _("My whole message box: reading and archiving")),
        ]
        self.fields["processing_log"].choices = [  # type: ignore[attr-defined]
            (ScopeKind.PROCESSING_LOG.value, _("Seeing who used my data (the processing log)")),
        ]
        self.fields["life_events"].choices = [  # type: ignore[attr-defined]
            (event.slug, event.name) for event in LifeEvent.objects.all()
        ]
        services = sorted(PublicService.objects.all(), key=lambda s: s.name.casefold())
        self.fields["services"].choices = [  # type: ignore[attr-defined]
            (service.slug, service.name) for service in services
        ]

    def clean_bsn(self) -> str:
        # `representative` is cleaned first (field order): a BSN is only read when chosen.
        if self.cleaned_data.get("representative") != BY_BSN:
            return ""
        bsn = "".join(str(self.cleaned_data.get("bsn", "")).split()).replace(".", "")
        if not bsn:
            raise forms.ValidationError(
                _("Enter the citizen service number (BSN) of the person you authorise.")
            )
        if not bsn_is_valid(bsn):
            raise forms.ValidationError(
                _("This is not a valid citizen service number (BSN). Check the 9 digits.")
            )
        return bsn

    def representative_subject(self) -> Subject | None:
        """The person named by BSN; None when they will get an invitation code."""
        bsn = self.cleaned_data.get("bsn", "")
        return Subject("bsn", bsn) if bsn else None

    def scopes(self) -> list[Scope]:
        """Everything ticked, as scopes for `services.grant`."""
        data = self.cleaned_data
        return [
            *(Scope(kind) for kind in data.get("inbox", [])),
            *(Scope(kind) for kind in data.get("processing_log", [])),
            *(Scope(ScopeKind.LIFE_EVENT, slug) for slug in data.get("life_events", [])),
            *(Scope(ScopeKind.SERVICE, slug) for slug in data.get("services", [])),
        ]


class AcceptForm(forms.Form):
    """The invitation code someone was given."""

    code = forms.CharField(
        label=_("Invitation code"),
        help_text=_("16 letters and digits, as you received them. Hyphens and spaces are fine."),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                **TEXTBOX,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
