"""Who may do what with an amendment or a comment, state and window included.

Each check raises the DomainError that explains the refusal: 404 for what the person may not see
(someone else's draft), 403 for what is not theirs to do, 409 for the wrong state or a closed window.
Views call `require(action, obj, user)`; templates ask `can(action, obj, user)` (or the model's
`can_*` methods); the services call `require` themselves, so that every path checks the same rules.

Decisions:
- creating and submitting need the round's submission window (statut « dépôt » and
  depot_debut_at <= now < depot_fin_at);
- revising (and rebasing) is allowed until the committee opens the vote (the round is still in its
  « dépôt » phase), even after the submission window has closed: the issue says "until the vote opens";
- co-signing likewise, until the vote opens; by agents of another department than the amendment's;
- withdrawing and declaring inadmissible follow the state machine, which refuses them once a ballot exists.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from charte.amendements.etats import (
    COMMENTABLES,
    REVISABLES,
    SANS_BULLETIN,
    AmendementStatut,
    verifier_transition,
)
from charte.exceptions import Conflict, DomainError, Forbidden, NotFound
from charte.extensions import db
from charte.tours.models import TourStatut

PARIS = ZoneInfo("Europe/Paris")

INVISIBLE = "Cet amendement n’existe pas, ou c’est un brouillon que seul son auteur peut voir."


def maintenant() -> datetime:
    """Now, in UTC without time zone, as the windows are stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def heure_paris(value: datetime) -> str:
    """A stored UTC datetime in Paris time, for messages."""
    local = value.replace(tzinfo=timezone.utc).astimezone(PARIS)
    return local.strftime("%d/%m/%Y à %H:%M") + " (heure de Paris)"


def bulletins_existent(amendement) -> bool:
    """Whether anybody has voted on the amendment (one indexed EXISTS query)."""
    from charte.scrutins.models import Bulletin

    return bool(db.session.scalar(select(exists().where(Bulletin.amendement_id == amendement.id))))


def _bulletins_pour(amendement, vers: AmendementStatut) -> bool:
    """Look the ballots up only when the move depends on them."""
    return (AmendementStatut(amendement.statut), vers) in SANS_BULLETIN and bulletins_existent(amendement)


# --- Windows -------------------------------------------------------------------------------------


def verifier_fenetre_depot(tour, now: datetime | None = None) -> None:
    """The round must be in its submission phase and inside its submission window."""
    now = now or maintenant()
    if tour.statut != TourStatut.DEPOT:
        raise Conflict("Le dépôt des amendements de ce tour est terminé : le vote a été ouvert.")
    if now < tour.depot_debut_at:
        raise Conflict(f"Le dépôt des amendements ouvre le {heure_paris(tour.depot_debut_at)}.")
    if now >= tour.depot_fin_at:
        raise Conflict(f"Le dépôt des amendements a fermé le {heure_paris(tour.depot_fin_at)}.")


def _avant_le_vote(tour) -> None:
    if tour.statut != TourStatut.DEPOT:
        raise Conflict("Le vote est ouvert : le texte des amendements de ce tour est figé.")


# --- Amendments ----------------------------------------------------------------------------------


def verifier_voir(amendement, user, now=None) -> None:
    # Private until submitted, and for ever if abandoned as a draft.
    if amendement.depose_at is None and amendement.auteur_id != user.id:
        raise NotFound(INVISIBLE)


def _auteur(amendement, user, quoi: str) -> None:
    verifier_voir(amendement, user)
    if amendement.auteur_id != user.id:
        raise Forbidden(f"Seul l’auteur d’un amendement peut {quoi}.")


def verifier_creer(tour, user, now=None) -> None:
    verifier_fenetre_depot(tour, now)


def verifier_reviser(amendement, user, now=None) -> None:
    _auteur(amendement, user, "le modifier")
    statut = AmendementStatut(amendement.statut)
    if statut not in REVISABLES:
        raise Conflict(f"Un amendement à l’état « {statut.label} » ne peut plus être modifié.")
    _avant_le_vote(amendement.tour)


def verifier_deposer(amendement, user, now=None) -> None:
    _auteur(amendement, user, "le déposer")
    verifier_transition(amendement.statut, AmendementStatut.DEPOSE)
    verifier_fenetre_depot(amendement.tour, now)


