"""The journal: what is recorded, append-only in the model layer and in the database itself (triggers),
tamper detection end to end, and the journal page (filters, pages, local time, readable targets)."""
import re
from datetime import datetime

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.exc import IntegrityError

from charte.chartes.models import Version, VersionClause, VersionStatut
from charte.extensions import db
from charte.immutability import ImmutableRowError
from charte.journal.keys import checkpoint_path
from charte.journal.models import JournalEntry
from charte.journal.services import journal_head, record, verify_journal
from charte.journal.triggers import FOUNDATION, installed_triggers
from tests.conftest import page_text, tamper


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
    assert journal_head() == (entries[-1].seq, entries[-1].hash)


def test_journal_head_of_an_empty_journal(app):
    assert journal_head() == (0, "0" * 64)


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


# --- The database refuses, whatever the path ------------------------------------------------------


def test_the_triggers_are_installed(app):
    expected = {name for frozen in FOUNDATION for name in frozen.trigger_names(db.engine.dialect.name)}
    assert expected <= installed_triggers(db.session.connection())


def _refused(statement, **params):
    with pytest.raises(IntegrityError, match="immuable"):
        db.session.execute(statement if not isinstance(statement, str) else text(statement), params)
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("sql", [
    "UPDATE journal SET details_json = '{}' WHERE seq = 1",
    "UPDATE journal SET hash = hash",
    "DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)",
    "DELETE FROM journal",
    "UPDATE version_clauses SET texte = 'Texte réécrit'",
    "DELETE FROM version_clauses",
    "UPDATE versions SET titre = 'Autre titre'",
    "UPDATE versions SET sha256 = :digest",
    "UPDATE versions SET numero = numero + 1",
    "DELETE FROM versions",
])
def test_raw_sql_tampering_is_refused_by_the_database(app, make_charte, sql):
    make_charte()
    before = db.session.execute(text("SELECT COUNT(*), MAX(hash) FROM journal")).one()
    _refused(sql, digest="f" * 64)
    assert db.session.execute(text("SELECT COUNT(*), MAX(hash) FROM journal")).one() == before
    assert verify_journal() is None


def test_truncate_is_refused_on_postgresql(app, make_charte):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL’s (SQLite’s DELETE without WHERE fires the triggers)")
    make_charte()
    for table in ("journal", "version_clauses", "versions"):
        _refused(f"TRUNCATE {table} CASCADE")


def test_life_cycle_fields_of_a_version_may_still_change_in_sql(app, make_charte):
    version_id = make_charte().versions[0].id
    db.session.execute(text("UPDATE versions SET statut = 'publiee', published_at = CURRENT_TIMESTAMP, "
                            "titre = titre WHERE id = :id"), {"id": version_id})
    db.session.commit()
    assert db.session.get(Version, version_id).statut is VersionStatut.PUBLIEE


def test_orm_bulk_paths_that_skip_the_model_guard_are_refused_by_the_database(app, make_charte):
    charte = make_charte()
    version = charte.versions[0]
    entry = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).first()
    clause = version.clauses[0]
    paths = [
        lambda: db.session.bulk_update_mappings(JournalEntry, [{"id": entry.id, "actor_label": "x"}]),
        lambda: db.session.bulk_update_mappings(Version, [{"id": version.id, "titre": "Autre"}]),
        lambda: db.session.bulk_update_mappings(VersionClause, [{"id": clause.id, "texte": "Autre"}]),
        lambda: db.session.execute(update(JournalEntry.__table__).values(target="x")),
        lambda: db.session.execute(update(Version.__table__).values(preambule="x")),
        lambda: db.session.execute(JournalEntry.__table__.delete()),
        lambda: db.session.execute(text("UPDATE version_clauses SET titre = 'x' WHERE id = :id"), {"id": clause.id}),
    ]
    for run in paths:
        with pytest.raises(IntegrityError, match="immuable"):
            run()
            db.session.flush()
        db.session.rollback()
    # bulk_save_objects on a loaded row issues an UPDATE without the flush the model guard watches.
    entry = db.session.get(JournalEntry, entry.id)
    db.session.expunge(entry)
    entry.action = "deconnexion"
    with pytest.raises(IntegrityError, match="immuable"):
        db.session.bulk_save_objects([entry])
    db.session.rollback()
    assert verify_journal() is None


