"""Departments, user accounts and login attempts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charte.extensions import db

ROLE_LABELS = {"agent": "Agent", "comite": "Comité de pilotage", "admin": "Administration"}
ROLES = tuple(ROLE_LABELS)


class Departement(db.Model):
    """A service or direction of the authority; every agent belongs to exactly one."""

    __tablename__ = "departements"

    id: Mapped[int] = mapped_column(primary_key=True)
    nom: Mapped[str] = mapped_column(String(120))
    nom_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    users = relationship("User", back_populates="departement", order_by="User.nom")

    def __repr__(self) -> str:
        return f"<Departement {self.nom!r}>"


class User(db.Model):
    """An account. Everyone is an agent of a department; some are also committee or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    nom: Mapped[str] = mapped_column(String(120))
    departement_id: Mapped[int] = mapped_column(ForeignKey("departements.id"), index=True)
    is_comite: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped at logout, password change and deactivation: every older session cookie dies.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Why the counter last moved (a code of SESSION_END_REASONS), told on the login page.
    session_end_reason: Mapped[str | None] = mapped_column(String(32))
    # Second factor (TOTP, RFC 6238). The secret is stored as is (base32): the database must be
    # protected like the password hashes. A secret being enrolled waits in totp_pending_secret until
    # a first code proves the authenticator app holds it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column()
    # The last time step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column()

    departement = relationship("Departement", back_populates="users", lazy="joined")

    # Flask-Login protocol (written out: the column is_active replaces UserMixin's property).
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def roles(self) -> list[str]:
        roles = ["agent"]
        if self.is_comite:
            roles.append("comite")
        if self.is_admin:
            roles.append("admin")
        return roles

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def is_second_factor_role(self) -> bool:
        """Committee members and admins validate and publish: they sign in with a second factor."""
        return self.is_comite or self.is_admin

    @property
    def role_labels(self) -> str:
        return ", ".join(ROLE_LABELS[r] for r in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


class CodeSecours(db.Model):
    """One single-use recovery code of an account's second factor, stored hashed (argon2id)."""

    __tablename__ = "codes_secours"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


# Kinds of LoginAttempt rows: guesses (passwords, codes) are counted by the throttle; refusals
# (access, CSRF) are kept only to journal them once a minute per account and address.
ATTEMPT_KINDS = ("mot_de_passe", "code", "acces", "csrf")


class LoginAttempt(db.Model):
    """One authentication attempt or refusal, kept a short while to throttle guessing and journalling."""

    __tablename__ = "login_attempts"
    __table_args__ = (CheckConstraint("kind IN ('mot_de_passe', 'code', 'acces', 'csrf')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at_dt: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16), default="mot_de_passe", server_default="mot_de_passe")
    email_key: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    # A refusal by the throttle itself: kept (once a window) to journal it once, not counted as a guess.
    throttled: Mapped[bool] = mapped_column(Boolean, default=False)
