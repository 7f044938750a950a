"""The journal page's filters: a GET form (no CSRF token: it changes nothing)."""
from __future__ import annotations

from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from charte.forms import ChoiceField, Form

DATE_INVALIDE = "Date non valide\u00a0: saisissez-la sous la forme jj/mm/aaaa."
FIRST_YEAR, LAST_YEAR = 1970, 9000


def _within_bounds(_form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Choisissez une date entre {FIRST_YEAR} et {LAST_YEAR}.")


class JournalFilters(Form):
    class Meta:
        csrf = False

    action = ChoiceField("Action", default="")
    personne = ChoiceField("Personne", default="")
    du = DateField("Du", validators=[Optional(), _within_bounds], format=["%Y-%m-%d", "%d/%m/%Y"],
                   invalid_value_message=DATE_INVALIDE)
    au = DateField("Au", validators=[Optional(), _within_bounds], format=["%Y-%m-%d", "%d/%m/%Y"],
                   invalid_value_message=DATE_INVALIDE)

    def validate_au(self, field) -> None:
        if field.data is not None and self.du.data is not None and field.data < self.du.data:
            raise ValidationError("La date de fin précède la date de début.")

    def values(self) -> dict[str, str]:
        """The filters as given, to carry them over to the other pages."""
        return {name: str(self[name].raw_data[0]) for name in ("action", "personne", "du", "au")
                if self[name].raw_data and self[name].raw_data[0]}
