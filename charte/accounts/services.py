"""Actions on departments and accounts. They flush; the caller commits.

Signing in and the second factor live in charte.accounts.authentification and double_facteur."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select

from charte.accounts.authentification import end_sessions, verifier_mot_de_passe
from charte.accounts.limitation import THROTTLE_LIMIT, utcnow  # noqa: F401  (re-exported for callers)
from charte.accounts.models import ROLES, Departement, User
from charte.accounts.passwords import (
    check_password_strength,
    generate_password,
    hash_password,
    personal_words,
    verify_password,
)
from charte.exceptions import Conflict, InvalidInput
from charte.extensions import db
from charte.journal.services import record
from charte.texte import control_character_message, first_control_character, name_key

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(raw: str | None) -> str:
    email = (raw or "").strip().lower()
    if not email:
        raise InvalidInput("Indiquez une adresse électronique.", "email")
    if len(email) > 254:
        raise InvalidInput("L’adresse électronique ne peut pas dépasser 254 caractères.", "email")
    refuse_control_characters(email, "email")
    if not _EMAIL.match(email):
        raise InvalidInput("Cette adresse électronique n’est pas valide (exemple : prenom.nom@mairie.fr).", "email")
    return email


def refuse_control_characters(value: str, field: str, multiline: bool = False) -> None:
    """The services' own check, for the paths that bypass the forms (command line, demo)."""
    char = first_control_character(value, multiline)
    if char is not None:
        raise InvalidInput(control_character_message(char), field)


def clean_label(raw: str | None, field: str, what: str, max_length: int = 120) -> str:
    """NFC, trim and collapse spaces; refuse control characters and an empty or too long label."""
    refuse_control_characters(raw or "", field)
    value = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not value:
        raise InvalidInput(f"Indiquez {what}.", field)
    if len(value) > max_length:
        raise InvalidInput(f"Ce champ ne peut pas dépasser {max_length} caractères.", field)
    return value


# --- Departments -------------------------------------------------------------------------------


DEPARTMENT_NAME_MAX = 120


def _department_key(nom: str) -> str:
    """The name's identity (typographic variants and case folded), within the key column's size."""
    key = name_key(nom)
    if len(key) > DEPARTMENT_NAME_MAX:
        raise InvalidInput(f"Ce champ ne peut pas dépasser {DEPARTMENT_NAME_MAX} caractères.", "nom")
    return key


def trouver_departement(nom: str) -> Departement | None:
    """The department of that name, however its apostrophes, quotes, dashes, spaces or case are typed."""
    return db.session.scalar(select(Departement).filter_by(
        nom_key=_department_key(clean_label(nom, "nom", "le nom du service"))))


def creer_departement(nom: str, actor: User | None) -> Departement:
    """Create a department with a unique name."""
    nom = clean_label(nom, "nom", "le nom du service")
    existing = trouver_departement(nom)
    if existing is not None:
        raise Conflict(f"Un service nommé « {existing.nom} » existe déjà.", "nom")
    dep = Departement(nom=nom, nom_key=_department_key(nom))
    db.session.add(dep)
    db.session.flush()
    record("service.cree", actor, f"departement:{dep.id}", nom=nom)
    return dep


def renommer_departement(dep: Departement, nom: str, actor: User | None) -> Departement:
    """Rename a department, keeping names unique."""
    nom = clean_label(nom, "nom", "le nom du service")
    other = trouver_departement(nom)
    if other is not None and other.id != dep.id:
        raise Conflict(f"Un service nommé « {other.nom} » existe déjà.", "nom")
    ancien = dep.nom
    if ancien == nom:
        return dep
    dep.nom, dep.nom_key = nom, _department_key(nom)
    db.session.flush()
    record("service.renomme", actor, f"departement:{dep.id}", ancien=ancien, nouveau=nom)
    return dep


# --- Accounts ----------------------------------------------------------------------------------


def _check_roles(roles) -> set[str]:
    roles = set(roles or ())
    unknown = roles - set(ROLES)
    if unknown:
        raise InvalidInput(f"Rôle inconnu : {', '.join(sorted(unknown))}.", "roles")
    return roles


def _active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).filter_by(is_admin=True, is_active=True))


