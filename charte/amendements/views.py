"""Amendments: list and search, proposing, the amendment's page with its diffs, revisions and comments."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from charte.accounts.models import Departement
from charte.amendements import commentaires, recherche, services
from charte.amendements.forms import AmendementForm, CommentaireForm, FiltresForm, MotifForm, RevisionForm, VerrouForm
from charte.amendements.models import Nature
from charte.amendements.permissions import heure_paris, refus, require
from charte.chartes.models import Charte
from charte.chartes.services import get_charte
from charte.exceptions import Conflict, NotFound
from charte.extensions import db
from charte.forms import ActionForm
from charte.web import run_form

bp = Blueprint("amendements", __name__)


def _user():
    return current_user._get_current_object()


def _diff(avant: str, apres: str):
    from charte.textes.diffs import diff_mots, rendu_html

    return rendu_html(diff_mots(avant or "", apres or ""))


def _cote(avant: str, apres: str, gauche: str, droite: str, legende: str = ""):
    from charte.textes.diffs import cote_a_cote, rendu_cote_a_cote_html

    return rendu_cote_a_cote_html(cote_a_cote(avant or "", apres or ""), titre_gauche=gauche, titre_droite=droite,
                                  legende=legende)


def _render(template: str, status: int = 200, **context):
    return render_template(template, diff=_diff, cote=_cote, refus=refus, paris=heure_paris, **context), status


# --- Lists -------------------------------------------------------------------------------------


@bp.route("/amendements/")
def index():
    """Amendments of a charter, filtered by theme, clause, department, state, author and text, by pages."""
    chartes = db.session.scalars(select(Charte).order_by(Charte.id.desc())).all()
    if not chartes:
        return _render("amendements/index.html", charte=None, form=None, resultats=None)
    args = request.args.copy()
    args.setdefault("charte", str(chartes[0].id))
    form = FiltresForm(formdata=args)
    form.charte.choices = [(c.id, c.titre) for c in chartes]
    charte = next((c for c in chartes if c.id == form.charte.data), chartes[0])
    version = charte.version_courante
    form.theme.choices = [("", "Tous")] + [(i, t.titre) for i, t in enumerate(version.themes, start=1)]
    form.clause.choices = [("", "Toutes")] + [(c.ref, f"{c.ref} — {c.titre}") for c in version.clauses]
    form.departement.choices = [("", "Tous")] + [
        (d.id, d.nom) for d in db.session.scalars(select(Departement).order_by(Departement.nom_key))]
    form.auteur.choices = [("", "Tous")] + [(u.id, u.nom) for u in recherche.auteurs(charte.id, _user())]
    if not form.validate():
        return _render("amendements/index.html", 400, charte=charte, form=form, resultats=None,
                       tour=services.tour_en_cours(charte))
    filtres = recherche.Filtres(
        charte_id=charte.id, theme=form.theme.data, clause=form.clause.data or None,
        departement_id=form.departement.data, statut=form.statut.data or None, auteur_id=form.auteur.data,
        q=(form.q.data or "").strip() or None)
    resultats = recherche.rechercher(filtres, _user(), request.args.get("page", 1, type=int) or 1)
    garder = {k: v for k, v in request.args.items() if k != "page" and v}
    return _render("amendements/index.html", charte=charte, form=form, resultats=resultats, garder=garder,
                   tour=services.tour_en_cours(charte))


@bp.route("/amendements/mes-amendements")
def mine():
    """My amendments (drafts included), my department's, and those I co-signed."""
    miens, service, cosignes = recherche.mes_amendements(_user())
    return _render("amendements/mine.html", miens=miens, service=service, cosignes=cosignes)


# --- Proposing and revising --------------------------------------------------------------------


@bp.route("/chartes/<id:charte_id>/amendements/nouveau", methods=["GET", "POST"])
def create(charte_id: int):
    """Propose an amendment: choose what to change, then write it; it starts as a private draft."""
    charte = get_charte(charte_id)
    tour = services.tour_en_cours(charte)
    if tour is None:
        raise Conflict("Aucun tour d’amendements n’est ouvert sur cette charte.")
    require("creer", tour, _user())
    version = charte.version_courante
    raw = request.args.get("nature")
    if raw is None:
        if request.method == "POST":
            flash("Choisissez d’abord ce que vous proposez : modifier, supprimer ou ajouter une clause.", "error")
        return _render("amendements/choix.html", 400 if request.method == "POST" else 200,
                       charte=charte, version=version, tour=tour)
    try:
        nature = Nature(raw)
    except ValueError:
        raise NotFound("Cette sorte d’amendement n’existe pas.") from None
    clause = None
    if nature != Nature.AJOUT:
        clause = version.clause(request.args.get("clause", ""))
        if clause is None:
            raise NotFound("Cette clause ne figure pas dans le texte en vigueur.")
    form = AmendementForm(data=services.preremplissage(version, nature, clause, request.args.get("theme", type=int))
                          if request.method == "GET" else None)
    form.emplacement.choices = dict(services.emplacements(version))
    outcome = run_form(form, lambda: services.creer_amendement(
        tour, nature, clause_ref=clause.ref if clause else None, emplacement=form.emplacement.data,
        titre=form.titre.data, texte=form.texte.data, expose=form.expose.data, actor=_user()))
    if outcome.done:
        flash("Votre brouillon est enregistré. Vous seul le voyez tant que vous ne l’avez pas déposé.", "success")
        return redirect(url_for("amendements.show", amendement_id=outcome.result.id))
    return _render("amendements/form.html", outcome.status, charte=charte, tour=tour, nature=nature, clause=clause,
                   form=form, amendement=None)


