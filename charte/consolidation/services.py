"""Consolidation: a closed round's adopted amendments applied to the version in force, as a draft; the
committee resolves the conflicts and corrects the draft's wording.

Each service takes the acting user as `actor`, raises a DomainError with a French message, flushes,
journals and never commits. Validation (submit, approve, reject, adopt) is in charte.consolidation.validation.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from charte.accounts.models import User
from charte.amendements.etats import AmendementStatut
from charte.amendements.models import Amendement, Nature
from charte.amendements.permissions import maintenant
from charte.amendements.services import MOTIF_MAX, TEXTE_MAX, changer_statut, nettoyer_texte, nettoyer_titre
from charte.chartes.models import Charte, Version
from charte.consolidation.contenu import ContenuProjet, empreinte, themes_du_resultat
from charte.consolidation.models import ConflitFusion, Correction, Projet, ProjetStatut
from charte.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from charte.extensions import db
from charte.hashing import normalise_text
from charte.journal.services import record
from charte.textes.fusion import ClauseTexte, Proposition, fusionner
from charte.tours.models import Tour, TourStatut

PROJET_MODIFIE = "Le projet de version a changé depuis l’affichage de ce formulaire (révision {vu}, elle est " \
                 "maintenant à la révision {est})\u00a0: rien n’a été enregistré. Rechargez la page et vérifiez avant " \
                 "de recommencer."


# --- Reading -------------------------------------------------------------------------------------


def get_projet(projet_id: int) -> Projet:
    """A draft by its id, or 404."""
    projet = db.session.get(Projet, projet_id)
    if projet is None:
        raise NotFound("Ce projet de version n’existe pas.")
    return projet


def get_conflit(projet: Projet, conflit_id: int) -> ConflitFusion:
    """One of the draft's conflicts, or 404 (a conflict of another draft is not found here)."""
    conflit = db.session.get(ConflitFusion, conflit_id)
    if conflit is None or conflit.projet_id != projet.id:
        raise NotFound("Ce conflit n’existe pas dans ce projet de version.")
    return conflit


def projets_de(charte: Charte) -> list[Projet]:
    return list(db.session.scalars(select(Projet).filter_by(charte_id=charte.id).order_by(Projet.id.desc())))


def tours_a_consolider(charte: Charte) -> list[tuple[Tour, int]]:
    """Closed rounds of the charter without a draft, with their number of adopted amendments."""
    deja = select(Projet.tour_id)
    adoptes = (select(Amendement.tour_id, func.count().label("n"))
               .filter_by(statut=AmendementStatut.ADOPTE).group_by(Amendement.tour_id).subquery())
    rows = db.session.execute(
        select(Tour, func.coalesce(adoptes.c.n, 0)).outerjoin(adoptes, adoptes.c.tour_id == Tour.id)
        .where(Tour.charte_id == charte.id, Tour.statut == TourStatut.CLOS, Tour.id.not_in(deja))
        .order_by(Tour.numero.desc()))
    return [(tour, n) for tour, n in rows]


def amendements_par_id(ids) -> dict[int, Amendement]:
    """Amendments with their department, in one query."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = db.session.scalars(select(Amendement).where(Amendement.id.in_(ids))
                              .options(selectinload(Amendement.departement)))
    return {a.id: a for a in rows}


# --- Shared checks -------------------------------------------------------------------------------


def verifier_comite(actor: User) -> None:
    if actor is None or not actor.is_comite or not actor.is_active:
        raise Forbidden("Seuls les membres du comité de pilotage peuvent faire cela.")


def verrouiller(projet: Projet) -> Projet:
    """Take the draft's row lock and read it afresh: concurrent changes take turns (PostgreSQL; SQLite's
    write transactions already do)."""
    return db.session.execute(select(Projet).where(Projet.id == projet.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def verifier_revision(projet: Projet, revision_attendue: int | None) -> None:
    """Refuse a form shown on an older state of the draft (optimistic lock)."""
    if revision_attendue is None:
        raise InvalidInput("Le formulaire est incomplet\u00a0: rechargez la page.")
    if revision_attendue != projet.revision:
        raise Conflict(PROJET_MODIFIE.format(vu=revision_attendue, est=projet.revision))


def verifier_modifiable(projet: Projet) -> None:
    if not ProjetStatut(projet.statut).modifiable:
        raise Conflict("Ce projet est adopté\u00a0: la version qu’il a produite ne peut plus changer. "
                       "Une correction passera par une nouvelle version.")


def ecrire_contenu(projet: Projet, contenu: ContenuProjet) -> int:
    """Store the draft's new content and move its revision on; returns how many approvals this dismissed."""
    ecartees = len(projet.approbations_valides())
    projet.contenu_json = contenu.json()
    projet.sha256 = empreinte(contenu, projet.base_version.sha256)
    projet.revision += 1
    return ecartees


