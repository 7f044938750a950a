"""Horizontal bar charts laid out on the server (the template draws them as inline SVG). Pure.

Each row is a label above a bar made of coloured segments (CSS classes, no style attribute: the
Content-Security-Policy forbids inline styles), followed by its total. The page always gives the
same figures in a table, for screen readers and for print."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

LARGEUR = 640
MARGE = 8
LARGEUR_BARRE = 520  # leaves room for the figure at the end of the bar
HAUTEUR_ETIQUETTE = 18
HAUTEUR_BARRE = 16
ECART = 12
HAUTEUR_LEGENDE = 26


@dataclass(frozen=True)
class Segment:
    classe: str  # CSS class giving the fill colour
    x: float
    largeur: float
    legende: str  # e.g. "12 pour"


@dataclass(frozen=True)
class Ligne:
    etiquette: str
    y_etiquette: float
    y_barre: float
    segments: tuple[Segment, ...]
    total: str
    x_total: float


@dataclass(frozen=True)
class Cle:
    classe: str
    libelle: str
    x: float


@dataclass(frozen=True)
class Graphique:
    titre: str
    description: str
    largeur: int
    hauteur: int
    hauteur_barre: int
    lignes: tuple[Ligne, ...]
    legende: tuple[Cle, ...]


def barres(titre: str, description: str, lignes: Sequence[tuple[str, Sequence[tuple[str, float, str]]]],
           legende: Sequence[tuple[str, str]] = (), maximum: float | None = None,
           total=lambda valeurs: f"{sum(valeurs):g}") -> Graphique:
    """Lay out rows of (label, [(css class, value, caption)]) on a common scale.

    `maximum` fixes the scale (e.g. 100 for percentages); by default the largest row fills the width."""
    sommes = [sum(v for _, v, _ in segments) for _, segments in lignes]
    echelle = maximum if maximum else max(sommes, default=0)
    y = MARGE + (HAUTEUR_LEGENDE if legende else 0)
    cles = []
    x = MARGE
    for classe, libelle in legende:
        cles.append(Cle(classe, libelle, x))
        x += 24 + 8 * len(libelle)
    sorties = []
    for (etiquette, segments), somme in zip(lignes, sommes):
        x = MARGE
        morceaux = []
        for classe, valeur, legende_segment in segments:
            largeur = LARGEUR_BARRE * valeur / echelle if echelle else 0
            if largeur > 0:
                morceaux.append(Segment(classe, round(x, 2), round(largeur, 2), legende_segment))
            x += largeur
        sorties.append(Ligne(
            etiquette=etiquette, y_etiquette=y + HAUTEUR_ETIQUETTE - 4, y_barre=y + HAUTEUR_ETIQUETTE,
            segments=tuple(morceaux), total=total([v for _, v, _ in segments]), x_total=round(x + 6, 2),
        ))
        y += HAUTEUR_ETIQUETTE + HAUTEUR_BARRE + ECART
    return Graphique(titre, description, LARGEUR, int(y + MARGE), HAUTEUR_BARRE, tuple(sorties), tuple(cles))
