"""What the round, ballot and result pages read: a fixed number of queries whatever the number of
amendments or ballots. Nothing here ever pairs a person with a choice, except `mes_bulletins`, which
reads the asking person's own ballots only."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from charte.accounts.models import Departement
from charte.amendements.models import Amendement, AmendementStatut
from charte.extensions import db
from charte.scrutins import decompte
from charte.scrutins.graphiques import Graphique, barres
from charte.scrutins.models import Bulletin, Choix, Electeur, Resultat
from charte.texte import pluriel
from charte.tours.models import Tour, TourStatut

NBSP = "\u00a0"
LEGENDE = (("barre-pour", "Pour"), ("barre-contre", "Contre"), ("barre-abstention", "Abstention"))


def amendements_du_tour(tour: Tour) -> list[Amendement]:
    """The round's amendments everyone may see (submitted ones; a draft, even abandoned, stays its
    author's), with their department, by number."""
    return db.session.scalars(
        select(Amendement).options(joinedload(Amendement.departement))
        .where(Amendement.tour_id == tour.id, Amendement.depose_at.is_not(None))
        .order_by(Amendement.numero)
    ).all()


def est_electeur(tour: Tour, user) -> bool:
    """Whether the person is in the round's frozen electorate."""
    return db.session.get(Electeur, (tour.id, user.id)) is not None


def mes_bulletins(tour: Tour, user) -> dict[int, Bulletin]:
    """{amendment id: the person's own ballot} for the round."""
    return {b.amendement_id: b for b in db.session.scalars(
        select(Bulletin).join(Amendement, Amendement.id == Bulletin.amendement_id)
        .where(Amendement.tour_id == tour.id, Bulletin.user_id == user.id))}


def resultats_visibles(tour: Tour) -> bool:
    """Counts are shown once the vote is closed, or during it when the round's frozen rules say live."""
    return tour.statut == TourStatut.CLOS or (tour.statut == TourStatut.VOTE
                                              and bool(tour.regles["resultats_en_direct"]))


def _calcul_depuis(row: Resultat) -> decompte.Resultat:
    """The stored result, as the pure counting module describes it (to explain it)."""
    d = json.loads(row.details_json)
    services = tuple(decompte.VoixService(s["nom"], decompte.Comptes(*s["comptes"]), s["voix"])
                     for s in d.get("services", []))
    return decompte.Resultat(
        electeurs=row.electeurs, votants=row.votants, comptes=decompte.Comptes(row.pour, row.contre, row.abstention),
        quorum_pct=d["quorum_pct"], quorum_atteint=row.quorum_atteint, votants_requis=d["votants_requis"],
        majorite=decompte.Regle(d["majorite"]), une_voix_par_service=d["une_voix_par_service"], services=services,
        decisifs=decompte.Comptes(*d["decisifs"]), majorite_obtenue=d["majorite_obtenue"], adopte=row.adopte,
    )


def _provisoires(tour: Tour, amendement_ids: list[int]) -> dict[int, decompte.Resultat]:
    """Live counts (only ever called when the round's rules show them), in one grouped query."""
    voix: dict[int, list[decompte.Voix]] = {i: [] for i in amendement_ids}
    if amendement_ids:
        rows = db.session.execute(
            select(Bulletin.amendement_id, Electeur.departement_id, Bulletin.choix, func.count())
            .join(Electeur, (Electeur.tour_id == tour.id) & (Electeur.user_id == Bulletin.user_id))
            .where(Bulletin.amendement_id.in_(amendement_ids))
            .group_by(Bulletin.amendement_id, Electeur.departement_id, Bulletin.choix)
        ).all()
        for amendement_id, departement_id, choix, n in rows:
            voix[amendement_id].extend([decompte.Voix(Choix(choix).value, departement_id)] * n)
    regles = decompte.Regles.depuis(tour.regles)
    return {i: decompte.decompter(regles, tour.electeurs_count or 0, v) for i, v in voix.items()}


def resultats(tour: Tour, amendements: list[Amendement]) -> dict[int, decompte.Resultat]:
    """{amendment id: result} — stored ones once closed, live ones if the rules say so, else nothing."""
    if tour.statut == TourStatut.CLOS:
        rows = db.session.scalars(select(Resultat).where(Resultat.tour_id == tour.id)).all()
        return {r.amendement_id: _calcul_depuis(r) for r in rows}
    if resultats_visibles(tour):
        return _provisoires(tour, [a.id for a in amendements if a.statut == AmendementStatut.EN_VOTE])
    return {}


def resultat_amendement(amendement: Amendement) -> decompte.Resultat | None:
    """One amendment's result, under the same visibility rule."""
    tour = amendement.tour
    if tour.statut == TourStatut.CLOS:
        row = db.session.get(Resultat, amendement.id)
        return _calcul_depuis(row) if row is not None else None
    if resultats_visibles(tour) and amendement.statut == AmendementStatut.EN_VOTE:
        return _provisoires(tour, [amendement.id])[amendement.id]
    return None


@dataclass(frozen=True)
class Recu:
    code: str
    choix: str
    service: str | None  # only when the rule counts one voice per department (to recount the voices)


def recus(amendement: Amendement, par_service: bool) -> list[Recu]:
    """Every receipt code of the amendment with its choice, sorted by code (no name, ever)."""
    query = select(Bulletin.recu, Bulletin.choix).where(Bulletin.amendement_id == amendement.id,
                                                        Bulletin.recu.is_not(None))
    if par_service:
        query = (select(Bulletin.recu, Bulletin.choix, Departement.nom)
                 .join(Electeur, (Electeur.tour_id == amendement.tour_id) & (Electeur.user_id == Bulletin.user_id))
                 .join(Departement, Departement.id == Electeur.departement_id)
                 .where(Bulletin.amendement_id == amendement.id, Bulletin.recu.is_not(None)))
    rows = db.session.execute(query.order_by(Bulletin.recu)).all()
    return [Recu(row[0], Choix(row[1]).value, row[2] if par_service else None) for row in rows]


def graphique_resultat(calcul: decompte.Resultat, titre: str) -> Graphique:
    """Pour / contre / abstention of one amendment (and the department voices when they decide)."""
    c = calcul.comptes
    lignes = [("Bulletins des agents", _segments(c))]
    description = f"{_en_clair(c)}, sur {pluriel(calcul.votants, 'votant')}."
    if calcul.une_voix_par_service:
        d = calcul.decisifs
        lignes.append(("Voix des services", _segments(d)))
        description += f" Voix des services{NBSP}: {_en_clair(d)}."
    return barres(titre, description, lignes, legende=LEGENDE)


def _en_clair(c: decompte.Comptes) -> str:
    return f"{c.pour} pour, {c.contre} contre, {pluriel(c.abstention, 'abstention')}"


def _segments(c: decompte.Comptes) -> list[tuple[str, int, str]]:
    return [("barre-pour", c.pour, f"{c.pour} pour"), ("barre-contre", c.contre, f"{c.contre} contre"),
            ("barre-abstention", c.abstention, pluriel(c.abstention, "abstention"))]


def graphique_tour(lignes: list[tuple[Amendement, decompte.Resultat]], titre: str) -> Graphique:
    """Each amendment's pour / contre / abstention, on one scale."""
    return barres(
        titre, "Pour, contre et abstention de chaque amendement, sur la même échelle ; le tableau qui suit donne "
               "les mêmes chiffres.",
        [(f"n°{NBSP}{a.numero} — {a.titre}", _segments(r.comptes)) for a, r in lignes],
        legende=LEGENDE,
    )
