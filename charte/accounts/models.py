"""Departments, user accounts and login attempts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, func
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
    def role_labels(self) -> str:
        return ", ".join(ROLE_LABELS[r] for r in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


class LoginAttempt(db.Model):
    """One login attempt, kept a short while to throttle guessing."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at_dt: Mapped[datetime] = mapped_column(index=True)
    email_key: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    # A refusal by the throttle itself: kept (once a window) to journal it once, not counted as a guess.
    throttled: Mapped[bool] = mapped_column(Boolean, default=False)
