"""Pure parser of the template format: front matter, `##` themes, `### REF — Title` clauses."""
from __future__ import annotations

import re
from dataclasses import dataclass

from charte.exceptions import InvalidInput
from charte.hashing import normalise_text
from charte.texte import first_control_character

MAX_TEMPLATE_BYTES = 256 * 1024
MAX_CLAUSES = 300
MAX_TITLE = 200
MAX_THEME = 120
MAX_TEXT = 20_000
FRONT_MATTER_KEYS = ("titre", "description", "version")
REQUIRED_KEYS = ("titre", "version")

CLAUSE_HEADING = re.compile(r"^###[ \t]+(?P<ref>[A-Z][A-Z0-9]{0,9}-[0-9]{1,3})[ \t]+[—–-][ \t]+(?P<titre>\S.*?)[ \t]*$")
REF_SHAPE = re.compile(r"^[A-Z][A-Z0-9]{0,9}-[0-9]{1,3}$")
FENCE = re.compile(r"^(```|~~~)")


class TemplateError(InvalidInput):
    """A malformed template: the line and the reason, for the person who wrote it."""

    def __init__(self, line: int, reason: str, filename: str = ""):
        where = f"« {filename} » : " if filename else ""
        super().__init__(f"{where}Ligne {line} : {reason}", "fichier")
        self.line = line
        self.reason = reason
        self.filename = filename


@dataclass(frozen=True)
class ClauseSource:
    ref: str
    titre: str
    texte: str
    line: int


@dataclass(frozen=True)
class ThemeSource:
    titre: str
    intro: str
    clauses: tuple[ClauseSource, ...]
    line: int


@dataclass(frozen=True)
class ParsedTemplate:
    titre: str
    description: str
    version: str
    preambule: str
    themes: tuple[ThemeSource, ...]

    @property
    def clause_count(self) -> int:
        return sum(len(theme.clauses) for theme in self.themes)


