"""Forms of the consolidation: each carries the draft's revision, so that a form shown before a change is
refused instead of silently applied to another text. Lengths are checked here and again by the services."""
from wtforms import HiddenField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from charte.amendements.services import MOTIF_MAX, TEXTE_MAX, TITRE_MAX
from charte.consolidation.validation import COMMENTAIRE_MAX
from charte.forms import CHOIX_INVALIDE, ChoiceField, Form, RefusEnFrancais


def _longueur(maximum: int):
    return Length(max=maximum, message=f"{maximum} caractères au plus.")


class RevisionForm(Form):
    """A button or form acting on the draft as it was shown (its revision)."""

    revision = IntegerField(widget=HiddenField.widget, validators=[
        InputRequired("Le formulaire est incomplet\u00a0: rechargez la page."), NumberRange(min=1)])


class _TexteClause(RevisionForm):
    titre = StringField("Titre de la clause", validators=[DataRequired("Indiquez le titre de la clause."),
                                                          _longueur(TITRE_MAX)])
    texte = TextAreaField("Texte de la clause (Markdown)", validators=[
        DataRequired("Indiquez le texte de la clause."), _longueur(TEXTE_MAX)])
    motif = TextAreaField("Motif (affiché dans le journal des modifications)", validators=[
        DataRequired("Indiquez le motif."), _longueur(MOTIF_MAX)])


class Cases(RefusEnFrancais, SelectMultipleField):
    """Checkboxes whose refusals (forged values) say so in plain French."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ResolutionForm(_TexteClause):
    retenus = Cases("Amendements repris dans le texte fusionné (les autres deviennent caducs)", coerce=int,
                    validators=[Optional()])


class CorrectionForm(_TexteClause):
    ref = ChoiceField("Clause à corriger")


class Radio(RadioField):
    def pre_validate(self, form):
        if self.data and self.data not in {c.value for c in self.choices}:
            raise ValidationError(CHOIX_INVALIDE)


class DecisionForm(RevisionForm):
    sens = Radio("Votre décision", choices=[SelectChoice("approuve", "J’approuve ce texte"),
                                             SelectChoice("rejete", "Je le rejette (il revient en préparation)")],
                      validators=[InputRequired("Choisissez d’approuver ou de rejeter le projet.")])
    commentaire = TextAreaField("Commentaire (obligatoire pour un rejet)", validators=[
        Optional(), _longueur(COMMENTAIRE_MAX)])
