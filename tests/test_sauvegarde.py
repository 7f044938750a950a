"""Backup and restore: byte-identical round trips, refusals that write nothing, one snapshot, both databases."""
import contextlib
import json
import os
import uuid
from datetime import date, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, func, insert, select
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import make_url

from charte.accounts.models import User
from charte.accounts.authentification import authenticate
from charte.accounts.services import creer_compte, creer_departement
from charte.chartes.models import Charte, VersionStatut
from charte.chartes.services import _write_version
from charte.config import PROJECT_ROOT
from charte.demo import fill_demo
from charte.extensions import db
from charte.publication.services import publier
from charte.journal.models import JournalEntry
from charte.sauvegarde import services as sauvegarde
from charte.sauvegarde.format import read_header, read_tables, serialise
from tests.conftest import PASSWORD, CharteRunner, _empty_all_tables, _pg_admin_connect, make_app

# Values that a database or a JSON writer could get wrong: quotes, controls, non-BMP, separators.
AWKWARD = "« Élodie » l’a dit : \"ok\"\\n\t\u2028🙂 ñ"


def _awkward_value(column):
    kind = column.type
    if isinstance(kind, sqltypes.Enum):
        return kind.enums[-1]
    if isinstance(kind, sqltypes.Boolean):
        return True
    if isinstance(kind, sqltypes.Integer):
        return 1
    if isinstance(kind, sqltypes.String):
        return (AWKWARD * 20)[: kind.length or 200]
    if isinstance(kind, sqltypes.DateTime):
        return datetime(2026, 3, 29, 1, 59, 59, 123456)
    if isinstance(kind, sqltypes.Date):
        return date(2026, 3, 29)
    if isinstance(kind, sqltypes.LargeBinary):
        return bytes(range(256))
    raise AssertionError(f"no sample value for {column}")


# Columns whose CHECK constraints the generic sample values would break: ordered windows of a round.
CONSTRAINED = {
    "tours": {"depot_debut_at": datetime(2026, 3, 1, 8, 0, 0, 1), "depot_fin_at": datetime(2026, 3, 15, 18, 0),
              "vote_debut_at": datetime(2026, 3, 16, 8, 0), "vote_fin_at": datetime(2026, 3, 29, 1, 59, 59, 123456)},
    # A made-up draft must not claim to have adopted a version: audit-verify would rightly refuse it.
    "projets_version": {"statut": "edition"},
}


def _fill_empty_tables_generically() -> None:
    """One row in each table the services left empty, pointing to existing rows: every table is covered."""
    for table in db.metadata.sorted_tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            continue
        row = {}
        for column in table.columns:
            if column is table.autoincrement_column:
                continue
            targets = [fk.column for fk in column.foreign_keys]
            if targets and targets[0].table is table:
                row[column.name] = None
            elif targets:
                row[column.name] = db.session.scalar(select(func.min(targets[0])))
            else:
                row[column.name] = _awkward_value(column)
        row.update(CONSTRAINED.get(table.name, {}))
        db.session.execute(insert(table).values(row))
    db.session.commit()


def _fill_through_the_services() -> None:
    fill_demo(PASSWORD)
    db.session.commit()
    authenticate("admin@belval.example", PASSWORD, "192.0.2.1")
    charte = db.session.scalars(select(Charte)).one()
    v1 = charte.versions[0]
    publier(v1, None)  # a real signed PDF (binary column): its bytes must come back identical
    db.session.commit()
    themes = [{"titre": t.titre, "intro": t.intro} for t in v1.themes]
    clauses = [{"ref": c.ref, "theme": c.theme, "theme_position": c.theme_position, "position": c.position,
                "titre": c.titre, "texte": c.texte + "\n\nAjout : « voir » l’annexe."} for c in v1.clauses]
    _write_version(charte, charte.titre, v1.preambule, themes, clauses, VersionStatut.SOUMISE, None, "Révision")
    db.session.commit()
    _fill_empty_tables_generically()


