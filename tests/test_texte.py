"""Pure rules on typed text: control characters, name keys, French plurals, the name after "de"."""
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte.texte import (
    complement_du_nom,
    de,
    control_character_message,
    first_control_character,
    name_key,
    pluriel,
    without_control_characters,
)

CONTROLS = [chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]]


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_every_control_character_is_found_in_a_single_line(char):
    assert first_control_character(f"Service{char}RH") == char


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_long_texts_keep_only_tab_and_line_ends(char):
    expected = None if char in "\t\n\r" else char
    assert first_control_character(f"Ligne{char}suite", multiline=True) == expected


@pytest.mark.parametrize("text", ["Systèmes d’information", "Élise\u00a0Fontaine", "« DSI »", "emoji 🙂",
                                  "\u200bespace nulle", "مرحبا", ""])
def test_ordinary_text_has_no_control_character(text):
    assert first_control_character(text) is None and first_control_character(text, multiline=True) is None


@given(st.text())
def test_the_first_one_is_reported_and_removing_them_leaves_none(text):
    found = first_control_character(text)
    assert found is None or text.index(found) == min(text.index(c) for c in set(text) if c in CONTROLS)
    assert first_control_character(without_control_characters(text)) is None


@pytest.mark.parametrize("char, words", [
    ("\x00", "U+0000"), ("\x1b", "U+001B"), ("\x85", "U+0085"), ("\n", "seule ligne"), ("\t", "tabulation")])
def test_messages_are_french_and_name_the_character(char, words):
    message = control_character_message(char)
    assert words in message and "\u00a0:" in message


@pytest.mark.parametrize("a, b", [
    ("Systèmes d'information", "Systèmes d’information"),
    ("Systèmes d‘information", "Systèmes d`information"),
    ("Systèmes d´information", "systèmes D’INFORMATION"),
    ("Pôle « Numérique »", 'Pôle "Numérique"'),
    ("Pôle “Numérique”", "Pôle «\u00a0Numérique\u00a0»"),
    ("Urbanisme – Voirie", "Urbanisme - Voirie"),
    ("Urbanisme — Voirie", "Urbanisme ‑ Voirie"),
    ("Urbanisme − Voirie", "Urbanisme ‐ Voirie"),
    ("  Ressources   humaines ", "Ressources\u00a0humaines"),
    ("Ressources\u202fhumaines", "Ressources\thumaines"),
    ("Ｓｙｓｔèmes", "Systèmes"),  # full-width letters (NFKC)
    ("Syste\u0300mes", "Systèmes"),  # decomposed accent (NFD) and composed
])
def test_names_that_differ_only_typographically_share_a_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("a, b", [
    ("Ressources humaines", "Ressources humaine"),
    ("Systèmes d’information", "Systemes d’information"),  # an accent is a letter, not typography
    ("Urbanisme-Voirie", "UrbanismeVoirie"),
    ("Service A", "Service B"),
])
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
def test_a_key_is_its_own_key(name):
    key = name_key(name)
    assert name_key(key) == key
    assert key == unicodedata.normalize("NFKC", key) and "’" not in key and "«" not in key


# Names as people type them: Latin letters with accents, the typographic signs that are folded, spaces.
LATIN_NAMES = st.text(alphabet=st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzàâçéèêëîïôöùûüÿœæ'’‘«»\"“”-–—‑ \u00a0\u202f\t"), max_size=40)


@given(LATIN_NAMES)
def test_the_key_ignores_case_and_outer_spacing(name):
    assert name_key(name.upper()) == name_key(name.lower()) == name_key(f"  {name}  ")


@pytest.mark.parametrize("count, expected", [(0, "0\u00a0thème"), (1, "1\u00a0thème"), (2, "2\u00a0thèmes"),
                                             (-1, "-1\u00a0thème"), (-2, "-2\u00a0thèmes")])
def test_plural(count, expected):
    assert pluriel(count, "thème") == expected


def test_plural_with_an_irregular_form():
    assert pluriel(3, "journal", "journaux") == "3\u00a0journaux"


@pytest.mark.parametrize("nom, complement", [
    ("Ville de Belval-sur-Loire", "de la Ville de Belval-sur-Loire"),
    ("Commune de Saint-Aubin", "de la Commune de Saint-Aubin"),
    ("Métropole de Lyon", "de la Métropole de Lyon"),
    ("Région Bretagne", "de la Région Bretagne"),
    ("Département du Rhône", "du Département du Rhône"),
    ("Conseil départemental de la Gironde", "du Conseil départemental de la Gironde"),
    ("Issy-les-Moulineaux", "d’Issy-les-Moulineaux"),
    ("Agglomération du Grand Dax", "de l’Agglomération du Grand Dax"),
    ("Eurométropole de Strasbourg", "de l’Eurométropole de Strasbourg"),
    ("Le Havre", "du Havre"),
    ("La Rochelle", "de la Rochelle"),
    ("Les Sables-d’Olonne", "des Sables-d’Olonne"),
    ("L’Haÿ-les-Roses", "de l’Haÿ-les-Roses"),
    ("Belval-sur-Loire", "de Belval-sur-Loire"),
    ("Votre collectivité", "de votre collectivité"),
    ("  Ville   de  Belval ", "de la Ville de Belval"),
    ("", ""),
])
def test_the_suggested_form_after_de(nom, complement):
    assert complement_du_nom(nom) == complement


@pytest.mark.parametrize("nom, expected", [("Camille Durand", "de Camille Durand"), ("Alex Bernard", "d’Alex Bernard"),
                                           ("Élise Fontaine", "d’Élise Fontaine"), ("Hélène Roy", "d’Hélène Roy"),
                                           ("Yasmine Aït", "d’Yasmine Aït"), ("", "de ")])
def test_de_before_a_persons_name(nom, expected):
    assert de(nom) == expected
