"""Database triggers that refuse to change what must stay as it was written (defence in depth).

The model layer (charte.immutability) already refuses such changes made through the ORM; these
triggers make the database itself refuse them, whatever the path: raw SQL, Core `update(table)`,
`bulk_update_mappings`, `bulk_save_objects`. Someone who owns the database can still drop them: the
keyed journal and its checkpoints are what detect that; `audit-verify` also checks they are in place.

Used by the migrations (each module that adds frozen tables installs its own with `install_triggers`)
and by the tests. On SQLite, a migration that rebuilds one of these tables (`batch_alter_table`)
drops its triggers with it: it must install them again afterwards."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

PG_FUNCTION = "charte_refuse_change"
PREFIX = "charte_"


@dataclass(frozen=True)
class FrozenTable:
    """A table whose rows are never deleted, and never updated except in the columns not listed.

    `columns` None: the whole row is frozen (no UPDATE at all); otherwise only those columns are."""

    table: str
    columns: tuple[str, ...] | None = None

    def trigger_names(self, dialect: str) -> tuple[str, ...]:
        names = (f"{PREFIX}{self.table}_no_update", f"{PREFIX}{self.table}_no_delete")
        return names + ((f"{PREFIX}{self.table}_no_truncate",) if dialect == "postgresql" else ())


# What the foundation freezes. A version's life-cycle fields (statut and its dates) still change.
FOUNDATION = (
    FrozenTable("journal"),
    FrozenTable("version_clauses"),
    FrozenTable("versions", ("id", "charte_id", "numero", "parent_id", "sha256", "parent_sha256", "titre",
                             "preambule", "themes_json", "note", "auteur_id", "created_at")),
)


def _message(table: str, operation: str) -> str:
    return f"Enregistrement immuable ({table})\u00a0: {operation} refusé par la base."


def _sqlite_ddl(frozen: FrozenTable) -> list[str]:
    update_name, delete_name = frozen.trigger_names("sqlite")
    when = ""
    if frozen.columns is not None:
        when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in frozen.columns)
    refuse = {operation: f"BEGIN SELECT RAISE(ABORT, '{_message(frozen.table, operation)}'); END"
              for operation in ("UPDATE", "DELETE")}
    return [
        f"CREATE TRIGGER {update_name} BEFORE UPDATE ON {frozen.table} FOR EACH ROW{when} {refuse['UPDATE']}",
        f"CREATE TRIGGER {delete_name} BEFORE DELETE ON {frozen.table} FOR EACH ROW {refuse['DELETE']}",
    ]


def _postgresql_function() -> str:
    message = _message("%", "%")
    # restrict_violation (23001): an integrity error, as SQLite's RAISE(ABORT) is.
    return (
        f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{message}', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation'; "
        "END $$"
    )


def _postgresql_ddl(frozen: FrozenTable) -> list[str]:
    update_name, delete_name, truncate_name = frozen.trigger_names("postgresql")
    when = ""
    if frozen.columns is not None:
        when = " WHEN (" + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in frozen.columns) + ")"
    run = f"EXECUTE FUNCTION {PG_FUNCTION}()"
    return [
        f"CREATE TRIGGER {update_name} BEFORE UPDATE ON {frozen.table} FOR EACH ROW{when} {run}",
        f"CREATE TRIGGER {delete_name} BEFORE DELETE ON {frozen.table} FOR EACH ROW {run}",
        f"CREATE TRIGGER {truncate_name} BEFORE TRUNCATE ON {frozen.table} FOR EACH STATEMENT {run}",
    ]


def install_triggers(connection: Connection, tables: tuple[FrozenTable, ...] = FOUNDATION) -> None:
    """Create the triggers of these tables (SQLite or PostgreSQL)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text(_postgresql_function()))
    for frozen in tables:
        for statement in (_postgresql_ddl(frozen) if dialect == "postgresql" else _sqlite_ddl(frozen)):
            connection.execute(text(statement))


def drop_triggers(connection: Connection, tables: tuple[FrozenTable, ...] = FOUNDATION) -> None:
    """Remove the triggers of these tables (the function stays: other tables may use it)."""
    dialect = connection.dialect.name
    for frozen in tables:
        for name in frozen.trigger_names(dialect):
            on = f" ON {frozen.table}" if dialect == "postgresql" else ""
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}{on}"))


def installed_triggers(connection: Connection) -> set[str]:
    """The names of this application's triggers present in the database."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE :prefix AND tgenabled <> 'D'"
        ), {"prefix": PREFIX + "%"})
    else:
        rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :prefix"),
                                  {"prefix": PREFIX + "%"})
    return {row[0] for row in rows}


def missing_triggers(connection: Connection, tables: tuple[FrozenTable, ...] = FOUNDATION) -> list[str]:
    """Triggers that these tables should have and that are absent (or disabled, on PostgreSQL)."""
    present = installed_triggers(connection)
    return [name for frozen in tables for name in frozen.trigger_names(connection.dialect.name) if name not in present]