@bp.route("/amendements/<id:amendement_id>/modifier", methods=["GET", "POST"])
def edit(amendement_id: int):
    """Revise one's amendment; a save made on an older revision is refused and the typed text kept."""
    amendement = services.get_amendement(amendement_id, _user())
    if request.method == "GET" or amendement.auteur_id != _user().id:
        require("reviser", amendement, _user())
    revision = amendement.revision
    form = RevisionForm(data={"titre": revision.titre, "texte": revision.texte, "expose": revision.expose,
                              "revision_attendue": amendement.revision_courante} if request.method == "GET" else None)
    outcome = run_form(form, lambda: services.reviser_amendement(
        amendement, form.titre.data, form.texte.data, form.expose.data, form.revision_attendue.data, actor=_user()))
    if outcome.done:
        flash(f"La révision {outcome.result.numero} est enregistrée.", "success")
        return redirect(url_for("amendements.show", amendement_id=amendement.id))
    if outcome.status == 409:
        # Offer to save over the newer revision, knowingly: the next save is made on it.
        form.revision_attendue.raw_data = [str(amendement.revision_courante)]
    charte = amendement.charte
    clause = charte.version_courante.clause(amendement.clause_ref) if amendement.clause_ref else None
    return _render("amendements/form.html", outcome.status, charte=charte, tour=amendement.tour,
                   nature=Nature(amendement.nature), clause=clause, form=form, amendement=amendement)


# --- The amendment's page ----------------------------------------------------------------------


def _page(amendement, status: int = 200, **forms):
    """The amendment's page; `forms` carry a refused form back to its place, with its errors."""
    fils = recherche.charger_page(amendement)
    numeros = {r.id: r.numero for r in amendement.revisions}
    defaults = {
        "commentaire_form": CommentaireForm(formdata=None),
        "irrecevable_form": MotifForm(formdata=None),
        "reponse_form": None, "reponse_a": None, "masque_form": None, "masque_id": None, "action_form": None,
    }
    return _render("amendements/show.html", status, amendement=amendement, fils=fils, numeros=numeros,
                   etat=services.etat_de_la_base(amendement), **{**defaults, **forms})


@bp.route("/amendements/<id:amendement_id>")
def show(amendement_id: int):
    """An amendment: its text and diffs, the stale-base warning, supports, revisions and comments."""
    return _page(services.get_amendement(amendement_id, _user()))


@bp.route("/amendements/<id:amendement_id>/revisions/<id:numero>")
def revision(amendement_id: int, numero: int):
    """One revision, with its diff against the clause and against the previous revision."""
    amendement = services.get_amendement(amendement_id, _user())
    revisions = amendement.revisions
    if not 1 <= numero <= len(revisions):
        raise NotFound("Cette révision n’existe pas.")
    return _render("amendements/revision.html", amendement=amendement, revision=revisions[numero - 1],
                   precedente=revisions[numero - 2] if numero > 1 else None)


def _action(amendement_id: int, permission: str, form, action, message: str, **page_forms):
    """A POST on an amendment: authorise (404, 403, 409 pages), validate, run, commit, redirect."""
    amendement = services.get_amendement(amendement_id, _user())
    require(permission, amendement, _user())
    outcome = run_form(form, lambda: action(amendement))
    if outcome.done:
        flash(message, "success")
        return redirect(url_for("amendements.show", amendement_id=amendement.id))
    return _page(amendement, outcome.status, action_form=form, **page_forms)


@bp.route("/amendements/<id:amendement_id>/deposer", methods=["POST"])
def submit(amendement_id: int):
    """Submit one's draft: it becomes visible to all; the committee is told."""
    return _action(amendement_id, "deposer", ActionForm(),
                   lambda a: services.deposer_amendement(a, actor=_user()),
                   "Votre amendement est déposé : tous les agents peuvent maintenant le lire, le commenter "
                   "et le cosigner.")