@pytest.fixture
def filled(app, signing):
    """A database filled through the real services, every table holding at least one row."""
    _fill_through_the_services()
    empty = [t.name for t in db.metadata.sorted_tables if not db.session.scalar(select(func.count()).select_from(t))]
    assert empty == []
    db.session.rollback()  # the test's session holds no transaction (on SQLite, no write lock) from here
    return app


def _total_rows() -> int:
    db.session.rollback()
    return sum(db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables)


def _export(runner, path) -> bytes:
    result = runner.invoke(args=["charte", "export-json", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _head() -> tuple[int, str]:
    last = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)).one()
    return last.seq, last.hash


def test_export_import_export_is_byte_identical_and_the_journal_verifies(filled, runner, tmp_path, monkeypatch):
    calls, real_hook = [], sauvegarde.apres_restauration
    monkeypatch.setattr(sauvegarde, "apres_restauration",
                        lambda seq, digest: (calls.append((seq, digest)), real_hook(seq, digest)))
    head, rows = _head(), _total_rows()
    first = _export(runner, tmp_path / "premiere.json")
    assert oct(os.stat(tmp_path / "premiere.json").st_mode & 0o777) == "0o600"  # password hashes inside
    _empty_all_tables()
    result = runner.invoke(args=["charte", "import-json", str(tmp_path / "premiere.json")])
    assert result.exit_code == 0, result.output
    tables = len(db.metadata.sorted_tables)
    assert f"Sauvegarde restaurée\u00a0: {tables}\u00a0tables, {rows}\u00a0lignes\u00a0; journal jusqu’à " \
           f"l’entrée n°\u00a0{head[0]}." in result.output
    assert calls == [head]
    assert _total_rows() == rows and _head() == head
    assert _export(runner, tmp_path / "seconde.json") == first
    audit = runner.invoke(args=["charte", "audit-verify"])
    assert audit.exit_code == 0, audit.output


def test_a_restore_attests_its_journal_head_in_this_instances_checkpoints(filled, runner, tmp_path):
    """Restored on a machine whose checkpoint file is new: the restore writes the head, so audit-verify holds."""
    from charte.journal.checkpoints import read_checkpoints
    from charte.journal.keys import checkpoint_path

    head = _head()
    _export(runner, tmp_path / "sauvegarde.json")
    _empty_all_tables()
    checkpoint_path().unlink(missing_ok=True)  # a new instance: same journal key, no checkpoint yet
    result = runner.invoke(args=["charte", "import-json", str(tmp_path / "sauvegarde.json")])
    assert result.exit_code == 0, result.output
    heads, _broken = read_checkpoints()
    assert [(h.seq, h.hash) for h in heads] == [head]
    audit = runner.invoke(args=["charte", "audit-verify"])
    assert audit.exit_code == 0, audit.output


def test_the_file_describes_itself(filled, runner, tmp_path):
    data = json.loads(_export(runner, tmp_path / "s.json"))
    assert (data["format"], data["version"], data["schema"]) == ("charte-sauvegarde", 1, sauvegarde.code_revision())
    seq, digest = _head()
    assert data["tete_du_journal"]["numero"] == seq and data["tete_du_journal"]["empreinte"] == digest
    assert list(data["tables"]) == sorted(t.name for t in db.metadata.sorted_tables)
    users = data["tables"]["users"]
    assert users["colonnes"][0] == "id" and [row[0] for row in users["lignes"]] == sorted(r[0] for r in users["lignes"])
    versions = data["tables"]["versions"]
    statut = versions["colonnes"].index("statut")
    assert {row[statut] for row in versions["lignes"]} >= {"publiee", "soumise"}


def test_restored_ids_do_not_collide_with_new_rows(filled, runner, tmp_path):
    _export(runner, tmp_path / "s.json")
    highest = db.session.scalar(select(func.max(User.id)))
    _empty_all_tables()
    assert runner.invoke(args=["charte", "import-json", str(tmp_path / "s.json")]).exit_code == 0
    dep = creer_departement("Service créé après la restauration", None)
    user, _ = creer_compte("apres@belval.example", "Après Restauration", dep, {"agent"}, None, password=PASSWORD)
    db.session.commit()
    assert user.id == highest + 1


