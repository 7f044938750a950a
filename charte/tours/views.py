"""The charter's voting rules (admin) and its amendment rounds (committee opens them; everyone reads)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from charte.accounts.models import User
from charte.chartes.services import get_charte
from charte.extensions import db
from charte.scrutins import lectures
from charte.security import requires
from charte.tours import services
from charte.tours.forms import FenetreForm, ReglesForm, TourForm
from charte.tours.models import Tour, TourEvenement
from charte.web import run_form

bp = Blueprint("tours", __name__)


@bp.route("/admin/chartes/<id:charte_id>/regles", methods=["GET", "POST"])
@requires("admin")
def regles(charte_id: int):
    """Set the charter's voting rules, frozen into each round when it opens."""
    charte = get_charte(charte_id)
    form = ReglesForm(data=services.regles_de(charte).as_dict()) if request.method == "GET" else ReglesForm()
    outcome = run_form(form, lambda: services.definir_regles(
        charte, current_user, quorum_pct=form.quorum_pct.data, majorite=form.majorite.data,
        une_voix_par_service=form.une_voix_par_service.data, resultats_en_direct=form.resultats_en_direct.data,
        cosignataires_min=form.cosignataires_min.data, validation_seuil=form.validation_seuil.data))
    if outcome.done:
        flash("Les règles sont enregistrées ; elles s’appliqueront aux tours ouverts désormais.", "success")
        return redirect(url_for("tours.regles", charte_id=charte.id))
    comite = db.session.scalar(select(func.count()).select_from(User).filter_by(is_comite=True, is_active=True))
    return render_template("tours/regles.html", form=form, charte=charte, tour_ouvert=services.tour_ouvert(charte),
                           comite=comite), outcome.status


@bp.route("/chartes/<id:charte_id>/tours")
def index(charte_id: int):
    """The charter's amendment rounds, newest first."""
    charte = get_charte(charte_id)
    tours = db.session.scalars(select(Tour).filter_by(charte_id=charte.id).order_by(Tour.numero.desc())).all()
    return render_template("tours/index.html", charte=charte, tours=tours, tour_ouvert=services.tour_ouvert(charte))


@bp.route("/chartes/<id:charte_id>/tours/nouveau", methods=["GET", "POST"])
@requires("comite")
def create(charte_id: int):
    """Open an amendment round on the version in force, with its two windows (Paris time)."""
    charte = get_charte(charte_id)
    form = TourForm()
    outcome = run_form(form, lambda: services.ouvrir_tour(
        charte, current_user, form.titre.data, form.depot_debut.data, form.depot_fin.data, form.vote_debut.data,
        form.vote_fin.data))
    if outcome.done:
        flash(f"Le {outcome.result.titre} est ouvert : les agents peuvent déposer leurs amendements.", "success")
        return redirect(url_for("tours.show", tour_id=outcome.result.id))
    return render_template("tours/create.html", form=form, charte=charte, regles=services.regles_de(charte),
                           tour_ouvert=services.tour_ouvert(charte)), outcome.status


@bp.route("/tours/<id:tour_id>")
def show(tour_id: int):
    """A round: its state, windows, frozen rules, amendments, and the reader's own ballots."""
    tour = services.get_tour(tour_id)
    amendements = lectures.amendements_du_tour(tour)
    evenements = db.session.scalars(select(TourEvenement).options(joinedload(TourEvenement.auteur))
                                    .filter_by(tour_id=tour.id).order_by(TourEvenement.id)).all()
    return render_template(
        "tours/show.html", tour=tour, charte=tour.charte, amendements=amendements, evenements=evenements,
        mes_bulletins=lectures.mes_bulletins(tour, current_user),
        resultats=lectures.resultats(tour, amendements), visibles=lectures.resultats_visibles(tour),
        electeur=lectures.est_electeur(tour, current_user),
    )


@bp.route("/tours/<id:tour_id>/fenetre", methods=["GET", "POST"])
@requires("comite")
def fenetre(tour_id: int):
    """Close a window early or extend it, with a recorded reason."""
    tour = services.get_tour(tour_id)
    form = FenetreForm()
    outcome = run_form(form, lambda: services.modifier_fenetre(
        tour, current_user, form.fenetre.data, form.fin.data, form.motif.data))
    if outcome.done:
        flash("La période est modifiée ; la raison est conservée dans l’historique du tour.", "success")
        return redirect(url_for("tours.show", tour_id=tour.id))
    return render_template("tours/fenetre.html", form=form, tour=tour), outcome.status
