"""Throttling of guesses (passwords, second-factor codes) and of journalled refusals.

Every guess leaves a LoginAttempt row for a day. A key (an account's e-mail or an address) with
THROTTLE_LIMIT failures of one kind in the last minute is refused until the window passes; codes
have a second, hourly limit, because six digits are quicker to guess than a password. Refusals
(throttled guesses, 403, CSRF) are journalled at most once a minute per account and address, so
that hammering cannot flood the append-only journal.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from charte.accounts.models import LoginAttempt
from charte.extensions import db
from charte.journal.services import record

THROTTLE_WINDOW = timedelta(minutes=1)
THROTTLE_LIMIT = 5  # failures per window, per account and per address
CODE_HOURLY_LIMIT = 20  # second-factor failures per hour and per account
ATTEMPTS_KEPT = timedelta(days=1)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def attempt_key(email: str | None) -> str:
    return (email or "").strip().lower()[:254]


def clean_address(address: str | None) -> str:
    return (address or "inconnue")[:64]


def purge_attempts(now: datetime) -> None:
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at_dt < now - ATTEMPTS_KEPT))


def _failures(kind: str, since: datetime, **criteria) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginAttempt)
        .filter_by(kind=kind, succeeded=False, throttled=False, **criteria)
        .where(LoginAttempt.at_dt >= since)
    )


def is_throttled(kind: str, email_key: str, address: str, now: datetime) -> bool:
    """Too many recent failures of this kind for the account or from the address."""
    since = now - THROTTLE_WINDOW
    if _failures(kind, since, email_key=email_key) >= THROTTLE_LIMIT \
            or _failures(kind, since, address=address) >= THROTTLE_LIMIT:
        return True
    return kind == "code" and _failures(kind, now - timedelta(hours=1), email_key=email_key) >= CODE_HOURLY_LIMIT


def journal_once(kind: str, action: str, email_key: str, address: str, now: datetime, *, actor=None,
                 label: str | None = None, either: bool = False, **details) -> bool:
    """Journal a refusal unless one of this kind was journalled within the minute for this account and
    address (or, with `either`, for this account or this address). The marker row is not a guess.
    True when journalled."""
    same = (LoginAttempt.email_key == email_key) | (LoginAttempt.address == address) if either \
        else (LoginAttempt.email_key == email_key) & (LoginAttempt.address == address)
    already = db.session.scalar(
        select(func.count()).select_from(LoginAttempt).filter_by(kind=kind, throttled=True)
        .where(LoginAttempt.at_dt >= now - THROTTLE_WINDOW).where(same)
    )
    if already:
        return False
    db.session.add(LoginAttempt(kind=kind, at_dt=now, email_key=email_key, address=address, throttled=True))
    record(action, actor, f"user:{actor.id}" if actor is not None else "",
           actor_label=label if actor is None else None, adresse=address, **details)
    return True


def note_attempt(kind: str, email_key: str, address: str, now: datetime, succeeded: bool) -> None:
    db.session.add(LoginAttempt(kind=kind, at_dt=now, email_key=email_key, address=address, succeeded=succeeded))
