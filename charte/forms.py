"""Base form: CSRF through Flask-WTF, WTForms' own French messages."""
from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        locales = ("fr_FR", "fr")


class ActionForm(Form):
    """A form with no field but its CSRF token: the POST buttons (logout, disable…)."""
