"""Forms of the amendments module. Lengths are checked here and again (with the rest) by the services."""
from wtforms import HiddenField, IntegerField, SearchField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from charte.amendements.commentaires import COMMENTAIRE_MAX
from charte.amendements.etats import AmendementStatut
from charte.amendements.services import EXPOSE_MAX, MOTIF_MAX, TEXTE_MAX, TITRE_MAX
from charte.forms import ChoiceField, Form


def _entier_ou_rien(value):
    """A select's value: an id, or None for « Tous »."""
    return None if value in ("", None) else int(value)


def _longueur(maximum: int):
    return Length(max=maximum, message=f"{maximum} caractères au plus.")


class AmendementForm(Form):
    """Proposal: title and text (not for a suppression), rationale; the place of a new clause."""

    emplacement = ChoiceField("Emplacement de la nouvelle clause", validate_choice=False)
    titre = StringField("Titre de la clause", validators=[Optional(), _longueur(TITRE_MAX)])
    texte = TextAreaField("Texte proposé (Markdown)", validators=[Optional(), _longueur(TEXTE_MAX)])
    expose = TextAreaField("Exposé des motifs", validators=[
        DataRequired("Indiquez l’exposé des motifs : pourquoi ce changement ?"), _longueur(EXPOSE_MAX)])


class RevisionForm(AmendementForm):
    """The same, written on a known revision (optimistic lock)."""

    revision_attendue = IntegerField(widget=HiddenField.widget, validators=[
        InputRequired("Le formulaire est incomplet : rechargez la page."), NumberRange(min=1)])


class VerrouForm(Form):
    """A button acting on a known revision (rebase)."""

    revision_attendue = IntegerField(widget=HiddenField.widget, validators=[
        InputRequired("Le formulaire est incomplet : rechargez la page."), NumberRange(min=1)])


class CommentaireForm(Form):
    texte = TextAreaField("Votre commentaire (Markdown)", validators=[
        DataRequired("Écrivez votre commentaire."), _longueur(COMMENTAIRE_MAX)])
    parent_id = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class MotifForm(Form):
    motif = TextAreaField("Motif", validators=[DataRequired("Indiquez le motif."), _longueur(MOTIF_MAX)])


class FiltresForm(Form):
    """The list's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    charte = ChoiceField("Charte", coerce=int, validate_choice=True)
    theme = ChoiceField("Thème", coerce=_entier_ou_rien)
    clause = ChoiceField("Clause", default="")
    departement = ChoiceField("Service", coerce=_entier_ou_rien)
    statut = ChoiceField("État", default="", choices=[SelectChoice("", "Tous")] + [
        SelectChoice(s.value, s.label) for s in AmendementStatut])
    auteur = ChoiceField("Auteur", coerce=_entier_ou_rien)
    q = SearchField("Rechercher dans le titre, le texte et l’exposé", validators=[Optional(), _longueur(200)])
