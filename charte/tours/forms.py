"""Forms of the rounds module: the charter's rules, a new round, a window moved. Dates are typed in
Paris time and come out of the form in naive UTC."""
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from charte.forms import ChoiceField, Form
from charte.temps import SAISIE, HeureInexistante, paris_vers_utc, saisie_paris
from charte.tours.models import Majorite
from charte.tours.services import MAX_COSIGNATAIRES, MAX_MOTIF, MAX_VALIDATION

DATE_INVALIDE = "Indiquez une date et une heure valides (jour, mois, année, heure et minutes)."


class HeureDeParisField(DateTimeLocalField):
    """A datetime-local input read as Paris time; `data` is naive UTC."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=[SAISIE, "%Y-%m-%dT%H:%M:%S"], invalid_value_message=DATE_INVALIDE,
                         **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)
        try:
            self.data = paris_vers_utc(self.data)
        except HeureInexistante:
            self.data = None
            raise ValueError("Cette heure n’existe pas à Paris ce jour-là (passage à l’heure d’été) : "
                             "choisissez-en une autre.") from None

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return saisie_paris(self.data)


def _requis(quoi: str):
    return [InputRequired(f"Indiquez {quoi}.")]


class ReglesForm(Form):
    quorum_pct = IntegerField("Quorum (en % des agents inscrits au vote)", validators=[
        InputRequired("Indiquez le quorum (0 pour aucun)."),
        NumberRange(0, 100, "Le quorum est un pourcentage de 0 à 100.")])
    majorite = ChoiceField("Règle de majorité", choices={m.value: m.label for m in Majorite}, validate_choice=True)
    une_voix_par_service = BooleanField("Une voix par service (chaque service vote comme la majorité de ses agents)")
    resultats_en_direct = BooleanField("Résultats visibles pendant le vote")
    cosignataires_min = IntegerField(
        "Nombre minimum de services cosignataires pour qu’un amendement soit soumis au vote",
        validators=[InputRequired("Indiquez un nombre (0 pour aucun minimum)."),
                    NumberRange(0, MAX_COSIGNATAIRES, f"Indiquez un nombre de 0 à {MAX_COSIGNATAIRES}.")])
    validation_seuil = IntegerField("Seuil de validation d’une nouvelle version (nombre d’approbations du comité)",
                                    validators=[InputRequired("Indiquez le nombre d’approbations nécessaires."),
                                                NumberRange(1, MAX_VALIDATION,
                                                            f"Indiquez un nombre de 1 à {MAX_VALIDATION}.")])


class TourForm(Form):
    titre = StringField("Titre du tour (facultatif)", validators=[
        Optional(), Length(max=200, message="200 caractères au plus.")])
    depot_debut = HeureDeParisField("Début du dépôt des amendements", validators=_requis("le début du dépôt"))
    depot_fin = HeureDeParisField("Fin du dépôt des amendements", validators=_requis("la fin du dépôt"))
    vote_debut = HeureDeParisField("Début du vote", validators=_requis("le début du vote"))
    vote_fin = HeureDeParisField("Fin du vote", validators=_requis("la fin du vote"))


class FenetreForm(Form):
    fenetre = ChoiceField("Période", choices={"depot": "Dépôt des amendements", "vote": "Vote"},
                          validate_choice=True)
    fin = HeureDeParisField("Nouvelle fin (laissez vide pour clore maintenant)", validators=[Optional()])
    motif = TextAreaField("Raison du changement", validators=[
        DataRequired("Indiquez la raison de ce changement."),
        Length(max=MAX_MOTIF, message=f"{MAX_MOTIF} caractères au plus.")])


class MotifForm(Form):
    """Opening or closing the vote; the reason is needed only when a window is cut short."""

    motif = TextAreaField("Raison", validators=[Optional(), Length(max=MAX_MOTIF,
                                                                   message=f"{MAX_MOTIF} caractères au plus.")])
