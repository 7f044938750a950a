"""Comparison of two versions' clause lists, clause by clause (matched by their stable ref).

A clause is `modifiee` when its title or text changed, `deplacee` when only its place changed — another
theme, or another order among the clauses both versions share (a renumbering caused by an addition or a
deletion is not a move) — `inchangee`, `ajoutee` or `supprimee` otherwise. A modified clause that also
moved has `deplacement` set. The list follows the new version's order, each removed clause shown where
it stood.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from charte.textes.diffs import Segment, diff_mots, diff_sequences, resume
from charte.textes.fusion import ClauseTexte

Statut = Literal["ajoutee", "supprimee", "modifiee", "inchangee", "deplacee"]


@dataclass(frozen=True)
class ClauseComparee:
    ref: str
    statut: Statut
    avant: ClauseTexte | None
    apres: ClauseTexte | None
    segments: tuple[Segment, ...]
    segments_titre: tuple[Segment, ...] = ()
    deplacement: bool = False


@dataclass(frozen=True)
class Bilan:
    ajoutees: int
    supprimees: int
    modifiees: int
    deplacees: int
    inchangees: int
    mots_ajoutes: int
    mots_supprimes: int

    @property
    def changees(self) -> int:
        return self.ajoutees + self.supprimees + self.modifiees + self.deplacees


def _ordre(clauses: Sequence[ClauseTexte]) -> list[ClauseTexte]:
    return sorted(clauses, key=lambda c: (c.theme_position, c.position, c.ref))


def _refs_a_leur_place(avant: list[str], apres: list[str]) -> set[str]:
    """The common refs that keep their relative order: a longest common subsequence (dmp's diff)."""
    return {ref for op, refs in diff_sequences(avant, apres) if op == 0 for ref in refs}


def comparer(avant: Sequence[ClauseTexte], apres: Sequence[ClauseTexte]) -> tuple[ClauseComparee, ...]:
    """Compare two versions clause by clause, in the new version's order."""
    ancien, nouveau = _ordre(avant), _ordre(apres)
    par_ref_avant = {c.ref: c for c in ancien}
    par_ref_apres = {c.ref: c for c in nouveau}
    communes_avant = [c.ref for c in ancien if c.ref in par_ref_apres]
    communes_apres = [c.ref for c in nouveau if c.ref in par_ref_avant]
    a_leur_place = _refs_a_leur_place(communes_avant, communes_apres)

    def comparee(ref: str) -> ClauseComparee:
        a, b = par_ref_avant.get(ref), par_ref_apres.get(ref)
        if a is None:
            assert b is not None
            return ClauseComparee(ref, "ajoutee", None, b, diff_mots("", b.texte), diff_mots("", b.titre))
        if b is None:
            return ClauseComparee(ref, "supprimee", a, None, diff_mots(a.texte, ""), diff_mots(a.titre, ""))
        deplacement = a.theme != b.theme or a.theme_position != b.theme_position or ref not in a_leur_place
        segments, segments_titre = diff_mots(a.texte, b.texte), diff_mots(a.titre, b.titre)
        if a.texte != b.texte or a.titre != b.titre:
            statut: Statut = "modifiee"
        else:
            statut = "deplacee" if deplacement else "inchangee"
        return ClauseComparee(ref, statut, a, b, segments, segments_titre, deplacement)

    # Walk the new order; a removed clause comes right after the clause that preceded it before.
    suivantes: dict[str | None, list[str]] = {}
    precedente: str | None = None
    for c in ancien:
        if c.ref not in par_ref_apres:
            suivantes.setdefault(precedente, []).append(c.ref)
        else:
            precedente = c.ref
    refs = list(suivantes.pop(None, []))
    for c in nouveau:
        refs.append(c.ref)
        refs.extend(suivantes.pop(c.ref, []))
    return tuple(comparee(ref) for ref in refs)


def bilan(comparees: Sequence[ClauseComparee]) -> Bilan:
    """Counts for the comparison's summary: clauses added, removed, changed, moved, and words."""
    compte = {statut: 0 for statut in ("ajoutee", "supprimee", "modifiee", "inchangee", "deplacee")}
    ajoutes = supprimes = 0
    for c in comparees:
        compte[c.statut] += 1
        mots = resume(c.segments)
        ajoutes += mots.mots_ajoutes
        supprimes += mots.mots_supprimes
    return Bilan(compte["ajoutee"], compte["supprimee"], compte["modifiee"], compte["deplacee"],
                 compte["inchangee"], ajoutes, supprimes)
