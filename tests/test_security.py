"""Security defaults: headers, CSRF failing closed on every form, error pages, no external resource."""
import re

import pytest
from sqlalchemy import func, select

from charte.accounts.models import Departement, User
from charte.chartes.models import Charte, Modele
from charte.config import PROJECT_ROOT
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.markdown import render_markdown
from tests.conftest import PASSWORD, login_as, make_app, page_text


def test_security_headers_on_pages_and_static_files(client):
    for url in ("/", "/connexion", "/static/charte.css", "/page-inexistante"):
        response = client.get(url)
        response.close()
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def _counts():
    return [db.session.scalar(select(func.count()).select_from(m)) for m in (User, Departement, Modele, Charte,
                                                                             JournalEntry)]


FORMS = [
    ("/connexion", {"email": "EMAIL", "password": PASSWORD}),
    ("/deconnexion", {}),
    ("/mon-compte/mot-de-passe", {"current": PASSWORD, "new": "une autre phrase", "confirmation": "une autre phrase"}),
    ("/admin/parametres", {"nom_collectivite": "Ville de Test"}),
    ("/admin/services", {"nom": "Nouveau service"}),
    ("/admin/services/DEP", {"nom": "Renommé"}),
    ("/admin/comptes/nouveau", {"email": "n@mairie.example", "nom": "N", "departement_id": "DEP"}),
    ("/admin/comptes/USER", {"nom": "Autre nom", "departement_id": "DEP", "admin": "y"}),
    ("/admin/comptes/OTHER/desactiver", {}),
    ("/admin/comptes/OTHER/reactiver", {}),
    ("/admin/comptes/OTHER/reinitialiser", {}),
    ("/admin/modeles/fichier", {"nom": "charte-ia-collectivite.md"}),
    ("/admin/chartes/nouvelle", {"modele_id": "MODELE"}),
    ("/connexion/code", {"code": "123456"}),
    ("/mon-compte/securite/configurer", {}),
    ("/mon-compte/securite/activer", {"code": "123456"}),
    ("/mon-compte/securite/codes-secours", {}),
    ("/mon-compte/securite/desactiver", {}),
    ("/mon-compte/confirmer", {"password": PASSWORD, "code": "123456"}),
    ("/admin/parametres/double-facteur", {"exiger": "0", "compris": "y"}),
    ("/admin/comptes/OTHER/double-facteur", {}),
]


@pytest.mark.parametrize("path, data", FORMS, ids=[p for p, _ in FORMS])
def test_csrf_missing_or_forged_is_400_and_writes_nothing(app, client, make_user, make_modele, path, data):
    admin = make_user("admin")
    other = make_user()
    modele = make_modele()
    if path not in ("/connexion", "/connexion/code"):
        login_as(client, admin)
    ids = {"DEP": str(admin.departement_id), "USER": str(admin.id), "OTHER": str(other.id),
           "MODELE": str(modele.id), "EMAIL": admin.email}
    url = re.sub(r"DEP|USER|OTHER", lambda m: ids[m.group(0)], path)
    payload = {k: ids.get(v, v) for k, v in data.items()}
    before = _counts()
    secrets_before = [(u.id, u.totp_secret, u.totp_pending_secret) for u in db.session.scalars(select(User))]
    for token in (None, "forged-token"):
        body = dict(payload, csrf_token=token) if token else payload
        response = client.post(url, data=body)
        assert response.status_code == 400
        assert "Le formulaire a expiré" in page_text(response)
        assert _counts()[:-1] == before[:-1]
        # The refusal is journalled once, however often it happens within the minute.
        assert _counts()[-1] == before[-1] + 1
        assert db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())).first().action \
            == "csrf.refuse"
    assert [(u.id, u.totp_secret, u.totp_pending_secret) for u in db.session.scalars(select(User))] \
        == secrets_before
    db.session.refresh(other)
    assert other.is_active and not other.must_change_password


@pytest.mark.parametrize("method, url, status, title", [
    ("GET", "/nulle-part", 404, "Page introuvable"),
    ("GET", "/deconnexion", 405, "Action non permise"),
    ("PUT", "/", 405, "Action non permise"),
])
def test_error_pages_are_french(client, method, url, status, title):
    response = client.open(url, method=method)
    assert response.status_code == status
    assert title in page_text(response)
    assert '<html lang="fr">' in page_text(response)


def test_internal_error_page_reveals_nothing(database_url, instance_dir, _schema):
    app = make_app(database_url, instance_dir, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/panne")
    def panne():
        raise RuntimeError("secret interne: mot de passe base=xyz")

    from charte.security import public

    public(panne)
    try:
        response = app.test_client().get("/panne")
        assert response.status_code == 500
        body = page_text(response)
        assert "Erreur interne" in body and "Rien n’a été enregistré" in body
        assert "secret interne" not in body and "Traceback" not in body
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("source, forbidden, expected", [
    ("<script>alert(1)</script>", "<script>", "&lt;script&gt;"),
    ("<img src=x onerror=alert(1)>", "<img", "&lt;img"),
    ("[clic](javascript:alert(1))", 'href="javascript:', "[clic](javascript:alert(1))"),
    ("[clic](vbscript:msgbox)", 'href="vbscript:', "[clic](vbscript:msgbox)"),
    ("[clic](data:text/html;base64,xx)", 'href="data:', "[clic](data:text/html;base64,xx)"),
    ("[lien](https://www.service-public.fr)", "<script", 'href="https://www.service-public.fr"'),
])
def test_markdown_is_safe(source, forbidden, expected):
    html = str(render_markdown(source))
    assert forbidden not in html
    assert expected in html


def test_no_external_resource_in_templates_or_stylesheet():
    pattern = re.compile(r"""(src|href)=["']?(https?:)?//|@import|url\(\s*["']?https?:""", re.I)
    files = list((PROJECT_ROOT / "templates").rglob("*.html")) + list((PROJECT_ROOT / "static").rglob("*.css"))
    assert files
    offenders = [str(f) for f in files if pattern.search(f.read_text(encoding="utf-8"))]
    assert offenders == []
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<script>" not in text and " style=" not in text, template  # the CSP would block them


def test_anonymous_sees_only_login_and_public_pages(app, client):
    from charte.security import is_public_endpoint

    public = sorted(rule.endpoint for rule in app.url_map.iter_rules() if is_public_endpoint(app, rule.endpoint))
    assert public == ["accounts.login", "accounts.login_code", "public.accessibilite", "public.index",
                      "publication.charte", "publication.comparaison", "publication.donnees_json",
                      "publication.donnees_md", "publication.donnees_ouvertes", "publication.flux",
                      "publication.index", "publication.mentions_legales", "publication.pdf",
                      "publication.verifier", "publication.version", "static"]
