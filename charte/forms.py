"""Base form: CSRF through Flask-WTF, WTForms' own French messages."""
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import ValidationError


class Form(FlaskForm):
    class Meta:
        locales = ("fr_FR", "fr")


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


class ChoiceField(RefusEnFrancais, SelectField):
    """A select whose refusals say so in plain French."""
