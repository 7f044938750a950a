"""Opening and closing the vote (committee), ballots (electors), results, receipts, participation."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from charte.amendements.services import get_amendement
from charte.scrutins import lectures, services
from charte.scrutins.decompte import expliquer
from charte.scrutins.forms import BulletinForm
from charte.scrutins.participation import graphiques, participation
from charte.security import requires
from charte.temps import maintenant
from charte.texte import pluriel
from charte.tours.forms import MotifForm
from charte.tours.models import TourStatut
from charte.tours.services import get_tour
from charte.web import run_form

bp = Blueprint("scrutins", __name__)

ISSUES = {
    "depose": "Votre bulletin est enregistré. Vous pouvez le changer jusqu’à la clôture du vote.",
    "modifie": "Votre bulletin est modifié. Seul le dernier compte.",
    "inchange": "Votre bulletin était déjà celui-ci : rien n’a changé.",
}


@bp.route("/tours/<id:tour_id>/ouvrir-vote", methods=["GET", "POST"])
@requires("comite")
def ouvrir_vote(tour_id: int):
    """Open the vote on every admissible amendment of the round and freeze the electorate."""
    tour = get_tour(tour_id)
    return _action_du_comite(
        tour, services.ouvrir_vote, "scrutins/ouvrir.html",
        lambda preparation: (f"Le vote est ouvert sur {pluriel(len(preparation.en_vote), 'amendement')} ; "
                             f"{pluriel(tour.electeurs_count, 'agent')} peuvent voter."),
        lambda: url_for("tours.show", tour_id=tour.id), preparation=lambda: services.preparer_vote(tour))


@bp.route("/tours/<id:tour_id>/clore", methods=["GET", "POST"])
@requires("comite")
def clore(tour_id: int):
    """Close the vote: results, receipts, lapsed amendments."""
    tour = get_tour(tour_id)
    return _action_du_comite(tour, services.clore_scrutin, "scrutins/clore.html",
                             lambda _: "Le vote est clos : les résultats et les reçus sont publiés.",
                             lambda: url_for("scrutins.resultats", tour_id=tour.id))


def _action_du_comite(tour, action, template: str, message, cible, **lectures_page):
    """A committee action on a round confirmed by a form whose only field is the reason (needed when a
    window is cut short): run it, then say so and go on, or show the page again with the refusal."""
    form = MotifForm()
    outcome = run_form(form, lambda: action(tour, current_user, form.motif.data))
    if outcome.done:
        flash(message(outcome.result), "success")
        return redirect(cible())
    return render_template(template, form=form, tour=tour, maintenant=maintenant(),
                           **{nom: lire() for nom, lire in lectures_page.items()}), outcome.status


@bp.route("/amendements/<id:amendement_id>/bulletin", methods=["GET", "POST"])
def bulletin(amendement_id: int):
    """One's own ballot on an amendment: cast it, change it, and after closing read its receipt."""
    amendement = get_amendement(amendement_id, current_user)
    form = BulletinForm()
    outcome = run_form(form, lambda: services.voter(amendement, current_user, form.choix.data, form.motif.data))
    if outcome.done:
        flash(ISSUES[outcome.result[1]], "success")
        return redirect(url_for("scrutins.bulletin", amendement_id=amendement.id))
    tour = amendement.tour
    mien = services.bulletin_de(amendement, current_user)
    if not form.is_submitted() and mien is not None:
        form.choix.data, form.motif.data = mien.choix.value, mien.motif
    return render_template("scrutins/bulletin.html", form=form, amendement=amendement, tour=tour, bulletin=mien,
                           electeur=lectures.est_electeur(tour, current_user),
                           refus=services.refus_de_vote(amendement, tour, current_user)), outcome.status


@bp.route("/tours/<id:tour_id>/resultats")
def resultats(tour_id: int):
    """The round's results: a chart and a table (nothing while the vote is open, unless the rules say live)."""
    tour = get_tour(tour_id)
    amendements = lectures.amendements_du_tour(tour)
    calculs = lectures.resultats(tour, amendements)
    lignes = [(a, calculs[a.id]) for a in amendements if a.id in calculs]
    graphique = lectures.graphique_tour(lignes, f"Résultats du {tour.titre}") if lignes else None
    return render_template("scrutins/resultats.html", tour=tour, lignes=lignes, graphique=graphique,
                           visibles=lectures.resultats_visibles(tour))


@bp.route("/amendements/<id:amendement_id>/resultat")
def resultat(amendement_id: int):
    """One amendment's result explained in French, its chart, its table and the list of receipts."""
    amendement = get_amendement(amendement_id, current_user)
    tour = amendement.tour
    calcul = lectures.resultat_amendement(amendement)
    par_service = bool(tour.regles["une_voix_par_service"])
    return render_template(
        "scrutins/resultat.html", amendement=amendement, tour=tour, calcul=calcul,
        explication=expliquer(calcul) if calcul else [],
        graphique=lectures.graphique_resultat(calcul, f"Résultat de l’amendement n° {amendement.numero}")
        if calcul else None,
        recus=lectures.recus(amendement, par_service) if calcul and tour.statut == TourStatut.CLOS else [],
        par_service=par_service,
    )


@bp.route("/tours/<id:tour_id>/participation")
def tableau(tour_id: int):
    """Participation dashboard: per department and per theme, with charts and their tables."""
    tour = get_tour(tour_id)
    donnees = participation(tour)
    return render_template("scrutins/participation.html", tour=tour, p=donnees, graphiques=graphiques(donnees))
