"""Counting the ballots of one amendment under a round's frozen rules. Pure: plain values in and out.

- Quorum: the share of the frozen electorate who cast a ballot (abstentions included). It is reached
  when votants / électeurs ≥ quorum / 100 — exactly reaching the threshold is enough —, computed
  in integers (votants × 100 ≥ quorum × électeurs). With no voter at all it is reached only if the
  quorum is 0 %.
- Majority, applied to the counts (p, c, a):
  simple: p > c; absolute: p > c + a; qualified: p ≥ 2/3 (p + c), i.e. 3p ≥ 2(p + c), and p > 0
  (no "pour" adopts nothing).
- One voice per department: each department whose agents voted has one voice, the majority of its
  own agents' ballots (pour if more pour than contre, contre if more contre than pour, abstention
  when they tie or when its agents only abstained); the majority rule is then applied to the
  department voices. The quorum is still counted on individual voters (a department that did not
  vote has no voice at all, not an abstention).
- Adopted = quorum reached and majority obtained.
"""
from __future__ import annotations

import enum
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Hashable, Iterable

from charte.texte import pluriel

POUR, CONTRE, ABSTENTION = "pour", "contre", "abstention"
CHOIX = (POUR, CONTRE, ABSTENTION)


class Regle(str, enum.Enum):
    SIMPLE = "simple"
    ABSOLUE = "absolue"
    QUALIFIEE = "qualifiee"


@dataclass(frozen=True)
class Regles:
    """The part of a round's frozen rules that decides a vote."""

    quorum_pct: int
    majorite: Regle
    une_voix_par_service: bool = False

    def __post_init__(self):
        if not 0 <= self.quorum_pct <= 100:
            raise ValueError("le quorum est un pourcentage entre 0 et 100")
        object.__setattr__(self, "majorite", Regle(self.majorite))

    @classmethod
    def depuis(cls, regles: dict) -> "Regles":
        """From a round's regles_json dictionary."""
        return cls(int(regles["quorum_pct"]), Regle(regles["majorite"]), bool(regles["une_voix_par_service"]))


@dataclass(frozen=True)
class Voix:
    """One final ballot: its choice and the voter's department (frozen with the electorate)."""

    choix: str
    departement: Hashable = None

    def __post_init__(self):
        if self.choix not in CHOIX:
            raise ValueError(f"choix inconnu : {self.choix!r}")


@dataclass(frozen=True)
class Comptes:
    pour: int = 0
    contre: int = 0
    abstention: int = 0

    @property
    def total(self) -> int:
        return self.pour + self.contre + self.abstention

    @classmethod
    def de(cls, choix: Iterable[str]) -> "Comptes":
        counted = Counter(choix)
        return cls(counted[POUR], counted[CONTRE], counted[ABSTENTION])


@dataclass(frozen=True)
class VoixService:
    """A department's voice: its agents' ballots and the voice they give it."""

    departement: Hashable
    comptes: Comptes
    voix: str


@dataclass(frozen=True)
class Resultat:
    electeurs: int
    votants: int
    comptes: Comptes  # individual ballots
    quorum_pct: int
    quorum_atteint: bool
    votants_requis: int  # the smallest number of voters that reaches the quorum
    majorite: Regle
    une_voix_par_service: bool
    services: tuple[VoixService, ...]  # empty unless one voice per department
    decisifs: Comptes  # the counts the majority rule was applied to (ballots or department voices)
    majorite_obtenue: bool
    adopte: bool


def voix_du_service(comptes: Comptes) -> str:
    """The majority of a department's own ballots; a tie (or only abstentions) abstains."""
    if comptes.pour > comptes.contre:
        return POUR
    if comptes.contre > comptes.pour:
        return CONTRE
    return ABSTENTION


def majorite_obtenue(regle: Regle, comptes: Comptes) -> bool:
    """Whether the counts satisfy the majority rule."""
    p, c, a = comptes.pour, comptes.contre, comptes.abstention
    if regle is Regle.SIMPLE:
        return p > c
    if regle is Regle.ABSOLUE:
        return p > c + a
    return p > 0 and 3 * p >= 2 * (p + c)