# --- audit-verify on tampered rows ----------------------------------------------------------------


@pytest.mark.parametrize("sql, seq, reason", [
    ("UPDATE journal SET details_json = '{\"nom\": \"Autre\"}' WHERE seq = 2", 2, "contenu"),
    ("UPDATE journal SET actor_label = 'quelqu''un' WHERE seq = 3", 3, "contenu"),
    ("DELETE FROM journal WHERE seq = 2", 3, "manquante"),
])
def test_audit_verify_names_the_first_tampered_entry(runner, make_user, sql, seq, reason):
    make_user()
    make_user()
    assert runner.invoke(args=["charte", "audit-verify"]).exit_code == 0
    tamper(sql)
    result = runner.invoke(args=["charte", "audit-verify"])
    assert result.exit_code == 1
    assert f"entrée n° {seq}" in result.output and reason in result.output


def test_audit_verify_names_a_tampered_version(runner, make_charte):
    charte = make_charte()
    clause_id = charte.versions[0].clauses[2].id
    tamper("UPDATE version_clauses SET texte = 'Texte réécrit' WHERE id = :id", id=clause_id)
    result = runner.invoke(args=["charte", "audit-verify"])
    assert result.exit_code == 1
    assert "Journal\u00a0: intact" in result.output
    assert f"charte n° {charte.id}" in result.output and "version 1" in result.output


# --- The journal page ----------------------------------------------------------------------------


def _rows(response) -> list[str]:
    """The table's rows, as text, newest first."""
    body = response.get_data(as_text=True)
    return [re.sub(r"<[^>]+>", " ", row) for row in re.findall(r"<tr>\s*<td data-label.*?</tr>", body, re.S)]


def test_journal_page_shows_a_break_after_the_last_verified_entry(client, auth, make_user):
    comite = make_user("comite")
    auth.login(comite)
    assert "Chaîne du journal intacte" in page_text(client.get("/journal"))
    record("parametre.modifie", None, "parametre:x")
    record("parametre.modifie", None, "parametre:y")
    db.session.commit()
    seq = journal_head()[0]
    tamper("UPDATE journal SET target = 'falsifie' WHERE seq = :seq", seq=seq)
    page = page_text(client.get("/journal"))
    assert f"rompue à l’entrée n° {seq}" in page


def test_journal_page_reverifies_only_new_entries(app, client, auth, make_user):
    """An entry older than the last one verified is not re-read on every view; the full check sees it."""
    comite = make_user("comite")
    auth.login(comite)
    client.get("/journal")
    tamper("UPDATE journal SET target = 'falsifie' WHERE seq = 1")
    assert "Chaîne du journal intacte" in page_text(client.get("/journal"))
    response = client.submit("/journal/verification")
    assert response.status_code == 303 and response.headers["Location"].endswith("/journal#verification")
    page = page_text(client.get("/journal"))
    assert "ROMPU à l’entrée n° 1" in page and "anomalies constatées" in page
    last = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())).first()
    assert last.action == "journal.verifie" and last.details["resultat"] == "anomalies"
    assert last.actor_id == comite.id


def test_full_check_from_the_page_when_everything_holds(client, auth, make_user, make_charte):
    comite = make_user("comite")
    make_charte()
    auth.login(comite)
    assert client.submit("/journal/verification").status_code == 303
    page = page_text(client.get("/journal"))
    assert "Vérification complète\u00a0: tout est intact." in page
    assert "tout était intact" in page


def test_the_full_check_button_is_for_the_committee(client, auth, make_user):
    admin = make_user("admin")
    auth.login(admin)
    page = page_text(client.get("/journal"))
    assert "Journal des actions" in page and "Tout vérifier maintenant" not in page
    assert client.submit("/journal/verification").status_code == 403


