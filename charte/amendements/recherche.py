"""Finding amendments: filtered, paginated lists and the pages' loading, a fixed number of queries each."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from charte.accounts.models import User
from charte.amendements.etats import AmendementStatut
from charte.amendements.models import Amendement, Commentaire, Cosignature
from charte.extensions import db

PAR_PAGE = 25


@dataclass(frozen=True)
class Filtres:
    charte_id: int
    theme: int | None = None
    clause: str | None = None
    departement_id: int | None = None
    statut: str | None = None
    auteur_id: int | None = None
    q: str | None = None


@dataclass
class Page:
    lignes: list = field(default_factory=list)  # (amendement, co-signatures, comments)
    total: int = 0
    page: int = 1
    pages: int = 1


def visibles(user):
    """What the person may see: everything submitted once, and their own drafts (abandoned ones included)."""
    return or_(Amendement.depose_at.is_not(None), Amendement.auteur_id == user.id)


def _motif_like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filtres: Filtres, user) -> list:
    conditions = [Amendement.charte_id == filtres.charte_id, visibles(user)]
    if filtres.theme:
        conditions.append(Amendement.theme_position == filtres.theme)
    if filtres.clause:
        conditions.append(Amendement.clause_ref == filtres.clause)
    if filtres.departement_id:
        conditions.append(Amendement.departement_id == filtres.departement_id)
    if filtres.statut:
        conditions.append(Amendement.statut == AmendementStatut(filtres.statut))
    if filtres.auteur_id:
        conditions.append(Amendement.auteur_id == filtres.auteur_id)
    if filtres.q:
        motif = _motif_like(filtres.q)
        conditions.append(or_(*(column.ilike(motif, escape="\\")
                                for column in (Amendement.titre, Amendement.texte, Amendement.expose))))
    return conditions


def _avec_compteurs(query):
    """Each amendment with its numbers of co-signatures and comments (correlated counts, one query)."""
    cosignatures = select(func.count(Cosignature.id)).where(Cosignature.amendement_id == Amendement.id) \
        .correlate(Amendement).scalar_subquery()
    commentaires = select(func.count(Commentaire.id)).where(Commentaire.amendement_id == Amendement.id) \
        .correlate(Amendement).scalar_subquery()
    return query.add_columns(cosignatures, commentaires) \
        .options(joinedload(Amendement.auteur), joinedload(Amendement.departement))


def rechercher(filtres: Filtres, user, page: int = 1, par_page: int | None = None) -> Page:
    """One page of the amendments matching the filters, newest first."""
    par_page = par_page or PAR_PAGE
    conditions = _conditions(filtres, user)
    total = db.session.scalar(select(func.count()).select_from(Amendement).where(*conditions)) or 0
    pages = max(1, -(-total // par_page))
    page = min(max(page, 1), pages)
    query = _avec_compteurs(select(Amendement).where(*conditions)) \
        .order_by(Amendement.numero.desc()).offset((page - 1) * par_page).limit(par_page)
    return Page([tuple(row) for row in db.session.execute(query)], total, page, pages)


def auteurs(charte_id: int, user) -> list[User]:
    """The people who wrote an amendment the person may see (the author filter's choices)."""
    ids = select(Amendement.auteur_id).where(Amendement.charte_id == charte_id, visibles(user)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.nom, User.id)))


def mes_amendements(user) -> tuple[list, list, list]:
    """(mine, drafts included; my department's others; those I co-signed), with their counts."""
    def lignes(*conditions):
        query = _avec_compteurs(select(Amendement).where(*conditions)).order_by(Amendement.id.desc())
        return [tuple(row) for row in db.session.execute(query)]

    cosignes = select(Cosignature.amendement_id).where(Cosignature.user_id == user.id)
    return (
        lignes(Amendement.auteur_id == user.id),
        lignes(Amendement.departement_id == user.departement_id, Amendement.auteur_id != user.id,
               Amendement.depose_at.is_not(None)),
        lignes(Amendement.id.in_(cosignes)),
    )


def de_la_clause(charte_id: int, ref: str, user) -> list:
    """The amendments on one clause that the person may see (the clause page's list)."""
    query = _avec_compteurs(select(Amendement).where(
        Amendement.charte_id == charte_id, Amendement.clause_ref == ref, visibles(user))).order_by(Amendement.numero)
    return [tuple(row) for row in db.session.execute(query)]


def charger_page(amendement: Amendement):
    """Everything the amendment's page shows, in a fixed number of queries: revisions, co-signatures,
    comments (with authors, edits' existence and who hid them)."""
    db.session.scalars(select(Amendement).where(Amendement.id == amendement.id).options(
        selectinload(Amendement.revisions),
        selectinload(Amendement.cosignatures).joinedload(Cosignature.user),
        selectinload(Amendement.cosignatures).joinedload(Cosignature.departement),
        joinedload(Amendement.auteur), joinedload(Amendement.departement), joinedload(Amendement.tour),
    )).all()
    commentaires = db.session.scalars(select(Commentaire).where(Commentaire.amendement_id == amendement.id).options(
        joinedload(Commentaire.auteur), joinedload(Commentaire.masque_par),
    ).order_by(Commentaire.id)).all()
    return fils(commentaires)


def fils(commentaires: list[Commentaire]) -> list[tuple[Commentaire, list[Commentaire]]]:
    """Threads: each top-level comment with its replies, in order."""
    reponses: dict[int, list[Commentaire]] = {}
    racines = []
    for c in commentaires:
        if c.parent_id is None:
            racines.append(c)
        else:
            reponses.setdefault(c.parent_id, []).append(c)
    return [(r, reponses.get(r.id, [])) for r in racines]
