"""Engine tuning: SQLite in WAL mode whose write transactions take the lock up front."""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option of a connection that only reads (the backup): a plain BEGIN even outside a request.
READ_ONLY = "charte_read_only"


def engine_options(database_uri: str) -> dict:
    """Engine options for the configured database."""
    if database_uri.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def _begin_statement(read_only: bool = False) -> str:
    """BEGIN IMMEDIATE for anything that may write; a plain BEGIN for page reads and read-only connections.

    In WAL mode a plain (deferred) BEGIN takes a snapshot at its first read and blocks no writer;
    BEGIN IMMEDIATE would hold the write lock for as long as the transaction lasts."""
    if read_only or (has_request_context() and request.method in READ_ONLY_METHODS):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def configure_sqlite(engine: Engine) -> None:
    """Enable WAL, foreign keys and a busy timeout; let SQLAlchemy emit BEGIN itself."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from pysqlite so that our BEGIN is the one used.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(_begin_statement(connection.get_execution_options().get(READ_ONLY, False)))