@pytest.mark.parametrize("without_checkpoints", [False, True], ids=["checkpoints", "mark-only"])
def test_journal_page_sees_a_truncated_journal(client, auth, make_user, without_checkpoints):
    """Against the last checkpoint, or, if its file went too, against the last entry the page verified."""
    comite = make_user("comite")
    for index in range(5):
        record("parametre.modifie", None, f"parametre:{index}")
        db.session.commit()
    auth.login(comite)
    client.get("/journal")
    last = journal_head()[0]
    if without_checkpoints:
        checkpoint_path().unlink()
    tamper("DELETE FROM journal WHERE seq > :seq", seq=last - 3)
    page = page_text(client.get("/journal"))
    assert f"entrées n° {last - 2} à {last} manquantes" in page


def test_journal_page_paginates_and_keeps_the_filters(client, auth, make_user):
    comite = make_user("comite")
    for index in range(60):
        record("parametre.modifie", None, f"parametre:{index}")
    db.session.commit()
    auth.login(comite)
    first = page_text(client.get("/journal"))
    assert "Entrées 1 / 2" in first and "parametre:59" not in first  # targets are readable
    assert "Paramètre «\u00a059\u00a0»" in first and "Paramètre «\u00a00\u00a0»" not in first
    last = page_text(client.get("/journal?page=99"))
    assert "Entrées 2 / 2" in last and "Paramètre «\u00a00\u00a0»" in last
    assert client.get("/journal?page=abc").status_code == 200
    filtered = client.get("/journal?action=parametre.modifie&personne=systeme")
    body = filtered.get_data(as_text=True)
    assert "60\u00a0entrées correspondent aux filtres" in page_text(filtered)
    assert "page=2" in body and "action=parametre.modifie" in body and "personne=systeme" in body
    next_link = re.search(r'href="([^"]*page=2[^"]*)" rel="next"', body).group(1).replace("&amp;", "&")
    second = client.get(next_link)
    assert "Entrées 2 / 2" in page_text(second) and len(_rows(second)) == 10
    assert all("Paramètre modifié" in row for row in _rows(second))


def _record_at(monkeypatch, when: datetime, *args, **kwargs) -> None:
    monkeypatch.setattr("charte.journal.services.clock", lambda: when)
    record(*args, **kwargs)
    monkeypatch.undo()


def test_journal_filters_by_action_person_and_local_day(client, auth, make_user, monkeypatch):
    comite = make_user("comite", nom="Nadia Haddad")
    other = make_user("agent", nom="Julien Roux")
    for who, when in ((comite, datetime(2026, 1, 15, 22, 30)), (other, datetime(2026, 1, 15, 23, 30)),
                      (other, datetime(2026, 7, 1, 21, 59)), (other, datetime(2026, 7, 1, 22, 0))):
        _record_at(monkeypatch, when, "deconnexion", who, f"user:{who.id}")
    db.session.commit()
    auth.login(comite)
    by_person = client.get(f"/journal?action=deconnexion&personne={other.id}")
    assert by_person.status_code == 200 and len(_rows(by_person)) == 3
    # 15 January 23:30 UTC is 16 January 00:30 in Paris (UTC+01:00).
    day = client.get("/journal?action=deconnexion&du=2026-01-16&au=2026-01-16")
    rows = _rows(day)
    assert len(rows) == 1 and "16/01/2026 à 00:30:00 UTC+01:00" in rows[0]
    # 1 July 21:59 UTC is 23:59 in Paris (UTC+02:00); 22:00 UTC is already 2 July.
    summer = client.get("/journal?action=deconnexion&du=01/07/2026&au=01/07/2026")
    rows = _rows(summer)
    assert len(rows) == 1 and "01/07/2026 à 23:59:00 UTC+02:00" in rows[0]
    assert len(_rows(client.get("/journal?action=deconnexion&du=2026-07-02"))) == 1
    assert verify_journal() is None


