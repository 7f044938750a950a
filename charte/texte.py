"""Pure rules on the text people type: control characters, name keys, French plurals and articles.

No Flask or SQLAlchemy here: the forms, the services, the command line and a migration share them.
"""
from __future__ import annotations

import re
import unicodedata

# C0 controls, DEL and C1 controls: invisible, never meant in a label or a text, and PostgreSQL
# refuses NUL outright. Long texts keep tab and line ends (a textarea sends CR LF).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def first_control_character(text: str, multiline: bool = False) -> str | None:
    """The first control character of the text (tab, CR and LF allowed when multiline), or None."""
    match = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return match.group(0) if match else None


def without_control_characters(text: str) -> str:
    """The text with every control character removed (for a file name shown back to the person)."""
    return _CONTROL.sub("", text)


def control_character_message(char: str) -> str:
    """The French refusal for a control character, naming it by its code point."""
    if char in "\r\n":
        return "Ce champ tient sur une seule ligne\u00a0: retirez le retour à la ligne."
    if char == "\t":
        return "Ce champ tient sur une seule ligne\u00a0: retirez la tabulation."
    return (f"Ce texte contient un caractère de contrôle invisible (U+{ord(char):04X})\u00a0: "
            "retirez-le, par exemple en retapant le texte au lieu de le coller.")


# --- Names that must not exist twice (departments) -----------------------------------------------

_FOLD = str.maketrans({
    **dict.fromkeys("\u2019\u2018\u201b`\u00b4\u02bc\u2032", "'"),
    **dict.fromkeys("\u00ab\u00bb\u201c\u201d\u201e\u201f\u2039\u203a\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
})
_SPACE_AROUND_QUOTE = re.compile(r'\s*"\s*')


def name_key(name: str) -> str:
    """The identity of a name: typographic variants of apostrophes, quotes, dashes and spaces, and
    case, do not make a different name ("Systèmes d'information" is "Systèmes d’information")."""
    folded = unicodedata.normalize("NFKC", name.translate(_FOLD)).translate(_FOLD)
    folded = " ".join(folded.split()).casefold()
    # French guillemets take inner spaces, straight quotes do not: « DSI » is "DSI".
    return _SPACE_AROUND_QUOTE.sub('"', folded)


# --- French -----------------------------------------------------------------------------------


def pluriel(count: int, singulier: str, pluriel_: str | None = None) -> str:
    """'1 version', '3 versions'; in French 0 and 1 take the singular."""
    word = singulier if abs(count) < 2 else (pluriel_ or singulier + "s")
    return f"{count}\u00a0{word}"


# Common nouns that open an authority's name, by the article they take after "de".
_FEMININE = ("ville", "commune", "communauté", "métropole", "région", "collectivité", "mairie",
             "préfecture", "province", "principauté", "république", "cité")
_MASCULINE = ("département", "conseil", "syndicat", "centre", "pays", "territoire", "grand", "pôle",
              "parc", "district", "canton", "ministère", "service")
_VOWEL_NOUNS = ("agglomération", "eurométropole", "établissement", "intercommunalité", "office",
                "union", "assemblée")
_ARTICLES = {"le": "du ", "la": "de la ", "les": "des "}
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"
COMPLEMENT_PREFIXES = ("de ", "d’", "du ", "des ")


def de(nom: str) -> str:
    """The preposition before a person's name: « de Camille », « d’Alex », « d’Hélène »."""
    elided = nom[:1] != "" and nom[:1].casefold() in _VOWELS + "h"
    return ("d’" if elided else "de ") + nom


def complement_du_nom(nom: str) -> str:
    """A suggestion for the form of the authority's name after « la charte … »:
    « de la Ville de Belval », « du Département du Rhône », « d’Issy », « de l’Agglomération… »."""
    nom = " ".join(nom.split())
    if not nom:
        return ""
    first, _, rest = nom.partition(" ")
    word = first.casefold()
    if word in ("votre", "notre"):
        return "de " + nom[0].lower() + nom[1:]
    if word in _ARTICLES and rest:
        return _ARTICLES[word] + rest
    if word.startswith(("l’", "l'")) and len(first) > 2:
        return "de l’" + nom[2:]
    if word in _FEMININE:
        return "de la " + nom
    if word in _MASCULINE:
        return "du " + nom
    if word in _VOWEL_NOUNS:
        return "de l’" + nom
    if word[0] in _VOWELS:
        return "d’" + nom
    return "de " + nom
