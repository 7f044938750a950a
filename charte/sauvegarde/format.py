"""The backup file, pure: kinds of columns, the JSON form of each value, the canonical text, the checks.

No SQLAlchemy and no Flask here: the database side (charte.sauvegarde.services) describes each table as
a `TableSchema` and hands over plain Python values. Everything a file says is checked here before a
single row is written; every value written into a file passes the same check, so that what is exported
can be restored (on SQLite as on PostgreSQL)."""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from charte.exceptions import InvalidInput

FORMAT = "charte-sauvegarde"
VERSION = 1
HEADER_KEYS = ("format", "version", "schema", "tete_du_journal", "tables")
TABLE_KEYS = ("colonnes", "lignes")
BASE64_KEY = "base64"  # the marker of binary values: {"base64": "…"}

# Kinds of columns (what the value is in Python and in JSON).
ENTIER = "entier"
TEXTE = "texte"
BOOLEEN = "booleen"
DATEHEURE = "dateheure"
DATE = "date"
BINAIRE = "binaire"
ENUMERATION = "enumeration"
KINDS = (ENTIER, TEXTE, BOOLEEN, DATEHEURE, DATE, BINAIRE, ENUMERATION)

INT32 = (-(2**31), 2**31 - 1)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SauvegardeInvalide(InvalidInput):
    """The file cannot be restored as it is: the reason, and where in the file."""


@dataclass(frozen=True)
class Colonne:
    """What a column accepts. `reference`: the column of the same table that this one points to (a parent)."""

    nom: str
    genre: str
    nullable: bool = False
    longueur: int | None = None
    bornes: tuple[int, int] = INT32
    valeurs: tuple[str, ...] = ()
    cle_primaire: bool = False
    reference: str | None = None


@dataclass(frozen=True)
class TableSchema:
    nom: str
    colonnes: tuple[Colonne, ...]

    @property
    def noms(self) -> tuple[str, ...]:
        return tuple(c.nom for c in self.colonnes)

    @property
    def cle(self) -> tuple[int, ...]:
        """Positions of the primary key's columns."""
        return tuple(i for i, c in enumerate(self.colonnes) if c.cle_primaire)


