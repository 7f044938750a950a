"""Word-level diffs of French texts, their rendering, and exact (never fuzzy) patching.

diff-match-patch compares characters; we compare *tokens* instead — words (accents, apostrophes,
hyphens and decimal numbers kept whole), runs of spaces, runs of line breaks, and single punctuation
marks — by mapping each distinct token to one character, as dmp's `diff_linesToChars` does for lines.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Literal, Sequence

from diff_match_patch import diff_match_patch
from markupsafe import Markup

Op = Literal["egal", "insere", "supprime"]

_LETTRE = r"(?:[^\W_]|[\u0300-\u036f])"  # letters and digits, plus combining accents (decomposed text)
_LIAISON = r"(?:['’\-\u2010\u2011]|(?<=\d)[.,\u00a0\u202f](?=\d))"  # inside a word: l’agent, peut-être, 3,5, 10 000
_MOT = rf"{_LETTRE}+(?:{_LIAISON}{_LETTRE}+)*"
_JETON = re.compile(rf"{_MOT}|\n+|[^\S\n]+|.", re.DOTALL)
_EST_MOT = re.compile(rf"^{_MOT}$")

# Tokens are encoded in the Private Use Area and above: never a surrogate, never a character that dmp's
# semantic scoring reads as a space or a line break.
_PREMIER_CODE = 0xE000
_DMP_OP = {0: "egal", 1: "insere", -1: "supprime"}


@dataclass(frozen=True)
class Segment:
    op: Op
    texte: str


@dataclass(frozen=True)
class Ligne:
    """One row of a side-by-side view; a side without a line of its own has no number."""

    gauche: tuple[Segment, ...]
    droite: tuple[Segment, ...]
    numero_gauche: int | None = None
    numero_droite: int | None = None


@dataclass(frozen=True)
class Resume:
    mots_ajoutes: int
    mots_supprimes: int


@dataclass(frozen=True)
class Application:
    texte: str | None
    ok: bool
    hunks_ok: tuple[bool, ...]


def jetons(texte: str) -> list[str]:
    """Split a text into words, space runs, line-break runs and single other characters."""
    return list(_jetons(texte))


@lru_cache(maxsize=16)  # a clause's text is tokenised once per amendment on it during consolidation
def _jetons(texte: str) -> tuple[str, ...]:
    return tuple(_JETON.findall(texte))


def est_mot(jeton: str) -> bool:
    return bool(_EST_MOT.match(jeton))


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no deadline: the same texts always give the same diff, whatever the machine
    return dmp


def diff_sequences(avant: Sequence[str], apres: Sequence[str], *,
                   semantique: bool = False) -> list[tuple[int, list[str]]]:
    """dmp diff of two sequences of strings (tokens, lines, refs), each distinct string one character.

    Returns dmp ops (-1 removed, 0 equal, 1 added) with the strings they cover; `semantique` applies
    dmp's semantic clean-up (small equalities between changes are folded into them, for reading).
    """
    table: list[str] = []
    index: dict[str, int] = {}

    def encoder(sequence: Sequence[str]) -> str:
        codes = []
        for element in sequence:
            if element not in index:
                index[element] = len(table)
                table.append(element)
            codes.append(chr(_PREMIER_CODE + index[element]))
        return "".join(codes)

    dmp = _dmp()
    diffs = dmp.diff_main(encoder(avant), encoder(apres), False)
    if semantique:
        dmp.diff_cleanupSemantic(diffs)
    return [(op, [table[ord(c) - _PREMIER_CODE] for c in codes]) for op, codes in diffs if codes]


def diff_jetons(avant: str, apres: str) -> list[tuple[int, list[str]]]:
    """Token-level diff with semantic clean-up: dmp ops (-1, 0, 1) with the tokens they cover."""
    if avant == apres:
        return [(0, jetons(avant))] if avant else []
    return diff_sequences(_jetons(avant), _jetons(apres), semantique=True)


def _diff_texte(avant: str, apres: str) -> list[tuple[int, str]]:
    return [(op, "".join(toks)) for op, toks in diff_jetons(avant, apres)]


def _fusionner_segments(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """Drop empty segments and merge consecutive segments of the same op."""
    sortie: list[Segment] = []
    for segment in segments:
        if not segment.texte:
            continue
        if sortie and sortie[-1].op == segment.op:
            sortie[-1] = Segment(segment.op, sortie[-1].texte + segment.texte)
        else:
            sortie.append(segment)
    return tuple(sortie)


def diff_mots(avant: str, apres: str) -> tuple[Segment, ...]:
    """Word-level diff: egal + supprime spell `avant`, egal + insere spell `apres`."""
    return _fusionner_segments([Segment(_DMP_OP[op], texte) for op, texte in _diff_texte(avant, apres)])


def _cote(segments: Sequence[Segment], cache: Op) -> tuple[Segment, ...]:
    return _fusionner_segments([s for s in segments if s.op != cache])


def cote_a_cote(avant: str, apres: str) -> tuple[Ligne, ...]:
    """Side-by-side rows aligned line by line (a paragraph is a line); changed lines paired in order.

    Within a run of changed lines, the i-th removed line faces the i-th added line and shows its word
    diff; surplus lines face an empty side. Left shows egal + supprime, right egal + insere.
    """
    rangees: list[Ligne] = []
    n_gauche = n_droite = 0
    retirees: list[str] = []
    ajoutees: list[str] = []

    def vider() -> None:
        nonlocal n_gauche, n_droite
        for i in range(max(len(retirees), len(ajoutees))):
            gauche = retirees[i] if i < len(retirees) else None
            droite = ajoutees[i] if i < len(ajoutees) else None
            segments = diff_mots(gauche or "", droite or "")
            numero_gauche = numero_droite = None
            if gauche is not None:
                n_gauche += 1
                numero_gauche = n_gauche
            if droite is not None:
                n_droite += 1
                numero_droite = n_droite
            rangees.append(Ligne(_cote(segments, "insere"), _cote(segments, "supprime"), numero_gauche, numero_droite))
        retirees.clear()
        ajoutees.clear()

    for op, lignes in diff_sequences(avant.split("\n"), apres.split("\n")):
        if op == -1:
            retirees.extend(lignes)
        elif op == 1:
            ajoutees.extend(lignes)
        else:
            vider()
            for ligne in lignes:
                n_gauche += 1
                n_droite += 1
                egal = _fusionner_segments([Segment("egal", ligne)])
                rangees.append(Ligne(egal, egal, n_gauche, n_droite))
    vider()
    return tuple(rangees)


def compter_mots(texte: str) -> int:
    return sum(1 for jeton in jetons(texte) if est_mot(jeton))


def resume(segments: Sequence[Segment]) -> Resume:
    """How many words a diff adds and removes."""
    return Resume(
        mots_ajoutes=sum(compter_mots(s.texte) for s in segments if s.op == "insere"),
        mots_supprimes=sum(compter_mots(s.texte) for s in segments if s.op == "supprime"),
    )


# Screen readers do not announce <ins>/<del> reliably, and a print without colour loses the highlight:
# each change carries its own words, hidden on screen (.visually-hidden) and printed (CSS @media print).
_MARQUES = {
    "insere": ("ins", "[début d’ajout]", "[fin d’ajout]"),
    "supprime": ("del", "[début de suppression]", "[fin de suppression]"),
}


def rendu_html(segments: Sequence[Segment], *, conteneur: bool = True) -> Markup:
    """Safe HTML of a diff: text escaped, changes in <ins>/<del> with hidden spoken/printed markers.

    With `conteneur`, wrapped in <div class="diff"> (white-space: pre-wrap keeps the line breaks).
    """
    morceaux: list[str] = []
    for segment in segments:
        texte = escape(segment.texte, quote=True)
        if segment.op == "egal":
            morceaux.append(texte)
            continue
        balise, debut, fin = _MARQUES[segment.op]
        morceaux.append(
            f'<{balise}><span class="diff-marque visually-hidden">{debut} </span>{texte}'
            f'<span class="diff-marque visually-hidden"> {fin}</span></{balise}>'
        )
    corps = "".join(morceaux)
    return Markup(f'<div class="diff">{corps}</div>' if conteneur else corps)


def rendu_cote_a_cote_html(lignes: Sequence[Ligne], *, titre_gauche: str = "Texte de référence",
                           titre_droite: str = "Texte proposé", legende: str = "") -> Markup:
    """Safe HTML table of a side-by-side diff (class "diff-cote"), with column headers for screen readers."""
    entete = (f'<thead><tr><th scope="col">{escape(titre_gauche)}</th>'
              f'<th scope="col">{escape(titre_droite)}</th></tr></thead>')
    caption = f"<caption>{escape(legende)}</caption>" if legende else ""
    rangees = "".join(
        f'<tr><td class="diff">{rendu_html(l.gauche, conteneur=False)}</td>'
        f'<td class="diff">{rendu_html(l.droite, conteneur=False)}</td></tr>'
        for l in lignes
    )
    return Markup(f'<table class="diff-cote">{caption}{entete}<tbody>{rangees}</tbody></table>')


class _Exact(diff_match_patch):
    """dmp with every tolerance at zero: a hunk applies only where its text occurs exactly, once.

    Match_Threshold 0 allows no error; an infinite Match_Distance lets an exact occurrence be found
    wherever the clause has grown or shrunk around it; Patch_DeleteThreshold 0 refuses an imperfect
    deletion; a large Match_MaxBits keeps each hunk whole (no 32-character slicing). With these settings
    dmp's matcher returns an exact occurrence or nothing; we find it with `str.find` rather than dmp's
    bitap (same answer, tested, without bitap's cost on long clauses), and we refuse a hunk whose text
    occurs more than once: applying it would be a guess.
    """

    def __init__(self) -> None:
        super().__init__()
        self.Diff_Timeout = 0
        self.Match_Threshold = 0.0
        self.Match_Distance = math.inf
        self.Patch_DeleteThreshold = 0.0
        self.Match_MaxBits = 1 << 30

    def match_main(self, text: str, pattern: str, loc: int) -> int:
        trouve = text.find(pattern)
        if trouve == -1 or text.find(pattern, trouve + 1) != -1:
            return -1
        return trouve


def appliquer_exact(base: str, propose: str, cible: str) -> Application:
    """Apply the change base → propose to `cible`, exactly: ok only when every hunk applies."""
    return appliquer_diff_exact(base, diff_jetons(base, propose), cible)


def appliquer_diff_exact(base: str, diff: Sequence[tuple[int, Sequence[str]]], cible: str) -> Application:
    """`appliquer_exact` with the word diff of base → proposal already computed (`diff_jetons`)."""
    diffs = [(op, "".join(toks)) for op, toks in diff]
    if all(op == 0 for op, _ in diffs):
        return Application(cible, True, ())
    dmp = _Exact()
    patches = dmp.patch_make(base, diffs)
    texte, resultats = dmp.patch_apply(patches, cible)
    ok = all(resultats)
    return Application(texte if ok else None, ok, tuple(resultats))


def appliquer_approche(base: str, propose: str, cible: str) -> str:
    """dmp's default fuzzy patch (threshold 0.5): only for a *suggested* merge a person will review."""
    dmp = _dmp()
    diffs = _diff_texte(base, propose)
    if all(op == 0 for op, _ in diffs):
        return cible
    texte, _ = dmp.patch_apply(dmp.patch_make(base, diffs), cible)
    return texte
