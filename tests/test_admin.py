"""Administration of departments and accounts: the forms, their bad input, the journal."""
import pytest
from sqlalchemy import func, select

from charte.accounts.models import Departement, User
from charte.accounts.passwords import verify_password
from charte.extensions import db
from charte.journal.models import JournalEntry
from tests.conftest import PASSWORD, page_text


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions() -> list[str]:
    return list(db.session.scalars(select(JournalEntry.action).order_by(JournalEntry.seq)))


def test_create_and_rename_department(client, admin):
    response = client.submit("/admin/services", {"nom": "  Affaires   culturelles "})
    assert response.status_code == 302
    dep = db.session.scalars(select(Departement).filter_by(nom="Affaires culturelles")).one()
    response = client.submit(f"/admin/services/{dep.id}", {"nom": "Culture et patrimoine"})
    assert response.status_code == 302
    db.session.refresh(dep)
    assert dep.nom == "Culture et patrimoine"
    assert _actions()[-2:] == ["service.cree", "service.renomme"]


@pytest.mark.parametrize("nom, status, message", [
    ("", 400, "Indiquez le nom du service."),
    ("   ", 400, "Indiquez le nom du service."),
    ("x" * 121, 400, "120 caractères au plus."),
    ("ressources HUMAINES", 409, "existe déjà"),
])
def test_department_bad_input(client, admin, make_departement, nom, status, message):
    make_departement("Ressources humaines")
    before = _count(Departement)
    response = client.submit("/admin/services", {"nom": nom})
    assert response.status_code == status
    assert message in page_text(response)
    assert _count(Departement) == before


def test_rename_department_to_an_existing_name_is_409(client, admin, make_departement):
    make_departement("Urbanisme")
    other = make_departement("Voirie")
    response = client.submit(f"/admin/services/{other.id}", {"nom": "urbanisme"})
    assert response.status_code == 409
    db.session.refresh(other)
    assert other.nom == "Voirie"


def test_unknown_department_is_404(client, admin):
    assert client.get("/admin/services/9999").status_code == 404
    assert client.submit("/admin/services/9999", {"nom": "X"}).status_code == 404


def test_create_account_shows_password_once_and_forces_change(app, client, admin, make_departement):
    dep = make_departement("État civil")
    response = client.submit("/admin/comptes/nouveau", {
        "email": "Nouvel.Agent@Mairie.example", "nom": "Nouvel Agent", "departement_id": dep.id, "comite": "y"})
    assert response.status_code == 200
    user = db.session.scalars(select(User).filter_by(email="nouvel.agent@mairie.example")).one()
    assert user.is_comite and not user.is_admin and user.must_change_password
    page = page_text(response)
    password = page.split("<code>")[1].split("</code>")[0]
    assert verify_password(user.password_hash, password)
    assert response.headers["Cache-Control"] == "no-store"
    assert password not in page_text(client.get(f"/admin/comptes/{user.id}"))
    newcomer = app.test_client()
    login = newcomer.submit("/connexion", {"email": user.email, "password": password})
    assert login.headers["Location"].endswith("/mon-compte/mot-de-passe")
    assert "compte.cree" in _actions()


@pytest.mark.parametrize("data, status, message", [
    ({"email": "", "nom": "A", "departement_id": "DEP"}, 400, "Indiquez l’adresse électronique."),
    ({"email": "pas-une-adresse", "nom": "A", "departement_id": "DEP"}, 400, "n’est pas valide"),
    ({"email": "a@b.fr", "nom": "", "departement_id": "DEP"}, 400, "Indiquez le prénom et le nom."),
    ({"email": "a@b.fr", "nom": "n" * 121, "departement_id": "DEP"}, 400, "120 caractères au plus."),
    ({"email": "a@b.fr", "nom": "A", "departement_id": "99999"}, 400, "Choisissez une valeur proposée"),
    ({"email": "a@b.fr", "nom": "A", "departement_id": "abc"}, 400, "Choisissez une valeur proposée"),
    ({"email": "ADMIN-DUP", "nom": "A", "departement_id": "DEP"}, 409, "existe déjà"),
])
def test_create_account_bad_input(client, admin, make_departement, data, status, message):
    dep = make_departement()
    data = {k: (str(dep.id) if v == "DEP" else admin.email.upper() if v == "ADMIN-DUP" else v) for k, v in data.items()}
    before = _count(User)
    response = client.submit("/admin/comptes/nouveau", data)
    assert response.status_code == status
    assert message in page_text(response)
    assert _count(User) == before


def test_edit_account_roles_and_department(client, admin, make_user, make_departement):
    target = make_user()
    dep = make_departement("Finances")
    response = client.submit(f"/admin/comptes/{target.id}", {
        "nom": "Camille Martin", "departement_id": dep.id, "comite": "y", "admin": "y"})
    assert response.status_code == 302
    db.session.refresh(target)
    assert (target.nom, target.departement_id, target.is_comite, target.is_admin) == (
        "Camille Martin", dep.id, True, True)
    entry = db.session.scalars(select(JournalEntry).filter_by(action="compte.modifie")).one()
    assert entry.details["changements"]["roles"] == [["agent"], ["agent", "comite", "admin"]]


