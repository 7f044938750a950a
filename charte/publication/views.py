"""Publishing (committee) and the public site: published versions, PDF, open data, feed, verification."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from charte.chartes.services import get_charte, get_version
from charte.exceptions import DomainError, NotFound
from charte.extensions import csrf
from charte.publication import services
from charte.publication.certificats import charger_certificat
from charte.publication.contenu import LICENCE
from charte.publication.forms import PublierForm, VerificationForm
from charte.security import public, requires, requires_fresh_auth
from charte.textes.diffs import rendu_html
from charte.web import run_form

bp = Blueprint("publication", __name__)

MO = 1024 * 1024


@bp.app_template_filter("atom_date")
def atom_date(value) -> str:
    """RFC 3339 date for the Atom feed (stored datetimes are UTC)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else "1970-01-01T00:00:00Z"


@bp.app_template_filter("publication_diff")
def publication_diff(segments):
    """A word-level diff as safe HTML (<ins>/<del> with spoken markers)."""
    return rendu_html(segments)


def _absolu(path: str) -> str:
    """An absolute address on the public site (CHARTE_PUBLIC_URL, else this request's host)."""
    base = current_app.config.get("CHARTE_PUBLIC_URL") or request.url_root.rstrip("/")
    return base + path


# --- Publishing (committee) ----------------------------------------------------------------------


@bp.route("/chartes/<id:charte_id>/versions/<id:numero>/publier", methods=["GET", "POST"])
@requires("comite")
@requires_fresh_auth
def publier(charte_id: int, numero: int):
    """Publish an adopted version: render it once, sign it, store the signed PDF (final)."""
    charte = get_charte(charte_id)
    version = get_version(charte, numero)
    form = PublierForm()
    outcome = run_form(form, lambda: services.publier(version, current_user, request.url_root))
    if outcome.done:
        flash(f"La version {numero} est publiée et signée. Empreinte SHA-256 du PDF\u00a0: "
              f"{outcome.result.pdf_sha256}.", "success")
        return redirect(url_for("publication.version", charte_id=charte_id, numero=numero))
    obstacles = []
    try:
        services.verifier_publiable(version)
    except DomainError as exc:
        obstacles.append(exc.message)
    certificat = None
    try:
        certificat = charger_certificat(current_app.config)
    except DomainError as exc:
        obstacles.append(exc.message)
    return render_template("publication/publier.html", charte=charte, version=version, form=form,
                           obstacles=obstacles, certificat=certificat,
                           url=services.url_publique(charte_id, numero, request.url_root),
                           tsa=current_app.config.get("CHARTE_TSA_URL")), outcome.status


# --- Public site ---------------------------------------------------------------------------------


@bp.route("/publications/")
@public
def index():
    """The authority's published charters and their versions."""
    return render_template("publication/index.html", chartes=services.chartes_publiees())


@bp.route("/publications/<id:charte_id>/")
@public
def charte(charte_id: int):
    """Every published version of one charter, newest first."""
    publications = services.publications_de(charte_id)
    return render_template("publication/charte.html", charte=publications[0].charte, publications=publications)


@bp.route("/publications/<id:charte_id>/versions/<id:numero>")
@public
def version(charte_id: int, numero: int):
    """A published version: its text (as in the PDF), the signed PDF, its fingerprints, what changed."""
    publication = services.get_publication(charte_id, numero)
    return render_template("publication/version.html", publication=publication,
                           doc=services.document(publication), comparaison=services.comparaison(publication))


@bp.route("/publications/<id:charte_id>/versions/<id:numero>/comparaison")
@public
def comparaison(charte_id: int, numero: int):
    """Clause by clause, the changes since the previous published version."""
    publication = services.get_publication(charte_id, numero)
    found = services.comparaison(publication)
    if found is None:
        raise NotFound("C’est la première version publiée de cette charte : il n’y a rien à comparer.")
    return render_template("publication/comparaison.html", publication=publication, comparaison=found)


