"""Consolidation pages: drafts, the conflict screen, editorial corrections, validation, comparison of
versions and the changelog of a version. Read by every agent; acted on by the committee."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from charte.chartes.services import get_charte
from charte.consolidation import lecture, services, validation
from charte.consolidation.forms import CorrectionForm, DecisionForm, ResolutionForm, RevisionForm
from charte.consolidation.models import ProjetStatut
from charte.consolidation.verification import approbations_de_version, contenu_de_version
from charte.exceptions import NotFound
from charte.extensions import db
from charte.forms import ActionForm
from charte.security import requires, requires_fresh_auth
from charte.textes.diffs import cote_a_cote, diff_mots, rendu_cote_a_cote_html, rendu_html
from charte.tours.models import Tour
from charte.web import pluriel, run_form

bp = Blueprint("consolidation", __name__)


def _user():
    return current_user._get_current_object()


def _diff(avant: str | None, apres: str | None):
    return rendu_html(diff_mots(avant or "", apres or ""))


def _cote(avant: str | None, apres: str | None, gauche: str, droite: str, legende: str = ""):
    return rendu_cote_a_cote_html(cote_a_cote(avant or "", apres or ""), titre_gauche=gauche, titre_droite=droite,
                                  legende=legende)


def _render(template: str, status: int = 200, **context):
    return render_template(template, diff=_diff, cote=_cote, **context), status


@bp.app_template_global()
def approbations_portees(version):
    """The approvals an adopted version carries, for its page."""
    return approbations_de_version(version)


def _ecartees(nombre: int) -> None:
    if nombre:
        flash(f"Le texte a changé\u00a0: {pluriel(nombre, 'approbation déjà donnée a été écartée', 'approbations déjà données ont été écartées')}"
              " (elles portaient sur l’ancien texte).", "info")


# --- Drafts --------------------------------------------------------------------------------------


@bp.route("/chartes/<id:charte_id>/projets")
def projets(charte_id: int):
    """A charter's drafts, and its closed rounds waiting to be consolidated."""
    charte = get_charte(charte_id)
    return _render("consolidation/projets.html", charte=charte, projets=services.projets_de(charte),
                   a_consolider=services.tours_a_consolider(charte), form=ActionForm())


@bp.route("/tours/<id:tour_id>/consolider", methods=["POST"])
@requires("comite")
def consolider(tour_id: int):
    """Build the draft of the next version from the round's adopted amendments."""
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        raise NotFound("Ce tour n’existe pas.")
    form = ActionForm()
    outcome = run_form(form, lambda: services.consolider(tour, actor=_user()))
    if outcome.done:
        r = outcome.result
        flash(f"Projet de version construit\u00a0: {pluriel(r.appliques, 'amendement appliqué', 'amendements appliqués')}, "
              f"{pluriel(r.conflits, 'conflit')} à résoudre, {pluriel(r.caducs, 'amendement devenu caduc', 'amendements devenus caducs')}.",
              "success")
        return redirect(url_for("consolidation.projet", projet_id=r.projet.id))
    charte = tour.charte
    return _render("consolidation/projets.html", outcome.status, charte=charte, projets=services.projets_de(charte),
                   a_consolider=services.tours_a_consolider(charte), form=form)


def _page_projet(projet_id: int, status: int = 200, **forms):
    projet = lecture.charger_projet(projet_id)
    contenu = projet.contenu
    comparaison = lecture.comparer_contenus(contenu_de_version(projet.base_version), contenu)
    appliques = lecture.amendements_de(projet.appliques)
    caducs = lecture.caducs_du_tour(projet.tour_id)
    numeros = {a.id: a.numero for a, _ in appliques + caducs}
    conflits_ids = {i for c in projet.conflits for i in c.amendement_ids} - set(numeros)
    numeros.update({a.id: a.numero for a in services.amendements_par_id(conflits_ids).values()})
    forms.setdefault("action_form", RevisionForm(formdata=None, data={"revision": projet.revision}))
    return _render("consolidation/projet.html", status, projet=projet, contenu=contenu, comparaison=comparaison,
                   appliques=appliques, caducs=caducs, numeros=numeros, **forms)


@bp.route("/projets/<id:projet_id>")
def projet(projet_id: int):
    """A draft: its state, conflicts, corrections, decisions and full text."""
    return _page_projet(projet_id)


@bp.route("/projets/<id:projet_id>/comparaison")
def comparer_projet(projet_id: int):
    """The draft compared with the version it was built on."""
    projet = lecture.charger_projet(projet_id)
    comparaison = lecture.comparer_contenus(contenu_de_version(projet.base_version), projet.contenu)
    return _render("consolidation/comparaison.html", charte=projet.charte, comparaison=comparaison, projet=projet,
                   gauche=f"Version {projet.base_version.numero}", droite="Projet", versions=None)


# --- Conflicts and corrections --------------------------------------------------------------------


