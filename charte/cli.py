"""The `flask --app wsgi charte …` command line: a stable contract for scripts and tests."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from charte.accounts import services as accounts
from charte.accounts.models import ROLES, Departement, User
from charte.accounts.passwords import check_password_rules, check_password_strength, personal_words
from charte.chartes import services as chartes
from charte.chartes.modeles import TemplateError
from charte.cli_french import ExistingFile, FrenchChoice, FrenchGroup, option
from charte.config import PROJECT_ROOT
from charte.exceptions import DomainError, MigrationStopped
from charte.extensions import db
from charte.sauvegarde import services as sauvegarde
from charte.texte import pluriel

EXIT_NOT_EMPTY = 3


@click.group("charte", cls=FrenchGroup,
             help="Charte : commandes d’administration (base, modèles, comptes, vérification).")
def charte_cli():
    """Charte: administration commands."""


def _fail(message: str, code: int = 1):
    db.session.rollback()
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(code)


@charte_cli.command("init", help="Créer ou mettre à jour le schéma de la base (migrations).")
@with_appcontext
def init_command():
    """Create or upgrade the database schema (migrations)."""
    try:
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
    except MigrationStopped as exc:
        _fail(str(exc))
    click.echo("Schéma de la base à jour.")


@charte_cli.command("import-template", help="Importer un modèle de charte (Markdown avec en-tête).")
@click.argument("path", metavar="CHEMIN", type=ExistingFile())
@with_appcontext
def import_template_command(path: Path):
    """Load a template (Markdown with front matter) into the database."""
    try:
        modele = chartes.importer_modele(path.read_bytes(), path.name, None)
        db.session.commit()
    except TemplateError as exc:
        _fail(f"{exc.message} Rien n’a été importé.")
    except DomainError as exc:
        _fail(exc.message)
    parsed = chartes.parse_modele(modele)
    click.echo(f"Modèle n° {modele.id} importé : « {modele.titre} », version {modele.version_label}, "
               f"{pluriel(len(parsed.themes), 'thème')}, {pluriel(parsed.clause_count, 'clause')}.")


def _ask_password() -> str:
    """Ask the password twice, hidden; refuse a mismatch or a password outside the rules."""
    try:
        password = click.prompt("Mot de passe (12 à 128 caractères)", hide_input=True)
        again = click.prompt("Confirmez le mot de passe", hide_input=True)
    except click.Abort:
        _fail("Création annulée, aucun compte n’a été créé.")
    if password != again:
        _fail("Les deux saisies du mot de passe ne sont pas identiques.")
    try:
        check_password_rules(password)
    except DomainError as exc:
        _fail(exc.message)
    return password


@charte_cli.command("create-user", help="Créer un compte (mot de passe demandé ou généré).")
@click.argument("email", metavar="ADRESSE")
@option("--department", "-d", "department", required=True, metavar="SERVICE",
        help="Service de la personne (créé s’il n’existe pas).")
@option("--role", "-r", "roles", multiple=True, type=FrenchChoice(ROLES), default=("agent",), metavar="RÔLE",
        show_default=True, help="agent, comite ou admin ; à répéter pour cumuler (ex. -r comite -r admin).")
@option("--name", "-n", "nom", default=None, metavar="NOM",
        help="Prénom et nom (par défaut : tirés de l’adresse).")
@option("--generate", is_flag=True, help="Générer le mot de passe au lieu de le demander.")
@with_appcontext
def create_user_command(email: str, department: str, roles: tuple[str, ...], nom: str | None, generate: bool):
    """Create an account (password asked, or generated and printed)."""
    # Checked again by creer_compte: not guessable, without the e-mail or the name.
    password = _ask_password() if not generate and sys.stdin.isatty() else None
    try:
        dep = accounts.trouver_departement(department)
        if dep is None:
            dep = accounts.creer_departement(department, None)
            click.echo(f"Service « {dep.nom} » créé.")
        if nom is None:
            nom = email.split("@")[0].replace(".", " ").replace("-", " ").title()
        user, generated = accounts.creer_compte(email, nom, dep, set(roles), None, password=password)
        db.session.commit()
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"Compte créé : {user.email} ({user.role_labels}, {dep.nom}).")
    if generated:
        click.echo(f"Mot de passe provisoire (à changer à la première connexion) : {generated}")


@charte_cli.command("audit-verify", help="Vérifier le journal et les versions de chaque charte.")
@with_appcontext
def audit_verify_command():
    """Verify the journal (keyed chain, checkpoints), every charter's versions, titles and templates."""
    from charte.audit import verify_everything

    report = verify_everything()
    db.session.rollback()
    for check in report.checks:
        click.echo(check.line, err=not check.ok)
    sys.exit(0 if report.ok else 1)


