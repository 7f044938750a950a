"""What the draft, comparison and changelog pages show, each loaded in a fixed number of queries (never one
per clause nor per amendment): the pages cost the same on a 300-clause charter as on a small one."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from charte.accounts.models import User
from charte.amendements.etats import AmendementStatut
from charte.amendements.models import Amendement
from charte.chartes.models import Charte, Version
from charte.consolidation.contenu import ContenuProjet
from charte.consolidation.models import ConflitFusion, Correction, Decision, Projet
from charte.consolidation.verification import contenu_de_version
from charte.exceptions import NotFound
from charte.extensions import db
from charte.scrutins.models import Resultat
from charte.textes.comparaison import Bilan, ClauseComparee, bilan, comparer


def charger_projet(projet_id: int) -> Projet:
    """A draft with everything its pages show (conflicts, corrections, decisions and their authors)."""
    projet = db.session.scalar(select(Projet).where(Projet.id == projet_id).options(
        selectinload(Projet.conflits).selectinload(ConflitFusion.resolu_par),
        selectinload(Projet.corrections).selectinload(Correction.auteur),
        selectinload(Projet.decisions).selectinload(Decision.user).selectinload(User.departement),
        selectinload(Projet.tour), selectinload(Projet.charte), selectinload(Projet.version),
        selectinload(Projet.base_version).selectinload(Version.clauses)))
    if projet is None:
        raise NotFound("Ce projet de version n’existe pas.")
    return projet


def amendements_avec_resultats(condition, revisions: bool = False) -> list[tuple[Amendement, Resultat | None]]:
    """Amendments matching a condition, in number order, with their department (and revisions) and vote
    result, in a fixed number of queries."""
    options = [selectinload(Amendement.departement)] + ([selectinload(Amendement.revisions)] if revisions else [])
    amendements = list(db.session.scalars(select(Amendement).where(condition).order_by(Amendement.numero)
                                          .options(*options)))
    resultats = {r.amendement_id: r for r in db.session.scalars(
        select(Resultat).where(Resultat.amendement_id.in_([a.id for a in amendements])))} if amendements else {}
    return [(a, resultats.get(a.id)) for a in amendements]


def amendements_de(ids, revisions: bool = False) -> list[tuple[Amendement, Resultat | None]]:
    return amendements_avec_resultats(Amendement.id.in_(sorted(set(ids))), revisions)


def caducs_du_tour(tour_id: int) -> list[tuple[Amendement, Resultat | None]]:
    return amendements_avec_resultats((Amendement.tour_id == tour_id) & (Amendement.statut == AmendementStatut.CADUC))


@dataclass
class Comparaison:
    avant: ContenuProjet
    apres: ContenuProjet
    clauses: tuple[ClauseComparee, ...]
    bilan: Bilan
    changees: list[ClauseComparee] = field(default_factory=list)


def comparer_contenus(avant: ContenuProjet, apres: ContenuProjet) -> Comparaison:
    clauses = comparer(avant.clauses, apres.clauses)
    return Comparaison(avant, apres, clauses, bilan(clauses), [c for c in clauses if c.statut != "inchangee"])


def versions_avec_clauses(charte: Charte, numeros: list[int]) -> dict[int, Version]:
    """Some of a charter's versions, by number, with their clauses (one query); 404 for a number it lacks."""
    trouvees = {v.numero: v for v in db.session.scalars(
        select(Version).where(Version.charte_id == charte.id, Version.numero.in_(numeros))
        .options(selectinload(Version.clauses)))}
    for numero in numeros:
        if numero not in trouvees:
            raise NotFound(f"La version {numero} de cette charte n’existe pas.")
    return trouvees


def comparer_versions(charte: Charte, de: int, a: int) -> Comparaison:
    versions = versions_avec_clauses(charte, [de, a])
    return comparer_contenus(contenu_de_version(versions[de]), contenu_de_version(versions[a]))


@dataclass
class Modifications:
    """A version's changelog."""

    version: Version
    projet: Projet | None
    integres: list[tuple[Amendement, Resultat | None]]
    caducs: list[tuple[Amendement, Resultat | None]]
    conflits: list[ConflitFusion]
    corrections: list[Correction]
    approbations: list[Decision]
    numeros: dict[int, int]  # amendment id -> its number, for the resolutions


def modifications_de_version(charte: Charte, numero: int) -> Modifications:
    """Integrated amendments (department, vote, link), resolved conflicts, editorial corrections, approvals."""
    version = db.session.scalar(select(Version).filter_by(charte_id=charte.id, numero=numero))
    if version is None:
        raise NotFound(f"La version {numero} de cette charte n’existe pas.")
    projet = db.session.scalar(select(Projet).where(Projet.version_id == version.id).options(
        selectinload(Projet.conflits).selectinload(ConflitFusion.resolu_par),
        selectinload(Projet.corrections).selectinload(Correction.auteur),
        selectinload(Projet.decisions).selectinload(Decision.user).selectinload(User.departement),
        selectinload(Projet.tour)))
    integres = amendements_avec_resultats(Amendement.integre_version_id == version.id)
    caducs, numeros = [], {a.id: a.numero for a, _ in integres}
    if projet is not None:
        caducs = caducs_du_tour(projet.tour_id)
        numeros.update({a.id: a.numero for a, _ in caducs})
    return Modifications(
        version=version, projet=projet, integres=integres, caducs=caducs,
        conflits=list(projet.conflits) if projet else [], corrections=list(projet.corrections) if projet else [],
        approbations=projet.approbations_valides() if projet else [], numeros=numeros,
    )
