"""What the catalogue says about the codes in a person's processing records, read once per
page or export for the codes on it: organisation names, processing activities (purpose and
legal basis), and the kinds of data that are fields of a service's form.

A submission's record lists the form fields sent (`new_postcode`, `move_date`); those are
shown with the form's own label in the active language, the label of the service the record
is about first. Kinds of data every building block shares (name, address, a message) keep the
words of `history_labels.CATEGORY_LABELS`."""

from collections.abc import Iterable
from dataclasses import dataclass

from lifegate.catalogue.models import FormField, ProcessingActivity, PublicOrganisation
from lifegate.transparency.history_labels import CATEGORY_LABELS, category_label
from lifegate.transparency.services import PLATFORM_ORGANISATION


@dataclass(frozen=True)
class ActivityText:
    """A processing activity from the register, in the active language. `registered` is False
    for an id the register does not (or no longer) know: then only the id is shown."""

    slug: str
    name: str
    purpose: str
    legal_basis: str
    registered: bool


def _shared(code: str) -> bool:
    return code.replace("_", "-").lower() in CATEGORY_LABELS


class Register:
    """Names of organisations, processing activities and form fields, read from the catalogue
    for the codes the records use (one query each, codes read before are not read again)."""

    def __init__(self) -> None:
        self._organisations: dict[str, str] = {PLATFORM_ORGANISATION: "lifegate"}
        self._activities: dict[str, ActivityText] = {}
        self._fields: dict[tuple[str, str], str] = {}  # (service slug, key): label
        self._any_field: dict[str, str] = {}  # key: a label of a field with that key
        self._fields_read: set[str] = set()

    def load(
        self,
        organisations: Iterable[str],
        activities: Iterable[str],
        categories: Iterable[str] = (),
    ) -> None:
        """Read the names of the codes not read before."""
        wanted = set(organisations) - self._organisations.keys()
        if wanted:
            for organisation in PublicOrganisation.objects.filter(slug__in=wanted):
                self._organisations[organisation.slug] = organisation.name
        wanted = set(activities) - self._activities.keys()
        if wanted:
            for activity in ProcessingActivity.objects.filter(slug__in=wanted):
                self._activities[activity.slug] = ActivityText(
                    activity.slug,
                    activity.name,
                    activity.localized("purpose"),
                    activity.localized("legal_basis"),
                    registered=True,
                )
        self._load_fields({code for code in categories if not _shared(code)})

    def _load_fields(self, keys: set[str]) -> None:
        wanted = keys - self._fields_read
        if not wanted:
            return
        self._fields_read |= wanted
        fields = FormField.objects.filter(key__in=wanted).select_related("service")
        for field in fields.order_by("service__slug", "key"):
            label = field.localized("label")
            self._fields[(field.service.slug, field.key)] = label
            self._any_field.setdefault(field.key, label)

    def organisation(self, code: str) -> str:
        """The organisation's name; its code when the catalogue does not know it (a system
        component such as "lifegate operator", or a foreign issuing authority)."""
        return self._organisations.get(code, code)

    def activity(self, slug: str) -> ActivityText:
        """The processing activity from the register; only its id when unregistered."""
        return self._activities.get(slug) or ActivityText(slug, slug, "", "", registered=False)

    def category(self, code: str, activity: str) -> str:
        """Kind of data `code` in words: shared words first, then the label of the form field
        of the service `activity` is about (a submission's activity is its service), then of
        any service's field with that key, else words made from the code."""
        if not _shared(code):
            label = self._fields.get((activity, code)) or self._any_field.get(code)
            if label:
                return label
        return category_label(code)
