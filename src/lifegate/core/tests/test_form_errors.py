"""The error summary's links point at the field to correct: its input, or the first option
of radio buttons and checkbox lists; the form's own errors are not listed as fields."""

from django import forms

from lifegate.core.templatetags.form_errors import field_errors


class Example(forms.Form):
    name = forms.CharField(label="Name")
    colour = forms.ChoiceField(
        label="Colour", choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect
    )
    extras = forms.MultipleChoiceField(
        label="Extras",
        choices=[("a", "A"), ("b", "B")],
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="Note", required=False)

    def clean(self) -> dict:
        raise forms.ValidationError("The whole form is wrong.")


def test_each_field_error_links_to_its_input_or_first_option() -> None:
    form = Example(data={"note": "fine"})

    errors = field_errors(form)

    assert [(e.target, e.label) for e in errors] == [
        ("id_name", "Name"),
        ("id_colour_0", "Colour"),
        ("id_extras_0", "Extras"),
    ]
    assert all(e.message for e in errors)
    assert form.non_field_errors() == ["The whole form is wrong."]