def test_admin_cannot_remove_own_admin_role(client, admin):
    response = client.submit(f"/admin/comptes/{admin.id}", {"nom": admin.nom, "departement_id": admin.departement_id})
    assert response.status_code == 409
    assert "votre propre rôle" in page_text(response)
    db.session.refresh(admin)
    assert admin.is_admin


def test_last_active_admin_cannot_be_disabled_or_demoted(app, make_user):
    from charte.accounts.services import desactiver_compte, modifier_compte
    from charte.exceptions import Conflict

    only = make_user("admin")
    with pytest.raises(Conflict):
        desactiver_compte(only, None)
    with pytest.raises(Conflict):
        modifier_compte(only, only.nom, only.departement, {"agent"}, None)


def test_disable_and_enable_account(app, client, admin, make_user):
    target = make_user()
    theirs = app.test_client()
    theirs.submit("/connexion", {"email": target.email, "password": PASSWORD})
    assert theirs.get("/chartes/").status_code == 200
    assert client.submit(f"/admin/comptes/{target.id}/desactiver").status_code == 302
    assert theirs.get("/chartes/").status_code == 302
    assert theirs.submit("/connexion", {"email": target.email, "password": PASSWORD}).status_code == 400
    again = client.submit(f"/admin/comptes/{target.id}/desactiver")
    assert again.status_code == 409 and "déjà désactivé" in page_text(again)
    assert client.submit(f"/admin/comptes/{target.id}/reactiver").status_code == 302
    assert theirs.submit("/connexion", {"email": target.email, "password": PASSWORD}).status_code == 302
    assert client.submit(f"/admin/comptes/{target.id}/reactiver").status_code == 409
    assert _actions().count("compte.desactive") == 1 and _actions().count("compte.reactive") == 1


def test_admin_cannot_disable_self(client, admin):
    response = client.submit(f"/admin/comptes/{admin.id}/desactiver")
    assert response.status_code == 409
    db.session.refresh(admin)
    assert admin.is_active


def test_reset_password(app, client, admin, make_user):
    target = make_user()
    theirs = app.test_client()
    theirs.submit("/connexion", {"email": target.email, "password": PASSWORD})
    response = client.submit(f"/admin/comptes/{target.id}/reinitialiser")
    assert response.status_code == 200
    password = page_text(response).split("<code>")[1].split("</code>")[0]
    db.session.refresh(target)
    assert target.must_change_password and verify_password(target.password_hash, password)
    assert not verify_password(target.password_hash, PASSWORD)
    assert theirs.get("/chartes/").status_code == 302  # old sessions end


@pytest.mark.parametrize("path", ["/admin/comptes/424242", "/admin/comptes/424242/desactiver",
                                  "/admin/comptes/424242/reactiver", "/admin/comptes/424242/reinitialiser"])
def test_forged_account_id_is_404(client, admin, path):
    response = client.submit(path, {"nom": "x", "departement_id": 1}) if "/" in path[15:] else client.get(path)
    assert response.status_code == 404
    assert "Ce compte n’existe pas." in page_text(response)


def test_account_action_buttons_are_post_only(client, admin, make_user):
    target = make_user()
    for action in ("reactiver", "reinitialiser"):
        assert client.get(f"/admin/comptes/{target.id}/{action}").status_code == 405


def test_settings_change_the_authority_name(client, admin):
    assert "Votre collectivité" in page_text(client.get("/admin/parametres"))
    response = client.submit("/admin/parametres", {"nom_collectivite": "  Commune de   Saint-Aubin "})
    assert response.status_code == 302
    assert "Commune de Saint-Aubin" in page_text(client.get("/chartes/"))
    entry = db.session.scalars(select(JournalEntry).filter_by(
        action="parametre.modifie", target="parametre:nom_collectivite")).one()
    assert entry.details == {"ancien": None, "nouveau": "Commune de Saint-Aubin"}


@pytest.mark.parametrize("value, message", [("", "Indiquez le nom"), ("x" * 121, "120 caractères")])
def test_settings_bad_input(client, admin, value, message):
    response = client.submit("/admin/parametres", {"nom_collectivite": value})
    assert response.status_code == 400 and message in page_text(response)
    assert _actions().count("parametre.modifie") == 0


@pytest.mark.parametrize("data, message", [
    ({"nom": "", "departement_id": "DEP"}, "Indiquez le prénom et le nom."),
    ({"nom": "n" * 121, "departement_id": "DEP"}, "120 caractères au plus."),
    ({"nom": "Camille", "departement_id": "424242"}, "Choisissez une valeur proposée"),
    ({"nom": "Camille", "departement_id": "dix"}, "Choisissez une valeur proposée"),
    ({"nom": "Camille"}, "Choisissez une valeur proposée"),
])
def test_edit_account_bad_input_changes_nothing(client, admin, make_user, data, message):
    target = make_user(nom="Nom d’origine")
    data = {k: (str(target.departement_id) if v == "DEP" else v) for k, v in data.items()}
    data["comite"] = "y"
    response = client.submit(f"/admin/comptes/{target.id}", data)
    assert response.status_code == 400
    assert message in page_text(response)
    db.session.refresh(target)
    assert (target.nom, target.is_comite) == ("Nom d’origine", False)
    assert "compte.modifie" not in _actions()


def test_forged_template_id_is_404(client, admin):
    response = client.get("/admin/modeles/424242")
    assert response.status_code == 404 and "Ce modèle n’existe pas." in page_text(response)
