"""The command line contract: init, demo, import-template, create-user, audit-verify."""
from sqlalchemy import func, select

from charte.accounts.models import Departement, User
from charte.accounts.passwords import verify_password
from charte.chartes.models import Charte, Modele
from charte.extensions import db
from tests.conftest import TEMPLATE_PATH
from tests.test_modeles import HEAD


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_init_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["charte", "init"])
        assert result.exit_code == 0, result.output
        assert "Schéma de la base à jour." in result.output


def test_demo_fills_an_empty_database(runner):
    result = runner.invoke(args=["charte", "demo", "--password", "mot de passe démo"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.count("\t") == 3]
    assert len(lines) == _count(User) >= 12
    roles = " ".join(lines)
    assert "Comité de pilotage" in roles and "Administration" in roles
    email, _, departement, password = lines[0].split("\t")
    user = db.session.scalars(select(User).filter_by(email=email)).one()
    assert user.departement.nom == departement and verify_password(user.password_hash, password)
    assert password == "mot de passe démo"
    assert _count(Charte) == 1 and _count(Departement) >= 5
    assert runner.invoke(args=["charte", "audit-verify"]).exit_code == 0


def test_demo_generates_passwords_and_refuses_a_second_run(runner):
    first = runner.invoke(args=["charte", "demo"])
    assert first.exit_code == 0
    passwords = {line.split("\t")[3] for line in first.output.splitlines() if line.count("\t") == 3}
    assert len(passwords) == _count(User)
    second = runner.invoke(args=["charte", "demo"])
    assert second.exit_code == 3
    assert "pas vide" in second.output
    assert len(passwords) == _count(User)


def test_demo_refuses_a_short_password(runner):
    result = runner.invoke(args=["charte", "demo", "--password", "court"])
    assert result.exit_code == 1 and "au moins 12" in result.output
    assert _count(User) == 0


def test_import_template(runner, tmp_path):
    result = runner.invoke(args=["charte", "import-template", str(TEMPLATE_PATH)])
    assert result.exit_code == 0, result.output
    assert "importé" in result.output and "clauses" in result.output
    again = runner.invoke(args=["charte", "import-template", str(TEMPLATE_PATH)])
    assert again.exit_code == 1 and "déjà importé" in again.output
    assert _count(Modele) == 1


def test_import_malformed_template_names_the_line_and_writes_nothing(runner, tmp_path):
    path = tmp_path / "casse.md"
    path.write_text(HEAD + "## Thème\n### mauvais titre\nTexte\n", encoding="utf-8")
    result = runner.invoke(args=["charte", "import-template", str(path)])
    assert result.exit_code == 1
    assert "«\u00a0casse.md\u00a0»\u00a0: Ligne 7\u00a0:" in result.output and "Rien n’a été importé" in result.output
    assert _count(Modele) == 0
    missing = runner.invoke(args=["charte", "import-template", str(tmp_path / "absent.md")])
    assert missing.exit_code == 2


def test_create_user_generates_and_prints_a_password(runner):
    result = runner.invoke(args=["charte", "create-user", "Chef.Projet@Mairie.example", "--department",
                                 "Direction du numérique", "--role", "comite", "--role", "admin"])
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).filter_by(email="chef.projet@mairie.example")).one()
    assert user.is_comite and user.is_admin and user.must_change_password
    password = result.output.strip().splitlines()[-1].split(" : ")[-1]
    assert verify_password(user.password_hash, password)
    assert "Service « Direction du numérique » créé." in result.output


def test_create_user_bad_input(runner):
    ok = runner.invoke(args=["charte", "create-user", "a@mairie.example", "-d", "RH"])
    assert ok.exit_code == 0
    duplicate = runner.invoke(args=["charte", "create-user", "A@mairie.example", "-d", "RH"])
    assert duplicate.exit_code == 1 and "existe déjà" in duplicate.output
    invalid = runner.invoke(args=["charte", "create-user", "pas-une-adresse", "-d", "RH"])
    assert invalid.exit_code == 1 and "n’est pas valide" in invalid.output
    role = runner.invoke(args=["charte", "create-user", "b@mairie.example", "-d", "RH", "-r", "roi"])
    assert role.exit_code == 2
    assert _count(User) == 1 and _count(Departement) == 1


def test_audit_verify_on_an_intact_database(runner, make_charte):
    make_charte()
    result = runner.invoke(args=["charte", "audit-verify"])
    assert result.exit_code == 0
    assert "Journal : intact" in result.output and "Versions : chaînes intactes." in result.output
