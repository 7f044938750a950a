"""Opening the vote (frozen electorate), casting a ballot, closing the vote (results, receipts, lapses).

They flush and journal; the caller commits."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from charte.accounts.models import Departement, User
from charte.amendements.models import Amendement, AmendementStatut, Cosignature, Revision
from charte.amendements.services import changer_statut
from charte.exceptions import Conflict, DomainError, Forbidden, InvalidInput
from charte.extensions import db
from charte.journal.services import record
from charte.notifications.services import notifier
from charte.scrutins.caducite import Adopte, caducs
from charte.scrutins.decompte import Regles, Voix, decompter
from charte.scrutins.lectures import est_electeur
from charte.scrutins.models import Bulletin, BulletinEvenement, Choix, Electeur, Resultat
from charte.scrutins.recus import nouveaux_codes
from charte.temps import format_paris, maintenant
from charte.tours.models import Tour, TourEvenementType, TourStatut
from charte.tours.services import UNE_SECONDE, clore_depot_maintenant, deplacer_fin, nettoyer_motif, verrouiller

MAX_MOTIF_BULLETIN = 280
NBSP = "\u00a0"


def lien_tour(tour: Tour) -> str:
    """The round's page (for notifications, written outside any request)."""
    return f"/tours/{tour.id}"


def lien_resultat(amendement: Amendement) -> str:
    return f"/amendements/{amendement.id}/resultat"


# --- Opening the vote ----------------------------------------------------------------------------


def departements_cosignataires(amendement_ids: list[int]) -> dict[int, int]:
    """{amendment id: number of departments, other than the author's, that co-signed it}."""
    if not amendement_ids:
        return {}
    rows = db.session.execute(
        select(Cosignature.amendement_id, func.count(func.distinct(Cosignature.departement_id)))
        .join(Amendement, Amendement.id == Cosignature.amendement_id)
        .where(Cosignature.amendement_id.in_(amendement_ids),
               Cosignature.departement_id != Amendement.departement_id)
        .group_by(Cosignature.amendement_id)
    ).all()
    return dict(rows)


@dataclass
class Preparation:
    """What opening the vote would do: the amendments that go to the vote and those kept out, with why."""

    en_vote: list[Amendement] = field(default_factory=list)
    ecartes: list[tuple[Amendement, str]] = field(default_factory=list)


def preparer_vote(tour: Tour) -> Preparation:
    """Split the round's submitted amendments by the minimum number of co-signing departments."""
    deposes = db.session.scalars(
        select(Amendement).filter_by(tour_id=tour.id, statut=AmendementStatut.DEPOSE).order_by(Amendement.numero)
    ).all()
    minimum = int(tour.regles["cosignataires_min"])
    soutiens = departements_cosignataires([a.id for a in deposes]) if minimum else {}
    preparation = Preparation()
    for amendement in deposes:
        n = soutiens.get(amendement.id, 0)
        if n < minimum:
            preparation.ecartes.append((amendement, (
                f"Écarté du vote{NBSP}: {n} service{'s' if n > 1 else ''} cosignataire{'s' if n > 1 else ''}, "
                f"il en faut au moins {minimum}.")))
        else:
            preparation.en_vote.append(amendement)
    return preparation


