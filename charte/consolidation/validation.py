"""Validation of a draft: submitted, approved or rejected by committee members, adopted at the threshold.

Each decision is bound to the draft's revision and SHA-256 (charte.consolidation.models.Decision): a change
to the draft dismisses the approvals given before it. A rejection returns the draft to editing. When the
valid approvals reach the round's frozen threshold (`validation_seuil`), the version is written (adopted),
the integrated amendments become `intégré` and the draft is frozen. Concurrent decisions take turns on the
draft's row lock, so each one is counted once and the adoption happens once.
"""
from __future__ import annotations

from sqlalchemy import select

from charte.accounts.models import User
from charte.amendements.etats import AmendementStatut
from charte.amendements.permissions import maintenant
from charte.amendements.services import changer_statut
from charte.chartes.services import ecrire_version_adoptee
from charte.consolidation.contenu import empreinte
from charte.consolidation.models import Decision, Projet, ProjetStatut, Sens
from charte.consolidation.services import (amendements_par_id, nettoyer_motif, verifier_comite, verifier_revision,
                                           verrouiller)
from charte.consolidation.verification import contenu_de_version
from charte.exceptions import Conflict, InvalidInput
from charte.extensions import db
from charte.journal.services import record
from charte.notifications.services import notifier

COMMENTAIRE_MAX = 2_000


def _base_toujours_derniere(projet: Projet) -> None:
    derniere = projet.charte.versions[-1]
    if derniere.id != projet.base_version_id:
        raise Conflict(f"La version {derniere.numero} a été écrite depuis la consolidation de ce projet, qui "
                       f"repose sur la version {projet.base_version.numero}\u00a0: il ne peut plus être adopté.")


def _comite_actif() -> list[int]:
    return list(db.session.scalars(select(User.id).filter_by(is_comite=True, is_active=True)))


def soumettre_projet(projet: Projet, revision_attendue: int | None, *, actor: User) -> Projet:
    """Submit the draft for validation, once every conflict is resolved; the committee is told."""
    verifier_comite(actor)
    projet = verrouiller(projet)
    statut = ProjetStatut(projet.statut)
    if statut == ProjetStatut.SOUMIS:
        raise Conflict("Ce projet est déjà soumis à validation.")
    if statut == ProjetStatut.ADOPTE:
        raise Conflict("Ce projet est déjà adopté.")
    verifier_revision(projet, revision_attendue)
    ouverts = projet.conflits_ouverts
    if ouverts:
        combien = "le conflit restant" if len(ouverts) == 1 else f"les {len(ouverts)} conflits"
        raise Conflict(f"Résolvez d’abord {combien}\u00a0: rien n’est fusionné en silence.")
    _base_toujours_derniere(projet)
    projet.statut = ProjetStatut.SOUMIS
    projet.soumis_at = maintenant()
    db.session.flush()
    record("projet.soumis", actor, f"projet:{projet.id}", revision=projet.revision, sha256=projet.sha256)
    notifier(_comite_actif(), "projet.soumis",
             f"Le projet de version issu du tour «\u00a0{projet.tour.titre}\u00a0» est soumis à votre validation.",
             f"/projets/{projet.id}", sauf=actor)
    return projet