def verifier_retirer(amendement, user, now=None) -> None:
    _auteur(amendement, user, "le retirer")
    verifier_transition(amendement.statut, AmendementStatut.RETIRE,
                        _bulletins_pour(amendement, AmendementStatut.RETIRE))


def verifier_cosigner(amendement, user, now=None) -> None:
    verifier_voir(amendement, user)
    if amendement.auteur_id == user.id:
        raise Forbidden("Vous ne pouvez pas cosigner votre propre amendement.")
    if amendement.departement_id == user.departement_id:
        raise Forbidden("Cet amendement est déjà porté par votre service : seuls les agents d’autres services "
                        "peuvent le cosigner.")
    if amendement.statut != AmendementStatut.DEPOSE:
        raise Conflict("On ne peut cosigner qu’un amendement déposé, avant l’ouverture du vote.")
    _avant_le_vote(amendement.tour)
    if any(c.user_id == user.id for c in amendement.cosignatures):
        raise Conflict("Vous avez déjà cosigné cet amendement.")


def verifier_declarer_irrecevable(amendement, user, now=None) -> None:
    verifier_voir(amendement, user)
    if not user.is_comite:
        raise Forbidden("Seul le comité de pilotage peut déclarer un amendement irrecevable.")
    verifier_transition(amendement.statut, AmendementStatut.IRRECEVABLE,
                        _bulletins_pour(amendement, AmendementStatut.IRRECEVABLE))


def verifier_commenter(amendement, user, now=None) -> None:
    verifier_voir(amendement, user)
    statut = AmendementStatut(amendement.statut)
    if statut == AmendementStatut.BROUILLON:
        raise Conflict("Un brouillon ne se commente pas : déposez-le d’abord.")
    if statut not in COMMENTABLES:
        raise Conflict(f"Les commentaires sont fermés sur un amendement à l’état « {statut.label} ».")


# --- Comments ------------------------------------------------------------------------------------


def verifier_modifier_commentaire(commentaire, user, now=None) -> None:
    verifier_voir(commentaire.amendement, user)
    if commentaire.auteur_id != user.id:
        raise Forbidden("Seul l’auteur d’un commentaire peut le modifier.")
    if commentaire.masque_at is not None:
        raise Conflict("Ce commentaire a été masqué par le comité : il ne peut plus être modifié.")
    statut = AmendementStatut(commentaire.amendement.statut)
    if statut not in COMMENTABLES:
        raise Conflict(f"Les commentaires sont fermés sur un amendement à l’état « {statut.label} ».")


def verifier_masquer_commentaire(commentaire, user, now=None) -> None:
    verifier_voir(commentaire.amendement, user)
    if not user.is_comite:
        raise Forbidden("Seul le comité de pilotage peut masquer un commentaire.")
    if commentaire.masque_at is not None:
        raise Conflict("Ce commentaire est déjà masqué.")


def verifier_lire_masque(commentaire, user, now=None) -> None:
    """The text of a hidden comment stays readable by the committee only."""
    if commentaire.masque_at is not None and not user.is_comite:
        raise Forbidden("Ce commentaire a été masqué par le comité : son texte n’est plus affiché.")


CHECKS: dict[str, Callable] = {
    "voir": verifier_voir,
    "creer": verifier_creer,
    "reviser": verifier_reviser,
    "deposer": verifier_deposer,
    "retirer": verifier_retirer,
    "cosigner": verifier_cosigner,
    "declarer_irrecevable": verifier_declarer_irrecevable,
    "commenter": verifier_commenter,
    "modifier_commentaire": verifier_modifier_commentaire,
    "masquer_commentaire": verifier_masquer_commentaire,
    "lire_masque": verifier_lire_masque,
}


def require(action: str, obj, user, now: datetime | None = None) -> None:
    """Raise the refusal (404, 403 or 409, with its French message) unless `user` may do `action` on `obj`."""
    CHECKS[action](obj, user, now)


def refus(action: str, obj, user, now: datetime | None = None) -> str | None:
    """Why `user` may not do `action` on `obj` (the French message), or None when they may."""
    try:
        require(action, obj, user, now)
    except DomainError as exc:
        return exc.message
    return None


def can(action: str, obj, user, now: datetime | None = None) -> bool:
    """Whether `user` may do `action` on `obj` (for templates: which buttons to show)."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        require(action, obj, user, now)
    except DomainError:
        return False
    return True
