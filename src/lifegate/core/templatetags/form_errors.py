"""The error summary above a form: each field's error as a link to the field, so a person
(and a screen reader, which the summary's role=alert announces) finds what to correct."""

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class FieldError:
    target: str  # the id of the field's input (of its first option, for option lists)
    label: str
    message: str


@register.filter
def field_errors(form: forms.BaseForm) -> list[FieldError]:
    """The form's field errors (not the form's own), in the order of its fields."""
    found = []
    for field in form:
        if not field.errors:
            continue
        # Radio buttons and checkbox lists (a RadioSelect, too): their first option.
        options = isinstance(field.field.widget, forms.RadioSelect)
        target = f"{field.auto_id}_0" if options else field.id_for_label or field.auto_id
        message = " ".join(str(error) for error in field.errors)
        found.append(FieldError(target, str(field.label), message))
    return found
