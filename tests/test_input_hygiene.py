"""Input hygiene: control characters refused in every text field (SQLite and PostgreSQL), ids too
large for the database answered with a 404, never a 500."""
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import SelectField, StringField, TextAreaField

from charte.accounts.models import Departement, User
from charte.accounts.services import creer_departement
from charte.chartes.models import Charte, Modele
from charte.exceptions import InvalidInput
from charte.extensions import db
from charte.forms import Form
from charte.journal.models import JournalEntry
from charte.web import MAX_ID, IdConverter
from tests.conftest import PASSWORD, count, page_text
from tests.test_modeles import VALID

CONTROL = "U+0000"


def _all_forms(cls=Form) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_forms(sub))
    return found


def _text_fields(app) -> list[tuple[type, str, bool]]:
    """(form class, field name, multiline) for every text field of every form of the application."""
    fields = []
    with app.test_request_context("/"):
        for form_class in _all_forms():
            form = form_class(formdata=None, meta={"csrf": False})
            for name, field in form._fields.items():
                if isinstance(field, StringField):
                    fields.append((form_class, name, isinstance(field, TextAreaField)))
    return fields


def _submitted(form_class, data: dict):
    """The form as posted with `data` (select lists given no choice: only text fields matter here)."""
    form = form_class(formdata=MultiDict(data), meta={"csrf": False})
    for field in form:
        if isinstance(field, SelectField):
            field.choices = []
    form.validate()
    return form


def test_every_form_of_the_application_is_checked(app):
    covered = {f"{form.__name__}.{name}" for form, name, _ in _text_fields(app)}
    # The discovery does see the forms (a test that covers nothing would pass for nothing).
    assert {"LoginForm.email", "LoginForm.password", "ChangePasswordForm.new", "DepartementForm.nom",
            "UserCreateForm.email", "UserEditForm.nom", "ParametresForm.nom_collectivite",
            "ParametresForm.nom_collectivite_complement", "ModeleFichierForm.nom",
            "CharteCreateForm.titre"} <= covered


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\x9fb"])
def test_every_text_field_of_every_form_refuses_control_characters(app, value):
    failures = []
    with app.test_request_context("/", method="POST"):
        for form_class, name, _multiline in _text_fields(app):
            form = _submitted(form_class, {name: value})
            if not any("caractère de contrôle" in error for error in form[name].errors):
                failures.append(f"{form_class.__name__}.{name}: {form[name].errors}")
    assert failures == []


@pytest.mark.parametrize("value, refused", [("ligne\nsuite", True), ("ligne\r\nsuite", True), ("a\tb", True),
                                            ("Systèmes d’information", False)])
def test_single_line_fields_refuse_line_ends_and_tabs(app, value, refused):
    with app.test_request_context("/", method="POST"):
        for form_class, name, multiline in _text_fields(app):
            form = _submitted(form_class, {name: value})
            errors = " ".join(form[name].errors)
            if not multiline:
                assert ("seule ligne" in errors) is refused, f"{form_class.__name__}.{name}: {errors}"


def test_long_texts_keep_tabs_and_line_ends_and_refuse_the_rest(app):
    class Commentaire(Form):
        texte = TextAreaField("Commentaire")

    with app.test_request_context("/", method="POST"):
        ok = Commentaire(formdata=MultiDict({"texte": "Ligne 1\r\n\tLigne 2\n"}), meta={"csrf": False})
        assert ok.validate()
        bad = Commentaire(formdata=MultiDict({"texte": "Ligne 1\n\x00"}), meta={"csrf": False})
        assert not bad.validate() and CONTROL in bad.texte.errors[0]


# --- Through HTTP, on the real database ----------------------------------------------------------


@pytest.fixture
def world(make_user, make_departement, make_charte):
    dep = make_departement("Ressources humaines")
    admin = make_user("admin", departement=dep, email="admin@mairie.example")
    target = make_user("agent", departement=dep, email="cible@mairie.example", nom="Camille Cible")
    charte = make_charte()
    return {"dep": dep.id, "target": target.id, "modele": charte.modele_id, "admin": admin}


