"""Forms of the charters module."""
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from charte.forms import ChoiceField, Form


class ModeleUploadForm(Form):
    fichier = FileField("Fichier du modèle (Markdown, UTF-8, 256 Kio au plus)", validators=[
        FileRequired("Choisissez un fichier à importer.")])


class ModeleFichierForm(Form):
    nom = StringField("Fichier", validators=[DataRequired("Indiquez le fichier."), Length(max=255)])


class CharteCreateForm(Form):
    modele_id = ChoiceField("Modèle de départ", coerce=int, validate_choice=True,
                            placeholder="— Choisissez un modèle —", required_message="Choisissez le modèle de départ.")
    titre = StringField("Titre de la charte (laissez vide pour reprendre celui du modèle)", validators=[
        Optional(), Length(max=200, message="200 caractères au plus.")])