def creer_compte(
    email: str,
    nom: str,
    departement: Departement | None,
    roles,
    actor: User | None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account; returns it with the generated password when none was given."""
    email = normalise_email(email)
    nom = clean_label(nom, "nom", "le nom et le prénom")
    if departement is None:
        raise InvalidInput("Choisissez le service de la personne.", "departement_id")
    roles = _check_roles(roles)
    if db.session.scalar(select(User).filter_by(email=email)):
        raise Conflict("Un compte existe déjà avec cette adresse électronique.", "email")
    generated = None
    if password is None:
        generated = password = generate_password()
    else:
        check_password_strength(password, account_words(email, nom), "password")
    user = User(
        email=email,
        nom=nom,
        departement=departement,
        is_comite="comite" in roles,
        is_admin="admin" in roles,
        is_active=True,
        password_hash=hash_password(password),
        must_change_password=generated is not None,
        session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    record("compte.cree", actor, f"user:{user.id}", email=email, service=departement.nom, roles=user.roles)
    return user, generated


def modifier_compte(user: User, nom: str, departement: Departement | None, roles, actor: User | None) -> User:
    """Change an account's name, department and roles."""
    nom = clean_label(nom, "nom", "le nom et le prénom")
    if departement is None:
        raise InvalidInput("Choisissez le service de la personne.", "departement_id")
    roles = _check_roles(roles)
    if user.is_admin and "admin" not in roles:
        if actor is not None and actor.id == user.id:
            raise Conflict("Vous ne pouvez pas retirer votre propre rôle d’administration.", "roles")
        if user.is_active and _active_admins() <= 1:
            raise Conflict("Il doit rester au moins un compte d’administration actif.", "roles")
    changes = {}
    if user.nom != nom:
        changes["nom"] = [user.nom, nom]
    if user.departement_id != departement.id:
        changes["service"] = [user.departement.nom, departement.nom]
    old_roles = user.roles
    user.nom, user.departement = nom, departement
    user.is_comite, user.is_admin = "comite" in roles, "admin" in roles
    if user.roles != old_roles:
        changes["roles"] = [old_roles, user.roles]
    db.session.flush()
    if changes:
        record("compte.modifie", actor, f"user:{user.id}", email=user.email, changements=changes)
    return user


def verifier_desactivation(user: User, actor: User | None) -> None:
    """Refuse (Conflict) what disabling this account would break: one's own, already off, last admin."""
    if actor is not None and actor.id == user.id:
        raise Conflict("Vous ne pouvez pas désactiver votre propre compte.")
    if not user.is_active:
        raise Conflict("Ce compte est déjà désactivé.")
    if user.is_admin and _active_admins() <= 1:
        raise Conflict("Il doit rester au moins un compte d’administration actif.")


def desactiver_compte(user: User, actor: User | None) -> User:
    """Disable an account and end all its sessions."""
    verifier_desactivation(user, actor)
    user.is_active = False
    end_sessions(user, "desactivation")
    db.session.flush()
    record("compte.desactive", actor, f"user:{user.id}", email=user.email)
    return user


def reactiver_compte(user: User, actor: User | None) -> User:
    """Enable a disabled account again."""
    if user.is_active:
        raise Conflict("Ce compte est déjà actif.")
    user.is_active = True
    db.session.flush()
    record("compte.reactive", actor, f"user:{user.id}", email=user.email)
    return user


def reinitialiser_mot_de_passe(user: User, actor: User | None) -> str:
    """Give an account a new random password, to be changed at next login; returns it once."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_sessions(user, "reinitialisation")
    db.session.flush()
    record("compte.mot_de_passe_reinitialise", actor, f"user:{user.id}", email=user.email)
    return password


def changer_mot_de_passe(user: User, current: str, new: str, confirmation: str, address: str = "") -> User:
    """Change one's own password (the current one checked under throttling); other sessions end."""
    verifier_mot_de_passe(user, current, address, field="current", message="Le mot de passe actuel est incorrect.",
                          refused_action="mot_de_passe.actuel_refuse")
    check_password_strength(new or "", account_words(user.email, user.nom), "new")
    if new != confirmation:
        raise InvalidInput("Les deux saisies du nouveau mot de passe ne sont pas identiques.", "confirmation")
    if verify_password(user.password_hash, new):
        raise InvalidInput("Choisissez un mot de passe différent de l’actuel.", "new")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user, "mot_de_passe")
    db.session.flush()
    record("mot_de_passe.change", user, f"user:{user.id}")
    return user


def account_words(email: str, nom: str) -> list[str]:
    """What a chosen password must not contain: the e-mail, the name, the authority's name."""
    from charte.parametres import DEFAULT_AUTHORITY, authority_name

    authority = authority_name()
    return personal_words(email, nom, None if authority == DEFAULT_AUTHORITY else authority)