FORMS = [
    ("/admin/services", {"nom": "RH\x00"}),
    ("/admin/services/{dep}", {"nom": "RH\x00"}),
    ("/admin/comptes/nouveau", {"email": "nul\x00@mairie.example", "nom": "Nul", "departement_id": "{dep}"}),
    ("/admin/comptes/nouveau", {"email": "nul@mairie.example", "nom": "N\x00ul", "departement_id": "{dep}"}),
    ("/admin/comptes/{target}", {"nom": "N\x00ul", "departement_id": "{dep}"}),
    ("/admin/parametres", {"nom_collectivite": "Ville\x00"}),
    ("/admin/parametres", {"nom_collectivite": "Ville", "nom_collectivite_complement": "de la Ville\x00"}),
    ("/admin/modeles/fichier", {"nom": "charte-ia-collectivite.md\x00"}),
    ("/admin/chartes/nouvelle", {"modele_id": "{modele}", "titre": "Charte\x00"}),
    ("/mon-compte/mot-de-passe", {"current": PASSWORD + "\x00", "new": "un autre mot de passe", "confirmation":
                                  "un autre mot de passe"}),
    ("/mon-compte/mot-de-passe", {"current": PASSWORD, "new": "un autre\x00mot de passe", "confirmation":
                                  "un autre\x00mot de passe"}),
]


@pytest.mark.parametrize("url, data", FORMS, ids=[f"{u} {sorted(d)}" for u, d in FORMS])
def test_a_nul_byte_in_any_form_is_a_400_with_a_french_message_and_writes_nothing(client, auth, world, url, data):
    auth.login(world["admin"])
    ids = {k: v for k, v in world.items() if k != "admin"}
    before = (count(JournalEntry), count(User), count(Departement), count(Charte), count(Modele),
              db.session.get(User, world["admin"].id).password_hash)
    response = client.submit(url.format(**ids), {k: v.format(**ids) for k, v in data.items()})
    assert response.status_code == 400
    assert "caractère de contrôle invisible (U+0000)" in page_text(response)
    assert (count(JournalEntry), count(User), count(Departement), count(Charte), count(Modele),
            db.session.get(User, world["admin"].id).password_hash) == before


@pytest.mark.parametrize("data", [{"email": "admin@mairie.example\x00", "password": PASSWORD},
                                  {"email": "admin@mairie.example", "password": PASSWORD + "\x00"},
                                  {"email": "\x00", "password": "\x00"}])
def test_a_nul_byte_at_login_is_a_400_and_nothing_is_journalled(client, world, data):
    before = count(JournalEntry)
    response = client.submit("/connexion", data)
    assert response.status_code == 400
    assert "caractère de contrôle invisible" in page_text(response)
    assert count(JournalEntry) == before
    assert client.get("/chartes/").status_code == 302  # not logged in


