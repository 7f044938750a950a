"""The command line contract: init, demo, import-template, create-user, audit-verify."""
import pyotp
import pytest
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


def _account_lines(output: str) -> list[list[str]]:
    """The demo's account lines: e-mail, roles, department, password, and totp=… for some."""
    return [line.split("\t") for line in output.splitlines() if line.count("\t") in (3, 4)]


def test_demo_fills_an_empty_database(runner):
    result = runner.invoke(args=["charte", "demo", "--password", "mot de passe démo"])
    assert result.exit_code == 0, result.output
    lines = _account_lines(result.output)
    assert len(lines) == _count(User) >= 12
    roles = " ".join("\t".join(line) for line in lines)
    assert "Comité de pilotage" in roles and "Administration" in roles
    email, _, departement, password = lines[0][:4]
    user = db.session.scalars(select(User).filter_by(email=email)).one()
    assert user.departement.nom == departement and verify_password(user.password_hash, password)
    assert password == "mot de passe démo"
    assert _count(Charte) == 1 and _count(Departement) >= 5
    assert runner.invoke(args=["charte", "audit-verify"]).exit_code == 0


def test_demo_enrols_committee_and_admins_and_prints_their_secret(app, runner):
    """The README's demo password is accepted; each committee or admin line ends with totp=SECRET, from
    which a script computes the code that completes the login."""
    result = runner.invoke(args=["charte", "demo", "--password", "demo-charte-2026"])
    assert result.exit_code == 0, result.output
    lines = _account_lines(result.output)
    enrolled = [line for line in lines if len(line) == 5]
    assert enrolled and all(line[4].startswith("totp=") for line in enrolled)
    for line in lines:
        user = db.session.scalars(select(User).filter_by(email=line[0])).one()
        assert user.has_second_factor == (user.is_comite or user.is_admin) == (len(line) == 5)
        if len(line) == 5:
            assert user.totp_secret == line[4].removeprefix("totp=")
    email, secret = enrolled[0][0], enrolled[0][4].removeprefix("totp=")
    client = app.test_client()
    step = client.submit("/connexion", {"email": email, "password": "demo-charte-2026"})
    assert step.headers["Location"] == "/connexion/code"
    assert client.submit("/connexion/code", {"code": pyotp.TOTP(secret).now()}).headers["Location"] == "/chartes/"


def test_demo_generates_passwords_and_refuses_a_second_run(runner):
    first = runner.invoke(args=["charte", "demo"])
    assert first.exit_code == 0
    passwords = {line[3] for line in _account_lines(first.output)}
    assert len(passwords) == _count(User)
    second = runner.invoke(args=["charte", "demo"])
    assert second.exit_code == 3
    assert "pas vide" in second.output
    assert len(passwords) == _count(User)


@pytest.mark.parametrize("password, message", [
    ("court", "au moins 12"),
    ("azertyuiop12", "trop courant"),
    ("Belval-sur-Loire!", "nom de la collectivité"),
])
def test_demo_refuses_a_short_or_guessable_password(runner, password, message):
    result = runner.invoke(args=["charte", "demo", "--password", password])
    assert result.exit_code == 1 and message in result.output
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


@pytest.mark.parametrize("password, code, message", [
    ("motdepasse123", 1, "trop courant"),
    ("camille.durand 1984", 1, "votre nom"),
    ("une girafe lit le journal", 0, "Compte créé"),
])
def test_create_user_checks_the_password_typed_at_the_prompt(runner, monkeypatch, password, code, message):
    import click.testing

    # The prompt is only offered on a terminal: the runner's input stream says it is one.
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)
    result = runner.invoke(args=["charte", "create-user", "camille.durand@mairie.example", "-d", "Accueil"],
                           input=f"{password}\n{password}\n")
    assert result.exit_code == code and message in result.output, result.output
    user = db.session.scalars(select(User).filter_by(email="camille.durand@mairie.example")).first()
    assert (user is not None) == (code == 0)
    if user is not None:
        assert verify_password(user.password_hash, password) and not user.must_change_password