@charte_cli.command("demo", help="Remplir une base vide avec une démonstration réaliste.")
@option("--password", default=None, metavar="MOT_DE_PASSE",
        help="Un même mot de passe pour tous les comptes de démonstration.")
@with_appcontext
def demo_command(password: str | None):
    """Fill an empty database with a realistic demo; refuses a non-empty one."""
    from charte.demo import DEMO_AUTHORITY, fill_demo

    upgrade(directory=str(PROJECT_ROOT / "migrations"))
    if db.session.scalar(select(func.count()).select_from(User)) or \
            db.session.scalar(select(func.count()).select_from(Departement)):
        click.echo("La base n’est pas vide : la démonstration n’est créée que dans une base vierge.", err=True)
        sys.exit(EXIT_NOT_EMPTY)
    authority = current_app.config.get("CHARTE_AUTHORITY_NAME")
    if password is not None:
        try:
            check_password_strength(password, personal_words(authority=authority or DEMO_AUTHORITY))
        except DomainError as exc:
            _fail(exc.message)
    try:
        accounts_created = fill_demo(password, authority)
        lines = [f"{user.email}\t{user.role_labels}\t{user.departement.nom}\t{pwd}"
                 + (f"\ttotp={secret}" if secret else "") for user, pwd, secret in accounts_created]
        db.session.commit()
    except DomainError as exc:
        _fail(exc.message)
    click.echo("Comptes de démonstration (adresse, rôle, service, mot de passe ; pour le comité et "
               "l’administration, clé de double authentification totp=… à ajouter dans une application "
               "d’authentification) :")
    for line in lines:
        click.echo(line)


def _bilan_text(bilan: sauvegarde.Bilan) -> str:
    journal = f"journal jusqu’à l’entrée n°\u00a0{bilan.tete[0]}" if bilan.tete[0] else "journal vide"
    return f"{pluriel(bilan.tables, 'table')}, {pluriel(bilan.lignes, 'ligne')}\u00a0; {journal}"


@charte_cli.command("export-json", help="Écrire toute la base, lue en un seul instantané, dans un fichier de sauvegarde JSON (droits 0600).")
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier à écrire (remplacé s’il existe).")
@with_appcontext
def export_json_command(output: Path):
    """Write the whole database, read in one snapshot, to a JSON backup file (mode 0600)."""
    try:
        content, bilan = sauvegarde.exporter_sauvegarde()
    except DomainError as exc:
        _fail(exc.message)
    try:
        # Written beside the target then renamed: a failed export never leaves half a file under its name.
        fd, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")  # mode 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8"))
        os.replace(temporary, output)
    except OSError as exc:
        _fail(f"impossible d’écrire {output}\u00a0: {exc.strerror or exc}.")
    click.echo(f"Sauvegarde écrite dans {output}\u00a0: {_bilan_text(bilan)}.")


@charte_cli.command("import-json", help="Restaurer une sauvegarde JSON dans une base vide\u00a0; un fichier refusé n’écrit rien.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_json_command(path: Path):
    """Restore a JSON backup into an empty database; anything refused writes nothing."""
    nothing = "Rien n’a été importé."
    try:
        content = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"{path.name} n’est pas un texte UTF-8 (octet {exc.start})\u00a0: ce n’est pas une sauvegarde de "
              f"Charte. {nothing}")
    try:
        bilan = sauvegarde.restaurer_sauvegarde(content)
        db.session.commit()
    except sauvegarde.BaseNonVide as exc:
        _fail(f"{exc.message} {nothing}", EXIT_NOT_EMPTY)
    except DomainError as exc:
        _fail(f"{exc.message} {nothing}")
    sauvegarde.apres_restauration(*bilan.tete)
    click.echo(f"Sauvegarde restaurée\u00a0: {_bilan_text(bilan)}. Vérifiez-la avec `charte audit-verify` "
               "(avec la clé du journal de l’instance d’origine).")

