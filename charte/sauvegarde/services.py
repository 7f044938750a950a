"""Full backup and restore of the database, generic over every table the models declare.

The tables, their columns and the kind of each value come from `db.metadata` (every model is imported
by `charte.models`), so a table added by a later migration is backed up without a line here; a column
of a type this module does not know stops the export and the restore with its name (and a test).

Export: one read transaction, so that the file is one consistent state of the database even while
the application writes. On PostgreSQL a REPEATABLE READ, READ ONLY transaction; on SQLite a plain
(deferred) BEGIN — the project opens write transactions with BEGIN IMMEDIATE outside requests, which
would hold the write lock and make every writer wait for the whole export; in WAL mode a read
transaction sees the snapshot taken at its first read and blocks nobody.

Restore: the whole file is checked first (header, schema revision, tables, columns, every value),
then, in the session's transaction (BEGIN IMMEDIATE on SQLite; tables locked on PostgreSQL), the
database must be empty; rows are only INSERTed (the immutability triggers refuse UPDATE and DELETE,
not INSERT), tables in dependency order, parents before children inside a self-referencing table,
and PostgreSQL's sequences are moved past the restored ids. Nothing is journalled: an entry would
make the restored database differ from the file. The caller commits, then calls
`apres_restauration` with the restored journal's head."""
from __future__ import annotations

from dataclasses import dataclass

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import String, func, select, text, type_coerce
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import Column, Table

from charte import models  # noqa: F401  (every table registered with the metadata)
from charte.config import PROJECT_ROOT
from charte.database import READ_ONLY
from charte.exceptions import Conflict
from charte.extensions import db
from charte.hashing import GENESIS
from charte.journal.models import JournalEntry, format_at
from charte.sauvegarde.format import (
    BINAIRE, BOOLEEN, DATE, DATEHEURE, ENTIER, ENUMERATION, TEXTE, Colonne, Sauvegarde, SauvegardeInvalide,
    TableSchema, insertion_order, read_header, read_tables, serialise, sorted_rows,
)

MIGRATIONS = PROJECT_ROOT / "migrations"
_INTEGER_BOUNDS = {sqltypes.SmallInteger: 16, sqltypes.BigInteger: 64}


class BaseNonVide(Conflict):
    """A restore goes only into an empty database."""


@dataclass(frozen=True)
class Bilan:
    """What a backup holds: tables, rows, and the journal's head (number and hash; 0 and GENESIS when empty)."""

    tables: int
    lignes: int
    tete: tuple[int, str]


# --- The schema, read from the models ---------------------------------------------------------------


def _colonne(table: Table, column: Column) -> Colonne:
    kind = column.type
    common = {"nom": column.name, "nullable": bool(column.nullable), "cle_primaire": column.primary_key}
    parents = [fk.column.name for fk in column.foreign_keys if fk.column.table is table]
    if parents:
        common["reference"] = parents[0]
    if isinstance(kind, sqltypes.Enum):
        return Colonne(genre=ENUMERATION, valeurs=tuple(kind.enums), longueur=kind.length, **common)
    if isinstance(kind, sqltypes.Boolean):
        return Colonne(genre=BOOLEEN, **common)
    if isinstance(kind, sqltypes.Integer):
        bits = next((b for cls, b in _INTEGER_BOUNDS.items() if isinstance(kind, cls)), 32)
        return Colonne(genre=ENTIER, bornes=(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1), **common)
    if isinstance(kind, sqltypes.String):
        return Colonne(genre=TEXTE, longueur=kind.length, **common)
    if isinstance(kind, sqltypes.DateTime) and not kind.timezone:
        return Colonne(genre=DATEHEURE, **common)
    if isinstance(kind, sqltypes.Date):
        return Colonne(genre=DATE, **common)
    if isinstance(kind, sqltypes.LargeBinary):
        return Colonne(genre=BINAIRE, **common)
    raise SauvegardeInvalide(f"La colonne «\u00a0{table.name}.{column.name}\u00a0» est d’un type que la sauvegarde "
                             f"ne sait pas encore écrire ({kind!r}).")


def table_schemas() -> list[tuple[Table, TableSchema]]:
    """Every table in dependency order (a table after those it points to), with what each column accepts."""
    return [(table, TableSchema(table.name, tuple(_colonne(table, c) for c in table.columns)))
            for table in db.metadata.sorted_tables]


def code_revision() -> str:
    """The schema revision this version of Charte expects (the migrations' head)."""
    return ",".join(sorted(ScriptDirectory(str(MIGRATIONS)).get_heads()))


def _database_revision(connection: Connection) -> str:
    """The database's schema revision; refuses a database whose schema is not this code's."""
    current = ",".join(sorted(MigrationContext.configure(connection).get_current_heads()))
    expected = code_revision()
    if not current:
        raise SauvegardeInvalide("La base n’a pas encore de schéma\u00a0: lancez d’abord `charte init`.")
    if current != expected:
        raise SauvegardeInvalide(f"La base est au schéma {current}, cette version de Charte attend le schéma "
                                 f"{expected}\u00a0: mettez la base à jour avec `charte init`.")
    return current


def _check_file_revision(file_revision: str, database_revision: str) -> None:
    if file_revision == database_revision:
        return
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if set(file_revision.split(",")) <= known:
        advice = ("restaurez-la avec la version de Charte qui l’a faite (dans une base créée par son "
                  "`charte init`), puis mettez Charte à jour et lancez `charte init`")
    else:
        advice = "ce schéma est inconnu de cette version de Charte, mettez-la à jour puis lancez `charte init`"
    raise SauvegardeInvalide(f"La sauvegarde a été faite avec le schéma {file_revision}, la base est au schéma "
                             f"{database_revision}\u00a0: {advice}.")