def nettoyer_motif(raw: str | None, field: str = "motif") -> str:
    return nettoyer_texte(raw, field, "le motif", MOTIF_MAX)


def _texte_clause(raw: str | None, field: str = "texte") -> str:
    return normalise_text(nettoyer_texte(raw, field, "le texte de la clause", TEXTE_MAX))


# --- Consolidation -------------------------------------------------------------------------------


def _clauses(version: Version) -> list[ClauseTexte]:
    return [ClauseTexte(c.ref, c.theme_position, c.position, c.theme, c.titre, c.texte) for c in version.clauses]


def proposition(amendement: Amendement) -> Proposition:
    """An adopted amendment as the merge sees it: named by its number (the merge's reasons say « n° 3 »),
    its current revision; a title left as it was is no change."""
    revision = amendement.revision
    nature = Nature(amendement.nature)
    titre = revision.titre if nature != Nature.MODIFICATION or revision.titre != revision.base_titre else ""
    return Proposition(
        id=amendement.numero, nature=nature.value, ref=amendement.clause_ref, base_texte=revision.base_texte,
        texte=revision.texte, titre=titre, theme_position=amendement.theme_position,
        position=amendement.position if nature == Nature.AJOUT else None,
    )


@dataclass(frozen=True)
class Consolidation:
    projet: Projet
    appliques: int
    conflits: int
    caducs: int