def ouvrir_vote(tour: Tour, actor: User, motif: str = "") -> Preparation:
    """Open the vote on every admissible amendment of the round at once and freeze the electorate.

    While the submission window is still open, the committee closes it now, with a reason."""
    tour = verrouiller(tour)
    if tour.statut == TourStatut.VOTE:
        raise Conflict("Le vote de ce tour est déjà ouvert.")
    if tour.statut == TourStatut.CLOS:
        raise Conflict("Ce tour est clos.")
    now = maintenant()
    if now >= tour.vote_fin_at:
        raise Conflict(f"La période de vote prévue s’est terminée le {format_paris(tour.vote_fin_at)} (heure de "
                       "Paris) : prolongez-la avant d’ouvrir le vote.")
    if now < tour.depot_fin_at:
        motif = nettoyer_motif(motif, "La période de dépôt court encore : indiquez pourquoi vous la closez dès "
                                      "maintenant pour ouvrir le vote.")
        clore_depot_maintenant(tour, motif, actor)
    preparation = preparer_vote(tour)
    for amendement, raison in preparation.ecartes:
        amendement.motif = raison
    for amendement in preparation.en_vote:
        changer_statut(amendement, AmendementStatut.EN_VOTE)
    # The electorate: every account active at this moment, with its department, frozen for the round.
    db.session.execute(Electeur.__table__.insert().from_select(
        ["tour_id", "user_id", "departement_id"],
        select(literal(tour.id), User.id, User.departement_id).where(User.is_active.is_(True)),
    ))
    electeurs = db.session.scalar(select(func.count()).select_from(Electeur).filter_by(tour_id=tour.id))
    tour.statut = TourStatut.VOTE
    prevu = tour.vote_debut_at
    tour.vote_debut_at = max(now, tour.depot_fin_at)
    tour.vote_ouvert_at = now
    tour.vote_ouvert_par_id = actor.id
    tour.electeurs_count = electeurs
    db.session.flush()
    nombre = len(preparation.en_vote)
    notifier(
        db.session.scalars(select(Electeur.user_id).filter_by(tour_id=tour.id)), "vote_ouvert",
        f"Le vote est ouvert ({tour.titre}){NBSP}: {nombre} amendement{'s' if nombre > 1 else ''}, "
        f"jusqu’au {format_paris(tour.vote_fin_at)} (heure de Paris).",
        lien_tour(tour),
    )
    record("scrutin.ouvert", actor, f"tour:{tour.id}", amendements=[a.numero for a in preparation.en_vote],
           ecartes=[a.numero for a, _ in preparation.ecartes], electeurs=electeurs,
           vote_debut_prevu=prevu.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return preparation


# --- Ballots ---------------------------------------------------------------------------------------


def bulletin_de(amendement: Amendement, user: User) -> Bulletin | None:
    """The person's own ballot on the amendment (nobody else's is ever read for a page)."""
    return db.session.scalar(select(Bulletin).filter_by(amendement_id=amendement.id, user_id=user.id))


def _insert(dialect: str):
    return (postgresql if dialect == "postgresql" else sqlite).insert


def verifier_vote_possible(amendement: Amendement, tour: Tour, user: User) -> None:
    """Refuse, with a French message, a ballot outside the vote window, on an amendment not in the vote,
    or from somebody outside the frozen electorate."""
    if tour.statut == TourStatut.DEPOT:
        raise Conflict("Le vote n’est pas encore ouvert.")
    if tour.statut == TourStatut.CLOS:
        raise Conflict("Le vote est clos : les bulletins ne peuvent plus être déposés ni changés.")
    if amendement.statut != AmendementStatut.EN_VOTE:
        raise Conflict("Cet amendement n’est pas soumis au vote.")
    now = maintenant()
    if now >= tour.vote_fin_at:
        raise Conflict(f"La période de vote s’est terminée le {format_paris(tour.vote_fin_at)} (heure de Paris).")
    if now < tour.vote_debut_at:
        raise Conflict(f"Le vote commence le {format_paris(tour.vote_debut_at)} (heure de Paris).")
    if not est_electeur(tour, user):
        raise Forbidden("Vous ne faisiez pas partie des agents inscrits quand le vote s’est ouvert : vous ne pouvez "
                        "pas voter dans ce tour.")


def refus_de_vote(amendement: Amendement, tour: Tour, user: User) -> str | None:
    """Why the person cannot vote on the amendment now, or None when they can."""
    try:
        verifier_vote_possible(amendement, tour, user)
    except DomainError as exc:
        return exc.message
    return None


def voter(amendement: Amendement, user: User, choix: str, motif: str = "") -> tuple[Bulletin, str]:
    """Cast or change one's ballot; returns it with what happened: "depose", "modifie" or "inchange".

    One ballot per agent per amendment, even under concurrent double-submits: the insert does nothing
    when the ballot exists (ON CONFLICT DO NOTHING), then the row is read under lock and updated."""
    try:
        choix = Choix(choix)
    except ValueError:
        raise InvalidInput("Choisissez « pour », « contre » ou « abstention ».", "choix") from None
    motif = (motif or "").strip()
    if len(motif) > MAX_MOTIF_BULLETIN:
        raise InvalidInput(f"Le motif ne peut pas dépasser {MAX_MOTIF_BULLETIN} caractères.", "motif")
    tour = verrouiller(amendement.tour, partage=True)  # the closing waits for this ballot, or it waits for it
    amendement = db.session.scalars(select(Amendement).where(Amendement.id == amendement.id)
                                     .with_for_update(read=True)
                                     .execution_options(populate_existing=True)).one()
    verifier_vote_possible(amendement, tour, user)
    revision_id = db.session.scalar(select(Revision.id).filter_by(
        amendement_id=amendement.id, numero=amendement.revision_courante))
    now = maintenant()
    inserted = db.session.execute(
        _insert(db.session.get_bind().dialect.name)(Bulletin)
        .values(amendement_id=amendement.id, user_id=user.id, choix=choix, motif=motif, revision_id=revision_id,
                created_at=now)
        .on_conflict_do_nothing(index_elements=["amendement_id", "user_id"])
        .returning(Bulletin.id)
    ).scalar_one_or_none() is not None
    bulletin = db.session.scalars(
        select(Bulletin).filter_by(amendement_id=amendement.id, user_id=user.id)
        .with_for_update().execution_options(populate_existing=True)
    ).one()
    if inserted:
        issue = "depose"
    elif (bulletin.choix, bulletin.motif, bulletin.revision_id) == (choix, motif, revision_id):
        return bulletin, "inchange"
    else:
        issue = "modifie"
        bulletin.choix, bulletin.motif, bulletin.revision_id, bulletin.modifie_at = choix, motif, revision_id, now
    db.session.add(BulletinEvenement(bulletin_id=bulletin.id, choix=choix, motif=motif, revision_id=revision_id,
                                     at_dt=now))
    db.session.flush()
    # That a ballot was cast or changed, never what it says.
    record("bulletin.depose" if issue == "depose" else "bulletin.modifie", user, f"amendement:{amendement.id}")
    return bulletin, issue


# --- Closing ---------------------------------------------------------------------------------------


def clore_scrutin(tour: Tour, actor: User, motif: str = "") -> list[Resultat]:
    """Close the vote: count every amendment under the frozen rules, store the results (immutable),
    move the amendments to adopté / rejeté (then caduc when an adopted deletion removes their clause),
    give each final ballot its receipt code and tell the authors."""
    tour = verrouiller(tour)
    if tour.statut == TourStatut.DEPOT:
        raise Conflict("Le vote n’est pas ouvert : il n’y a rien à clore.")
    if tour.statut == TourStatut.CLOS:
        raise Conflict("Ce vote est déjà clos.")
    now = maintenant()
    if now < tour.vote_fin_at:
        motif = nettoyer_motif(motif, f"Le vote court jusqu’au {format_paris(tour.vote_fin_at)} (heure de Paris) : "
                                      "indiquez pourquoi vous le closez plus tôt.")
        deplacer_fin(tour, TourEvenementType.VOTE_ABREGE, max(now, tour.vote_debut_at + UNE_SECONDE), motif, actor)
    amendements = db.session.scalars(
        select(Amendement).filter_by(tour_id=tour.id, statut=AmendementStatut.EN_VOTE).order_by(Amendement.numero)
    ).all()
    ids = [a.id for a in amendements]
    bulletins = db.session.execute(
        select(Bulletin.id, Bulletin.amendement_id, Bulletin.choix, Electeur.departement_id)
        .join(Electeur, (Electeur.tour_id == tour.id) & (Electeur.user_id == Bulletin.user_id))
        .where(Bulletin.amendement_id.in_(ids))
    ).all() if ids else []
    par_amendement: dict[int, list[Voix]] = {i: [] for i in ids}
    for _id, amendement_id, choix, departement_id in bulletins:
        par_amendement[amendement_id].append(Voix(Choix(choix).value, departement_id))
    noms = dict(db.session.execute(select(Departement.id, Departement.nom)).all())
    regles = Regles.depuis(tour.regles)
    resultats = []
    for amendement in amendements:
        calcul = decompter(regles, tour.electeurs_count or 0, par_amendement[amendement.id])
        resultats.append(Resultat(
            amendement_id=amendement.id, tour_id=tour.id, electeurs=calcul.electeurs, votants=calcul.votants,
            pour=calcul.comptes.pour, contre=calcul.comptes.contre, abstention=calcul.comptes.abstention,
            quorum_atteint=calcul.quorum_atteint, adopte=calcul.adopte,
            details_json=json.dumps(details(calcul, noms), ensure_ascii=False, sort_keys=True), calcule_at=now,
        ))
        changer_statut(amendement, AmendementStatut.ADOPTE if calcul.adopte else AmendementStatut.REJETE)
    db.session.add_all(resultats)
    lapses = caducs(Adopte(a.id, a.numero, a.nature.value, a.clause_ref)
                    for a in amendements if a.statut == AmendementStatut.ADOPTE)
    for amendement in amendements:
        if amendement.id in lapses:
            changer_statut(amendement, AmendementStatut.CADUC, lapses[amendement.id])
    _donner_recus([row[0] for row in bulletins])
    tour.statut = TourStatut.CLOS
    tour.ouvert_charte_id = None
    tour.clos_at = now
    tour.clos_par_id = actor.id
    db.session.flush()
    for amendement in amendements:
        notifier([amendement.auteur_id], "vote_clos",
                 f"Le vote sur votre amendement n°{NBSP}{amendement.numero} est clos{NBSP}: "
                 f"{amendement.statut.label.lower()}.", lien_resultat(amendement))
    record("scrutin.clos", actor, f"tour:{tour.id}", motif=motif or None,
           resultats={str(a.numero): a.statut.value for a in amendements},
           comptes={str(a.numero): [r.pour, r.contre, r.abstention] for a, r in zip(amendements, resultats)})
    return resultats


def details(calcul, noms: dict[int, str]) -> dict:
    """What the result page needs beyond the counts, frozen with the result (department names included)."""
    return {
        "quorum_pct": calcul.quorum_pct,
        "votants_requis": calcul.votants_requis,
        "majorite": calcul.majorite.value,
        "une_voix_par_service": calcul.une_voix_par_service,
        "majorite_obtenue": calcul.majorite_obtenue,
        "decisifs": [calcul.decisifs.pour, calcul.decisifs.contre, calcul.decisifs.abstention],
        "services": [
            {"id": s.departement, "nom": noms.get(s.departement, "Service supprimé"), "voix": s.voix,
             "comptes": [s.comptes.pour, s.comptes.contre, s.comptes.abstention]}
            for s in calcul.services
        ],
    }


RECUS_PAR_REQUETE = 500


def _donner_recus(bulletin_ids: list[int]) -> None:
    """A fresh random receipt code for each final ballot, unique across every round."""
    def deja_pris(codes: set[str]) -> set[str]:
        codes = sorted(codes)
        pris = set()
        for i in range(0, len(codes), RECUS_PAR_REQUETE):
            pris |= set(db.session.scalars(select(Bulletin.recu).where(
                Bulletin.recu.in_(codes[i:i + RECUS_PAR_REQUETE]))))
        return pris

    codes = nouveaux_codes(len(bulletin_ids), deja_pris)
    if bulletin_ids:
        db.session.execute(update(Bulletin), [{"id": i, "recu": c} for i, c in zip(bulletin_ids, codes)])
