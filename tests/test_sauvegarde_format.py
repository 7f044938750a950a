"""The backup file's pure rules: values, canonical text, checks of a file, order of rows."""
import json
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte.sauvegarde.format import (
    BINAIRE, BOOLEEN, DATE, DATEHEURE, ENTIER, ENUMERATION, TEXTE, Colonne, Sauvegarde,
    SauvegardeInvalide, TableSchema, decode_value, encode_value, insertion_order, read_header, read_tables,
    serialise, sorted_rows,
)

ID = Colonne("id", ENTIER, cle_primaire=True)
STATUT = Colonne("statut", ENUMERATION, valeurs=("brouillon", "adoptee"), longueur=16)
COLONNES = {
    ENTIER: Colonne("n", ENTIER),
    TEXTE: Colonne("t", TEXTE, longueur=10),
    BOOLEEN: Colonne("b", BOOLEEN),
    DATEHEURE: Colonne("dt", DATEHEURE),
    DATE: Colonne("d", DATE),
    BINAIRE: Colonne("bin", BINAIRE),
    ENUMERATION: STATUT,
}
TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)))
VALUES = {
    ENTIER: st.integers(-(2**31), 2**31 - 1),
    TEXTE: TEXT.filter(lambda s: len(s) <= 10),
    BOOLEEN: st.booleans(),
    DATEHEURE: st.datetimes(),
    DATE: st.dates(),
    BINAIRE: st.binary(),
    ENUMERATION: st.sampled_from(STATUT.valeurs),
}


@pytest.mark.parametrize("genre", sorted(COLONNES))
@given(data=st.data())
def test_every_value_survives_encoding_and_json(genre, data):
    colonne = COLONNES[genre]
    value = data.draw(VALUES[genre])
    raw = json.loads(json.dumps(encode_value(colonne, value), ensure_ascii=False))
    assert decode_value(colonne, raw) == value
    assert type(decode_value(colonne, raw)) is type(value)


@pytest.mark.parametrize("raw, expected", [
    (datetime(2026, 3, 29, 1, 2, 3), "2026-03-29T01:02:03.000000"),
    (datetime(2026, 3, 29, 1, 2, 3, 45), "2026-03-29T01:02:03.000045"),
])
def test_datetimes_always_carry_microseconds(raw, expected):
    assert encode_value(COLONNES[DATEHEURE], raw) == expected


def test_binary_values_are_marked_base64():
    assert encode_value(COLONNES[BINAIRE], b"%PDF-\x00\xff") == {"base64": "JVBERi0A/w=="}
    assert encode_value(COLONNES[BINAIRE], memoryview(b"ab")) == {"base64": "YWI="}


@pytest.mark.parametrize("genre, raw, reason", [
    (ENTIER, "1", "nombre entier attendu"),
    (ENTIER, 1.0, "nombre entier attendu"),
    (ENTIER, True, "nombre entier attendu"),
    (ENTIER, 2**31, "hors limites"),
    (TEXTE, 3, "texte attendu"),
    (TEXTE, "x" * 11, "11 caractères pour 10"),
    (TEXTE, "a\x00b", "caractère nul"),
    (TEXTE, "\ud800", "Unicode valide"),
    (BOOLEEN, 1, "true ou false"),
    (BOOLEEN, "true", "true ou false"),
    (DATEHEURE, "2026-03-29 01:02:03.000000", "date et heure"),
    (DATEHEURE, "2026-03-29T01:02:03", "date et heure"),
    (DATEHEURE, "2026-03-29T01:02:03.000000+00:00", "date et heure"),
    (DATEHEURE, "2026-02-30T01:02:03.000000", "date impossible"),
    (DATE, "29/03/2026", "une date AAAA-MM-JJ"),
    (BINAIRE, "JVBERi0=", "base64"),
    (BINAIRE, {"base64": "not base64!"}, "base64 non valide"),
    (BINAIRE, {"base64": "YWI"}, "base64 non valide"),
    (BINAIRE, {"base64": "YWI=", "taille": 2}, "base64"),
    (ENUMERATION, "publiee", "l’une des valeurs brouillon, adoptee"),
    (ENUMERATION, None, "valeur obligatoire"),
])
def test_values_of_the_wrong_kind_are_refused(genre, raw, reason):
    with pytest.raises(ValueError, match=reason):
        decode_value(COLONNES[genre], raw)


