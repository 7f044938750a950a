"""Base form: CSRF through Flask-WTF, WTForms' own French messages, no control character in any text."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import Choice
from wtforms.validators import StopValidation, ValidationError

from charte.texte import control_character_message, first_control_character


def refuse_control_characters(form, field) -> None:
    """Text fields refuse control characters; only long texts (textarea) keep tab and line ends."""
    if not isinstance(field.data, str):
        return
    char = first_control_character(field.data, multiline=isinstance(field, TextAreaField))
    if char is not None:
        raise StopValidation(control_character_message(char))


class Form(FlaskForm):
    """Every form of Charte: each text field (string, e-mail, password, textarea, hidden) is checked
    for control characters before anything reaches a service or the database."""

    class Meta:
        locales = ("fr_FR", "fr")

    def validate(self, extra_validators=None):
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, StringField) and name != self.meta.csrf_field_name:
                extra.setdefault(name, []).insert(0, refuse_control_characters)
        return super().validate(extra)


class ActionForm(Form):
    """A form with no field but its CSRF token: the POST buttons (logout, disable…)."""


CHOIX_INVALIDE = "Choisissez une valeur proposée dans la liste."


class RefusEnFrancais:
    """Mixin for choice fields: their refusals (forged or malformed value) say so in plain French."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(CHOIX_INVALIDE) from exc

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError as exc:
            raise ValidationError(CHOIX_INVALIDE) from exc


class ChoiceField(SelectField):
    """A select whose refusals (forged or malformed value) say so in plain French.

    With a `placeholder`, the list opens on an empty option ("— Choisissez… —") and nothing is
    chosen until the person chooses: leaving it is refused with `required_message`."""

    def __init__(self, *args, placeholder: str | None = None, required_message: str | None = None, **kwargs):
        kwargs.setdefault("invalid_value_message", CHOIX_INVALIDE)
        kwargs.setdefault("invalid_choice_message", CHOIX_INVALIDE)
        super().__init__(*args, **kwargs)
        self.placeholder = placeholder
        self.required_message = required_message or CHOIX_INVALIDE

    def iter_choices(self):
        choices = list(super().iter_choices())
        if self.placeholder is None:
            return choices
        return [Choice(value="", label=self.placeholder, selected=self.data is None, render_kw={}), *choices]

    def process_formdata(self, valuelist):
        if self.placeholder is not None and valuelist and valuelist[0] == "":
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.placeholder is not None and self.data is None and not self.process_errors:
            raise StopValidation(self.required_message)
        try:
            super().pre_validate(form)
        except ValidationError as exc:
            raise ValidationError(CHOIX_INVALIDE) from exc