@dataclass(frozen=True)
class Sauvegarde:
    """A whole backup: the schema revision, a summary of the journal's head, and each table's rows
    (Python values, in the order of the table's columns)."""

    schema: str
    tables: dict[str, list[tuple]]
    tete_du_journal: dict | None = None

    @property
    def lignes(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


# --- One value --------------------------------------------------------------------------------------


def _describe(raw: Any) -> str:
    shown = json.dumps(raw, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _kind_label(colonne: Colonne) -> str:
    return {
        ENTIER: "un nombre entier",
        TEXTE: "un texte",
        BOOLEEN: "true ou false",
        DATEHEURE: "une date et heure AAAA-MM-JJTHH:MM:SS.ffffff",
        DATE: "une date AAAA-MM-JJ",
        BINAIRE: "un objet {\"base64\"\u00a0: …}",
        ENUMERATION: "l’une des valeurs " + ", ".join(colonne.valeurs),
    }[colonne.genre]


def decode_value(colonne: Colonne, raw: Any) -> Any:
    """The Python value of a JSON value for this column; ValueError with the reason when refused."""
    if raw is None:
        if colonne.nullable:
            return None
        raise ValueError("valeur obligatoire, null trouvé")
    genre = colonne.genre
    value: Any = None
    if genre == ENTIER and type(raw) is int:
        if not colonne.bornes[0] <= raw <= colonne.bornes[1]:
            raise ValueError(f"entier hors limites ({raw})")
        value = raw
    elif genre in (TEXTE, ENUMERATION) and type(raw) is str:
        _check_text(colonne, raw)
        value = raw
    elif genre == BOOLEEN and type(raw) is bool:
        value = raw
    elif genre == DATEHEURE and type(raw) is str and _DATETIME.fullmatch(raw):
        value = _parse(datetime.fromisoformat, raw)
    elif genre == DATE and type(raw) is str and _DATE.fullmatch(raw):
        value = _parse(date.fromisoformat, raw)
    elif genre == BINAIRE and type(raw) is dict and list(raw) == [BASE64_KEY] and type(raw[BASE64_KEY]) is str:
        value = _decode_base64(raw[BASE64_KEY])
    if value is None:
        raise ValueError(f"{_kind_label(colonne)} attendu, {_describe(raw)} trouvé")
    return value


def _check_text(colonne: Colonne, raw: str) -> None:
    if colonne.genre == ENUMERATION and raw not in colonne.valeurs:
        raise ValueError(f"{_kind_label(colonne)} attendue, {_describe(raw)} trouvé")
    if colonne.longueur is not None and len(raw) > colonne.longueur:
        raise ValueError(f"texte de {len(raw)} caractères pour {colonne.longueur} au plus")
    if "\x00" in raw:
        raise ValueError("caractère nul (U+0000) dans un texte")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("texte qui n’est pas de l’Unicode valide (demi-caractère isolé)") from None


def _parse(parse, raw: str):
    try:
        return parse(raw)
    except ValueError:
        raise ValueError(f"date impossible {_describe(raw)}") from None


def _decode_base64(text: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        data = None
    if data is None or base64.b64encode(data).decode("ascii") != text:
        raise ValueError("base64 non valide")
    return data


def encode_value(colonne: Colonne, value: Any) -> Any:
    """The JSON value of a Python value read from the database; ValueError when it could not be restored."""
    if value is None:
        raw = None
    elif colonne.genre == DATEHEURE and isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("date et heure avec fuseau (UTC sans fuseau attendu)")
        raw = value.isoformat(timespec="microseconds")
    elif colonne.genre == DATE and isinstance(value, date) and not isinstance(value, datetime):
        raw = value.isoformat()
    elif colonne.genre == BINAIRE and isinstance(value, (bytes, bytearray, memoryview)):
        raw = {BASE64_KEY: base64.b64encode(bytes(value)).decode("ascii")}
    else:
        raw = value
    decode_value(colonne, raw)  # what a restore would refuse is refused now, where it can still be fixed
    return raw


# --- Rows -------------------------------------------------------------------------------------------


def sorted_rows(schema: TableSchema, rows: Iterable[tuple]) -> list[tuple]:
    """Rows in primary-key order, compared in Python (code points for texts): the same on every database."""
    key = schema.cle
    if key:
        return sorted(rows, key=lambda row: tuple(row[i] for i in key))
    return sorted(rows, key=lambda row: json.dumps(_encoded(schema, row), ensure_ascii=False))


def insertion_order(schema: TableSchema, rows: list[tuple]) -> list[tuple]:
    """Rows reordered so that a row another row of the same table points to comes first (parents before
    children: foreign keys are checked at each insert). Rows are otherwise kept in their order."""
    links = [(i, schema.noms.index(c.reference)) for i, c in enumerate(schema.colonnes) if c.reference]
    if not links:
        return list(rows)
    indexes = {target: {row[target]: n for n, row in enumerate(rows)} for _, target in links}
    ordered, state = [], [0] * len(rows)  # 0 new, 1 being placed, 2 placed
    for start in range(len(rows)):
        stack = [start]
        while stack:
            n = stack[-1]
            if state[n] == 2:
                stack.pop()
                continue
            state[n] = 1
            waiting = None
            for source, target in links:
                parent = indexes[target].get(rows[n][source]) if rows[n][source] is not None else None
                if parent is None or parent == n or state[parent] == 2:
                    continue
                if state[parent] == 1:
                    raise SauvegardeInvalide(f"Table «\u00a0{schema.nom}\u00a0»\u00a0: références circulaires entre "
                                             f"lignes (colonne «\u00a0{schema.noms[source]}\u00a0»).")
                waiting = parent
                break
            if waiting is None:
                state[n] = 2
                ordered.append(rows[n])
                stack.pop()
            else:
                stack.append(waiting)
    return ordered


def _encoded(schema: TableSchema, row: tuple) -> list:
    return [encode_value(colonne, value) for colonne, value in zip(schema.colonnes, row)]


# --- The whole file ---------------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def serialise(sauvegarde: Sauvegarde, schemas: Iterable[TableSchema]) -> str:
    """The canonical text: header first, tables by name, rows by primary key, one row per line, a final newline.

    Nothing in it depends on when or where it was written: the same data always gives the same bytes."""
    by_name = {schema.nom: schema for schema in schemas}
    lines = [
        "{",
        f' "format": {_dumps(FORMAT)},',
        f' "version": {VERSION},',
        f' "schema": {_dumps(sauvegarde.schema)},',
        f' "tete_du_journal": {_dumps(sauvegarde.tete_du_journal)},',
        ' "tables": {',
    ]
    names = sorted(sauvegarde.tables)
    for number, name in enumerate(names, start=1):
        schema = by_name[name]
        rows = [_dumps(_encoded(schema, row)) for row in sorted_rows(schema, sauvegarde.tables[name])]
        lines.append(f"  {_dumps(name)}: {{")
        lines.append(f'   "colonnes": {_dumps(list(schema.noms))},')
        if rows:
            lines.append('   "lignes": [')
            lines.extend(f"    {row}," for row in rows[:-1])
            lines.append(f"    {rows[-1]}")
            lines.append("   ]")
        else:
            lines.append('   "lignes": []')
        lines.append("  }," if number < len(names) else "  }")
    lines += [" }", "}", ""]
    return "\n".join(lines)


def _refuse_constant(name: str):
    raise ValueError(f"{name} n’est pas une valeur JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise SauvegardeInvalide(f"La clé «\u00a0{key}\u00a0» apparaît deux fois au même endroit du fichier.")
        result[key] = value
    return result


def read_header(text: str) -> dict:
    """Parse the file and check its header (format, version, schema); the tables are checked by `read_tables`."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise SauvegardeInvalide(f"Ce fichier n’est pas du JSON valide (ligne {exc.lineno}, colonne {exc.colno})"
                                 "\u00a0: il est peut-être tronqué ou abîmé.") from None
    except ValueError as exc:
        raise SauvegardeInvalide(f"Ce fichier n’est pas du JSON valide\u00a0: {exc}.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise SauvegardeInvalide(
            "Ce fichier n’est pas une sauvegarde de Charte "
            f"(format {_describe(found)} au lieu de «\u00a0{FORMAT}\u00a0»)."
        )
    version = data.get("version")
    if version != VERSION or type(version) is not int:
        raise SauvegardeInvalide(f"Version de format {_describe(version)} inconnue\u00a0: cette version de Charte "
                                 f"lit les sauvegardes de version {VERSION}.")
    unknown = sorted(set(data) - set(HEADER_KEYS))
    missing = [key for key in HEADER_KEYS if key not in data]
    if unknown or missing:
        raise SauvegardeInvalide("En-tête de sauvegarde incomplet ou inconnu" + _keys_detail(missing, unknown) + ".")
    if type(data["schema"]) is not str or not data["schema"]:
        raise SauvegardeInvalide("La révision du schéma («\u00a0schema\u00a0») doit être un texte non vide.")
    if not isinstance(data["tables"], dict):
        raise SauvegardeInvalide("«\u00a0tables\u00a0» doit être un objet, une entrée par table.")
    return data


def _keys_detail(missing: list[str], unknown: list[str]) -> str:
    parts = ([f"manquant{'s' if len(missing) > 1 else ''}\u00a0: {', '.join(missing)}"] if missing else []) + \
        ([f"inconnu{'s' if len(unknown) > 1 else ''}\u00a0: {', '.join(unknown)}"] if unknown else [])
    return " (" + "\u00a0; ".join(parts) + ")"


def read_tables(data: dict, schemas: Iterable[TableSchema]) -> Sauvegarde:
    """Check every table, column and value of a parsed file against the schema; the backup in Python values."""
    by_name = {schema.nom: schema for schema in schemas}
    unknown = sorted(set(data["tables"]) - set(by_name))
    if unknown:
        raise SauvegardeInvalide(f"Table{'s' if len(unknown) > 1 else ''} inconnue{'s' if len(unknown) > 1 else ''} "
                                 f"de ce schéma\u00a0: {', '.join(unknown)}.")
    absent = [name for name in by_name if name not in data["tables"]]
    if absent:
        raise SauvegardeInvalide(f"Table{'s' if len(absent) > 1 else ''} absente{'s' if len(absent) > 1 else ''} "
                                 f"de la sauvegarde\u00a0: {', '.join(absent)}.")
    tables = {name: _read_table(schema, data["tables"][name]) for name, schema in by_name.items()}
    return Sauvegarde(schema=data["schema"], tables=tables, tete_du_journal=data["tete_du_journal"])


def _read_table(schema: TableSchema, entry: Any) -> list[tuple]:
    where = f"Table «\u00a0{schema.nom}\u00a0»"
    if not isinstance(entry, dict) or sorted(entry) != sorted(TABLE_KEYS):
        raise SauvegardeInvalide(f"{where}\u00a0: un objet avec exactement «\u00a0colonnes\u00a0» et «\u00a0lignes\u00a0» "
                                 "est attendu.")
    colonnes, lignes = entry["colonnes"], entry["lignes"]
    if not isinstance(colonnes, list) or not all(type(c) is str for c in colonnes) or not isinstance(lignes, list):
        raise SauvegardeInvalide(f"{where}\u00a0: «\u00a0colonnes\u00a0» doit être une liste de noms et «\u00a0lignes\u00a0» "
                                 "une liste de lignes.")
    unknown = sorted(set(colonnes) - set(schema.noms))
    missing = [name for name in schema.noms if name not in colonnes]
    if unknown or missing or len(colonnes) != len(set(colonnes)):
        detail = _keys_detail(missing, unknown) if unknown or missing else " (colonne en double)"
        raise SauvegardeInvalide(f"{where}\u00a0: colonnes différentes de celles du schéma{detail}.")
    by_name = {c.nom: c for c in schema.colonnes}
    positions = [colonnes.index(name) for name in schema.noms]
    rows = []
    for number, ligne in enumerate(lignes, start=1):
        if not isinstance(ligne, list) or len(ligne) != len(colonnes):
            raise SauvegardeInvalide(f"{where}, ligne {number}\u00a0: une liste de {len(colonnes)} valeurs est attendue.")
        values = []
        for position in positions:
            colonne = by_name[colonnes[position]]
            try:
                values.append(decode_value(colonne, ligne[position]))
            except ValueError as exc:
                raise SauvegardeInvalide(f"{where}, ligne {number}, colonne «\u00a0{colonne.nom}\u00a0»\u00a0: {exc}.") \
                    from None
        rows.append(tuple(values))
    return rows
