"""The second factor of an account: enrolment, recovery codes, reset, and the authority's requirement.

Committee members and admins must have one (they validate and publish what the whole authority signs)
unless an admin lifts the requirement for the authority. Anyone else may enrol.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select

from charte.accounts import totp
from charte.accounts.authentification import end_sessions
from charte.accounts.limitation import utcnow
from charte.accounts.models import CodeSecours, User
from charte.accounts.passwords import hash_secret
from charte.exceptions import Conflict, InvalidInput
from charte.extensions import db
from charte.journal.services import record

EXIGENCE = "double_facteur_obligatoire"  # setting: "1" (default) or "0"
ISSUER = "Charte"


def exigence_double_facteur() -> bool:
    """True unless an admin lifted the requirement for committee members and admins."""
    from charte.parametres import get_parametre

    return get_parametre(EXIGENCE, "1") != "0"


def doit_activer_double_facteur(user: User) -> bool:
    """A committee member or admin without a second factor, while the authority requires one."""
    return user.is_second_factor_role and not user.has_second_factor and exigence_double_facteur()


def changer_exigence_double_facteur(exigee: bool, actor: User) -> bool:
    """Require the second factor of committee members and admins, or lift the requirement (journalled)."""
    from charte.parametres import set_parametre

    if exigee == exigence_double_facteur():
        raise Conflict("Ce réglage est déjà en vigueur." if exigee else "L’exigence est déjà levée.")
    set_parametre(EXIGENCE, "1" if exigee else "0", actor)
    return exigee


def preparer_double_facteur(user: User) -> str:
    """Draw a new secret for enrolment; the current factor (if any) stays until a code confirms the new one."""
    user.totp_pending_secret = totp.new_secret()
    db.session.flush()
    return user.totp_pending_secret


def _new_recovery_codes(user: User) -> list[str]:
    now = utcnow()
    db.session.execute(delete(CodeSecours).where(CodeSecours.user_id == user.id))
    codes = totp.new_recovery_codes()
    db.session.add_all(CodeSecours(user_id=user.id, code_hash=hash_secret(code), created_at=now) for code in codes)
    return codes


def activer_double_facteur(user: User, raw_code: str | None) -> list[str]:
    """Enable the secret being enrolled once a code proves the app holds it; returns the ten recovery
    codes, to be shown once. Other sessions of the account end."""
    if not user.totp_pending_secret:
        raise Conflict("Aucune configuration en cours : recommencez depuis la page Sécurité du compte.")
    code = totp.normalise_code(raw_code)
    if code is None:
        raise InvalidInput("Saisissez les 6 chiffres affichés par votre application.", "code")
    now = utcnow()
    step = totp.matching_step(user.totp_pending_secret, code, now, None)
    if step is None:
        raise InvalidInput("Ce code ne correspond pas. Vérifiez l’heure de votre téléphone et saisissez "
                           "le code affiché maintenant.", "code")
    replaced = user.has_second_factor
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_enabled_at, user.totp_last_step = now, step
    codes = _new_recovery_codes(user)
    end_sessions(user, "double_facteur")
    db.session.flush()
    record("double_facteur.active", user, f"user:{user.id}", remplace=replaced)
    return codes


def renouveler_codes_secours(user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not user.has_second_factor:
        raise Conflict("Activez d’abord la double authentification.")
    codes = _new_recovery_codes(user)
    db.session.flush()
    record("double_facteur.codes_secours_renouveles", user, f"user:{user.id}")
    return codes


def codes_secours_restants(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(CodeSecours).filter_by(user_id=user.id, used_at=None))


def _remove(user: User) -> None:
    user.totp_secret = user.totp_pending_secret = None
    user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(CodeSecours).where(CodeSecours.user_id == user.id))


def desactiver_double_facteur(user: User) -> User:
    """Turn one's own second factor off, when one's role does not require it."""
    if not user.has_second_factor:
        raise Conflict("La double authentification n’est pas activée.")
    if user.is_second_factor_role and exigence_double_facteur():
        raise Conflict("Votre rôle exige la double authentification : elle ne peut pas être désactivée.")
    _remove(user)
    end_sessions(user, "double_facteur")
    db.session.flush()
    record("double_facteur.desactive", user, f"user:{user.id}")
    return user


def reinitialiser_double_facteur(user: User, actor: User) -> User:
    """An admin removes a person's second factor (lost phone): their sessions end, they enrol again."""
    if actor.id == user.id:
        raise Conflict("Vous ne pouvez pas réinitialiser votre propre double authentification : "
                       "utilisez la page Sécurité du compte.")
    if not user.has_second_factor and not user.totp_pending_secret:
        raise Conflict("Ce compte n’a pas de double authentification à réinitialiser.")
    _remove(user)
    end_sessions(user, "double_facteur")
    db.session.flush()
    record("double_facteur.reinitialise", actor, f"user:{user.id}", email=user.email)
    return user


def enroler_sans_verification(user: User, secret: str | None = None) -> str:
    """Enable a second factor without a first code (the demo, the tests): the secret is returned to be
    handed over. Journalled like an enrolment."""
    user.totp_secret = secret or totp.new_secret()
    user.totp_pending_secret, user.totp_enabled_at, user.totp_last_step = None, utcnow(), None
    db.session.flush()
    record("double_facteur.active", None, f"user:{user.id}", email=user.email, remplace=False)
    return user.totp_secret


def provisioning(user: User, authority: str) -> dict:
    """What the enrolment page shows for the secret being enrolled: the QR code (SVG) and the text."""
    secret = user.totp_pending_secret
    uri = totp.provisioning_uri(secret, user.email, f"{ISSUER} – {authority}")
    return {"secret": totp.grouped(secret), "qr": totp.qr_svg(uri, "Code QR à scanner avec votre application "
                                                                 "d’authentification"), "uri": uri}