def decode_template(data: bytes) -> str:
    """Bytes of an uploaded file to text, refusing what is not a UTF-8 text of sensible size."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(1, f"le fichier dépasse {MAX_TEMPLATE_BYTES // 1024} Kio.")
    if b"\x00" in data:
        raise TemplateError(1, "le fichier n’est pas un texte (octet nul trouvé).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TemplateError(line, "le fichier n’est pas encodé en UTF-8.") from exc
    char = first_control_character(text, multiline=True)
    if char is not None:
        line = text[: text.index(char)].count("\n") + 1
        raise TemplateError(line, f"caractère de contrôle invisible (U+{ord(char):04X}) : retirez-le.")
    return text


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """Read the front matter; returns it and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        raise TemplateError(1, "le fichier doit commencer par un en-tête « --- » (titre, description, version).")
    meta: dict[str, str] = {}
    for index in range(1, len(lines)):
        line = lines[index]
        number = index + 1
        if line.strip() == "---":
            for key in REQUIRED_KEYS:
                if not meta.get(key):
                    raise TemplateError(number, f"l’en-tête doit indiquer « {key} ».")
            return meta, index + 1
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep:
            raise TemplateError(number, "l’en-tête attend des lignes « clé: valeur ».")
        if key not in FRONT_MATTER_KEYS:
            raise TemplateError(number, f"clé d’en-tête inconnue « {key} » (attendues : titre, description, version).")
        if key in meta:
            raise TemplateError(number, f"la clé « {key} » apparaît deux fois.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1].strip()
        limit = MAX_TITLE if key != "description" else 1000
        if len(value) > limit:
            raise TemplateError(number, f"la valeur de « {key} » dépasse {limit} caractères.")
        meta[key] = value
    last = len(lines) - 1 if len(lines) > 1 and lines[-1] == "" else len(lines)
    raise TemplateError(last, "l’en-tête n’est jamais fermé par « --- ».")


def _text(lines: list[str], line: int, what: str) -> str:
    """A block of Markdown, normalised; every block is bounded (MAX_TEXT), the preamble too."""
    texte = normalise_text("\n".join(lines))
    if len(texte) > MAX_TEXT:
        raise TemplateError(line, f"{what} dépasse {MAX_TEXT} caractères.")
    return texte


def parse_template(source: str) -> ParsedTemplate:
    """Parse a template; raise TemplateError naming the first faulty line."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    meta, start = _front_matter(lines)

    preambule: list[str] = []
    themes: list[dict] = []
    refs: dict[str, int] = {}
    theme_names: dict[str, int] = {}
    current_text = preambule
    in_fence = False
    fence_line = 0

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if FENCE.match(line):
            in_fence = not in_fence
            fence_line = number
        if in_fence or not line.startswith("#"):
            current_text.append(line)
            continue
        level = len(line) - len(line.lstrip("#"))
        if level == 1 or (level > 1 and line[level:level + 1] not in (" ", "\t", "")):
            if level == 1 and line[1:2] in (" ", "\t"):
                raise TemplateError(number, "titre de niveau 1 interdit : le titre de la charte vient de l’en-tête.")
            current_text.append(line)  # '#hashtag' or similar: ordinary text
            continue
        if level == 2:
            name = line[2:].strip()
            if not name:
                raise TemplateError(number, "thème sans nom.")
            if len(name) > MAX_THEME:
                raise TemplateError(number, f"le nom du thème dépasse {MAX_THEME} caractères.")
            if name.casefold() in theme_names:
                raise TemplateError(number, f"le thème « {name} » existe déjà (ligne {theme_names[name.casefold()]}).")
            if themes and not themes[-1]["clauses"]:
                raise TemplateError(themes[-1]["line"], f"le thème « {themes[-1]['titre']} » n’a aucune clause.")
            theme_names[name.casefold()] = number
            themes.append({"titre": name, "intro": [], "clauses": [], "line": number})
            current_text = themes[-1]["intro"]
            continue
        if level == 3:
            match = CLAUSE_HEADING.match(line)
            if not match:
                raise TemplateError(
                    number, "titre de clause attendu sous la forme « ### RESP-1 — Titre » (identifiant en majuscules)."
                )
            if not themes:
                raise TemplateError(number, "clause placée avant le premier thème (« ## Thème »).")
            ref, titre = match["ref"], match["titre"].strip()
            if ref in refs:
                raise TemplateError(number, f"l’identifiant {ref} est déjà utilisé (ligne {refs[ref]}).")
            if len(titre) > MAX_TITLE:
                raise TemplateError(number, f"le titre de la clause dépasse {MAX_TITLE} caractères.")
            if len(refs) >= MAX_CLAUSES:
                raise TemplateError(number, f"un modèle ne peut pas dépasser {MAX_CLAUSES} clauses.")
            refs[ref] = number
            clause = {"ref": ref, "titre": titre, "texte": [], "line": number}
            themes[-1]["clauses"].append(clause)
            current_text = clause["texte"]
            continue
        raise TemplateError(number, f"titre de niveau {level} interdit : seuls « ## » (thème) et « ### » (clause) sont admis.")

    if in_fence:
        raise TemplateError(fence_line, "le bloc de code « ``` » ouvert ici n’est jamais refermé.")
    if not themes:
        raise TemplateError(start + 1, "le modèle ne contient aucun thème (« ## Thème »).")
    if not themes[-1]["clauses"]:
        raise TemplateError(themes[-1]["line"], f"le thème « {themes[-1]['titre']} » n’a aucune clause.")

    built = []
    for theme in themes:
        intro = _text(theme["intro"], theme["line"], f"l’introduction du thème «\u00a0{theme['titre']}\u00a0»")
        clauses = []
        for clause in theme["clauses"]:
            texte = _text(clause["texte"], clause["line"], f"le texte de la clause {clause['ref']}")
            if not texte:
                raise TemplateError(clause["line"], f"la clause {clause['ref']} n’a pas de texte.")
            clauses.append(ClauseSource(clause["ref"], normalise_text(clause["titre"]), texte, clause["line"]))
        built.append(ThemeSource(normalise_text(theme["titre"]), intro, tuple(clauses), theme["line"]))
    return ParsedTemplate(
        titre=normalise_text(meta["titre"]),
        description=normalise_text(meta.get("description", "")),
        version=normalise_text(meta["version"]),
        preambule=_text(preambule, start + 1, "le préambule"),
        themes=tuple(built),
    )
