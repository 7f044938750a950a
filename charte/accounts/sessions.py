"""What the session cookie holds about authentication, and the rules on it.

- `_auth_at`: when the person signed in. After CHARTE_SESSION_MAX_HOURS the session ends, whatever
  the activity (absolute lifetime).
- `_seen_at`: the last request. After CHARTE_SESSION_HOURS without one the session ends (idle
  timeout). The cookie itself lives as long as the longer of the two, so that an ended session is
  still recognised and the login page can say why.
- `_mfa`: the half-signed-in state between the password and the code: an account id, its session
  counter, a timestamp and where to go next. It grants nothing and lasts SECOND_STEP_SECONDS.
- `_reauth`: when the person last proved who they are (password and second factor), bound to the
  session counter. `is_fresh()` is what `charte.security.requires_fresh_auth` checks.
- `_motif`: why the previous session ended, shown once by the login page.
"""
from __future__ import annotations

import time

from flask import current_app, g, session
from flask_login import current_user, login_user, logout_user

from charte.accounts.models import User
from charte.extensions import db

SECOND_STEP_SECONDS = 5 * 60
FRESH_AUTH_SECONDS = 5 * 60

_AUTH_AT, _SEEN_AT, _PENDING, _FRESH, _REASON = "_auth_at", "_seen_at", "_mfa", "_reauth", "_motif"


def _now() -> float:
    return time.time()


def start_session(user: User) -> None:
    """A fresh session for a fresh login: nothing from before survives, the cookie changes. Signing in
    (password, and the code when enrolled) counts as a fresh authentication."""
    session.clear()
    login_user(user)
    session.permanent = True
    now = _now()
    session[_AUTH_AT] = session[_SEEN_AT] = now
    mark_fresh(user)


def continue_session(user: User) -> None:
    """After one's own password or second factor changed: the counter moved on, this session follows it
    (new cookie, same login time: the absolute lifetime still runs from the login)."""
    auth_at = session.get(_AUTH_AT)
    start_session(user)
    if auth_at is not None:
        session[_AUTH_AT] = auth_at


# --- The second step of the login ----------------------------------------------------------------


def begin_second_step(user: User, next_url: str | None) -> None:
    session.clear()
    session[_PENDING] = {"uid": user.id, "sv": user.session_version, "at": _now(), "next": next_url}


def second_step_user() -> tuple[User | None, str | None]:
    """The account waiting for its code, and where to go next; (None, None) once expired or invalid."""
    pending = session.get(_PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), (int, float)) \
            or not isinstance(pending.get("uid"), int) or not 0 <= _now() - pending["at"] <= SECOND_STEP_SECONDS:
        session.pop(_PENDING, None)
        return None, None
    user = db.session.get(User, pending["uid"])
    if user is None or not user.is_active or user.session_version != pending.get("sv"):
        session.pop(_PENDING, None)
        return None, None
    return user, pending.get("next")


def second_step_started() -> bool:
    """A half-signed-in state is in the session (valid or not)."""
    return _PENDING in session


# --- Fresh authentication ------------------------------------------------------------------------


def mark_fresh(user: User) -> None:
    session[_FRESH] = [_now(), user.session_version]


def is_fresh(user) -> bool:
    """The person confirmed their identity less than FRESH_AUTH_SECONDS ago, in this session."""
    marker = session.get(_FRESH)
    if not user.is_authenticated or not isinstance(marker, list) or len(marker) != 2:
        return False
    at, version = marker
    return version == user.session_version and 0 <= _now() - float(at) < FRESH_AUTH_SECONDS


# --- Ended sessions ------------------------------------------------------------------------------


def note_stale_session(reason: str) -> None:
    """Called by the user loader when a cookie names an account it cannot accept, with the reason."""
    g.charte_session_end = reason


def check_session() -> str | None:
    """End the session when its lifetime or idle time is over or the account refused it; the reason,
    kept for the login page. None when the session (if any) carries on."""
    if "_user_id" not in session:
        return None
    now = _now()
    config = current_app.config
    auth_at, seen_at = session.get(_AUTH_AT), session.get(_SEEN_AT)
    if not isinstance(auth_at, (int, float)) or now - auth_at > config["CHARTE_SESSION_MAX_HOURS"] * 3600:
        reason = "duree"
    elif not isinstance(seen_at, (int, float)) or now - seen_at > config["CHARTE_SESSION_HOURS"] * 3600:
        reason = "inactivite"
    elif current_user.is_authenticated:
        session[_SEEN_AT] = now
        return None
    else:
        reason = g.get("charte_session_end") or "fermee"
    logout_user()
    session.clear()
    session[_REASON] = reason
    return reason


def pop_end_reason() -> str | None:
    return session.pop(_REASON, None)
