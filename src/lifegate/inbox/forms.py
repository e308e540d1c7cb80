"""The message box's filter form: words, sender, kind of message, period, inbox or archive.

Sent with GET, so a filtered list is a link the person can bookmark or go back to."""

from datetime import date
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Category, Message
from lifegate.inbox.reading import InboxFilter

TEXT_MAX_LENGTH = 200
TEXTBOX = {"class": "utrecht-textbox utrecht-textbox--html-input"}
SELECT = {"class": "utrecht-select utrecht-select--html-select"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d", attrs=TEXTBOX)


def sending_organisations() -> list[PublicOrganisation]:
    """Organisations that send messages through lifegate, by name in the active language.

    Not only those that wrote to this person: the list says nothing about anyone's post."""
    senders = PublicOrganisation.objects.filter(
        Exists(Message.objects.filter(organisation=OuterRef("pk")))
    )
    return sorted(senders, key=lambda organisation: organisation.name.casefold())


def period_problem(since: date | None, until: date | None) -> str | None:
    """Why a period cannot be searched, in the active language, or None."""
    if since and until and since > until:
        return gettext("The start date must be on or before the end date.")
    return None


class InboxFilterForm(forms.Form):
    """What the person narrows their messages to; every field may be left empty."""

    q = forms.CharField(
        label=_("Search in subject and text"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={**TEXTBOX, "type": "search", "autocomplete": "off"}),
    )
    organisation = forms.ChoiceField(
        label=_("From"), required=False, widget=forms.Select(attrs=SELECT)
    )
    category = forms.ChoiceField(
        label=_("Kind of message"), required=False, widget=forms.Select(attrs=SELECT)
    )
    since = forms.DateField(label=_("Sent on or after"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Sent on or before"), required=False, widget=DateInput())
    archived = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: list[PublicOrganisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("All organisations")),
            *((organisation.slug, organisation.name) for organisation in organisations),
        ]
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("All kinds")),
            *((value, capfirst(label)) for value, label in Category.choices),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        problem = period_problem(cleaned.get("since"), cleaned.get("until"))
        if problem:
            self.add_error("until", problem)
        return cleaned

    def filters(self) -> InboxFilter:
        """The filter for `inbox_page` (call after `is_valid()`)."""
        data = self.cleaned_data
        return InboxFilter(
            text=data["q"].strip(),
            organisation=data["organisation"],
            category=data["category"],
            since=data["since"],
            until=data["until"],
            archived=data["archived"],
        )
