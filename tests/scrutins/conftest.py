"""Rounds ready for the vote: a committee member, electors in departments, submitted amendments."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from charte.extensions import db
from charte.temps import maintenant
from tests.conftest import page_text


def texte(response) -> str:
    """The page's text, each tag read as a space, spaces collapsed (non-breaking ones kept)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def count(model, **criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**criteria))


def depot_termine(tour) -> None:
    """Move the round's submission window into the past (the vote may then open without a reason)."""
    now = maintenant()
    tour.depot_debut_at = now - timedelta(days=2)
    tour.depot_fin_at = now - timedelta(minutes=1)
    tour.vote_debut_at = now - timedelta(minutes=1)
    db.session.commit()


def vote_termine(tour) -> None:
    """Move the round's vote window into the past (it may then close without a reason)."""
    now = maintenant()
    tour.depot_fin_at = min(tour.depot_fin_at, now - timedelta(minutes=3))
    tour.vote_debut_at = now - timedelta(minutes=2)
    tour.vote_fin_at = now - timedelta(seconds=1)
    db.session.commit()


@dataclass
class Scrutin:
    tour: object
    comite: object
    amendements: list
    electeurs: list  # agents (the committee member is an elector too)
    departements: list = field(default_factory=list)


@pytest.fixture
def scrutin(app, make_tour, make_amendement, make_user, make_departement):
    """Factory: a round with its vote open (or only ready, `ouvrir=False`), `n` amendments by the first
    agent, `agents` agents spread over `services` departments, and the given frozen rules."""
    from charte.scrutins.services import ouvrir_vote

    def make(n: int = 1, agents: int = 3, services: int = 2, ouvrir: bool = True, departements=None, charte=None,
             **regles) -> Scrutin:
        deps = departements or [make_departement(f"Service {chr(65 + i)}") for i in range(services)]
        services = len(deps)
        comite = make_user("comite", departement=deps[0], nom="Dominique Martin")
        electeurs = [make_user("agent", departement=deps[i % services], nom=f"Agent {i}") for i in range(agents)]
        tour = make_tour(charte=charte, statut="depot", **regles)
        amendements = [make_amendement(tour=tour, auteur=electeurs[0] if electeurs else comite,
                                       ref=f"RESP-{1 + i % 4}") for i in range(n)]
        depot_termine(tour)
        if ouvrir:
            ouvrir_vote(tour, comite)
            db.session.commit()
        return Scrutin(tour, comite, amendements, electeurs, deps)

    return make
