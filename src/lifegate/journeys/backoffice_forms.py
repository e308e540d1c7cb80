"""Forms the back office's pages share."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lifegate.core.subject import Subject, bsn_is_valid
from lifegate.registries.matching import is_eidas_identifier


class PersonForm(forms.Form):
    """The person: a BSN or an eIDAS person identifier."""

    scheme = forms.ChoiceField(
        label=_("Kind of identifier"),
        choices=[("bsn", _("BSN")), ("eidas", _("eIDAS identifier"))],
        widget=forms.Select(attrs={"class": "utrecht-select utrecht-select--html-select"}),
    )
    value = forms.CharField(
        label=_("Identifier"),
        max_length=200,
        help_text=_("Nine digits for a BSN; XX/YY/identifier for an eIDAS identifier."),
        widget=forms.TextInput(attrs={"class": "utrecht-textbox", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        scheme, value = cleaned.get("scheme"), cleaned.get("value", "").strip()
        if scheme == "bsn" and value and not bsn_is_valid(value):
            self.add_error("value", _("This is not a BSN: nine digits that pass the elfproef."))
        elif scheme == "eidas" and value and not is_eidas_identifier(value):
            self.add_error("value", _("This is not an eIDAS identifier of the form XX/YY/id."))
        cleaned["value"] = value
        return cleaned

    def person(self) -> Subject:
        return Subject(self.cleaned_data["scheme"], self.cleaned_data["value"])