def test_an_uploaded_file_name_loses_its_control_characters(client, auth, world):
    auth.login(world["admin"])
    response = client.submit("/admin/modeles", {"fichier": (io.BytesIO(VALID.encode()), "mon\x00-mo\x1bdele.md")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalars(select(Modele.filename).filter_by(titre="Charte test")).one() == "mon-modele.md"


def test_a_control_character_in_an_uploaded_template_names_its_line(client, auth, world):
    auth.login(world["admin"])
    source = VALID.replace("Un agent relit toute production.", "Un agent relit\x07 toute production.")
    response = client.submit("/admin/modeles", {"fichier": (io.BytesIO(source.encode()), "cloche.md")},
                             content_type="multipart/form-data")
    assert response.status_code == 400
    line = source.split("\n").index("Un agent relit\x07 toute production.") + 1
    assert f"«\u00a0cloche.md\u00a0»\u00a0: Ligne {line}\u00a0: caractère de contrôle invisible (U+0007)" \
        in page_text(response)
    assert count(Modele) == 1


@pytest.mark.parametrize("nom", ["RH\x00", "R\x1bH", "RH\x7f", "RH\n"])
def test_the_services_refuse_control_characters_too(app, nom):
    """The command line and the demo call the services without a form."""
    with pytest.raises(InvalidInput, match="seule ligne|contrôle"):
        creer_departement(nom, None)
    db.session.rollback()
    assert count(Departement) == 0


@pytest.mark.parametrize("args", [["-d", "R\x1bH"], ["-d", "RH", "--name", "Ca\x07mille"],
                                  ["-d", "RH", "--name", "Camille\nDurand"]])
def test_create_user_refuses_control_characters(runner, args):
    result = runner.invoke(args=["charte", "create-user", "camille@mairie.example", *args, "--generate"])
    assert result.exit_code == 1
    assert "Erreur\u00a0:" in result.output and ("contrôle" in result.output or "seule ligne" in result.output)
    assert count(User) == 0 and count(Departement) == 0


def test_create_user_refuses_a_control_character_in_the_address(runner):
    result = runner.invoke(args=["charte", "create-user", "cam\x7fille@mairie.example", "-d", "RH", "--generate"])
    assert result.exit_code == 1 and "U+007F" in result.output
    assert count(User) == 0


# --- Ids beyond the database ---------------------------------------------------------------------

HUGE = ["9223372036854775808", "99999999999999999999", str(MAX_ID + 1), "0", "9" * 5000]
ID_ROUTES = [
    ("GET", "/chartes/{id}"), ("GET", "/chartes/{id}/versions"), ("GET", "/chartes/{charte}/versions/{id}"),
    ("GET", "/chartes/{id}/versions/1"), ("GET", "/chartes/{id}/clauses/RESP-1"),
    ("GET", "/admin/modeles/{id}"), ("GET", "/admin/services/{id}"), ("POST", "/admin/services/{id}"),
    ("GET", "/admin/comptes/{id}"), ("POST", "/admin/comptes/{id}"), ("GET", "/admin/comptes/{id}/desactiver"),
    ("POST", "/admin/comptes/{id}/desactiver"), ("POST", "/admin/comptes/{id}/reactiver"),
    ("POST", "/admin/comptes/{id}/reinitialiser"),
]


@pytest.mark.parametrize("huge", HUGE, ids=lambda h: h[:25])
@pytest.mark.parametrize("method, path", ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
def test_an_id_too_large_for_the_database_is_a_404(client, auth, world, method, path, huge):
    auth.login(world["admin"])
    charte = db.session.scalars(select(Charte.id)).one()
    url = path.format(id=huge, charte=charte)
    response = client.get(url) if method == "GET" else client.submit(url, {"nom": "x"})
    assert response.status_code == 404
    assert "Page introuvable" in page_text(response)


def test_the_largest_id_reaches_the_database_and_is_simply_not_found(client, auth, world):
    auth.login(world["admin"])
    response = client.get(f"/chartes/{MAX_ID}")
    assert response.status_code == 404 and "Cette charte n’existe pas." in page_text(response)


def test_every_route_with_a_number_uses_the_bounded_converter(app):
    loose = [rule.rule for rule in app.url_map.iter_rules()
             for converter in rule._converters.values()
             if isinstance(converter, IntegerConverter) and not isinstance(converter, IdConverter)]
    assert loose == []
    assert any(isinstance(c, IdConverter) for rule in app.url_map.iter_rules() for c in rule._converters.values())


@pytest.mark.parametrize("value", HUGE + ["-1", "abc", "", "١"])
def test_query_string_ids_and_pages_too_large_are_ignored(client, auth, world, make_user, value):
    auth.login(world["admin"])
    response = client.get(f"/admin/chartes/nouvelle?modele={value}")
    assert response.status_code == 200
    assert '<option selected value="">' in response.get_data(as_text=True)  # nothing preselected
    comite = make_user("comite")
    auth.logout()
    auth.login(comite)
    # The journal's pagination may clamp or refuse a page it does not have, but never fails.
    assert client.get(f"/journal?page={value}").status_code in (200, 400, 404)
