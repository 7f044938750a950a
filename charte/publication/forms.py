"""Forms of the publication module."""
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField
from wtforms.validators import DataRequired

from charte.forms import Form


class PublierForm(Form):
    confirmation = BooleanField(
        "Je confirme la publication : le PDF sera signé au nom de la collectivité et la publication est définitive.",
        validators=[DataRequired("Cochez la case pour confirmer la publication.")])


class VerificationForm(Form):
    fichier = FileField("Fichier PDF (20 Mo au plus)", validators=[FileRequired("Choisissez un fichier PDF à vérifier.")])
