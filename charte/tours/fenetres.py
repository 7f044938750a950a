"""The windows of a round: what order their dates must keep, and which window is open now. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Fenetres:
    """A round's submission and vote windows, in naive UTC."""

    depot_debut: datetime
    depot_fin: datetime
    vote_debut: datetime
    vote_fin: datetime


def erreur_fenetres(f: Fenetres, maintenant: datetime) -> tuple[str, str] | None:
    """The first fault of a new round's windows as (field, French message), or None when they hold."""
    if f.depot_fin <= f.depot_debut:
        return "depot_fin", "La fin du dépôt doit venir après son début."
    if f.depot_fin <= maintenant:
        return "depot_fin", "La fin du dépôt est déjà passée : choisissez une date à venir."
    if f.vote_debut < f.depot_fin:
        return "vote_debut", "Le vote doit commencer après la fin du dépôt (ou au même moment)."
    if f.vote_fin <= f.vote_debut:
        return "vote_fin", "La fin du vote doit venir après son début."
    return None


def depot_ouvert(f: Fenetres, maintenant: datetime) -> bool:
    """Whether amendments may be submitted now (the round must also be in its submission phase)."""
    return f.depot_debut <= maintenant < f.depot_fin


def vote_ouvert(f: Fenetres, maintenant: datetime) -> bool:
    """Whether ballots are accepted now (the committee must also have opened the vote)."""
    return f.vote_debut <= maintenant < f.vote_fin
