"""The charter's voting rules and its amendment rounds: opening a round, moving its windows.

They flush and journal; the caller commits."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from charte.accounts.models import User
from charte.chartes.models import Charte
from charte.exceptions import Conflict, InvalidInput, NotFound
from charte.extensions import db
from charte.journal.services import record
from charte.temps import format_paris, maintenant
from charte.tours.fenetres import Fenetres, erreur_fenetres
from charte.tours.models import Majorite, ReglesCharte, Tour, TourEvenement, TourEvenementType, TourStatut

DEFAUTS = {"quorum_pct": 25, "majorite": Majorite.SIMPLE, "une_voix_par_service": False,
           "resultats_en_direct": False, "cosignataires_min": 0, "validation_seuil": 2}
MAX_COSIGNATAIRES = 50
MAX_VALIDATION = 50
MAX_MOTIF = 500
UNE_SECONDE = timedelta(seconds=1)
TOUR_DEJA_OUVERT = "Un tour d’amendements est déjà ouvert pour cette charte : clôturez-le avant d’en ouvrir un autre."


def get_tour(tour_id: int) -> Tour:
    """A round by its id, or a 404."""
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        raise NotFound("Ce tour d’amendements n’existe pas.")
    return tour


def verrouiller(tour: Tour, partage: bool = False) -> Tour:
    """Re-read the round under a row lock (shared for voters, exclusive for the committee's actions),
    so that a ballot and the closing, or two openings of the vote, take turns. SQLite needs none: its
    write transactions already run one at a time."""
    return db.session.scalars(
        select(Tour).where(Tour.id == tour.id).with_for_update(read=partage).execution_options(populate_existing=True)
    ).one()


# --- Rules ---------------------------------------------------------------------------------------


def regles_de(charte: Charte) -> ReglesCharte:
    """The charter's rules; the defaults (not yet saved) when the admin never set them."""
    regles = db.session.get(ReglesCharte, charte.id)
    return regles if regles is not None else ReglesCharte(charte_id=charte.id, **DEFAUTS)


def _entier(valeur, champ: str, minimum: int, maximum: int, quoi: str) -> int:
    if isinstance(valeur, bool) or not isinstance(valeur, int) or not minimum <= valeur <= maximum:
        raise InvalidInput(f"{quoi} doit être un nombre entier de {minimum} à {maximum}.", champ)
    return valeur


def definir_regles(charte: Charte, actor: User, *, quorum_pct: int, majorite: str, une_voix_par_service: bool,
                   resultats_en_direct: bool, cosignataires_min: int, validation_seuil: int) -> ReglesCharte:
    """Set the charter's voting rules; they apply to the rounds opened from now on, never to an open one."""
    valeurs = {
        "quorum_pct": _entier(quorum_pct, "quorum_pct", 0, 100, "Le quorum"),
        "majorite": _majorite(majorite),
        "une_voix_par_service": bool(une_voix_par_service),
        "resultats_en_direct": bool(resultats_en_direct),
        "cosignataires_min": _entier(cosignataires_min, "cosignataires_min", 0, MAX_COSIGNATAIRES,
                                     "Le nombre de services cosignataires"),
        "validation_seuil": _entier(validation_seuil, "validation_seuil", 1, MAX_VALIDATION,
                                    "Le seuil de validation"),
    }
    regles = db.session.get(ReglesCharte, charte.id)
    nouvelles = regles is None
    if nouvelles:
        regles = ReglesCharte(charte_id=charte.id, **DEFAUTS)
        db.session.add(regles)
    avant = regles.as_dict()
    for cle, valeur in valeurs.items():
        setattr(regles, cle, valeur)
    apres = regles.as_dict()
    changements = {cle: [avant[cle], apres[cle]] for cle in apres if avant[cle] != apres[cle]}
    if not changements and not nouvelles:
        return regles
    regles.updated_at = maintenant()
    regles.updated_by_id = actor.id
    db.session.flush()
    record("regles.modifiees", actor, f"charte:{charte.id}", regles=apres, changements=changements)
    return regles


def _majorite(valeur) -> Majorite:
    try:
        return Majorite(valeur)
    except ValueError:
        raise InvalidInput("Choisissez une règle de majorité proposée dans la liste.", "majorite") from None


# --- Rounds --------------------------------------------------------------------------------------


def tour_ouvert(charte: Charte) -> Tour | None:
    """The charter's round that is not closed yet, if any."""
    return db.session.scalar(select(Tour).filter_by(ouvert_charte_id=charte.id))


def ouvrir_tour(charte: Charte, actor: User, titre: str | None, depot_debut_at: datetime,
                depot_fin_at: datetime, vote_debut_at: datetime, vote_fin_at: datetime) -> Tour:
    """Open an amendment round on the version in force, with its windows (UTC) and the rules frozen."""
    version = charte.version_courante
    if version is None:
        raise Conflict("Cette charte n’a pas encore de version en vigueur : aucun tour ne peut s’ouvrir.")
    if tour_ouvert(charte) is not None:
        raise Conflict(TOUR_DEJA_OUVERT)
    fenetres = Fenetres(depot_debut_at, depot_fin_at, vote_debut_at, vote_fin_at)
    faute = erreur_fenetres(fenetres, maintenant())
    if faute:
        raise InvalidInput(faute[1], faute[0])
    numero = 1 + (db.session.scalar(select(func.max(Tour.numero)).filter_by(charte_id=charte.id)) or 0)
    titre = " ".join((titre or "").split()) or f"Tour n°\u00a0{numero}"
    if len(titre) > 200:
        raise InvalidInput("Le titre ne peut pas dépasser 200 caractères.", "titre")
    regles = regles_de(charte).as_dict()
    tour = Tour(
        charte_id=charte.id, ouvert_charte_id=charte.id, version_id=version.id, numero=numero, titre=titre,
        statut=TourStatut.DEPOT, depot_debut_at=depot_debut_at, depot_fin_at=depot_fin_at,
        vote_debut_at=vote_debut_at, vote_fin_at=vote_fin_at, regles_json=json.dumps(regles, sort_keys=True),
        created_at=maintenant(), created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():  # another member opening one at the same moment: the database keeps one
            db.session.add(tour)
            db.session.flush()
    except IntegrityError:
        raise Conflict(TOUR_DEJA_OUVERT) from None
    record("tour.ouvert", actor, f"tour:{tour.id}", charte=charte.id, numero=numero, titre=titre,
           version=version.numero, depot=[_iso(depot_debut_at), _iso(depot_fin_at)],
           vote=[_iso(vote_debut_at), _iso(vote_fin_at)], regles=regles)
    return tour


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def nettoyer_motif(motif: str | None, requis: str) -> str:
    """A reason given by the committee: required (the message says why), 500 characters at most."""
    motif = (motif or "").strip()
    if not motif:
        raise InvalidInput(requis, "motif")
    if len(motif) > MAX_MOTIF:
        raise InvalidInput(f"Le motif ne peut pas dépasser {MAX_MOTIF} caractères.", "motif")
    return motif


def deplacer_fin(tour: Tour, type_: TourEvenementType, nouveau: datetime, motif: str, actor: User) -> TourEvenement:
    """Move the end of a window, keeping the event (with its reason) and a journal entry."""
    champ = "depot_fin_at" if type_ in (TourEvenementType.DEPOT_ABREGE, TourEvenementType.DEPOT_PROLONGE) \
        else "vote_fin_at"
    ancien = getattr(tour, champ)
    setattr(tour, champ, nouveau)
    if champ == "depot_fin_at" and tour.vote_debut_at < nouveau:
        tour.vote_debut_at = nouveau  # the vote cannot start before the submissions end
    evenement = TourEvenement(tour_id=tour.id, type=type_, ancien_at=ancien, nouveau_at=nouveau, motif=motif,
                              auteur_id=actor.id, at_dt=maintenant())
    db.session.add(evenement)
    db.session.flush()
    record("tour.fenetre_modifiee", actor, f"tour:{tour.id}", type=type_.value, ancien=_iso(ancien),
           nouveau=_iso(nouveau), motif=motif)
    return evenement


def clore_depot_maintenant(tour: Tour, motif: str, actor: User) -> TourEvenement:
    """End the submission window now (it must have begun)."""
    now = maintenant()
    if now < tour.depot_debut_at:
        raise Conflict(f"La période de dépôt n’a pas commencé (elle s’ouvre le {format_paris(tour.depot_debut_at)}, "
                       "heure de Paris).")
    return deplacer_fin(tour, TourEvenementType.DEPOT_ABREGE, max(now, tour.depot_debut_at + UNE_SECONDE), motif,
                        actor)


def modifier_fenetre(tour: Tour, actor: User, fenetre: str, fin_at: datetime | None, motif: str) -> TourEvenement:
    """Close a window early (no date: now) or extend it, with a recorded reason."""
    motif = nettoyer_motif(motif, "Indiquez la raison de ce changement : elle est conservée dans l’historique du tour.")
    if fenetre not in ("depot", "vote"):
        raise InvalidInput("Choisissez la période à modifier.", "fenetre")
    tour = verrouiller(tour)
    if tour.statut == TourStatut.CLOS:
        raise Conflict("Ce tour est clos : ses périodes ne changent plus.")
    now = maintenant()
    if fenetre == "depot":
        if tour.statut != TourStatut.DEPOT:
            raise Conflict("Le vote est ouvert : la période de dépôt est terminée et ne peut plus changer.")
        debut, ancien, quoi = tour.depot_debut_at, tour.depot_fin_at, "dépôt"
    else:
        debut, ancien, quoi = tour.vote_debut_at, tour.vote_fin_at, "vote"
    if fin_at is None:  # close it now
        if ancien <= now:
            raise Conflict(f"La période de {quoi} est déjà terminée.")
        if now < debut:
            raise Conflict(f"La période de {quoi} n’a pas commencé (elle s’ouvre le {format_paris(debut)}, "
                           "heure de Paris).")
        if fenetre == "depot":
            return clore_depot_maintenant(tour, motif, actor)
        fin_at = max(now, debut + UNE_SECONDE)
    if fin_at.replace(second=0) == ancien.replace(second=0):  # the form's precision is the minute
        raise InvalidInput("Cette date est déjà la fin prévue : choisissez-en une autre.", "fin")
    if fin_at < ancien:
        if ancien <= now:
            raise Conflict(f"La période de {quoi} est déjà terminée.")
        if fin_at < now:
            raise InvalidInput("Une période ne peut pas être close dans le passé : laissez la date vide pour la "
                               "clore maintenant.", "fin")
        if fin_at <= debut:
            raise InvalidInput(f"La fin du {quoi} doit venir après son début ({format_paris(debut)}, heure de Paris).",
                               "fin")
        type_ = TourEvenementType.DEPOT_ABREGE if fenetre == "depot" else TourEvenementType.VOTE_ABREGE
    else:
        if fin_at <= now:
            raise InvalidInput("La nouvelle fin est déjà passée : choisissez une date à venir.", "fin")
        if fenetre == "depot" and fin_at >= tour.vote_fin_at:
            raise InvalidInput(f"Le dépôt ne peut pas finir après la fin du vote ({format_paris(tour.vote_fin_at)}, "
                               "heure de Paris) : prolongez d’abord le vote.", "fin")
        type_ = TourEvenementType.DEPOT_PROLONGE if fenetre == "depot" else TourEvenementType.VOTE_PROLONGE
    return deplacer_fin(tour, type_, fin_at, motif, actor)
