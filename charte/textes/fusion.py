"""Consolidation: the adopted amendments of a round applied to a version's clauses, exactly or not at all.

Rules (each one decided here, documented for the committee in the README):
- A **suppression** removes its clause; several suppressions of one clause are all integrated.
- A **modification** of a clause that an adopted suppression removes is *caduque*
  (« clause supprimée par l’amendement n° X », X the smallest such amendment). A proposition aimed at a
  clause that does not exist in the version is *caduque* too.
- A **modification** written against an older text of its clause is first rebased onto the clause's
  current text with an exact patch (`appliquer_exact`); if that fails it is a conflict on its own.
- The modifications of one clause are compared on that clause's current text, word by word: two that
  change overlapping words, or words with nothing but spaces and punctuation between them, or that both
  change the title, **conflict** — always, even if they propose the same words. The others apply
  together; each must also apply as an exact patch (every hunk, no tolerance) onto the text as modified
  by all the others and give the same result, otherwise it joins a conflict. Nothing is merged silently:
  conflicting amendments are left out of the draft and reported with a suggested (fuzzy) merge.
- An **addition** goes into its theme before the clause that held `position` in the version (at the end
  when None or past the end); several at one place go in amendment order. Clauses are then renumbered
  1…n within their theme; existing clauses keep their refs; an added clause gets `nouvelle_ref(id)` or
  PREFIX-(max+1), PREFIX being the theme's refs' prefix, max taken over the version's refs.
- Everything is processed in amendment id order: the result does not depend on the input order.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Callable, Literal, Sequence

from charte.textes.diffs import appliquer_approche, appliquer_diff_exact, appliquer_exact, diff_jetons, est_mot, jetons

Nature = Literal["modification", "ajout", "suppression"]

_REF = re.compile(r"^(?P<prefixe>.+)-(?P<numero>\d+)$")
_EXTRAIT = 80


@dataclass(frozen=True)
class ClauseTexte:
    ref: str
    theme_position: int
    position: int
    theme: str
    titre: str
    texte: str


@dataclass(frozen=True)
class Proposition:
    """An adopted amendment. `titre` empty on a modification keeps the clause's title.

    `theme` names the theme of an addition when the version has no clause in it yet.
    """

    id: int
    nature: Nature
    ref: str | None
    base_texte: str
    texte: str
    titre: str
    theme_position: int | None = None
    position: int | None = None
    theme: str = ""


@dataclass(frozen=True)
class Conflit:
    ref: str | None
    propositions: tuple[int, ...]
    raison: str
    base: str
    courant: str
    meilleur_effort: str


@dataclass(frozen=True)
class Resultat:
    clauses: tuple[ClauseTexte, ...]
    appliquees: tuple[int, ...]
    conflits: tuple[Conflit, ...]
    caduques: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class _Edition:
    """A change of the base text's tokens [debut, fin) into `remplacement`."""

    debut: int
    fin: int
    remplacement: str


@dataclass
class _Modif:
    proposition: Proposition
    diff: list[tuple[int, list[str]]]  # word diff of the clause's text → the proposed text
    editions: list[_Edition]
    change_titre: bool


def _editions(diff: Sequence[tuple[int, Sequence[str]]]) -> list[_Edition]:
    editions: list[_Edition] = []
    i = 0
    for op, toks in diff:
        if op == 0:
            i += len(toks)
            continue
        if not editions or editions[-1].fin != i:
            editions.append(_Edition(i, i, ""))
        derniere = editions[-1]
        if op == -1:
            i += len(toks)
            editions[-1] = _Edition(derniere.debut, i, derniere.remplacement)
        else:
            editions[-1] = _Edition(derniere.debut, derniere.fin, derniere.remplacement + "".join(toks))
    return editions


