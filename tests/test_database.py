"""The database layer: migrations agree with the models, SQLite settings, concurrent writers, config."""
import os
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from charte.config import ConfigurationError, load_config
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.journal.services import record, verify_journal


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings only apply to the SQLite database")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_write_transactions_begin_immediate(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite’s")
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.engine.begin() as connection:
            connection.execute(text("SELECT 1"))
        with app.test_request_context("/", method="GET"):
            with db.engine.begin() as connection:
                connection.execute(text("SELECT 1"))
        with app.test_request_context("/", method="POST"):
            with db.engine.begin() as connection:
                connection.execute(text("SELECT 1"))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE"]


def test_concurrent_writers_wait_their_turn_and_the_chain_holds(app):
    """Two transactions append to the journal at once: neither fails, the chain does not fork."""
    errors = []
    barrier = threading.Barrier(2)

    def writer(name):
        try:
            with app.app_context():
                barrier.wait()
                record("parametre.modifie", None, f"parametre:{name}")
                time.sleep(0.3)  # hold the transaction open while the other one tries
                db.session.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.rollback()
    entries = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2]
    assert {e.target for e in entries} == {"parametre:a", "parametre:b"}
    assert verify_journal() is None


def _clear_env(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY", "CHARTE_DEMO", "FLASK_DEBUG", "CHARTE_AUTHORITY_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHARTE_INSTANCE_PATH", str(tmp_path))


def test_default_configuration_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    _clear_env(monkeypatch, tmp_path)
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'charte.db'}"
    key = config["SECRET_KEY_LOADER"]()
    assert len(key) >= 32
    assert load_config()["SECRET_KEY_LOADER"]() == key  # generated once, then read back
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"


def test_secret_key_is_required_with_a_configured_database(monkeypatch, tmp_path):
    _clear_env(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/charte")
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/charte"
    with pytest.raises(ConfigurationError, match="SECRET_KEY est obligatoire"):
        config["SECRET_KEY_LOADER"]()
    monkeypatch.setenv("SECRET_KEY", "court")
    with pytest.raises(ConfigurationError, match="au moins 32"):
        load_config()["SECRET_KEY_LOADER"]()
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert load_config()["SECRET_KEY_LOADER"]() == "k" * 40


def test_bad_numeric_setting_is_reported(monkeypatch, tmp_path):
    _clear_env(monkeypatch, tmp_path)
    monkeypatch.setenv("CHARTE_SESSION_HOURS", "huit")
    with pytest.raises(ConfigurationError, match="CHARTE_SESSION_HOURS"):
        load_config()


def test_authority_name_from_environment_wins(app):
    from charte.parametres import NOM_COLLECTIVITE, authority_name, set_parametre

    set_parametre(NOM_COLLECTIVITE, "Ville stockée")
    assert authority_name() == "Ville stockée"
    app.config["CHARTE_AUTHORITY_NAME"] = "Communauté de communes du Val"
    assert authority_name() == "Communauté de communes du Val"
    db.session.rollback()
