"""The content of a draft version (projet de version) as plain values, its canonical JSON and its SHA-256.

A draft's SHA-256 covers its whole text (title, preamble, themes, clauses with their place) bound to the
SHA-256 of the version it was built on. Every approval stores the SHA-256 of the text it approved, and the
adopted version's own rows give the same SHA-256 back (`contenu_de_version`): an approval can be checked
against the version it adopted at any time, without trusting the draft row.

Pure: no Flask, no SQLAlchemy.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Sequence

from charte.chartes.snapshot import ThemeData
from charte.hashing import canonical_json, chained_hash
from charte.textes.fusion import ClauseTexte


@dataclass(frozen=True)
class ContenuProjet:
    titre: str
    preambule: str
    themes: tuple[ThemeData, ...]
    clauses: tuple[ClauseTexte, ...]

    def payload(self) -> dict:
        """The canonical form: clauses in reading order, each with its place."""
        ordonnees = sorted(self.clauses, key=lambda c: (c.theme_position, c.position))
        return {
            "titre": self.titre,
            "preambule": self.preambule,
            "themes": [{"titre": t.titre, "intro": t.intro} for t in self.themes],
            "clauses": [
                {"ref": c.ref, "theme": c.theme, "theme_position": c.theme_position, "position": c.position,
                 "titre": c.titre, "texte": c.texte}
                for c in ordonnees
            ],
        }

    def json(self) -> str:
        return canonical_json(self.payload()).decode("utf-8")

    def clause(self, ref: str) -> ClauseTexte | None:
        return next((c for c in self.clauses if c.ref == ref), None)

    def avec_clause(self, ref: str, titre: str, texte: str) -> "ContenuProjet":
        """The same content with one clause's title and text replaced."""
        if self.clause(ref) is None:
            raise ValueError(f"no clause {ref} in the draft")
        return replace(self, clauses=tuple(replace(c, titre=titre, texte=texte) if c.ref == ref else c
                                           for c in self.clauses))

    def themes_avec_clauses(self) -> list[tuple[ThemeData, list[ClauseTexte]]]:
        ordonnees = sorted(self.clauses, key=lambda c: (c.theme_position, c.position))
        return [(theme, [c for c in ordonnees if c.theme_position == position])
                for position, theme in enumerate(self.themes, start=1)]


def lire_contenu(texte_json: str) -> ContenuProjet:
    """A draft's content from its stored canonical JSON."""
    data = json.loads(texte_json)
    return ContenuProjet(
        titre=data["titre"],
        preambule=data["preambule"],
        themes=tuple(ThemeData(t["titre"], t["intro"]) for t in data["themes"]),
        clauses=tuple(ClauseTexte(c["ref"], c["theme_position"], c["position"], c["theme"], c["titre"], c["texte"])
                      for c in data["clauses"]),
    )


def empreinte(contenu: ContenuProjet, base_sha256: str) -> str:
    """SHA-256 of the draft's canonical content bound to its base version's SHA-256."""
    return chained_hash({"projet": contenu.payload()}, base_sha256)


def themes_du_resultat(themes: Sequence[ThemeData], clauses: Sequence[ClauseTexte]) -> tuple[ThemeData, ...]:
    """The base themes, plus any theme that an added clause opened past them (without introduction)."""
    resultat = list(themes)
    for clause in sorted(clauses, key=lambda c: c.theme_position):
        while clause.theme_position > len(resultat):
            resultat.append(ThemeData(clause.theme, ""))
    return tuple(resultat)