def decider_projet(projet: Projet, sens: Sens | str | None, commentaire: str | None, revision_attendue: int | None,
                   *, actor: User) -> Decision:
    """A committee member approves or rejects the submitted draft's exact text, with a comment (required to
    reject). A rejection returns the draft to editing; the approval that reaches the threshold adopts it."""
    verifier_comite(actor)
    try:
        sens = Sens(sens)
    except ValueError:
        raise InvalidInput("Choisissez d’approuver ou de rejeter le projet.", "sens") from None
    projet = verrouiller(projet)
    if ProjetStatut(projet.statut) != ProjetStatut.SOUMIS:
        raise Conflict("Ce projet n’est pas soumis à validation\u00a0: on ne peut pas l’approuver ni le rejeter.")
    verifier_revision(projet, revision_attendue)
    if sens == Sens.REJETE:
        commentaire = nettoyer_motif(commentaire, "commentaire")
    else:
        commentaire = (commentaire or "").strip()
        if len(commentaire) > COMMENTAIRE_MAX:
            raise InvalidInput(f"Le commentaire ne peut pas dépasser {COMMENTAIRE_MAX} caractères.", "commentaire")
    deja = db.session.scalar(select(Decision).filter_by(projet_id=projet.id, revision=projet.revision,
                                                         user_id=actor.id))
    if deja is not None:
        raise Conflict(f"Vous vous êtes déjà prononcé sur ce texte ({Sens(deja.sens).label.lower()} le "
                       f"{deja.created_at:%d/%m/%Y à %H:%M} UTC).")
    decision = Decision(projet_id=projet.id, revision=projet.revision, sha256=projet.sha256, user_id=actor.id,
                        sens=sens, commentaire=commentaire, created_at=maintenant())
    db.session.add(decision)
    db.session.flush()
    db.session.refresh(projet, ["decisions"])
    record(f"projet.{'approuve' if sens == Sens.APPROUVE else 'rejete'}", actor, f"projet:{projet.id}",
           decision=decision.id, revision=projet.revision, sha256=projet.sha256, commentaire=commentaire)
    if sens == Sens.REJETE:
        projet.statut = ProjetStatut.REJETE
        projet.revision += 1  # the approvals given to this submission are dismissed
        db.session.flush()
        notifier(_comite_actif(), "projet.rejete",
                 f"{actor.nom} a rejeté le projet de version issu du tour «\u00a0{projet.tour.titre}\u00a0»\u00a0: {commentaire}",
                 f"/projets/{projet.id}", sauf=actor)
    elif len(projet.approbations_valides()) >= projet.seuil:
        adopter_projet(projet, actor)
    return decision


def adopter_projet(projet: Projet, actor: User) -> None:
    """Write the adopted version from the draft; the amendments it integrates become intégrés."""
    _base_toujours_derniere(projet)
    contenu = projet.contenu
    approbations = projet.approbations_valides()
    tour = projet.tour
    resolus = len(projet.conflits)
    version = ecrire_version_adoptee(
        projet.charte, contenu.titre, contenu.preambule,
        [{"titre": t.titre, "intro": t.intro} for t in contenu.themes],
        [{"ref": c.ref, "theme": c.theme, "theme_position": c.theme_position, "position": c.position,
          "titre": c.titre, "texte": c.texte} for c in contenu.clauses],
        actor,
        note=f"Consolidation du tour «\u00a0{tour.titre}\u00a0»\u00a0: {len(projet.appliques)} amendement(s) intégré(s), "
             f"{resolus} conflit(s) résolu(s), {len(projet.corrections)} correction(s) rédactionnelle(s)\u00a0; "
             f"adoptée par {len(approbations)} approbation(s).",
    )
    # Fail closed: the version's own rows must give back the SHA-256 the approvals are bound to.
    if empreinte(contenu_de_version(version), version.parent_sha256) != projet.sha256:
        raise Conflict("Le texte écrit ne correspond pas au texte approuvé\u00a0: l’adoption est annulée.")
    amendements = amendements_par_id(projet.appliques)
    for amendement in sorted(amendements.values(), key=lambda a: a.numero):
        changer_statut(amendement, AmendementStatut.INTEGRE)
        amendement.integre_version_id = version.id
    projet.statut = ProjetStatut.ADOPTE
    projet.version_id = version.id
    projet.adopte_at = maintenant()
    projet.en_cours_charte_id = None
    db.session.flush()
    record("projet.adopte", actor, f"projet:{projet.id}", version=version.numero, version_id=version.id,
           sha256=version.sha256, sha256_projet=projet.sha256, parent=version.parent_sha256,
           approbations=[d.user_id for d in approbations], integres=sorted(a.numero for a in amendements.values()))
    notifier(_comite_actif(), "projet.adopte",
             f"La version {version.numero} de «\u00a0{projet.charte.titre}\u00a0» est adoptée.",
             f"/chartes/{projet.charte_id}/versions/{version.numero}", sauf=actor)
