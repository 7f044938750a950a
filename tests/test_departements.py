"""Department names: typographic variants are one department, in the forms, the command line and the
migration that recomputes the keys of an existing database."""
import os
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from charte.accounts.models import Departement, User
from charte.config import PROJECT_ROOT
from charte.exceptions import MigrationStopped
from charte.extensions import db
from tests.conftest import _pg_admin_connect, count, make_app, page_text

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture
def admin(client, auth, make_user, make_departement):
    user = make_user("admin", departement=make_departement("Systèmes d’information"))
    auth.login(user)
    return user


@pytest.mark.parametrize("typed", ["Systèmes d'information", "systèmes  D’INFORMATION", "Systèmes d‘information ",
                                   "Systèmes\u00a0d`information"])
def test_a_typographic_variant_of_an_existing_department_is_refused(client, admin, typed):
    response = client.submit("/admin/services", {"nom": typed})
    assert response.status_code == 409
    assert "Un service nommé «\u00a0Systèmes d’information\u00a0» existe déjà." in page_text(response)
    assert count(Departement) == 1


def test_renaming_to_a_variant_of_another_department_is_refused(client, admin, make_departement):
    other = make_departement("Urbanisme – Voirie")
    response = client.submit(f"/admin/services/{other.id}", {"nom": "Systèmes d'information"})
    assert response.status_code == 409
    assert db.session.get(Departement, other.id).nom == "Urbanisme – Voirie"


def test_a_department_may_fix_its_own_typography(client, admin, make_departement):
    dep = make_departement("Urbanisme - Voirie")
    assert client.submit(f"/admin/services/{dep.id}", {"nom": "Urbanisme — Voirie"}).status_code == 302
    db.session.refresh(dep)
    assert dep.nom == "Urbanisme — Voirie" and count(Departement) == 2


def test_a_name_too_long_once_normalised_is_refused_not_a_500(client, admin):
    response = client.submit("/admin/services", {"nom": "\ufdfa" * 10})  # each expands to 18 letters (NFKC)
    assert response.status_code == 400 and "120 caractères" in page_text(response)
    assert count(Departement) == 1


def test_create_user_finds_the_department_typed_with_a_straight_apostrophe(runner, make_departement):
    """The README's own example: --department "Systèmes d'information" on a database that has it."""
    dep = make_departement("Systèmes d’information")
    result = runner.invoke(args=["charte", "create-user", "dsi@mairie.fr", "--department", "Systèmes d'information",
                                 "--role", "admin", "--name", "Prénom Nom", "--generate"])
    assert result.exit_code == 0, result.output
    assert "créé." not in result.output.splitlines()[0]  # no "Service « … » créé."
    user = db.session.scalars(select(User)).one()
    assert user.departement_id == dep.id and count(Departement) == 1
    again = runner.invoke(args=["charte", "create-user", "rh@mairie.fr", "-d", "SYSTÈMES D‘INFORMATION", "--generate"])
    assert again.exit_code == 0 and count(Departement) == 1


# --- The migration --------------------------------------------------------------------------------


@pytest.fixture
def scratch_app(tmp_path, database_url):
    """An application on a database of its own, empty, to run the migrations step by step."""
    if database_url.startswith("postgresql"):
        url = make_url(os.environ["CHARTE_TEST_DATABASE_URL"])
        name = f"charte_migration_{uuid.uuid4().hex[:10]}"
        with _pg_admin_connect(url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        scratch = url.set(database=name).render_as_string(hide_password=False)
    else:
        name, scratch = None, f"sqlite:///{tmp_path / 'migration.db'}"
    app = make_app(scratch, tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()
    if name:
        with _pg_admin_connect(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _at_foundation_with(app, names: list[str]) -> None:
    """The database as the foundation left it: departments keyed by casefold only."""
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0001_foundation")
        with db.engine.begin() as connection:
            for nom in names:
                connection.execute(text("INSERT INTO departements (nom, nom_key, created_at) "
                                        "VALUES (:nom, :key, CURRENT_TIMESTAMP)"),
                                   {"nom": nom, "key": " ".join(nom.split()).casefold()})


def _keys(app) -> dict[str, str]:
    with app.app_context(), db.engine.connect() as connection:
        return dict(connection.execute(text("SELECT nom, nom_key FROM departements")).all())


def test_the_migration_recomputes_every_key(scratch_app):
    _at_foundation_with(scratch_app, ["Systèmes d’information", "Urbanisme – Voirie", "Pôle « Numérique »",
                                      "Service d'état civil", "Ressources humaines"])
    with scratch_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0004_hygiene")
    assert _keys(scratch_app) == {
        "Systèmes d’information": "systèmes d'information", "Urbanisme – Voirie": "urbanisme - voirie",
        "Pôle « Numérique »": 'pôle"numérique"', "Service d'état civil": "service d'état civil",
        "Ressources humaines": "ressources humaines"}


def test_the_migration_stops_on_departments_that_would_merge(scratch_app):
    _at_foundation_with(scratch_app, ["Systèmes d'information", "Systèmes d’information", "Voirie",
                                      "Urbanisme - Voirie", "Urbanisme – Voirie"])
    before = _keys(scratch_app)
    with scratch_app.app_context(), pytest.raises(MigrationStopped) as stopped:
        upgrade(directory=MIGRATIONS, revision="0004_hygiene")
    message = str(stopped.value)
    assert "rien n’a été modifié" in message
    assert "n°\u00a01 «\u00a0Systèmes d'information\u00a0» et n°\u00a02 «\u00a0Systèmes d’information\u00a0»" in message
    assert "n°\u00a04 «\u00a0Urbanisme - Voirie\u00a0» et n°\u00a05 «\u00a0Urbanisme – Voirie\u00a0»" in message
    assert _keys(scratch_app) == before
    with scratch_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() != "0004_hygiene"


def test_charte_init_explains_the_collision_in_french(scratch_app):
    _at_foundation_with(scratch_app, ["Systèmes d'information", "Systèmes d’information"])
    result = scratch_app.test_cli_runner().invoke(args=["charte", "init"])
    assert result.exit_code == 1
    assert "Erreur\u00a0: Migration arrêtée, rien n’a été modifié" in result.output
    assert "Renommez l’un d’eux" in result.output and "Traceback" not in result.output
