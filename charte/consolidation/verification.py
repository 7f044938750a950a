"""Audit of the approvals: each adopted version must carry enough approvals, each bound to that version's text.

`verifier_approbations()` returns the first problem found, or None. It recomputes, from the adopted
version's own rows (title, preamble, themes, clauses) and its parent's SHA-256, the draft SHA-256 that
the approvals signed (charte.consolidation.contenu.empreinte), so that a changed clause, a changed
approval or an approval moved onto another text is detected without trusting the draft's stored hash.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from charte.chartes.models import Version
from charte.chartes.snapshot import ThemeData
from charte.consolidation.contenu import ContenuProjet, empreinte
from charte.consolidation.models import Decision, Projet, ProjetStatut, Sens
from charte.extensions import db
from charte.textes.fusion import ClauseTexte


@dataclass(frozen=True)
class ProblemeApprobation:
    """The first broken item: the draft (and version) concerned, the decision if any, and why, in French."""

    projet_id: int
    version_id: int | None
    decision_id: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def contenu_de_version(version: Version) -> ContenuProjet:
    """A version's content in the draft's canonical form (what its approvals signed)."""
    return ContenuProjet(
        titre=version.titre,
        preambule=version.preambule,
        themes=tuple(ThemeData(t.titre, t.intro) for t in version.themes),
        clauses=tuple(ClauseTexte(c.ref, c.theme_position, c.position, c.theme, c.titre, c.texte)
                      for c in version.clauses),
    )


def verifier_approbations() -> ProblemeApprobation | None:
    """Check every adopted draft's version against the approvals that adopted it; the first problem or None."""
    projets = db.session.scalars(
        select(Projet).where(Projet.statut == ProjetStatut.ADOPTE).order_by(Projet.id)
        .options(selectinload(Projet.version).selectinload(Version.clauses), selectinload(Projet.decisions),
                 selectinload(Projet.charte), selectinload(Projet.tour)))
    for projet in projets:
        nom = f"charte n°\u00a0{projet.charte_id} «\u00a0{projet.charte.titre}\u00a0»"
        version = projet.version
        if version is None:
            return ProblemeApprobation(projet.id, None, None,
                                       f"{nom}\u00a0: le projet de version n°\u00a0{projet.id} est adopté sans version.")
        where = f"{nom}, version {version.numero}"
        attendu = empreinte(contenu_de_version(version), version.parent_sha256 or "")
        if projet.sha256 != attendu:
            return ProblemeApprobation(projet.id, version.id, None,
                                       f"{where}\u00a0: son texte ne correspond plus au projet approuvé "
                                       f"(empreinte {attendu[:12]}…, approuvée {projet.sha256[:12]}…).")
        approbations = [d for d in projet.decisions if d.sens == Sens.APPROUVE and d.revision == projet.revision]
        for decision in approbations:
            if decision.sha256 != attendu:
                return ProblemeApprobation(projet.id, version.id, decision.id,
                                           f"{where}\u00a0: l’approbation n°\u00a0{decision.id} porte sur l’empreinte "
                                           f"{decision.sha256[:12]}…, pas sur le texte adopté ({attendu[:12]}…).")
        if len({d.user_id for d in approbations}) < projet.seuil:
            return ProblemeApprobation(projet.id, version.id, None,
                                       f"{where}\u00a0: {len(approbations)} approbation(s) pour un seuil de "
                                       f"{projet.seuil}.")
    return None


def approbations_de_version(version: Version) -> list[Decision]:
    """The approvals an adopted version carries (those that adopted it), with their authors; one query."""
    projet_id = select(Projet.id).where(Projet.version_id == version.id).scalar_subquery()
    revision = select(Projet.revision).where(Projet.version_id == version.id).scalar_subquery()
    return list(db.session.scalars(
        select(Decision).where(Decision.projet_id == projet_id, Decision.revision == revision,
                               Decision.sens == Sens.APPROUVE)
        .order_by(Decision.id).options(selectinload(Decision.user))))
