"""A small authority for the amendment tests: two departments, their agents, a committee member, a
charter and its open round (in its submission window)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from charte.extensions import db
from charte.journal.models import JournalEntry


@dataclass
class Scene:
    auteur: object  # agent of department A
    collegue: object  # another agent of department A
    autre: object  # agent of department B
    comite: object  # committee member (department B)
    charte: object
    tour: object


@pytest.fixture
def scene(make_user, make_departement, make_charte, make_tour) -> Scene:
    a = make_departement("Direction des finances")
    b = make_departement("Service de l’état civil")
    charte = make_charte()
    return Scene(
        auteur=make_user("agent", departement=a, nom="Camille Durand"),
        collegue=make_user("agent", departement=a, nom="Lou Bernard"),
        autre=make_user("agent", departement=b, nom="Sacha Petit"),
        comite=make_user("comite", departement=b, nom="Dominique Martin"),
        charte=charte,
        tour=make_tour(charte),
    )


def journal_count() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot() -> tuple:
    """Row counts of everything an amendment action may write: equal before and after a refusal."""
    from charte.amendements.models import Amendement, Commentaire, CommentaireEdition, Cosignature, Revision
    from charte.notifications.models import Notification

    db.session.rollback()
    actions = db.session.scalar(select(func.count()).select_from(JournalEntry).where(
        # The tests log in and out; refused access and CSRF failures are journalled as security traces.
        JournalEntry.action.not_in(("connexion.reussie", "deconnexion", "acces.refuse", "csrf.refuse"))))
    return tuple(rows(m) for m in (Amendement, Revision, Cosignature, Commentaire, CommentaireEdition,
                                   Notification)) + (actions,)