def journal_head(tables: dict[str, list[tuple]]) -> dict | None:
    """The summary of the journal's last entry written in the file's header (None for an empty journal)."""
    names = [column.name for column in JournalEntry.__table__.columns]
    rows = tables.get(JournalEntry.__tablename__) or []
    if not rows:
        return None
    seq, digest, at_dt = (names.index(name) for name in ("seq", "hash", "at_dt"))
    last = max(rows, key=lambda row: row[seq])
    return {"numero": last[seq], "empreinte": last[digest], "ecrite_le": format_at(last[at_dt])}


def _bilan(sauvegarde: Sauvegarde) -> Bilan:
    head = sauvegarde.tete_du_journal
    return Bilan(len(sauvegarde.tables), sauvegarde.lignes,
                 (head["numero"], head["empreinte"]) if head else (0, GENESIS))


# --- Export -----------------------------------------------------------------------------------------


def _snapshot_options(dialect: str) -> dict:
    if dialect == "postgresql":
        return {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return {READ_ONLY: True}


def _read_table(connection: Connection, table: Table) -> list[tuple]:
    # Enumerations are read as the text stored, which is what a restore writes back.
    columns = [type_coerce(c, String()).label(c.name) if isinstance(c.type, sqltypes.Enum) else c
               for c in table.columns]
    return [tuple(row) for row in connection.execute(select(*columns))]


def exporter_sauvegarde() -> tuple[str, Bilan]:
    """The whole database as the canonical text of a backup, read in one snapshot."""
    schemas = table_schemas()
    connection = db.engine.connect().execution_options(**_snapshot_options(db.engine.dialect.name))
    with connection, connection.begin():
        revision = _database_revision(connection)
        tables = {table.name: _read_table(connection, table) for table, _ in schemas}
    sauvegarde = Sauvegarde(schema=revision, tables=tables, tete_du_journal=journal_head(tables))
    try:
        content = serialise(sauvegarde, [schema for _, schema in schemas])
    except ValueError as exc:
        raise SauvegardeInvalide(f"Une valeur de la base ne pourrait pas être restaurée ({exc})\u00a0: "
                                 "aucune sauvegarde n’a été écrite.") from None
    return content, _bilan(sauvegarde)


# --- Restore ----------------------------------------------------------------------------------------


def _lock_and_count(connection: Connection, tables: list[Table]) -> list[str]:
    """The tables that hold rows; on PostgreSQL, first lock them all against writers until the commit."""
    if connection.dialect.name == "postgresql":
        quote = connection.dialect.identifier_preparer.quote
        connection.execute(text(f"LOCK TABLE {', '.join(quote(t.name) for t in tables)} IN EXCLUSIVE MODE"))
    # SQLite: the session's transaction began with BEGIN IMMEDIATE, which already holds the write lock.
    return [t.name for t in tables if connection.scalar(select(func.count()).select_from(t))]


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL: the next id of each table follows the greatest restored one (rows were inserted with ids)."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        name, col = quote(table.name), quote(column.name)
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({col}), 1), MAX({col}) IS NOT NULL) "
            f"FROM {name}"
        ), {"table": name, "column": column.name})


def restaurer_sauvegarde(content: str) -> Bilan:
    """Check a whole backup, then insert it into this empty database (flushed in the session's transaction,
    not committed); any refusal raises before anything is written, a database error leaves it to the rollback."""
    data = read_header(content)
    schemas = table_schemas()
    connection = db.session.connection()
    _check_file_revision(data["schema"], _database_revision(connection))
    sauvegarde = read_tables(data, [schema for _, schema in schemas])
    if journal_head(sauvegarde.tables) != sauvegarde.tete_du_journal:
        raise SauvegardeInvalide("L’en-tête «\u00a0tete_du_journal\u00a0» ne correspond pas à la dernière entrée "
                                 "du journal contenue dans le fichier.")
    ordered = {schema.nom: insertion_order(schema, sorted_rows(schema, sauvegarde.tables[schema.nom]))
               for _, schema in schemas}
    tables = [table for table, _ in schemas]
    occupied = _lock_and_count(connection, tables)
    if occupied:
        raise BaseNonVide(f"La base n’est pas vide (tables {', '.join(occupied)})\u00a0: une sauvegarde ne se "
                          "restaure que dans une base vierge, créée par `charte init`.")
    for table, schema in schemas:
        rows = ordered[schema.nom]
        if not rows:
            continue
        try:
            connection.execute(table.insert(), [dict(zip(schema.noms, row)) for row in rows])
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            raise SauvegardeInvalide(f"La base a refusé une ligne de la table «\u00a0{table.name}\u00a0» ({reason}).") \
                from None
    _reset_sequences(connection, tables)
    return _bilan(sauvegarde)


def apres_restauration(head_seq: int, head_hash: str) -> None:
    """Called once a restore is committed, with the restored journal's head (0 and GENESIS when it is empty).

    The journal's checkpoints live outside the database; a restored database written by inserts gets none.
    This is where the checkpoint writer is connected, so that the restored head is attested in this
    instance's checkpoint file and `audit-verify` accepts it."""
    from charte.journal.chain import Head
    from charte.journal.checkpoints import append_checkpoint

    if head_seq:
        append_checkpoint(Head(head_seq, head_hash))
