"""The participation dashboard of a round: per department and per theme, amendments, comments, voters
and turnout, each figure from one grouped query (never one query per row)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from charte.accounts.models import Departement, User
from charte.amendements.models import Amendement, Commentaire
from charte.chartes.models import VersionClause
from charte.extensions import db
from charte.texte import pluriel
from charte.scrutins.graphiques import Graphique, barres
from charte.scrutins.models import Bulletin, Electeur
from charte.tours.models import Tour

NBSP = "\u00a0"


@dataclass(frozen=True)
class LigneParticipation:
    libelle: str
    amendements: int
    commentaires: int
    votants: int
    electeurs: int | None  # None until the electorate is frozen

    @property
    def taux(self) -> float | None:
        """Turnout in percent (voters among the frozen electorate)."""
        if not self.electeurs:
            return None
        return 100 * self.votants / self.electeurs


@dataclass(frozen=True)
class Participation:
    services: list[LigneParticipation]
    themes: list[LigneParticipation]
    total: LigneParticipation


def _theme_de(tour: Tour):
    """SQL expression giving an amendment's theme position (its clause's theme, or the one it adds to)."""
    clauses = dict(db.session.execute(
        select(VersionClause.ref, VersionClause.theme_position).filter_by(version_id=tour.version_id)).all())
    if not clauses:
        return Amendement.theme_position
    return case(clauses, value=Amendement.clause_ref, else_=Amendement.theme_position)


def participation(tour: Tour) -> Participation:
    """Amendments, comments, voters and turnout of the round, by department and by theme."""
    # Each visible amendment of the round with its theme, as a subquery (grouping by the CASE itself
    # would repeat its bound parameters, which PostgreSQL does not recognise as the same expression).
    at = (select(Amendement.id.label("amendement_id"), Amendement.departement_id.label("departement_id"),
                 _theme_de(tour).label("theme"))
          .where(Amendement.tour_id == tour.id, Amendement.depose_at.is_not(None)).subquery())
    amendements = db.session.execute(
        select(at.c.departement_id, at.c.theme, func.count()).group_by(at.c.departement_id, at.c.theme)).all()
    commentaires = db.session.execute(
        select(User.departement_id, at.c.theme, func.count())
        .select_from(Commentaire).join(at, at.c.amendement_id == Commentaire.amendement_id)
        .join(User, User.id == Commentaire.auteur_id)
        .group_by(User.departement_id, at.c.theme)).all()
    votants_service = dict(db.session.execute(
        select(Electeur.departement_id, func.count(func.distinct(Bulletin.user_id)))
        .select_from(Bulletin).join(at, at.c.amendement_id == Bulletin.amendement_id)
        .join(Electeur, (Electeur.tour_id == tour.id) & (Electeur.user_id == Bulletin.user_id))
        .group_by(Electeur.departement_id)).all())
    votants_theme = dict(db.session.execute(
        select(at.c.theme, func.count(func.distinct(Bulletin.user_id)))
        .select_from(Bulletin).join(at, at.c.amendement_id == Bulletin.amendement_id)
        .group_by(at.c.theme)).all())
    votants_total = db.session.scalar(
        select(func.count(func.distinct(Bulletin.user_id))).join(at, at.c.amendement_id == Bulletin.amendement_id))
    electeurs = dict(db.session.execute(
        select(Electeur.departement_id, func.count()).filter_by(tour_id=tour.id)
        .group_by(Electeur.departement_id)).all())
    gele = tour.electeurs_count is not None

    def somme(rows, index: int, cle) -> int:
        return sum(n for *keys, n in rows if keys[index] == cle)

    services = [
        LigneParticipation(nom, somme(amendements, 0, dep_id), somme(commentaires, 0, dep_id),
                           votants_service.get(dep_id, 0), electeurs.get(dep_id, 0) if gele else None)
        for dep_id, nom in db.session.execute(select(Departement.id, Departement.nom).order_by(Departement.nom_key))
    ]
    themes = [
        LigneParticipation(t.titre, somme(amendements, 1, position), somme(commentaires, 1, position),
                           votants_theme.get(position, 0), tour.electeurs_count)
        for position, t in enumerate(tour.version.themes, start=1)
    ]
    total = LigneParticipation("Ensemble", sum(n for *_, n in amendements), sum(n for *_, n in commentaires),
                               votants_total or 0, tour.electeurs_count)
    return Participation(services, themes, total)


def _pourcent(valeurs) -> str:
    return f"{round(sum(valeurs))}{NBSP}%"


def graphiques(p: Participation) -> dict[str, Graphique]:
    """The dashboard's four charts (the page gives the same figures in two tables)."""
    contributions = (("barre-amendements", "Amendements"), ("barre-commentaires", "Commentaires"))

    def apports(lignes):
        return [(l.libelle, [("barre-amendements", l.amendements, pluriel(l.amendements, "amendement")),
                             ("barre-commentaires", l.commentaires, pluriel(l.commentaires, "commentaire"))])
                for l in lignes]

    def taux(lignes):
        return [(l.libelle, [("barre-participation", l.taux or 0,
                              f"{pluriel(l.votants, 'votant')} sur {pluriel(l.electeurs or 0, 'agent')}")])
                for l in lignes]

    return {
        "services_taux": barres("Participation au vote par service",
                                "Part des agents de chaque service qui ont voté au moins une fois, en pourcentage.",
                                taux(p.services), maximum=100, total=_pourcent),
        "services_apports": barres("Amendements et commentaires par service",
                                   "Nombre d’amendements déposés et de commentaires écrits par les agents de chaque "
                                   "service.", apports(p.services), legende=contributions),
        "themes_taux": barres("Participation au vote par thème",
                              "Part des agents inscrits qui ont voté sur au moins un amendement du thème, en "
                              "pourcentage.", taux(p.themes), maximum=100, total=_pourcent),
        "themes_apports": barres("Amendements et commentaires par thème",
                                 "Nombre d’amendements et de commentaires portant sur chaque thème.",
                                 apports(p.themes), legende=contributions),
    }