@pytest.mark.parametrize("query, message", [
    ("action=inventee", "Choisissez une valeur proposée dans la liste."),
    ("personne=999999", "Choisissez une valeur proposée dans la liste."),
    ("personne=abc", "Choisissez une valeur proposée dans la liste."),
    ("du=31/02/2026", "Date non valide"),
    ("du=hier", "Date non valide"),
    ("du=0001-01-01", "Choisissez une date entre 1970 et 9000."),
    ("au=9999-12-31", "Choisissez une date entre 1970 et 9000."),
    ("du=2026-03-02&au=2026-03-01", "La date de fin précède la date de début."),
])
def test_journal_filters_bad_input(client, auth, make_user, query, message):
    comite = make_user("comite")
    auth.login(comite)
    before = db.session.scalar(select(func.count()).select_from(JournalEntry))
    response = client.get(f"/journal?{query}")
    assert response.status_code == 400
    page = page_text(response)
    assert message in page and "Les filtres contiennent des erreurs" in page and "<table" not in page
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == before


def test_journal_targets_are_readable_and_linked_for_admins(client, auth, make_user, make_charte,
                                                           make_departement):
    admin = make_user("admin+comite", nom="Paul Lefebvre")
    nadia = make_user("agent", nom="Nadia Haddad", departement=make_departement("Ressources humaines"))
    charte = make_charte("Charte de Belval")
    record("parametre.modifie", admin, "parametre:nom_collectivite", nouveau="Belval")
    db.session.commit()
    auth.login(admin)
    body = client.get("/journal").get_data(as_text=True)
    text_ = page_text(client.get("/journal"))
    assert "Compte de Nadia Haddad" in text_ and f'href="/admin/comptes/{nadia.id}"' in body
    assert "Service «\u00a0Ressources humaines\u00a0»" in text_
    assert f"Charte «\u00a0Charte de Belval\u00a0»" in text_ and f'href="/chartes/{charte.id}"' in body
    assert "Version 1 de la charte «\u00a0Charte de Belval\u00a0»" in text_
    assert f'href="/chartes/{charte.id}/versions/1"' in body
    assert "Modèle «\u00a0" in text_ and f'href="/admin/modeles/{charte.modele_id}"' in body
    assert "Paramètre «\u00a0nom de la collectivité\u00a0»" in text_
    assert "user:" not in text_ and "charte:" not in text_ and "version:" not in text_


def test_committee_sees_account_names_without_admin_links(client, auth, make_user):
    comite = make_user("comite", nom="Claire Moreau")
    make_user("agent", nom="Nadia Haddad")
    auth.login(comite)
    response = client.get("/journal")
    assert "Compte de Nadia Haddad" in page_text(response)
    assert "/admin/" not in response.get_data(as_text=True)


def test_journal_times_are_shown_in_paris_time(client, auth, make_user, monkeypatch):
    comite = make_user("comite")
    _record_at(monkeypatch, datetime(2026, 8, 1, 10, 0, 5), "parametre.modifie", None, "parametre:ete")
    db.session.commit()
    auth.login(comite)
    body = client.get("/journal?action=parametre.modifie").get_data(as_text=True)
    assert "01/08/2026 à 12:00:05 UTC+02:00" in body
    assert 'datetime="2026-08-01T10:00:05Z"' in body


def _queries_for(client, url: str) -> int:
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_journal_page_queries_do_not_grow_with_rows(client, auth, make_user, make_charte, make_departement):
    admin = make_user("admin+comite")
    auth.login(admin)
    modele = make_charte().modele
    client.get("/journal")
    few = _queries_for(client, "/journal")
    for index in range(8):
        make_user("agent", departement=make_departement(f"Service {index}"), nom=f"Agent {index}")
        make_charte(f"Charte {index}", modele=modele)
    client.get("/journal")  # verifies the new entries once
    many = _queries_for(client, "/journal")
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)) > 30
    assert many == few