def votants_requis(quorum_pct: int, electeurs: int) -> int:
    """The smallest number of voters with votants × 100 ≥ quorum × électeurs (at least 1 if quorum > 0)."""
    needed = -(-quorum_pct * electeurs // 100)
    return max(needed, 1) if quorum_pct > 0 else 0


def decompter(regles: Regles, electeurs: int, bulletins: Iterable[Voix]) -> Resultat:
    """The result of one amendment's vote."""
    bulletins = list(bulletins)
    votants = len(bulletins)
    if electeurs < 0 or votants > electeurs:
        raise ValueError("plus de votants que d’électeurs")
    comptes = Comptes.de(b.choix for b in bulletins)
    requis = votants_requis(regles.quorum_pct, electeurs)
    quorum = votants >= requis
    services: tuple[VoixService, ...] = ()
    decisifs = comptes
    if regles.une_voix_par_service:
        par_service: dict = defaultdict(list)
        for b in bulletins:
            par_service[b.departement].append(b.choix)
        services = tuple(
            VoixService(dep, Comptes.de(choix), voix_du_service(Comptes.de(choix)))
            for dep, choix in sorted(par_service.items(), key=lambda item: str(item[0]))
        )
        decisifs = Comptes.de(s.voix for s in services)
    obtenue = majorite_obtenue(regles.majorite, decisifs)
    return Resultat(
        electeurs=electeurs, votants=votants, comptes=comptes, quorum_pct=regles.quorum_pct,
        quorum_atteint=quorum, votants_requis=requis, majorite=regles.majorite,
        une_voix_par_service=regles.une_voix_par_service, services=services, decisifs=decisifs,
        majorite_obtenue=obtenue, adopte=quorum and obtenue,
    )


# --- The computation explained in French (the result page shows these sentences) ---------------

NBSP = "\u00a0"
_POUR, _CONTRE = f"«{NBSP}pour{NBSP}»", f"«{NBSP}contre{NBSP}»"


def seuil_qualifie(comptes: Comptes) -> int:
    """How many "pour" a qualified majority needs: two thirds of pour + contre, at least one."""
    return max(1, -(-2 * (comptes.pour + comptes.contre) // 3))


def expliquer(resultat: Resultat, nom_service=str) -> list[str]:
    """The computation, step by step, in plain French sentences."""
    r = resultat
    lignes = []
    etat = "atteint" if r.quorum_atteint else "non atteint"
    lignes.append(
        f"Quorum {etat}{NBSP}: {pluriel(r.votants, 'votant')} sur {pluriel(r.electeurs, 'agent')}, "
        f"seuil {r.quorum_pct}{NBSP}% ({pluriel(r.votants_requis, 'votant')} au moins)."
    )
    d = r.decisifs
    if r.une_voix_par_service:
        lignes.append(
            f"Une voix par service{NBSP}: {pluriel(len(r.services), 'service a voté', 'services ont voté')}{NBSP}; "
            f"chaque service vaut la majorité de ses agents (égalité{NBSP}: abstention). "
            f"Voix des services{NBSP}: {d.pour} {_POUR}, {d.contre} {_CONTRE}, {pluriel(d.abstention, 'abstention')}."
        )
        for s in r.services:
            c = s.comptes
            voix = {POUR: _POUR, CONTRE: _CONTRE, ABSTENTION: "abstention"}[s.voix]
            lignes.append(f"{nom_service(s.departement)}{NBSP}: {c.pour} pour, {c.contre} contre, "
                          f"{pluriel(c.abstention, 'abstention')} → {voix}.")
        unite = "voix de services"
    else:
        unite = "bulletins"
    obtenue = "majorité obtenue" if r.majorite_obtenue else "majorité non obtenue"
    if r.majorite is Regle.SIMPLE:
        signe = ">" if d.pour > d.contre else "≤"
        lignes.append(f"Majorité simple ({unite}){NBSP}: {d.pour} {_POUR} {signe} {d.contre} {_CONTRE}, {obtenue}.")
    elif r.majorite is Regle.ABSOLUE:
        autres = d.contre + d.abstention
        signe = ">" if d.pour > autres else "≤"
        lignes.append(
            f"Majorité absolue ({unite}){NBSP}: {d.pour} {_POUR} {signe} {d.contre} {_CONTRE} et "
            f"{pluriel(d.abstention, 'abstention')} réunis ({autres}), {obtenue}."
        )
    else:
        exprimes = d.pour + d.contre
        lignes.append(
            f"Majorité qualifiée ({unite}){NBSP}: il faut au moins deux tiers de {_POUR} parmi les "
            f"{exprimes} {_POUR} et {_CONTRE}, soit {seuil_qualifie(d)}{NBSP}; {d.pour} {_POUR}, {obtenue}."
        )
    if not r.quorum_atteint:
        lignes.append(f"Résultat{NBSP}: rejeté, faute de quorum.")
    else:
        lignes.append(f"Résultat{NBSP}: {'adopté' if r.adopte else 'rejeté'}.")
    return lignes
