"""Ballots cast at the same moment from many threads: exact counts, one ballot per agent, no error.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with CHARTE_TEST_DATABASE_URL)."""
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.journal.services import verify_journal
from charte.scrutins.models import Bulletin, BulletinEvenement
from tests.conftest import AuthActions
from tests.scrutins.conftest import count

THREADS = 50


def run_at_once(app, jobs):
    """Run each job in its own thread and application context, all released together by a barrier."""
    db.session.commit()  # SQLite: the test's own reads must not hold the write lock while the threads run
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(i, job):
        try:
            with app.app_context():
                prepared = job.prepare()
                db.session.commit()  # SQLite: end the read's transaction before waiting
                barrier.wait(timeout=120)
                results[i] = job.go(prepared)
                db.session.commit()
        except Exception as exc:  # reported by the test
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    db.session.rollback()
    return results, errors


class Vote:
    """One call of the ballot service by one agent."""

    def __init__(self, amendement_id, user_id, choix):
        self.amendement_id, self.user_id, self.choix = amendement_id, user_id, choix

    def prepare(self):
        from charte.accounts.models import User
        from charte.amendements.models import Amendement

        return db.session.get(Amendement, self.amendement_id), db.session.get(User, self.user_id)

    def go(self, prepared):
        from charte.scrutins.services import voter

        amendement, user = prepared
        return voter(amendement, user, self.choix)[1]


@pytest.mark.parametrize("attempt", range(3))
def test_fifty_agents_vote_on_one_amendment_at_the_same_moment(app, scrutin, attempt):
    s = scrutin(agents=THREADS, services=5)
    amendement = s.amendements[0]
    choices = ["pour", "contre", "abstention"]
    jobs = [Vote(amendement.id, agent.id, choices[i % 3]) for i, agent in enumerate(s.electeurs)]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert results == ["depose"] * THREADS
    counted = Counter(c.value for c in db.session.scalars(
        select(Bulletin.choix).filter_by(amendement_id=amendement.id)))
    assert counted == Counter(choices[i % 3] for i in range(THREADS)) == {"pour": 17, "contre": 17, "abstention": 16}
    assert count(BulletinEvenement) == THREADS
    assert count(JournalEntry, action="bulletin.depose") == THREADS
    assert verify_journal() is None


@pytest.mark.parametrize("attempt", range(3))
def test_one_agent_double_submitting_from_fifty_threads_keeps_one_ballot(app, scrutin, attempt):
    s = scrutin(agents=2)
    amendement, agent = s.amendements[0], s.electeurs[1]
    jobs = [Vote(amendement.id, agent.id, "pour") for _ in range(THREADS)]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert sorted(results) == ["depose"] + ["inchange"] * (THREADS - 1)
    assert count(Bulletin) == 1 and count(BulletinEvenement) == 1
    assert count(JournalEntry, action="bulletin.depose") == 1 and count(JournalEntry, action="bulletin.modifie") == 0


@pytest.mark.parametrize("attempt", range(3))
def test_one_agent_changing_their_mind_from_fifty_threads(app, scrutin, attempt):
    s = scrutin(agents=2)
    amendement, agent = s.amendements[0], s.electeurs[1]
    choices = ["pour", "contre", "abstention"]
    jobs = [Vote(amendement.id, agent.id, choices[i % 3]) for i in range(THREADS)]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    outcomes = Counter(results)
    assert outcomes["depose"] == 1 and sum(outcomes.values()) == THREADS
    assert count(Bulletin) == 1
    # Every cast and every change is kept, and journalled; a resubmission of the same choice is neither.
    changes = outcomes["depose"] + outcomes["modifie"]
    assert count(BulletinEvenement) == changes
    assert count(JournalEntry, action="bulletin.modifie") == outcomes["modifie"]
    last = db.session.scalars(select(BulletinEvenement).order_by(BulletinEvenement.id.desc())).first()
    assert db.session.scalars(select(Bulletin)).one().choix == last.choix


class HttpVote:
    """The same double-submit through the web form: a logged-in client per thread."""

    def __init__(self, app, amendement_id, user):
        self.client = app.test_client()
        AuthActions(self.client).login(user)
        self.url = f"/amendements/{amendement_id}/bulletin"
        self.token = self.client.csrf_token()

    def prepare(self):
        return None

    def go(self, _prepared):
        return self.client.post(self.url, data={"csrf_token": self.token, "choix": "contre"}).status_code


@pytest.mark.parametrize("attempt", range(2))
def test_double_submits_through_the_form_never_give_an_error_page(app, scrutin, attempt):
    s = scrutin(agents=2)
    amendement, agent = s.amendements[0], s.electeurs[0]
    jobs = [HttpVote(app, amendement.id, agent) for _ in range(20)]
    results, errors = run_at_once(app, jobs)
    assert errors == []
    assert results == [302] * 20
    assert count(Bulletin) == 1 and count(BulletinEvenement) == 1
