"""Which adopted amendments lapse at closing: those whose clause another adopted amendment deletes. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

NBSP = "\u00a0"


@dataclass(frozen=True)
class Adopte:
    id: int
    numero: int
    nature: str  # modification | ajout | suppression
    clause_ref: str | None


def caducs(adoptes: Iterable[Adopte]) -> dict[int, str]:
    """{amendment id: reason} for every adopted amendment whose clause an adopted deletion removes.

    Deletions themselves never lapse (two adopted deletions of one clause agree); an addition aims at
    no existing clause."""
    adoptes = sorted(adoptes, key=lambda a: a.numero)
    suppressions: dict[str, Adopte] = {}
    for a in adoptes:
        if a.nature == "suppression" and a.clause_ref:
            suppressions.setdefault(a.clause_ref, a)
    return {
        a.id: (f"Caduc{NBSP}: la clause {a.clause_ref} est supprimée par l’amendement "
               f"n°{NBSP}{suppressions[a.clause_ref].numero}, adopté au même vote.")
        for a in adoptes
        if a.nature != "suppression" and a.clause_ref in suppressions
    }
