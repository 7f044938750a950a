"""The ballot form."""
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from charte.forms import CHOIX_INVALIDE, Form
from charte.scrutins.models import Choix
from charte.scrutins.services import MAX_MOTIF_BULLETIN


class ChoixField(RadioField):
    """Pour / contre / abstention; a forged value is refused in plain French."""

    def pre_validate(self, form):
        if self.data and self.data not in {c.value for c in Choix}:
            raise ValidationError(CHOIX_INVALIDE)


class BulletinForm(Form):
    choix = ChoixField("Votre choix", choices={c.value: c.label for c in Choix},
                       validators=[InputRequired("Choisissez « pour », « contre » ou « abstention ».")])
    motif = TextAreaField(f"Motif (facultatif, {MAX_MOTIF_BULLETIN} caractères au plus, visible de vous seul)",
                          validators=[Optional(), Length(max=MAX_MOTIF_BULLETIN,
                                                         message=f"{MAX_MOTIF_BULLETIN} caractères au plus.")])