def test_null_only_where_the_column_allows_it():
    assert decode_value(Colonne("x", TEXTE, nullable=True), None) is None
    with pytest.raises(ValueError, match="valeur obligatoire"):
        decode_value(Colonne("x", TEXTE), None)


@pytest.mark.parametrize("genre, value, reason", [
    (DATEHEURE, datetime(2026, 1, 1, tzinfo=timezone.utc), "fuseau"),
    (TEXTE, "trop long pour dix", "caractères"),
    (ENTIER, "12", "entier attendu"),
])
def test_export_refuses_what_could_not_be_restored(genre, value, reason):
    with pytest.raises(ValueError, match=reason):
        encode_value(COLONNES[genre], value)


# --- The whole file ---------------------------------------------------------------------------------

PARENT = Colonne("parent_id", ENTIER, nullable=True, reference="id")
NOTES = TableSchema("notes", (ID, Colonne("texte", TEXTE, nullable=True), PARENT, Colonne("le", DATEHEURE)))
REGLAGES = TableSchema("reglages", (Colonne("cle", TEXTE, longueur=64, cle_primaire=True), Colonne("valeur", TEXTE)))
SCHEMAS = [REGLAGES, NOTES]

ROWS = st.lists(st.tuples(TEXT, st.datetimes()), max_size=8)


def _sauvegarde(notes, reglages=()) -> Sauvegarde:
    return Sauvegarde("rev1", {"notes": list(notes), "reglages": list(reglages)}, {"numero": 3})


@given(notes=ROWS, reglages=st.dictionaries(TEXT.filter(lambda s: len(s) <= 64), TEXT, max_size=5))
def test_serialise_then_read_gives_back_the_same_backup_and_the_same_bytes(notes, reglages):
    rows = [(i + 1, texte, None, le) for i, (texte, le) in enumerate(notes)]
    sauvegarde = _sauvegarde(reversed(rows), reglages.items())
    content = serialise(sauvegarde, SCHEMAS)
    back = read_tables(read_header(content), SCHEMAS)
    assert back.tables == {"notes": rows, "reglages": sorted(reglages.items())}
    assert back.schema == "rev1" and back.tete_du_journal == {"numero": 3}
    assert serialise(back, SCHEMAS) == content


def test_canonical_text_layout():
    content = serialise(_sauvegarde([(2, "b", 1, datetime(2026, 1, 2)), (1, "à « é »", None, datetime(2026, 1, 1))]),
                        SCHEMAS)
    assert content == (
        '{\n "format": "charte-sauvegarde",\n "version": 1,\n "schema": "rev1",\n'
        ' "tete_du_journal": {"numero": 3},\n "tables": {\n'
        '  "notes": {\n   "colonnes": ["id", "texte", "parent_id", "le"],\n   "lignes": [\n'
        '    [1, "à « é »", null, "2026-01-01T00:00:00.000000"],\n'
        '    [2, "b", 1, "2026-01-02T00:00:00.000000"]\n   ]\n  },\n'
        '  "reglages": {\n   "colonnes": ["cle", "valeur"],\n   "lignes": []\n  }\n }\n}\n'
    )
    assert json.loads(content)["tables"]["notes"]["lignes"][0][1] == "à « é »"


def test_text_keys_sort_by_code_point_whatever_the_database_collation():
    rows = [("b",), ("B",), ("é",), ("a",), ("É",)]
    assert sorted_rows(TableSchema("t", (Colonne("k", TEXTE, cle_primaire=True),)), rows) == \
        [("B",), ("a",), ("b",), ("É",), ("é",)]


def _file(**changes) -> str:
    data = json.loads(serialise(_sauvegarde([(1, "x", None, datetime(2026, 1, 1))], [("k", "v")]), SCHEMAS))
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key) if isinstance(target, list) else key]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[int(keys[-1]) if isinstance(target, list) else keys[-1]] = value
    return json.dumps(data)


_DELETE = object()


def typographic(text: str) -> str:
    """The message as written, with its non-breaking spaces: tests are written with plain ones."""
    return text.replace(" : ", "\u00a0: ").replace("« ", "«\u00a0").replace(" »", "\u00a0»")