def consolider(tour: Tour, *, actor: User) -> Consolidation:
    """Build the draft of the next version from the round's adopted amendments (exact merge, conflicts kept
    apart, moot amendments made caducs); one draft per round, whoever clicks first."""
    verifier_comite(actor)
    tour = db.session.execute(select(Tour).where(Tour.id == tour.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()
    if TourStatut(tour.statut) != TourStatut.CLOS:
        raise Conflict("Ce tour n’est pas clos\u00a0: on ne consolide qu’après la clôture des votes.")
    if db.session.scalar(select(Projet.id).filter_by(tour_id=tour.id)) is not None:
        raise Conflict("Ce tour est déjà consolidé\u00a0: son projet de version existe.")
    charte = tour.charte
    encours = db.session.scalar(select(Projet).filter_by(en_cours_charte_id=charte.id))
    if encours is not None:
        raise Conflict(f"Un projet de version de cette charte attend encore d’être adopté "
                       f"(tour «\u00a0{encours.tour.titre}\u00a0»)\u00a0: terminez-le d’abord.")
    base = charte.versions[-1]
    amendements = list(db.session.scalars(
        select(Amendement).filter_by(tour_id=tour.id, statut=AmendementStatut.ADOPTE).order_by(Amendement.id)
        .options(selectinload(Amendement.revisions), selectinload(Amendement.departement))))
    par_numero = {a.numero: a for a in amendements}
    resultat = fusionner(_clauses(base), [proposition(a) for a in amendements])
    contenu = ContenuProjet(base.titre, base.preambule, themes_du_resultat(base.themes, resultat.clauses),
                            resultat.clauses)
    now = maintenant()
    projet = Projet(
        charte_id=charte.id, tour_id=tour.id, en_cours_charte_id=charte.id, base_version_id=base.id,
        statut=ProjetStatut.EDITION, revision=1, contenu_json=contenu.json(), sha256=empreinte(contenu, base.sha256),
        appliques_json=json.dumps(sorted(par_numero[n].id for n in resultat.appliquees)), created_at=now, created_by_id=actor.id,
    )
    db.session.add(projet)
    db.session.flush()  # the unique constraints decide here between two committee members
    for conflit in resultat.conflits:
        db.session.add(ConflitFusion(
            projet_id=projet.id, ref=conflit.ref,
            amendements_json=json.dumps([par_numero[n].id for n in conflit.propositions]), raison=conflit.raison, base=conflit.base, courant=conflit.courant,
            suggestion=conflit.meilleur_effort, created_at=now,
        ))
    for numero, motif in resultat.caduques:
        amendement = par_numero[numero]
        changer_statut(amendement, AmendementStatut.CADUC, motif)
        record("amendement.caduc", actor, f"amendement:{amendement.id}", numero=amendement.numero, motif=motif,
               projet=projet.id)
    db.session.flush()
    record("projet.consolide", actor, f"projet:{projet.id}", charte=charte.id, tour=tour.id, base=base.numero,
           sha256=projet.sha256, appliques=list(resultat.appliquees),
           conflits=len(resultat.conflits), caducs=[n for n, _ in resultat.caduques])
    return Consolidation(projet, len(resultat.appliquees), len(resultat.conflits), len(resultat.caduques))


# --- Conflicts -----------------------------------------------------------------------------------


def resoudre_conflit(conflit: ConflitFusion, titre: str | None, texte: str | None, motif: str | None,
                     retenus: list[int] | None, revision_attendue: int | None, *, actor: User) -> int:
    """Write the merged text of a conflict's clause, with the reason; the amendments not taken into it
    become caducs. Returns the number of approvals the change dismissed."""
    verifier_comite(actor)
    projet = verrouiller(conflit.projet)
    verifier_modifiable(projet)
    db.session.refresh(conflit)
    if conflit.resolu_at is not None:
        raise Conflict(f"Ce conflit a déjà été résolu par {conflit.resolu_par.nom}\u00a0: sa résolution ne change plus.")
    verifier_revision(projet, revision_attendue)
    titre = nettoyer_titre(titre)
    texte = _texte_clause(texte)
    motif = nettoyer_motif(motif)
    retenus = sorted(set(retenus or []))
    if any(i not in conflit.amendement_ids for i in retenus):
        raise InvalidInput("Un amendement coché ne fait pas partie de ce conflit.", "retenus")
    contenu = projet.contenu
    if contenu.clause(conflit.ref) is None:
        raise Conflict(f"La clause {conflit.ref} ne figure plus dans le projet.")
    ecartees = ecrire_contenu(projet, contenu.avec_clause(conflit.ref, titre, texte))
    conflit.resolu_at, conflit.resolu_par_id, conflit.motif = maintenant(), actor.id, motif
    conflit.titre, conflit.texte, conflit.retenus_json = titre, texte, json.dumps(retenus)
    conflit.revision = projet.revision
    projet.appliques_json = json.dumps(sorted(set(projet.appliques) | set(retenus)))
    amendements = amendements_par_id(conflit.amendement_ids)
    ecartes = [i for i in conflit.amendement_ids if i not in retenus]
    for i in ecartes:
        changer_statut(amendements[i], AmendementStatut.CADUC,
                       f"Écarté lors de la résolution du conflit sur la clause {conflit.ref}\u00a0: {motif}")
        record("amendement.caduc", actor, f"amendement:{i}", numero=amendements[i].numero, projet=projet.id,
               motif=amendements[i].motif)
    db.session.flush()
    record("projet.conflit_resolu", actor, f"projet:{projet.id}", conflit=conflit.id, clause=conflit.ref,
           retenus=[amendements[i].numero for i in retenus], ecartes=[amendements[i].numero for i in ecartes],
           motif=motif, revision=projet.revision, sha256=projet.sha256, approbations_ecartees=ecartees)
    return ecartees


# --- Editorial corrections -----------------------------------------------------------------------


def corriger_projet(projet: Projet, ref: str | None, titre: str | None, texte: str | None, motif: str | None,
                    revision_attendue: int | None, *, actor: User) -> tuple[Correction, int]:
    """An editorial correction of one clause (typo, wording, numbering in the text), with its reason; it is
    listed in the changelog as such. Returns it and the number of approvals it dismissed."""
    verifier_comite(actor)
    projet = verrouiller(projet)
    verifier_modifiable(projet)
    verifier_revision(projet, revision_attendue)
    contenu = projet.contenu
    clause = contenu.clause(ref or "")
    if clause is None:
        raise InvalidInput("Choisissez une clause du projet dans la liste.", "ref")
    titre = nettoyer_titre(titre)
    texte = _texte_clause(texte)
    motif = nettoyer_motif(motif)
    if titre == clause.titre and texte == clause.texte:
        raise InvalidInput("Cette correction ne change rien au texte de la clause.", "texte")
    ecartees = ecrire_contenu(projet, contenu.avec_clause(clause.ref, titre, texte))
    correction = Correction(
        projet_id=projet.id, ref=clause.ref, titre_avant=clause.titre, titre_apres=titre, texte_avant=clause.texte,
        texte_apres=texte, motif=motif, auteur_id=actor.id, created_at=maintenant(), revision=projet.revision,
    )
    db.session.add(correction)
    db.session.flush()
    record("projet.corrige", actor, f"projet:{projet.id}", correction=correction.id, clause=clause.ref, motif=motif,
           revision=projet.revision, sha256=projet.sha256, approbations_ecartees=ecartees)
    return correction, ecartees
