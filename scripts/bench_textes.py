"""Print how long consolidation takes: 150 adopted amendments on a 300-clause charter (pure function).

Run: .venv/bin/python scripts/bench_textes.py [--repetitions N]
The mix: 100 modifications (most on distinct clauses, some pairs on one clause, a few rewriting the
same words), 25 additions and 25 suppressions; clause texts of 300 to 900 characters.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charte.textes.fusion import ClauseTexte, Proposition, Resultat, fusionner  # noqa: E402

MOTS = ("l’agent", "la collectivité", "vérifie", "les données", "personnelles", "un outil", "d’intelligence",
        "artificielle", "peut-être", "publie", "chaque", "résultat", "avant", "diffusion", "le référent",
        "informe", "les habitants", "sobre", "souverain", "en 2026", "à 3,5 %", "du service", "public",
        "explique", "ses choix", "au comité", "de pilotage", "sans", "délai", "et", "ou", "mais")
THEMES = ("Responsabilité", "Transparence", "Données", "Sobriété", "Gouvernance", "Formation")


def _phrase(rnd: random.Random) -> str:
    mots = [rnd.choice(MOTS) for _ in range(rnd.randint(8, 16))]
    return mots[0][0].upper() + " ".join(mots)[1:] + rnd.choice((".", " ; ", ", ")).rstrip() + " "


def charte_de_banc(n_clauses: int = 300, graine: int = 2026) -> list[ClauseTexte]:
    rnd = random.Random(graine)
    clauses = []
    par_theme = n_clauses // len(THEMES)
    for t, theme in enumerate(THEMES, start=1):
        for position in range(1, par_theme + 1):
            texte = "".join(_phrase(rnd) for _ in range(rnd.randint(3, 8))).strip()
            clauses.append(ClauseTexte(f"{theme[:4].upper()}-{position}", t, position, theme, f"Article {position}",
                                       f"[{theme} {position}] {texte}"))
    return clauses


def _remplacer_mot(rnd: random.Random, texte: str, cote: str) -> str:
    """Rewrite one word in the first or last third of a text."""
    mots = texte.split(" ")
    tiers = max(1, len(mots) // 3)
    i = rnd.randrange(1, tiers) if cote == "debut" and tiers > 1 else len(mots) - 1 - rnd.randrange(tiers)
    mots[i] = "modifié" + mots[i][-1:]
    return " ".join(mots)


def amendements_de_banc(clauses: list[ClauseTexte], graine: int = 2026) -> list[Proposition]:
    rnd = random.Random(graine)
    cibles = rnd.sample(clauses, 130)
    propositions: list[Proposition] = []

    def ajouter(**champs) -> None:
        propositions.append(Proposition(id=len(propositions) + 1, **champs))

    for clause in cibles[:80]:  # one modification on each of 80 clauses
        ajouter(nature="modification", ref=clause.ref, base_texte=clause.texte,
                texte=_remplacer_mot(rnd, clause.texte, "debut"), titre=clause.titre)
    for clause in cibles[:15]:  # a second, disjoint modification on 15 of them
        ajouter(nature="modification", ref=clause.ref, base_texte=clause.texte,
                texte=_remplacer_mot(rnd, clause.texte, "fin"), titre=clause.titre)
    for clause in cibles[15:20]:  # a second modification rewriting a whole sentence: conflicts
        ajouter(nature="modification", ref=clause.ref, base_texte=clause.texte,
                texte="Texte entièrement réécrit. " + clause.texte[len(clause.texte) // 2:], titre=clause.titre)
    for clause in cibles[80:105]:
        ajouter(nature="suppression", ref=clause.ref, base_texte=clause.texte, texte="", titre=clause.titre)
    for n in range(25):
        ajouter(nature="ajout", ref=None, base_texte="", texte=_phrase(rnd).strip(), titre=f"Nouvel article {n}",
                theme_position=rnd.randint(1, len(THEMES)), position=rnd.choice((None, 1, 10, 30)))
    return propositions


def mesurer(repetitions: int = 5) -> tuple[float, Resultat]:
    """Median seconds of one `fusionner` call on the benchmark charter, and its result."""
    clauses = charte_de_banc()
    propositions = amendements_de_banc(clauses)
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        resultat = fusionner(clauses, propositions)
        durees.append(time.perf_counter() - debut)
    return statistics.median(durees), resultat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    duree, resultat = mesurer(args.repetitions)
    print(f"fusionner : 150 amendements adoptés sur 300 clauses en {duree * 1000:.0f} ms (médiane de "
          f"{args.repetitions}) — {len(resultat.appliquees)} intégrés, {len(resultat.conflits)} conflits, "
          f"{len(resultat.caduques)} caducs")


if __name__ == "__main__":
    main()