def _appliquer_editions(base: list[str], editions: Sequence[_Edition]) -> str:
    """Splice non-overlapping editions (in base token coordinates) into the base text."""
    morceaux: list[str] = []
    i = 0
    for edition in sorted(editions, key=lambda e: (e.debut, e.fin)):
        morceaux.extend(base[i:edition.debut])
        morceaux.append(edition.remplacement)
        i = edition.fin
    morceaux.extend(base[i:])
    return "".join(morceaux)


def _se_touchent(a: _Edition, b: _Edition, mots: list[bool]) -> bool:
    """Overlapping, or with no word between them (only spaces or punctuation)."""
    if b.debut < a.debut or (b.debut == a.debut and b.fin < a.fin):
        a, b = b, a
    if b.debut < a.fin:
        return True
    return not any(mots[a.fin:b.debut])


def _extrait(texte: str) -> str:
    texte = " ".join(texte.split())
    return texte if len(texte) <= _EXTRAIT else texte[: _EXTRAIT - 1].rstrip() + "…"


def _numeros(ids: Sequence[int]) -> str:
    noms = [f"n°\u00a0{i}" for i in sorted(ids)]
    return ", ".join(noms[:-1]) + " et " + noms[-1] if len(noms) > 1 else noms[0]


class _Composantes:
    """Union-find over amendment ids: who conflicts with whom, transitively."""

    def __init__(self, ids: Sequence[int]):
        self.parent = {i: i for i in ids}
        self.liees: set[int] = set()

    def racine(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def unir(self, a: int, b: int) -> None:
        ra, rb = self.racine(a), self.racine(b)
        self.parent[max(ra, rb)] = min(ra, rb)
        self.liees.update((a, b))

    def groupes(self) -> list[list[int]]:
        groupes: dict[int, list[int]] = defaultdict(list)
        for i in sorted(self.liees):
            groupes[self.racine(i)].append(i)
        return sorted(groupes.values())


def _fusionner_clause(clause: ClauseTexte,
                      propositions: list[Proposition]) -> tuple[ClauseTexte, list[int], list[Conflit]]:
    """Apply one clause's modifications; return the new clause, the applied ids and the conflicts."""
    base = clause.texte
    base_jetons = jetons(base)
    mots = [est_mot(j) for j in base_jetons]
    conflits: list[Conflit] = []
    perimees: list[Proposition] = []
    modifs: dict[int, _Modif] = {}
    for p in propositions:
        propose = p.texte
        if p.base_texte != base:
            application = appliquer_exact(p.base_texte, p.texte, base)
            if not application.ok:
                perimees.append(p)
                continue
            propose = application.texte or ""
        change_titre = bool(p.titre) and p.titre != clause.titre
        diff = diff_jetons(base, propose)
        modifs[p.id] = _Modif(p, diff, _editions(diff), change_titre)

    ids = sorted(modifs)
    composantes = _Composantes(ids)
    causes: dict[int, set[str]] = defaultdict(set)  # per amendment: why it conflicts
    en_cause: dict[int, list[_Edition]] = defaultdict(list)  # per amendment: its editions that touch another's
    for n, i in enumerate(ids):
        for j in ids[n + 1:]:
            a, b = modifs[i], modifs[j]
            if a.change_titre and b.change_titre:
                composantes.unir(i, j)
                causes[i].add("titre")
                causes[j].add("titre")
            paires = [(x, y) for x in a.editions for y in b.editions if _se_touchent(x, y, mots)]
            if paires:
                composantes.unir(i, j)
                causes[i].add("texte")
                causes[j].add("texte")
                en_cause[i].extend(x for x, _ in paires)
                en_cause[j].extend(y for _, y in paires)

    def texte_de(selection: Sequence[int]) -> str:
        return _appliquer_editions(base_jetons, [e for i in selection for e in modifs[i].editions])

    def reproduit(i: int, autres: Sequence[int]) -> bool:
        attendu = texte_de([i, *autres])
        return appliquer_diff_exact(base, modifs[i].diff, texte_de(autres)).texte == attendu

    # Each kept modification must also apply as an exact patch onto the text modified by all the others
    # (word-disjoint changes nearly always do; a hunk's context may still reach a neighbour's change).
    while True:
        retenues = [i for i in ids if i not in composantes.liees]
        fautive = next((i for i in retenues if not reproduit(i, [j for j in retenues if j != i])), None)
        if fautive is None:
            break
        autres = [j for j in retenues if j != fautive]
        coupables = [j for j in autres if not reproduit(fautive, [j])] or autres
        for j in coupables:
            composantes.unir(fautive, j)
            causes[j].add("application")
        causes[fautive].add("application")
        composantes.liees.add(fautive)  # alone, it cannot reproduce itself: never seen, but fail closed

    courant = texte_de(retenues)
    titre = next((modifs[i].proposition.titre for i in retenues if modifs[i].change_titre), clause.titre)
    for groupe in composantes.groupes():
        motifs = set().union(*(causes[i] for i in groupe))
        parties = []
        if "texte" in motifs:
            touchees = [e for i in groupe for e in en_cause[i]]
            debut, fin = min(e.debut for e in touchees), max(e.fin for e in touchees)
            # the words changed, or around an insertion the words it falls between
            passage = ("".join(base_jetons[debut:fin]).strip()
                       or "".join(base_jetons[max(0, debut - 3):fin + 3]).strip())
            cite = f" («\u00a0{_extrait(passage)}\u00a0»)" if passage else ""
            parties.append(f"les mêmes mots ou des mots voisins{cite}")
        if "titre" in motifs:
            parties.append("le titre")
        suite = ""
        if "application" in motifs:
            parties.append("des passages trop proches")
            suite = " pour s’appliquer exactement l’un après l’autre"
        sujet = f"Les amendements {_numeros(groupe)} modifient" if len(groupe) > 1 else \
            f"L’amendement n°\u00a0{groupe[0]} modifie"
        objets = ", ".join(parties[:-1]) + " et " + parties[-1] if len(parties) > 1 else parties[0]
        raison = f"{sujet} {objets} de la clause {clause.ref}{suite}."
        suggestion = courant
        for i in groupe:
            suggestion = appliquer_approche(base, texte_de([i]), suggestion)
        conflits.append(Conflit(clause.ref, tuple(groupe), raison, base, courant, suggestion))

    for p in perimees:
        conflits.append(Conflit(
            clause.ref, (p.id,),
            f"L’amendement n°\u00a0{p.id} a été rédigé sur un texte de la clause {clause.ref} qui a changé "
            "depuis\u00a0; il ne s’applique pas exactement au texte en vigueur.",
            base, courant, appliquer_approche(p.base_texte, p.texte, courant),
        ))
    return replace(clause, titre=titre, texte=courant), retenues, conflits


def _prefixe_du_theme(refs: Sequence[str], theme: str) -> str:
    prefixes = Counter(m["prefixe"] for r in refs if (m := _REF.match(r)))
    if prefixes:
        return min(prefixes, key=lambda p: (-prefixes[p], p))
    lettres = "".join(c for c in unicodedata.normalize("NFKD", theme).upper() if "A" <= c <= "Z")
    return lettres[:4] or "CL"


def fusionner(clauses: Sequence[ClauseTexte], propositions: Sequence[Proposition],
              nouvelle_ref: Callable[[int], str] | None = None) -> Resultat:
    """Consolidate adopted amendments onto a version's clauses (rules in the module docstring)."""
    par_ref = {c.ref: c for c in clauses}
    if len(par_ref) != len(clauses):
        raise ValueError("two clauses share one ref")
    if len({p.id for p in propositions}) != len(propositions):
        raise ValueError("two propositions share one id")
    ordre = sorted(propositions, key=lambda p: p.id)
    appliquees: list[int] = []
    conflits: list[Conflit] = []
    caduques: list[tuple[int, str]] = []

    supprimees: dict[str, int] = {}
    for p in ordre:
        if p.nature not in ("modification", "ajout", "suppression"):
            raise ValueError(f"unknown amendment nature {p.nature!r}")
        if p.nature != "ajout" and p.ref not in par_ref:
            caduques.append((p.id, f"La clause {p.ref} n’existe pas dans la version consolidée."
                             if p.ref else "L’amendement ne désigne aucune clause."))
        elif p.nature == "suppression":
            supprimees.setdefault(p.ref, p.id)
            appliquees.append(p.id)

    par_clause: dict[str, list[Proposition]] = defaultdict(list)
    for p in ordre:
        if p.nature != "modification" or p.ref not in par_ref:
            continue
        if p.ref in supprimees:
            caduques.append((p.id, f"Clause supprimée par l’amendement n°\u00a0{supprimees[p.ref]}."))
        else:
            par_clause[p.ref].append(p)

    modifiees: dict[str, ClauseTexte] = {}
    for ref, groupe in par_clause.items():
        modifiees[ref], retenues, conflits_clause = _fusionner_clause(par_ref[ref], groupe)
        appliquees.extend(retenues)
        conflits.extend(conflits_clause)

    themes: dict[int, str] = {}
    refs_du_theme: dict[int, list[str]] = defaultdict(list)
    for c in clauses:
        themes.setdefault(c.theme_position, c.theme)
        refs_du_theme[c.theme_position].append(c.ref)
    refs_prises = set(par_ref)
    maximum: dict[str, int] = defaultdict(int)
    for ref in par_ref:
        if m := _REF.match(ref):
            maximum[m["prefixe"]] = max(maximum[m["prefixe"]], int(m["numero"]))

    # Sort keys within a theme: an addition goes before the clause that held its position.
    entrees: dict[int, list[tuple[tuple[float, int, int], ClauseTexte]]] = defaultdict(list)
    for c in clauses:
        if c.ref not in supprimees:
            entrees[c.theme_position].append(((c.position, 1, 0), modifiees.get(c.ref, c)))
    for p in ordre:
        if p.nature != "ajout":
            continue
        if p.theme_position is None or (p.theme_position not in themes and not p.theme.strip()):
            caduques.append((p.id, "Le thème où ajouter la clause n’existe pas dans la version consolidée."))
            continue
        theme = themes.setdefault(p.theme_position, p.theme.strip())
        if nouvelle_ref is not None:
            ref = nouvelle_ref(p.id)
        else:
            prefixe = _prefixe_du_theme(refs_du_theme[p.theme_position], theme)
            maximum[prefixe] += 1
            ref = f"{prefixe}-{maximum[prefixe]}"
        if ref in refs_prises:
            raise ValueError(f"ref {ref} is already taken")
        refs_prises.add(ref)
        cle = (math.inf if p.position is None else p.position, 0, p.id)
        entrees[p.theme_position].append((cle, ClauseTexte(ref, p.theme_position, 0, theme, p.titre, p.texte)))
        appliquees.append(p.id)

    resultat: list[ClauseTexte] = []
    for theme_position in sorted(entrees):
        for position, (_, clause) in enumerate(sorted(entrees[theme_position], key=lambda e: e[0]), start=1):
            resultat.append(replace(clause, position=position))
    return Resultat(
        clauses=tuple(resultat),
        appliquees=tuple(sorted(appliquees)),
        conflits=tuple(sorted(conflits, key=lambda c: c.propositions)),
        caduques=tuple(sorted(caduques)),
    )


def resoudre(resultat_clauses: Sequence[ClauseTexte], ref: str, texte: str,
             titre: str | None = None) -> tuple[ClauseTexte, ...]:
    """The draft's clauses with a conflict's merged text (and, if given, title) written by the committee."""
    if not any(c.ref == ref for c in resultat_clauses):
        raise ValueError(f"no clause {ref} in the draft")
    return tuple(
        replace(c, texte=texte, titre=c.titre if titre is None else titre) if c.ref == ref else c
        for c in resultat_clauses
    )
