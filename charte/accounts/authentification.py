"""Signing in (password, then the second factor when enrolled), confirming one's identity again before a
sensitive action, ending sessions. Every check is throttled (charte.accounts.limitation) and every
refusal journalled; the functions flush, the caller commits, even after a refusal (the attempt counts).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from charte.accounts import totp
from charte.accounts.limitation import (
    attempt_key,
    clean_address,
    is_throttled,
    journal_once,
    note_attempt,
    purge_attempts,
    utcnow,
)
from charte.accounts.models import CodeSecours, User
from charte.accounts.passwords import MAX_LENGTH, hash_password, needs_rehash, verify_password
from charte.exceptions import InvalidCredentials, InvalidInput, LoginThrottled
from charte.extensions import db
from charte.journal.services import record

BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion. Patientez une minute avant de réessayer."
CHECK_THROTTLED = "Trop de tentatives. Patientez une minute avant de réessayer."
BAD_CODE = "Ce code n’est pas valide (ou a déjà servi). Saisissez le code affiché maintenant par votre application."
MALFORMED_CODE = ("Saisissez les 6 chiffres affichés par votre application d’authentification, "
                  "ou l’un de vos codes de secours (12 caractères).")
BAD_PASSWORD = "Le mot de passe est incorrect."

# Why the session counter moved, told on the login page to the person whose session ended.
SESSION_END_REASONS = {
    "deconnexion": "Votre session a été fermée : le compte s’est déconnecté depuis un autre poste ou onglet.",
    "mot_de_passe": "Votre session a été fermée : le mot de passe du compte a été changé.",
    "reinitialisation": "Votre session a été fermée : l’administration a réinitialisé le mot de passe du compte.",
    "desactivation": "Votre session a été fermée : ce compte a été désactivé.",
    "double_facteur": "Votre session a été fermée : la double authentification du compte a changé.",
    "inactivite": "Votre session a expiré après une période d’inactivité. Reconnectez-vous pour continuer.",
    "duree": "Votre session a atteint sa durée maximale. Reconnectez-vous pour continuer.",
    "fermee": "Votre session a été fermée. Reconnectez-vous pour continuer.",
}


def end_sessions(user: User, reason: str) -> None:
    """Every session of the account ends: the counter in their cookies no longer matches."""
    user.session_version += 1
    user.session_end_reason = reason


def authenticate(email: str, password: str, address: str) -> User:
    """First step: e-mail and password under throttling; every attempt is recorded, even a refused one.

    A person without a second factor is then signed in (journalled here); one with a second factor
    is not yet: `verifier_code_connexion` completes the login."""
    email_key = attempt_key(email)
    address = clean_address(address)
    now = utcnow()
    purge_attempts(now)
    user = db.session.scalar(select(User).filter_by(email=email_key)) if email_key else None
    # What was typed is journalled only when it names an account: a password typed into the
    # e-mail field must not end up in an append-only record.
    label = user.email if user is not None else "(adresse inconnue)"
    if is_throttled("mot_de_passe", email_key, address, now):
        # Journalled once per window and key, so that hammering the form cannot flood the journal.
        journal_once("mot_de_passe", "connexion.limitee", email_key, address, now, label=label, either=True)
        raise LoginThrottled(THROTTLED)
    usable = user is not None and user.is_active
    # Verify even for an unknown or disabled account: the answer takes the same time.
    ok = verify_password(user.password_hash if usable else None, (password or "")[: MAX_LENGTH + 1])
    note_attempt("mot_de_passe", email_key, address, now, succeeded=ok and usable)
    if not (ok and usable):
        record("connexion.echouee", None, "", actor_label=label, adresse=address)
        db.session.flush()
        raise InvalidCredentials(BAD_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.has_second_factor:
        _signed_in(user, address, now)
    db.session.flush()
    return user


def _signed_in(user: User, address: str, now: datetime, **details) -> None:
    user.last_login_at = now
    record("connexion.reussie", user, f"user:{user.id}", adresse=address, **details)


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    """Consume the matching unused recovery code, if any (each is verified: they are hashed)."""
    unused = db.session.scalars(select(CodeSecours).filter_by(user_id=user.id, used_at=None)
                                .order_by(CodeSecours.id)).all()
    for row in unused:
        if verify_password(row.code_hash, code):
            row.used_at = now
            left = len(unused) - 1
            record("double_facteur.code_secours_utilise", user, f"user:{user.id}", restants=left)
            return True
    return False


def _check_second_factor(user: User, raw_code: str | None, address: str, now: datetime,
                         refused_action: str) -> str:
    """Check a TOTP code or a recovery code under throttling; the method used ('totp', 'code_secours').

    A TOTP code is accepted once: its time step is stored and no earlier or equal step is accepted."""
    email_key = attempt_key(user.email)
    if is_throttled("code", email_key, address, now):
        journal_once("code", "verification.limitee", email_key, address, now, actor=user, facteur="code")
        raise LoginThrottled(CHECK_THROTTLED)
    code = totp.normalise_code(raw_code)
    recovery = None if code else totp.normalise_recovery_code(raw_code)
    method = None
    if code and user.totp_secret:
        step = totp.matching_step(user.totp_secret, code, now, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            method = "totp"
    elif recovery and _use_recovery_code(user, recovery, now):
        method = "code_secours"
    note_attempt("code", email_key, address, now, succeeded=method is not None)
    if method is None:
        record(refused_action, user, f"user:{user.id}", adresse=address, facteur="code")
        db.session.flush()
        raise InvalidInput(BAD_CODE if (code or recovery) else MALFORMED_CODE, "code")
    return method


def verifier_code_connexion(user: User, code: str | None, address: str) -> str:
    """Second step of the login: the code of the authenticator app, or a recovery code."""
    address = clean_address(address)
    now = utcnow()
    if not user.is_active or not user.has_second_factor:
        raise InvalidCredentials(BAD_CREDENTIALS)
    method = _check_second_factor(user, code, address, now, "connexion.code_refuse")
    _signed_in(user, address, now, second_facteur=method)
    db.session.flush()
    return method


def verifier_mot_de_passe(user: User, password: str | None, address: str, *, field: str, message: str,
                          refused_action: str) -> None:
    """Check the password of a signed-in person (password change, confirmation), throttled like the login:
    failures here and at the login count together, since they guess the same password."""
    email_key = attempt_key(user.email)
    address = clean_address(address)
    now = utcnow()
    purge_attempts(now)
    if is_throttled("mot_de_passe", email_key, address, now):
        journal_once("mot_de_passe", "verification.limitee", email_key, address, now, actor=user,
                     facteur="mot_de_passe")
        raise LoginThrottled(CHECK_THROTTLED)
    ok = verify_password(user.password_hash, (password or "")[: MAX_LENGTH + 1])
    note_attempt("mot_de_passe", email_key, address, now, succeeded=ok)
    if not ok:
        record(refused_action, user, f"user:{user.id}", adresse=address, facteur="mot_de_passe")
        db.session.flush()
        raise InvalidInput(message, field)


def confirmer_identite(user: User, password: str | None, code: str | None, address: str) -> None:
    """Fresh authentication before a sensitive action: the password, and the second factor when the
    account has one. Raises InvalidInput (wrong password or code) or LoginThrottled; journals both
    outcomes; the caller commits even after a refusal (it counts for the throttle) and, on success,
    records the moment in the session (charte.accounts.sessions.mark_fresh). The view
    /mon-compte/confirmer and the decorator charte.security.requires_fresh_auth are built on it."""
    address = clean_address(address)
    verifier_mot_de_passe(user, password, address, field="password", message=BAD_PASSWORD,
                          refused_action="identite.refusee")
    if user.has_second_factor:
        _check_second_factor(user, code, address, utcnow(), "identite.refusee")
    record("identite.confirmee", user, f"user:{user.id}", adresse=address)
    db.session.flush()


def terminer_session(user: User) -> None:
    """Log out: the session counter moves on, so the old cookie is worthless everywhere."""
    end_sessions(user, "deconnexion")
    db.session.flush()
    record("deconnexion", user, f"user:{user.id}")
