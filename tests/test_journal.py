"""The journal: what is recorded, append-only in the model layer, tamper detection end to end."""
import pytest
from sqlalchemy import select, text, update

from charte.extensions import db
from charte.immutability import ImmutableRowError
from charte.journal.models import JournalEntry
from charte.journal.services import record, verify_journal
from tests.conftest import page_text


def test_entries_are_chained_in_order(app, make_user):
    make_user()
    record("parametre.modifie", None, "parametre:x", nouveau="1")
    db.session.commit()
    entries = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == "0" * 64
    for before, after in zip(entries, entries[1:]):
        assert after.prev_hash == before.hash
    assert verify_journal() is None


def test_unknown_action_is_refused(app):
    with pytest.raises(ValueError):
        record("inventee", None)


def test_journal_entries_cannot_be_changed_or_deleted_through_the_models(app, make_user):
    make_user()
    entry = db.session.scalars(select(JournalEntry)).first()
    entry.action = "deconnexion"
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(JournalEntry)).first())
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ImmutableRowError):
        db.session.execute(update(JournalEntry).values(actor_label="x"))
    db.session.rollback()


def _tamper(sql: str, **params) -> None:
    """Change the database behind the application's back, as someone with SQL access could."""
    db.session.execute(text(sql), params)
    db.session.commit()


@pytest.mark.parametrize("sql, seq, reason", [
    ("UPDATE journal SET details_json = '{\"nom\": \"Autre\"}' WHERE seq = 2", 2, "contenu"),
    ("UPDATE journal SET actor_label = 'quelqu''un' WHERE seq = 3", 3, "contenu"),
    ("DELETE FROM journal WHERE seq = 2", 3, "manquante"),
])
def test_audit_verify_names_the_first_tampered_entry(runner, make_user, sql, seq, reason):
    make_user()
    make_user()
    assert runner.invoke(args=["charte", "audit-verify"]).exit_code == 0
    _tamper(sql)
    result = runner.invoke(args=["charte", "audit-verify"])
    assert result.exit_code == 1
    assert f"entrée n° {seq}" in result.output and reason in result.output


def test_audit_verify_names_a_tampered_version(runner, make_charte):
    charte = make_charte()
    clause_id = charte.versions[0].clauses[2].id
    _tamper("UPDATE version_clauses SET texte = 'Texte réécrit' WHERE id = :id", id=clause_id)
    result = runner.invoke(args=["charte", "audit-verify"])
    assert result.exit_code == 1
    assert "Journal : intact" in result.output
    assert f"charte n° {charte.id}" in result.output and "version 1" in result.output


def test_journal_page_shows_a_break(client, auth, make_user):
    comite = make_user("comite")
    auth.login(comite)
    assert "Chaîne du journal intacte" in page_text(client.get("/journal"))
    _tamper("UPDATE journal SET target = 'falsifie' WHERE seq = 1")
    page = page_text(client.get("/journal"))
    assert "rompue à l’entrée n° 1" in page


def test_journal_page_paginates(client, auth, make_user):
    comite = make_user("comite")
    for index in range(60):
        record("parametre.modifie", None, f"parametre:{index}")
    db.session.commit()
    auth.login(comite)
    first = page_text(client.get("/journal"))
    assert "Entrées 1 / 2" in first and "parametre:59" in first and "parametre:0<" not in first
    last = page_text(client.get("/journal?page=99"))
    assert "Entrées 2 / 2" in last and "parametre:0<" in last
    assert client.get("/journal?page=abc").status_code == 200
