"""A committee ready to consolidate: a charter, a closed round (threshold 2 of 3), three committee
members, agents of two departments, and a factory of adopted amendments with their vote result."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from charte.extensions import db
from charte.journal.models import JournalEntry


@dataclass
class Scene:
    charte: object
    tour: object
    comites: list  # three committee members
    agent: object  # agent of department A
    autre: object  # agent of department B


@pytest.fixture
def scene(make_user, make_departement, make_charte, make_tour) -> Scene:
    a = make_departement("Direction des finances")
    b = make_departement("Service de l’état civil")
    charte = make_charte()
    return Scene(
        charte=charte,
        tour=make_tour(charte, statut="clos", validation_seuil=2),
        comites=[make_user("comite", departement=b, nom=nom) for nom in
                 ("Dominique Martin", "Alix Moreau", "Sacha Petit")],
        agent=make_user("agent", departement=a, nom="Camille Durand"),
        autre=make_user("agent", departement=b, nom="Lou Bernard"),
    )


@pytest.fixture
def adopte(scene, make_amendement):
    """Factory: an adopted amendment of the scene's round with its result (pour, contre, abstention)."""
    from charte.scrutins.models import Resultat

    def make(ref: str | None = "RESP-1", texte: str | None = None, nature: str = "modification", auteur=None,
             titre: str | None = None, votes=(12, 3, 1), position: int | None = None, theme_position: int | None = None):
        amendement = make_amendement(tour=scene.tour, auteur=auteur or scene.agent, nature=nature, ref=ref,
                                     texte=texte, statut="adopte", titre=titre)
        if nature == "ajout":
            amendement.position = position
            amendement.theme_position = theme_position or 1
        pour, contre, abstention = votes
        db.session.add(Resultat(amendement_id=amendement.id, tour_id=scene.tour.id, electeurs=40,
                                votants=pour + contre + abstention, pour=pour, contre=contre, abstention=abstention,
                                quorum_atteint=True, adopte=True, calcule_at=amendement.created_at))
        db.session.commit()
        return amendement

    return make


def clause_texte(scene, ref: str) -> str:
    return scene.charte.version_courante.clause(ref).texte


def remplacer(scene, ref: str, avant: str, apres: str) -> str:
    texte = clause_texte(scene, ref)
    assert texte.count(avant) == 1, (ref, avant)
    return texte.replace(avant, apres)


def journal_count(action: str | None = None) -> int:
    query = select(func.count()).select_from(JournalEntry)
    if action:
        query = query.filter_by(action=action)
    return db.session.scalar(query)


def snapshot() -> tuple:
    """Row counts and the draft's state: equal before and after a refused action."""
    from charte.amendements.models import Amendement
    from charte.chartes.models import Version
    from charte.consolidation.models import ConflitFusion, Correction, Decision, Projet

    db.session.rollback()
    projets = tuple(db.session.execute(select(Projet.id, Projet.statut, Projet.revision, Projet.sha256)
                                       .order_by(Projet.id)))
    conflits = tuple(db.session.execute(select(ConflitFusion.id, ConflitFusion.resolu_at).order_by(ConflitFusion.id)))
    statuts = tuple(db.session.execute(select(Amendement.id, Amendement.statut).order_by(Amendement.id)))
    actions = db.session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.action.not_in(
        ("connexion.reussie", "deconnexion", "csrf.refuse", "acces.refuse", "identite.confirmee"))))
    counts = tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Correction, Decision, Version))
    return projets, conflits, statuts, counts, actions