@bp.route("/projets/<id:projet_id>/conflits/<id:conflit_id>", methods=["GET", "POST"])
def conflit(projet_id: int, conflit_id: int):
    """One clause's conflict: base, draft, competing amendments with diffs and votes; the committee resolves it."""
    projet = lecture.charger_projet(projet_id)
    found = services.get_conflit(projet, conflit_id)
    if request.method == "POST":
        services.verifier_comite(_user())
    clause = projet.contenu.clause(found.ref)
    form = ResolutionForm(data={"revision": projet.revision, "titre": clause.titre if clause else "",
                                "texte": found.suggestion, "retenus": found.amendement_ids}
                          if request.method == "GET" else None)
    amendements = lecture.amendements_de(found.amendement_ids, revisions=True)
    form.retenus.choices = [SelectChoice(a.id, f"Amendement n° {a.numero} — {a.titre} ({a.departement.nom})")
                            for a, _ in amendements]
    outcome = run_form(form, lambda: services.resoudre_conflit(
        found, form.titre.data, form.texte.data, form.motif.data, form.retenus.data, form.revision.data,
        actor=_user()))
    if outcome.done:
        flash(f"Le conflit sur la clause {found.ref} est résolu.", "success")
        _ecartees(outcome.result)
        return redirect(url_for("consolidation.projet", projet_id=projet.id))
    return _render("consolidation/conflit.html", outcome.status, projet=projet, conflit=found, clause=clause,
                   amendements=amendements, form=form)


@bp.route("/projets/<id:projet_id>/corrections", methods=["GET", "POST"])
@requires("comite")
def corriger(projet_id: int):
    """An editorial correction of one clause of the draft, with its reason."""
    projet = services.get_projet(projet_id)
    services.verifier_modifiable(projet)
    contenu = projet.contenu
    prefill = None
    if request.method == "GET":
        clause = contenu.clause(request.args.get("ref", "")) or contenu.clauses[0]
        prefill = {"revision": projet.revision, "ref": clause.ref, "titre": clause.titre, "texte": clause.texte}
    form = CorrectionForm(data=prefill)
    form.ref.choices = [SelectChoice(c.ref, f"{c.ref} — {c.titre}") for c in contenu.clauses]
    outcome = run_form(form, lambda: services.corriger_projet(
        projet, form.ref.data, form.titre.data, form.texte.data, form.motif.data, form.revision.data, actor=_user()))
    if outcome.done:
        correction, ecartees = outcome.result
        flash(f"La correction de la clause {correction.ref} est enregistrée.", "success")
        _ecartees(ecartees)
        return redirect(url_for("consolidation.projet", projet_id=projet.id, _anchor="corrections"))
    return _render("consolidation/correction.html", outcome.status, projet=projet, contenu=contenu, form=form)


# --- Validation -------------------------------------------------------------------------------------


@bp.route("/projets/<id:projet_id>/soumettre", methods=["POST"])
@requires("comite")
def soumettre(projet_id: int):
    """Submit the draft for the committee's validation."""
    projet = services.get_projet(projet_id)
    form = RevisionForm()
    outcome = run_form(form, lambda: validation.soumettre_projet(projet, form.revision.data, actor=_user()))
    if outcome.done:
        flash("Le projet est soumis à la validation du comité.", "success")
        return redirect(url_for("consolidation.projet", projet_id=projet.id))
    db.session.rollback()
    return _page_projet(projet_id, outcome.status, action_form=form)


@bp.route("/projets/<id:projet_id>/decision", methods=["GET", "POST"])
@requires("comite")
@requires_fresh_auth
def decider(projet_id: int):
    """Approve or reject the submitted draft's exact text, after confirming one's identity."""
    projet = lecture.charger_projet(projet_id)
    form = DecisionForm(data={"revision": projet.revision} if request.method == "GET" else None)
    outcome = run_form(form, lambda: validation.decider_projet(
        projet, form.sens.data, form.commentaire.data, form.revision.data, actor=_user()))
    if outcome.done:
        db.session.refresh(projet)
        if projet.statut == ProjetStatut.ADOPTE:
            flash(f"Le seuil est atteint\u00a0: la version {projet.version.numero} est adoptée.", "success")
            return redirect(url_for("chartes.version", charte_id=projet.charte_id, numero=projet.version.numero))
        flash("Votre décision est enregistrée.", "success")
        return redirect(url_for("consolidation.projet", projet_id=projet.id))
    if outcome.status != 200:
        db.session.rollback()
        projet = lecture.charger_projet(projet_id)
    return _render("consolidation/decision.html", outcome.status, projet=projet, form=form)


# --- Versions: comparison and changelog -------------------------------------------------------------


@bp.route("/chartes/<id:charte_id>/comparer")
def comparer(charte_id: int):
    """Compare any two versions of a charter (by default the newest with its parent)."""
    charte = get_charte(charte_id)
    numeros = [v.numero for v in charte.versions]
    a = request.args.get("a", type=int) or numeros[-1]
    de = request.args.get("de", type=int) or max(1, a - 1)
    comparaison = lecture.comparer_versions(charte, de, a)
    return _render("consolidation/comparaison.html", charte=charte, comparaison=comparaison, projet=None,
                   gauche=f"Version {de}", droite=f"Version {a}", versions=numeros, de=de, a=a)


@bp.route("/chartes/<id:charte_id>/versions/<id:numero>/modifications")
def modifications(charte_id: int, numero: int):
    """A version's changelog: integrated amendments, resolved conflicts, editorial corrections, approvals."""
    charte = get_charte(charte_id)
    return _render("consolidation/modifications.html", charte=charte,
                   m=lecture.modifications_de_version(charte, numero))