@pytest.mark.parametrize("content, reason", [
    ("", "pas du JSON valide (ligne 1, colonne 1)"),
    (_file()[:-40], "tronqué"),
    ('{"a": NaN}', "pas du JSON valide"),
    ("[1, 2]", "pas une sauvegarde de Charte"),
    (_file(format="autre-chose"), "pas une sauvegarde de Charte (format \"autre-chose\""),
    (_file(format=_DELETE), "pas une sauvegarde de Charte"),
    (_file(version=2), "Version de format 2 inconnue"),
    (_file(version="1"), "Version de format \"1\" inconnue"),
    (_file(version=True), "Version de format true inconnue"),
    (_file(exporte_le="2026-01-01"), "inconnu : exporte_le"),
    (_file(tete_du_journal=_DELETE), "manquant : tete_du_journal"),
    (_file(schema=""), "texte non vide"),
    (_file(tables=[]), "doit être un objet"),
    ('{"format": "charte-sauvegarde", "format": "x"}', "La clé « format » apparaît deux fois"),
])
def test_bad_headers_are_refused(content, reason):
    with pytest.raises(SauvegardeInvalide) as refused:
        read_tables(read_header(content), SCHEMAS)
    assert typographic(reason) in refused.value.message


@pytest.mark.parametrize("changes, reason", [
    ({"tables__inconnue": {"colonnes": [], "lignes": []}}, "Table inconnue de ce schéma : inconnue"),
    ({"tables__notes": _DELETE}, "Table absente de la sauvegarde : notes"),
    ({"tables__notes__colonnes": ["id", "texte", "parent_id", "le", "age"]}, "inconnu : age"),
    ({"tables__notes__colonnes": ["id", "texte", "parent_id"]}, "manquant : le"),
    ({"tables__notes__colonnes": ["id", "texte", "parent_id", "le", "id"]}, "colonne en double"),
    ({"tables__notes__poids": 3}, "exactement"),
    ({"tables__notes__lignes": {"1": []}}, "une liste de lignes"),
    ({"tables__notes__lignes__0": [1, "x", None]}, "ligne 1 : une liste de 4 valeurs"),
    ({"tables__notes__lignes__0__0": "un"}, "ligne 1, colonne « id » : un nombre entier attendu"),
    ({"tables__notes__lignes__0__3": None}, "colonne « le » : valeur obligatoire"),
])
def test_bad_tables_are_refused(changes, reason):
    with pytest.raises(SauvegardeInvalide) as refused:
        read_tables(read_header(_file(**changes)), SCHEMAS)
    assert typographic(reason) in refused.value.message


def test_columns_may_come_in_any_order():
    data = json.loads(_file())
    data["tables"]["notes"] = {"colonnes": ["le", "id", "parent_id", "texte"],
                               "lignes": [["2026-01-01T00:00:00.000000", 1, None, "x"]]}
    assert read_tables(data, SCHEMAS).tables["notes"] == [(1, "x", None, datetime(2026, 1, 1))]


# --- Order of insertion inside a self-referencing table ---------------------------------------------


@given(st.data())
def test_parents_are_inserted_before_their_children(data):
    count = data.draw(st.integers(0, 30))
    ids = data.draw(st.permutations(range(1, count + 1)))
    # A forest: each row points to one placed before it in `ids`, whatever the numbering.
    parents = [None if n == 0 or data.draw(st.booleans()) else ids[data.draw(st.integers(0, n - 1))]
               for n in range(count)]
    rows = sorted((ident, "", parent, datetime(2026, 1, 1)) for ident, parent in zip(ids, parents))
    ordered = insertion_order(NOTES, rows)
    assert sorted(ordered) == rows
    placed = set()
    for ident, _, parent, _ in ordered:
        assert parent is None or parent in placed
        placed.add(ident)
    if all(parent is None or parent < ident for ident, _, parent, _ in rows):
        assert ordered == rows  # already in order: nothing moves


def test_a_row_may_point_to_itself_but_a_cycle_is_refused():
    at = datetime(2026, 1, 1)
    assert insertion_order(NOTES, [(1, "", 1, at)]) == [(1, "", 1, at)]
    with pytest.raises(SauvegardeInvalide, match="références circulaires"):
        insertion_order(NOTES, [(1, "", 2, at), (2, "", 3, at), (3, "", 1, at)])
