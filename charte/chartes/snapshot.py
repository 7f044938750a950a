"""Pure rules of a version's content: its canonical form and its place in the hash chain."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from charte.hashing import GENESIS, chained_hash


@dataclass(frozen=True)
class ClauseData:
    ref: str
    theme: str
    theme_position: int
    position: int
    titre: str
    texte: str


@dataclass(frozen=True)
class ThemeData:
    titre: str
    intro: str


@dataclass(frozen=True)
class VersionContent:
    """Everything a version says, in order: what its SHA-256 covers."""

    numero: int
    titre: str
    preambule: str
    themes: tuple[ThemeData, ...]
    clauses: tuple[ClauseData, ...]

    def payload(self) -> dict:
        ordered = sorted(self.clauses, key=lambda c: (c.theme_position, c.position))
        return {
            "numero": self.numero,
            "titre": self.titre,
            "preambule": self.preambule,
            "themes": [{"titre": t.titre, "intro": t.intro} for t in self.themes],
            "clauses": [
                {"ref": c.ref, "theme": c.theme, "position": c.position, "titre": c.titre, "texte": c.texte}
                for c in ordered
            ],
        }


def version_hash(content: VersionContent, parent_hash: str | None) -> str:
    """SHA-256 of the canonical content bound to the parent's hash (GENESIS for v1)."""
    return chained_hash(content.payload(), parent_hash or GENESIS)


@dataclass(frozen=True)
class StoredVersion:
    numero: int
    sha256: str
    parent_sha256: str | None
    content: VersionContent


def verify_versions(versions: Iterable[StoredVersion]) -> tuple[int, str] | None:
    """Check one charter's chain, versions in order; the first broken (numero, reason) or None."""
    previous: str | None = None
    expected = 1
    for version in versions:
        if version.numero != expected:
            return version.numero, f"version manquante : v{expected} attendue, v{version.numero} trouvée"
        if version.parent_sha256 != previous:
            return version.numero, "l’empreinte de la version parente ne correspond pas"
        if version_hash(version.content, version.parent_sha256) != version.sha256:
            return version.numero, "le contenu ne correspond plus à son empreinte SHA-256"
        previous = version.sha256
        expected += 1
    return None