# --- Publication ---------------------------------------------------------------------------------


@charte_cli.command("gen-cert")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier PKCS#12 à créer (par défaut : certificat-demo.p12 dans le dossier d’instance).")
@click.option("--name", "nom", default=None, help="Nom du titulaire (par défaut : le nom de la collectivité).")
@click.option("--days", "jours", type=click.IntRange(1, 3650), default=3 * 365, show_default=True,
              help="Durée de validité en jours.")
@click.option("--password", default="", help="Mot de passe du fichier PKCS#12 (aucun par défaut).")
@click.option("--pem", is_flag=True, help="Écrire une clé et un certificat PEM (FICHIER.key et FICHIER.pem) "
                                          "au lieu d’un PKCS#12.")
@with_appcontext
def gen_cert_command(output: Path | None, nom: str | None, jours: int, password: str, pem: bool):
    """Create a self-signed signing certificate for tests and demos."""
    from charte.parametres import authority_name
    from charte.publication.certificats import DEMO_P12, ecrire_p12, ecrire_pem, empreinte, generer_certificat

    output = output or Path(current_app.config["INSTANCE_PATH"]) / DEMO_P12
    nom = nom or f"{authority_name()} — signature de la charte"
    cert, key = generer_certificat(nom, jours, organisation=authority_name())
    try:
        if pem:
            key_path, cert_path = ecrire_pem(output.with_suffix(".key"), output.with_suffix(".pem"), cert, key, password)
            written = f"clé {key_path}, certificat {cert_path}"
            variables = f"CHARTE_SIGNING_KEY={key_path}\nCHARTE_SIGNING_CERT={cert_path}"
        else:
            ecrire_p12(output, cert, key, password)
            written = str(output)
            variables = f"CHARTE_SIGNING_P12={output}"
    except FileExistsError as exc:
        _fail(f"le fichier {exc.args[0]} existe déjà : il n’a pas été remplacé.")
    except OSError as exc:
        _fail(f"impossible d’écrire le certificat ({exc.strerror}).")
    click.echo(f"Certificat autosigné créé : {written}")
    click.echo(f"Titulaire : {nom} ; valable jusqu’au {cert.not_valid_after_utc:%d/%m/%Y}.")
    click.echo(f"Empreinte SHA-256 : {empreinte(cert)}")
    click.echo("Pour l’utiliser, définissez :")
    click.echo(variables)


@charte_cli.command("export-pdf")
@click.option("--version", "numero", type=int, default=None, help="Numéro de la version publiée (la dernière par défaut).")
@click.option("--charte", "charte_id", type=int, default=None, help="Identifiant de la charte (la plus récemment publiée par défaut).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Fichier PDF à écrire.")
@with_appcontext
def export_pdf_command(numero: int | None, charte_id: int | None, output: Path):
    """Write the signed PDF of a published version, byte for byte as stored."""
    from charte.publication.models import Publication

    query = select(Publication)
    if charte_id is not None:
        query = query.filter_by(charte_id=charte_id)
    if numero is not None:
        query = query.filter_by(numero=numero)
    publication = db.session.scalar(query.order_by(Publication.published_at.desc(), Publication.id.desc()).limit(1))
    if publication is None:
        _fail("aucune version publiée ne correspond." if numero or charte_id else "aucune version n’est publiée.")
    try:
        output.write_bytes(publication.pdf)
    except OSError as exc:
        _fail(f"impossible d’écrire {output} ({exc.strerror}).")
    click.echo(f"Version {publication.numero} de « {publication.charte.titre} » écrite dans {output} "
               f"({publication.pdf_taille} octets, SHA-256 {publication.pdf_sha256}).")


@charte_cli.command("verify-pdf")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def verify_pdf_command(path: Path):
    """Say whether a PDF is intact, who signed it and which published version it is; exit 0 only if valid."""
    from charte.publication.services import verifier_fichier

    verdict = verifier_fichier(path.read_bytes())
    click.echo(f"{'VALIDE' if verdict.ok else 'NON VALIDE'} — {verdict.titre}")
    click.echo(verdict.explication)
    for label, value in verdict.faits:
        click.echo(f"  {label} : {value}")
    db.session.rollback()
    sys.exit(0 if verdict.ok else 1)