def _fichier(contenu: bytes, mimetype: str, nom: str, sha256: str | None = None, telecharger: bool = False):
    response = Response(contenu, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"attachment" if telecharger else "inline"}; filename="{nom}"'
    response.headers["Cache-Control"] = "public, max-age=86400"
    if sha256:
        response.set_etag(sha256)
    return response.make_conditional(request)


@bp.route("/publications/<id:charte_id>/versions/<id:numero>/charte.pdf")
@public
def pdf(charte_id: int, numero: int):
    """The signed PDF exactly as stored at publication."""
    publication = services.get_publication(charte_id, numero)
    return _fichier(publication.pdf, "application/pdf", f"charte-{charte_id}-v{numero}.pdf",
                    publication.pdf_sha256, telecharger=True)


@bp.route("/publications/<id:charte_id>/versions/<id:numero>/donnees.json")
@public
def donnees_json(charte_id: int, numero: int):
    """Open data: the version and its publication as JSON (the file attached to the PDF)."""
    publication = services.get_publication(charte_id, numero)
    return _fichier(publication.donnees_json.encode("utf-8"), "application/json",
                    f"charte-{charte_id}-v{numero}.json")


@bp.route("/publications/<id:charte_id>/versions/<id:numero>/texte.md")
@public
def donnees_md(charte_id: int, numero: int):
    """Open data: the version's text as Markdown (the file attached to the PDF)."""
    publication = services.get_publication(charte_id, numero)
    response = _fichier(publication.donnees_md.encode("utf-8"), "text/markdown", f"charte-{charte_id}-v{numero}.md")
    response.charset = "utf-8"
    return response


@bp.route("/publications/flux.atom")
@public
def flux():
    """Atom feed of the publications, newest first."""
    publications = services.publications_recentes()
    body = render_template("publication/flux.xml", publications=publications, absolu=_absolu,
                           flux_url=_absolu(url_for("publication.flux")), accueil=_absolu(url_for("publication.index")))
    return Response(body, mimetype="application/atom+xml")


@bp.route("/donnees-ouvertes")
@public
def donnees_ouvertes():
    """What the open data are, where they are, under which licence."""
    return render_template("publication/donnees_ouvertes.html", chartes=services.chartes_publiees(),
                           licence=LICENCE)


@bp.route("/mentions-legales")
@public
def mentions_legales():
    """Legal notice."""
    return render_template("publication/mentions_legales.html", licence=LICENCE)


@bp.route("/verifier", methods=["GET", "POST"])
@public
@csrf.exempt  # the CSRF token is checked by the form itself, once the larger upload limit is set
def verifier():
    """Upload a PDF and learn whether it is an intact publication of the authority; nothing is kept."""
    limite = current_app.config["CHARTE_MAX_PDF_MB"] * MO
    request.max_content_length = limite + MO  # the file plus the form's other fields
    try:
        form = VerificationForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = VerificationForm(formdata=None)
        form.fichier.errors = [f"Le fichier dépasse {current_app.config['CHARTE_MAX_PDF_MB']}\u00a0Mo\u00a0: "
                               "il n’a pas été vérifié."]
        return render_template("publication/verifier.html", form=form, verdict=None), 413
    if not submitted:
        return render_template("publication/verifier.html", form=form, verdict=None), 400 if form.is_submitted() else 200
    data = form.fichier.data.read(limite + 1)
    if len(data) > limite:
        form.fichier.errors = [f"Le fichier dépasse {current_app.config['CHARTE_MAX_PDF_MB']}\u00a0Mo\u00a0: "
                               "il n’a pas été vérifié."]
        return render_template("publication/verifier.html", form=form, verdict=None), 413
    verdict = services.verifier_fichier(data)
    if verdict.code == "non_pdf":
        form.fichier.errors = ["Ce fichier n’est pas un PDF\u00a0: seul un document PDF peut être vérifié."]
        return render_template("publication/verifier.html", form=form, verdict=None), 400
    return render_template("publication/verifier.html", form=VerificationForm(formdata=None), verdict=verdict,
                           nom_fichier=form.fichier.data.filename)