def test_the_hook_gets_an_empty_head_for_an_empty_journal(app, runner, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(sauvegarde, "apres_restauration", lambda seq, digest: calls.append((seq, digest)))
    _export(runner, tmp_path / "vide.json")
    result = runner.invoke(args=["charte", "import-json", str(tmp_path / "vide.json")])
    assert result.exit_code == 0, result.output
    assert "0\u00a0ligne\u00a0; journal vide" in result.output
    assert calls == [(0, "0" * 64)]


# --- Refusals: each writes nothing ------------------------------------------------------------------


def _edited(content: bytes, edit) -> str:
    data = json.loads(content)
    edit(data)
    return json.dumps(data, ensure_ascii=False)


def _set_cell(table: str, column: str, value, row: int = 0):
    def edit(data):
        entry = data["tables"][table]
        entry["lignes"][row][entry["colonnes"].index(column)] = value
    return edit


def _drop_last_row(table: str):
    return lambda data: data["tables"][table]["lignes"].pop()


REFUSALS = {
    "truncated": (lambda c: c[: len(c) // 2].decode("utf-8", "ignore"), "n’est pas du JSON valide"),
    "not json": (lambda c: "sauvegarde du 12 mars", "n’est pas du JSON valide (ligne 1, colonne 1)"),
    "wrong format": (lambda c: _edited(c, lambda d: d.update(format="autre")), "n’est pas une sauvegarde de Charte"),
    "unknown version": (lambda c: _edited(c, lambda d: d.update(version=2)), "Version de format 2 inconnue"),
    "unknown schema": (lambda c: _edited(c, lambda d: d.update(schema="9999_futur")),
                       "La sauvegarde a été faite avec le schéma 9999_futur"),
    "unknown table": (lambda c: _edited(c, lambda d: d["tables"].update(fantome={"colonnes": [], "lignes": []})),
                      "Table inconnue de ce schéma\u00a0: fantome"),
    "missing table": (lambda c: _edited(c, lambda d: d["tables"].pop("journal")),
                      "Table absente de la sauvegarde\u00a0: journal"),
    "unknown column": (lambda c: _edited(c, lambda d: d["tables"]["users"]["colonnes"].__setitem__(1, "courriel")),
                       "inconnu\u00a0: courriel"),
    "wrong type": (lambda c: _edited(c, _set_cell("users", "is_admin", "oui")),
                   "colonne «\u00a0is_admin\u00a0»\u00a0: true ou false attendu"),
    "too long": (lambda c: _edited(c, _set_cell("departements", "nom", "x" * 121)), "121 caractères pour 120"),
    "bad date": (lambda c: _edited(c, _set_cell("journal", "at_dt", "2026-02-30T00:00:00.000000")),
                 "date impossible"),
    "unknown state": (lambda c: _edited(c, _set_cell("versions", "statut", "abrogee")),
                      "colonne «\u00a0statut\u00a0»\u00a0: l’une des valeurs"),
    "journal cut short": (lambda c: _edited(c, _drop_last_row("journal")), "«\u00a0tete_du_journal\u00a0» ne "
                          "correspond pas"),
    # Valid in itself, refused by the database once half the rows are in: all of them are rolled back.
    "dangling reference": (lambda c: _edited(c, _set_cell("version_clauses", "version_id", 999)),
                           "La base a refusé une ligne de la table «\u00a0version_clauses\u00a0»"),
    "duplicate key": (lambda c: _edited(c, lambda d: d["tables"]["departements"]["lignes"].append(
        d["tables"]["departements"]["lignes"][0])), "La base a refusé une ligne de la table «\u00a0departements\u00a0»"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_file_is_refused_and_nothing_is_written(filled, runner, tmp_path, case, monkeypatch):
    calls = []
    monkeypatch.setattr(sauvegarde, "apres_restauration", lambda *head: calls.append(head))
    content = _export(runner, tmp_path / "s.json")
    edit, message = REFUSALS[case]
    bad = tmp_path / "abimee.json"
    bad.write_text(edit(content), encoding="utf-8")
    _empty_all_tables()
    result = runner.invoke(args=["charte", "import-json", str(bad)])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Rien n’a été importé." in result.output
    assert _total_rows() == 0 and calls == []


def test_a_file_that_is_not_utf8_is_refused(app, runner, tmp_path):
    bad = tmp_path / "binaire.json"
    bad.write_bytes(b'{"format": "\xff"}')
    result = runner.invoke(args=["charte", "import-json", str(bad)])
    assert result.exit_code == 1 and "n’est pas un texte UTF-8 (octet 12)" in result.output
    assert _total_rows() == 0


def test_a_database_that_is_not_empty_is_refused(filled, runner, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(sauvegarde, "apres_restauration", lambda *head: calls.append(head))
    content = _export(runner, tmp_path / "s.json")
    rows = _total_rows()
    result = runner.invoke(args=["charte", "import-json", str(tmp_path / "s.json")])
    assert result.exit_code == 3
    assert "La base n’est pas vide (tables departements" in result.output and "Rien n’a été importé." in result.output
    assert _total_rows() == rows and calls == []
    assert _export(runner, tmp_path / "apres.json") == content


def test_a_database_without_schema_is_refused_both_ways(tmp_path, instance_dir, app):
    bare = make_app(f"sqlite:///{tmp_path / 'nue.db'}", instance_dir)
    bare.test_cli_runner_class = CharteRunner
    with bare.app_context():
        runner = bare.test_cli_runner()
        export = runner.invoke(args=["charte", "export-json", "-o", str(tmp_path / "s.json")])
        assert export.exit_code == 1 and "La base n’a pas encore de schéma\u00a0: lancez d’abord `charte init`." \
            in export.output
        assert not (tmp_path / "s.json").exists()
        (tmp_path / "s.json").write_text('{"format": "charte-sauvegarde", "version": 1, "schema": "x", '
                                         '"tete_du_journal": null, "tables": {}}', encoding="utf-8")
        restore = runner.invoke(args=["charte", "import-json", str(tmp_path / "s.json")])
        assert restore.exit_code == 1 and "lancez d’abord `charte init`" in restore.output
        db.engine.dispose()


def test_export_to_a_missing_folder_says_so(app, runner, tmp_path):
    result = runner.invoke(args=["charte", "export-json", "-o", str(tmp_path / "absent" / "s.json")])
    assert result.exit_code == 1 and "impossible d’écrire" in result.output


# --- Order of rows inside a self-referencing table ---------------------------------------------------


def _swap_ids(data: dict, table: str, first: int, second: int) -> None:
    """Exchange two ids of a table in a backup, and every reference to them."""
    swap = {first: second, second: first}
    target = db.metadata.tables[table]
    for other in db.metadata.sorted_tables:
        entry = data["tables"][other.name]
        columns = [entry["colonnes"].index(c.name) for c in other.columns
                   if (other is target and c.primary_key) or any(fk.column.table is target for fk in c.foreign_keys)]
        for row in entry["lignes"]:
            for index in columns:
                row[index] = swap.get(row[index], row[index])


def test_a_child_with_a_smaller_id_than_its_parent_is_restored(filled, runner, tmp_path):
    """Version 2 points to version 1: give version 2 the smaller id, so that id order is not parent order
    (the demo's version 2, adopted from its first round; version 3 is the submitted revision on top)."""
    data = json.loads(_export(runner, tmp_path / "s.json"))
    _swap_ids(data, "versions", 1, 2)
    versions = data["tables"]["versions"]
    parent = versions["colonnes"].index("parent_id")
    assert {row[0]: row[parent] for row in versions["lignes"]} == {1: 2, 2: None, 3: 1}
    (tmp_path / "echange.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _empty_all_tables()
    result = runner.invoke(args=["charte", "import-json", str(tmp_path / "echange.json")])
    assert result.exit_code == 0, result.output
    charte = db.session.scalars(select(Charte)).one()
    assert [(v.id, v.numero, v.parent_id) for v in charte.versions] == [(2, 1, None), (1, 2, 2), (3, 3, 1)]
    schemas = [schema for _, schema in sauvegarde.table_schemas()]
    canonical = serialise(read_tables(read_header(json.dumps(data)), schemas), schemas)
    assert _export(runner, tmp_path / "apres.json").decode("utf-8") == canonical


# --- One snapshot, and no lock held against writers ---------------------------------------------------


def test_export_is_one_snapshot_that_writers_do_not_wait_for(filled, app):
    """A department and its first account are committed while the export is half-way: it holds neither."""
    written = []

    def write_meanwhile(conn, cursor, statement, *args):
        if written or "FROM users" not in statement:
            return
        written.append(True)
        with app.app_context():
            dep = creer_departement("Service arrivé pendant la sauvegarde", None)
            creer_compte("pendant@belval.example", "Arrivé Pendant", dep, {"agent"}, None, password=PASSWORD)
            db.session.commit()

    event.listen(db.engine, "before_cursor_execute", write_meanwhile)
    try:
        content, _ = sauvegarde.exporter_sauvegarde()
    finally:
        event.remove(db.engine, "before_cursor_execute", write_meanwhile)
    assert written
    assert "pendant@belval.example" not in content and "arrivé pendant la sauvegarde" not in content
    db.session.rollback()
    later, _ = sauvegarde.exporter_sauvegarde()
    assert "pendant@belval.example" in later and "arrivé pendant la sauvegarde" in later


def test_sqlite_export_reads_in_a_plain_begin(filled):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite’s")
    statements = []
    capture = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        sauvegarde.exporter_sauvegarde()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN"]


def test_every_column_type_of_the_schema_can_be_backed_up(app):
    schemas = sauvegarde.table_schemas()
    assert [table.name for table, _ in schemas] == [table.name for table in db.metadata.sorted_tables]
    assert all(len(schema.colonnes) == len(table.columns) for table, schema in schemas)


# --- Across SQLite and PostgreSQL ---------------------------------------------------------------------

PG_URL = os.environ.get("CHARTE_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def _fresh_database(kind: str, tmp_path):
    """An empty database of this kind, its schema built by the migrations, for the time of the block."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'restauree-{uuid.uuid4().hex[:6]}.db'}"
        return
    url = make_url(PG_URL)
    name = f"charte_restauree_{uuid.uuid4().hex[:10]}"
    try:
        with _pg_admin_connect(url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001  (the reason is in the skip message)
        pytest.skip(f"PostgreSQL injoignable sur {url.host}:{url.port}\u00a0: {exc}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with _pg_admin_connect(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore_elsewhere(url: str, instance_dir, source, tmp_path) -> bytes:
    """Restore the file into a second application on `url`, check it, and export it again."""
    other = make_app(url, instance_dir)
    other.test_cli_runner_class = CharteRunner
    with other.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        runner = other.test_cli_runner()
        result = runner.invoke(args=["charte", "import-json", str(source)])
        assert result.exit_code == 0, result.output
        audit = runner.invoke(args=["charte", "audit-verify"])
        assert audit.exit_code == 0, audit.output
        content = _export(runner, tmp_path / f"depuis-{db.engine.dialect.name}.json")
        db.session.remove()
        db.engine.dispose()
    return content


def test_restore_across_sqlite_and_postgresql_both_ways(filled, runner, tmp_path, instance_dir):
    here = db.engine.dialect.name
    there = "postgresql" if here == "sqlite" else "sqlite"
    original = _export(runner, tmp_path / "origine.json")
    with _fresh_database(there, tmp_path) as url:
        across = _restore_elsewhere(url, instance_dir, tmp_path / "origine.json", tmp_path)
    assert across == original
    (tmp_path / "retour.json").write_bytes(across)
    with _fresh_database(here, tmp_path) as url:
        back = _restore_elsewhere(url, instance_dir, tmp_path / "retour.json", tmp_path)
    assert back == original
