"""Two committee members at the same moment, with real threads on the real database (SQLite or
PostgreSQL): one draft, not two; each approval counted once and the version adopted exactly once."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from charte.chartes.models import Version
from charte.consolidation import services, validation
from charte.consolidation.models import Decision, Projet, ProjetStatut
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.journal.services import verify_journal
from tests.consolidation.conftest import remplacer


def _en_meme_temps(app, actions):
    """Run each action in its own thread and application context, released together; commit each."""
    db.session.rollback()  # the test's own transaction must not hold SQLite's write lock meanwhile
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        with app.app_context():
            try:
                barrier.wait()
                action()
                db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # the loser's refusal, reported below
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.rollback()
    return sorted(outcomes)


def _approuver(projet_id: int, user_id: int):
    """An approval of the draft's revision 1 by this member, to run in a thread."""
    from charte.accounts.models import User

    return lambda: validation.decider_projet(db.session.get(Projet, projet_id), "approuve", "", 1,
                                             actor=db.session.get(User, user_id))


def _projet_soumis(scene) -> int:
    projet = services.consolider(scene.tour, actor=scene.comites[0]).projet
    db.session.commit()
    validation.soumettre_projet(projet, 1, actor=scene.comites[0])
    db.session.commit()
    return projet.id


def _count(model, **filters) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters))


@pytest.mark.parametrize("attempt", range(3))
def test_two_members_consolidating_at_once_make_one_draft(app, scene, adopte, attempt):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier", "courriel"))
    tour_id, ids = scene.tour.id, [m.id for m in scene.comites[:2]]

    def consolider(user_id):
        from charte.accounts.models import User
        from charte.tours.models import Tour

        return lambda: services.consolider(db.session.get(Tour, tour_id), actor=db.session.get(User, user_id))

    outcomes = _en_meme_temps(app, [consolider(i) for i in ids])
    assert outcomes[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert outcomes[0] in ("Conflict", "IntegrityError")
    assert _count(Projet) == 1
    assert _count(JournalEntry, action="projet.consolide") == 1
    assert verify_journal() is None


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvals_at_once_adopt_exactly_once(app, scene, adopte, attempt):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier", "courriel"))
    projet_id, ids = _projet_soumis(scene), [m.id for m in scene.comites]
    # Three members approve at once with a threshold of 2: all three are recorded in turn; the second
    # adopts; the third finds the draft adopted and is refused.
    outcomes = _en_meme_temps(app, [_approuver(projet_id, i) for i in ids])
    assert outcomes == ["Conflict", "ok", "ok"], outcomes
    projet = db.session.get(Projet, projet_id)
    assert projet.statut == ProjetStatut.ADOPTE
    assert _count(Decision, projet_id=projet_id) == 2
    assert _count(Version, charte_id=scene.charte.id) == 2
    assert _count(JournalEntry, action="projet.adopte") == 1
    assert verify_journal() is None


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_member_approving_twice_at_once_counts_once(app, scene, adopte, attempt):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier", "courriel"))
    projet_id, user_id = _projet_soumis(scene), scene.comites[1].id
    outcomes = _en_meme_temps(app, [_approuver(projet_id, user_id), _approuver(projet_id, user_id)])
    assert outcomes[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert _count(Decision, projet_id=projet_id) == 1
    assert db.session.get(Projet, projet_id).statut == ProjetStatut.SOUMIS
