"""Reading charters, versions and clauses; importing templates and creating charters (admin)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from charte.amendements import recherche
from charte.amendements.permissions import can
from charte.amendements.services import tour_en_cours
from charte.chartes import services
from charte.chartes.forms import CharteCreateForm, ModeleFichierForm, ModeleUploadForm
from charte.chartes.modeles import MAX_CLAUSES, MAX_TEMPLATE_BYTES, MAX_TEXT, MAX_THEME, MAX_TITLE, REF_SHAPE
from charte.chartes.models import Charte, Modele
from charte.exceptions import NotFound
from charte.extensions import db
from charte.security import requires
from charte.web import id_arg, run_form

bp = Blueprint("chartes", __name__)


@bp.route("/chartes/")
def index():
    """The charters of the authority."""
    chartes = db.session.scalars(select(Charte).order_by(Charte.created_at.desc(), Charte.id.desc())).all()
    return render_template("chartes/index.html", chartes=chartes)


@bp.route("/chartes/<id:charte_id>")
def show(charte_id: int):
    """The text in force of a charter, theme by theme."""
    charte = services.get_charte(charte_id)
    return render_template("chartes/version.html", charte=charte, version=charte.version_courante, courante=True)


@bp.route("/chartes/<id:charte_id>/versions")
def versions(charte_id: int):
    """Every version of a charter, newest first, with its hash chain."""
    charte = services.get_charte(charte_id)
    return render_template("chartes/versions.html", charte=charte, versions=list(reversed(charte.versions)))


@bp.route("/chartes/<id:charte_id>/versions/<id:numero>")
def version(charte_id: int, numero: int):
    """One version's full text."""
    charte = services.get_charte(charte_id)
    found = services.get_version(charte, numero)
    return render_template("chartes/version.html", charte=charte, version=found,
                           courante=found is charte.version_courante)


@bp.route("/chartes/<id:charte_id>/clauses/<ref>")
def clause(charte_id: int, ref: str):
    """One clause and its history across versions."""
    charte = services.get_charte(charte_id)
    if not REF_SHAPE.match(ref):
        raise NotFound("Cet identifiant de clause n’existe pas.")
    history = services.clause_history(charte, ref)
    courante = charte.version_courante
    tour = tour_en_cours(charte)
    return render_template("chartes/clause.html", charte=charte, ref=ref, history=history,
                           clause=courante.clause(ref) if courante else None, courante=courante,
                           amendements=recherche.de_la_clause(charte.id, ref, current_user),
                           peut_amender=tour is not None and can("creer", tour, current_user))


# --- Administration: templates and charters ----------------------------------------------------


@bp.route("/admin/modeles", methods=["GET", "POST"])
@requires("admin")
def modeles():
    """Imported templates; import one by upload."""
    form = ModeleUploadForm()
    outcome = run_form(form, lambda: services.importer_modele(
        form.fichier.data.read(MAX_TEMPLATE_BYTES + 1), form.fichier.data.filename, current_user))
    if outcome.done:
        flash(f"Le modèle « {outcome.result.titre} » a été importé.", "success")
        return redirect(url_for("chartes.modele", modele_id=outcome.result.id))
    return _modeles_page(form, ModeleFichierForm(), outcome.status)


def _modeles_page(upload_form, file_form, status):
    rows = db.session.scalars(select(Modele).order_by(Modele.imported_at.desc(), Modele.id.desc())).all()
    imported = {m.sha256 for m in rows}
    fichiers = [(p.name, services.file_sha256(p) in imported) for p in services.modeles_disponibles()]
    return render_template("chartes/modeles.html", form=upload_form, file_form=file_form, modeles=rows,
                           fichiers=fichiers), status


@bp.route("/admin/modeles/fichier", methods=["POST"])
@requires("admin")
def modele_fichier():
    """Import one of the templates shipped in modeles/."""
    form = ModeleFichierForm()
    outcome = run_form(form, lambda: services.importer_modele(
        services.fichier_modele(form.nom.data).read_bytes(), form.nom.data, current_user))
    if outcome.done:
        flash(f"Le modèle « {outcome.result.titre} » a été importé.", "success")
        return redirect(url_for("chartes.modele", modele_id=outcome.result.id))
    return _modeles_page(ModeleUploadForm(formdata=None), form, outcome.status)


@bp.route("/admin/modeles/format")
@requires("admin")
def format_modeles():
    """The guide to the template format, in French."""
    return render_template("chartes/format.html", limites={
        "kio": MAX_TEMPLATE_BYTES // 1024, "clauses": MAX_CLAUSES, "texte": MAX_TEXT, "titre": MAX_TITLE,
        "theme": MAX_THEME})


@bp.route("/admin/modeles/<id:modele_id>")
@requires("admin")
def modele(modele_id: int):
    """Preview an imported template as it will become a charter."""
    found = db.session.get(Modele, modele_id)
    if found is None:
        raise NotFound("Ce modèle n’existe pas.")
    return render_template("chartes/modele.html", modele=found, parsed=services.parse_modele(found))


@bp.route("/admin/chartes/nouvelle", methods=["GET", "POST"])
@requires("admin")
def create():
    """Create a charter from an imported template."""
    form = CharteCreateForm()
    if not form.is_submitted():
        form.modele_id.data = id_arg("modele")  # "create a charter from this template"
    form.modele_id.choices = [
        (m.id, f"{m.titre} — version {m.version_label}")
        for m in db.session.scalars(select(Modele).order_by(Modele.imported_at.desc(), Modele.id.desc()))
    ]
    outcome = run_form(form, lambda: services.creer_charte(
        db.session.get(Modele, form.modele_id.data), form.titre.data, current_user))
    if outcome.done:
        flash(f"La charte « {outcome.result.titre} » a été créée ; sa version 1 reprend le modèle.", "success")
        return redirect(url_for("chartes.show", charte_id=outcome.result.id))
    return render_template("chartes/create.html", form=form), outcome.status
