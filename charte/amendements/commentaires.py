"""Comments on amendments: publish (or reply), edit with history, hide (committee).

Services as in charte.amendements.services: acting user as `actor`, permission checked, flush, journal,
never commit.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from charte.accounts.models import User
from charte.amendements.models import Amendement, Commentaire, CommentaireEdition
from charte.amendements.permissions import maintenant, require
from charte.amendements.services import MOTIF_MAX, designation, lien, nettoyer_texte
from charte.exceptions import Conflict, InvalidInput, NotFound
from charte.extensions import db
from charte.journal.services import record
from charte.notifications.services import notifier

COMMENTAIRE_MAX = 5_000
DOUBLON = timedelta(minutes=10)  # the same text by the same person in the same place, so soon: sent twice


def get_commentaire(commentaire_id: int, user) -> Commentaire:
    """A comment on an amendment the person may see, or 404."""
    commentaire = db.session.scalar(select(Commentaire).options(joinedload(Commentaire.amendement))
                                    .filter_by(id=commentaire_id))
    if commentaire is None:
        raise NotFound("Ce commentaire n’existe pas.")
    require("voir", commentaire.amendement, user)
    return commentaire


def commenter_amendement(amendement: Amendement, texte: str | None, parent_id: int | None = None, *,
                         actor: User) -> Commentaire:
    """Comment on the amendment's current revision, or reply to a comment (replies stay one level deep)."""
    require("commenter", amendement, actor)
    texte = nettoyer_texte(texte, "texte", "votre commentaire", COMMENTAIRE_MAX)
    racine = None
    if parent_id is not None:
        parent = db.session.get(Commentaire, parent_id)
        if parent is None or parent.amendement_id != amendement.id:
            raise NotFound("Le commentaire auquel vous répondez n’existe pas sur cet amendement.")
        racine = parent if parent.parent_id is None else parent.parent
        if racine.masque_at is not None:
            raise Conflict("Ce fil de discussion a été masqué par le comité : on ne peut plus y répondre.")
    recent = maintenant() - DOUBLON
    if db.session.scalar(select(Commentaire.id).filter_by(
            amendement_id=amendement.id, auteur_id=actor.id, parent_id=racine.id if racine else None, texte=texte,
    ).where(Commentaire.created_at >= recent).limit(1)) is not None:  # a double click
        raise Conflict("Ce commentaire vient d’être publié : il n’a pas été enregistré une seconde fois.")
    commentaire = Commentaire(
        amendement_id=amendement.id, revision_id=amendement.revision.id,
        parent_id=racine.id if racine else None, auteur_id=actor.id, texte=texte, created_at=maintenant(),
    )
    db.session.add(commentaire)
    db.session.flush()
    record("commentaire.publie", actor, f"commentaire:{commentaire.id}", amendement=amendement.id,
           revision=amendement.revision_courante, reponse_a=racine.id if racine else None)
    ancre = f"commentaire-{commentaire.id}"
    notifier([amendement.auteur_id], "commentaire.publie",
             f"{actor.nom} a commenté {designation(amendement, 'votre ')}.", lien(amendement, ancre), sauf=actor)
    if racine is not None and racine.auteur_id != amendement.auteur_id:
        notifier([racine.auteur_id], "commentaire.reponse",
                 f"{actor.nom} a répondu à votre commentaire sur {designation(amendement)}.",
                 lien(amendement, ancre), sauf=actor)
    return commentaire


def modifier_commentaire(commentaire: Commentaire, texte: str | None, *, actor: User) -> Commentaire:
    """The author edits their comment; the text it replaces is kept."""
    require("modifier_commentaire", commentaire, actor)
    texte = nettoyer_texte(texte, "texte", "votre commentaire", COMMENTAIRE_MAX)
    if texte == commentaire.texte:
        raise InvalidInput("Le commentaire n’a pas changé : il n’y a rien à enregistrer.", "texte")
    now = maintenant()
    db.session.add(CommentaireEdition(commentaire_id=commentaire.id, texte=commentaire.texte, remplace_at=now))
    commentaire.texte = texte
    commentaire.modifie_at = now
    db.session.flush()
    record("commentaire.modifie", actor, f"commentaire:{commentaire.id}", amendement=commentaire.amendement_id)
    return commentaire


def masquer_commentaire(commentaire: Commentaire, motif: str | None, *, actor: User) -> Commentaire:
    """The committee hides a comment with a reason; its text stays for the committee, the trace for all."""
    require("masquer_commentaire", commentaire, actor)
    motif = nettoyer_texte(motif, "motif", "le motif", MOTIF_MAX)
    commentaire.masque_at = maintenant()
    commentaire.masque_par_id = actor.id
    commentaire.masque_motif = motif
    db.session.flush()
    record("commentaire.masque", actor, f"commentaire:{commentaire.id}", amendement=commentaire.amendement_id,
           motif=motif)
    return commentaire