@bp.route("/amendements/<id:amendement_id>/retirer", methods=["POST"])
def withdraw(amendement_id: int):
    """Withdraw one's amendment, while nobody has voted on it."""
    return _action(amendement_id, "retirer", ActionForm(),
                   lambda a: services.retirer_amendement(a, actor=_user()), "L’amendement est retiré.")


@bp.route("/amendements/<id:amendement_id>/cosigner", methods=["POST"])
def cosign(amendement_id: int):
    """Co-sign an amendment of another department."""
    return _action(amendement_id, "cosigner", ActionForm(),
                   lambda a: services.cosigner_amendement(a, actor=_user()),
                   "Vous avez cosigné cet amendement : votre service figure parmi ses soutiens.")


@bp.route("/amendements/<id:amendement_id>/rebaser", methods=["POST"])
def rebase(amendement_id: int):
    """Carry one's amendment over to the version in force, when its changes apply there exactly."""
    form = VerrouForm()
    return _action(amendement_id, "reviser", form,
                   lambda a: services.rebaser_amendement(a, form.revision_attendue.data, actor=_user()),
                   "L’amendement est rebasé sur la version en vigueur : une nouvelle révision est enregistrée.")


@bp.route("/amendements/<id:amendement_id>/irrecevable", methods=["POST"])
def declare_irrecevable(amendement_id: int):
    """The committee declares an amendment inadmissible, with a reason shown to all."""
    form = MotifForm()
    return _action(amendement_id, "declarer_irrecevable", form,
                   lambda a: services.declarer_irrecevable(a, form.motif.data, actor=_user()),
                   "L’amendement est déclaré irrecevable ; le motif est affiché sur sa page.",
                   irrecevable_form=form)


# --- Comments ----------------------------------------------------------------------------------


@bp.route("/amendements/<id:amendement_id>/commentaires", methods=["POST"])
def comment(amendement_id: int):
    """Comment on an amendment's current revision, or reply to a comment."""
    amendement = services.get_amendement(amendement_id, _user())
    require("commenter", amendement, _user())
    form = CommentaireForm()
    outcome = run_form(form, lambda: commentaires.commenter_amendement(
        amendement, form.texte.data, form.parent_id.data, actor=_user()))
    if outcome.done:
        flash("Votre commentaire est publié.", "success")
        return redirect(url_for("amendements.show", amendement_id=amendement.id,
                                _anchor=f"commentaire-{outcome.result.id}"))
    if form.parent_id.data:
        return _page(amendement, outcome.status, reponse_form=form, reponse_a=form.parent_id.data, action_form=form)
    return _page(amendement, outcome.status, commentaire_form=form)


@bp.route("/commentaires/<id:commentaire_id>/modifier", methods=["GET", "POST"])
def comment_edit(commentaire_id: int):
    """Edit one's comment; the text it replaces is kept in its history."""
    found = commentaires.get_commentaire(commentaire_id, _user())
    require("modifier_commentaire", found, _user())
    form = CommentaireForm(data={"texte": found.texte} if request.method == "GET" else None)
    outcome = run_form(form, lambda: commentaires.modifier_commentaire(found, form.texte.data, actor=_user()))
    if outcome.done:
        flash("Votre commentaire est modifié ; sa version précédente reste dans son historique.", "success")
        return redirect(url_for("amendements.show", amendement_id=found.amendement_id,
                                _anchor=f"commentaire-{found.id}"))
    return _render("amendements/commentaire_form.html", outcome.status, commentaire=found, form=form)


@bp.route("/commentaires/<id:commentaire_id>/historique")
def comment_history(commentaire_id: int):
    """A comment's successive texts, each with its diff against the one before."""
    found = commentaires.get_commentaire(commentaire_id, _user())
    require("lire_masque", found, _user())
    textes = [e.texte for e in found.editions] + [found.texte]
    dates = [found.created_at] + [e.remplace_at for e in found.editions]
    return _render("amendements/commentaire_historique.html", commentaire=found,
                   etats=list(zip(range(1, len(textes) + 1), textes, dates)))


@bp.route("/commentaires/<id:commentaire_id>/masquer", methods=["POST"])
def comment_hide(commentaire_id: int):
    """The committee hides a comment with a reason (the text stays readable by the committee)."""
    found = commentaires.get_commentaire(commentaire_id, _user())
    require("masquer_commentaire", found, _user())
    form = MotifForm()
    outcome = run_form(form, lambda: commentaires.masquer_commentaire(found, form.motif.data, actor=_user()))
    if outcome.done:
        flash("Le commentaire est masqué ; le motif est affiché à sa place.", "success")
        return redirect(url_for("amendements.show", amendement_id=found.amendement_id,
                                _anchor=f"commentaire-{found.id}"))
    return _page(found.amendement, outcome.status, masque_form=form, masque_id=found.id)
