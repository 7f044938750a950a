"""The frozen electorate of a round, ballots with their history, results and receipts."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charte.dbtypes import check_in, enum_type
from charte.extensions import db
from charte.immutability import immutable


class Choix(str, enum.Enum):
    POUR = "pour"
    CONTRE = "contre"
    ABSTENTION = "abstention"

    @property
    def label(self) -> str:
        return {"pour": "Pour", "contre": "Contre", "abstention": "Abstention"}[self.value]


@immutable()
class Electeur(db.Model):
    """An agent who may vote in a round, frozen (with their department) when the vote opens."""

    __tablename__ = "electeurs"

    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    departement_id: Mapped[int] = mapped_column(ForeignKey("departements.id"))


class Bulletin(db.Model):
    """An agent's ballot on an amendment: one per agent per amendment (database constraint), changeable
    until the vote closes. Who voted what is never shown to anyone but the voter."""

    __tablename__ = "bulletins"
    __table_args__ = (
        UniqueConstraint("amendement_id", "user_id", name="uq_bulletins_amendement_user"),
        check_in("choix", Choix),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    amendement_id: Mapped[int] = mapped_column(ForeignKey("amendements.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    choix: Mapped[Choix] = mapped_column(enum_type(Choix, 12))
    motif: Mapped[str] = mapped_column(String(280), default="")
    revision_id: Mapped[int] = mapped_column(ForeignKey("amendement_revisions.id"))
    created_at: Mapped[datetime] = mapped_column()
    modifie_at: Mapped[datetime | None] = mapped_column()
    recu: Mapped[str | None] = mapped_column(String(32), unique=True)  # receipt code, given at closing

    amendement = relationship("Amendement")


@immutable()
class BulletinEvenement(db.Model):
    """Every cast and every change of a ballot, with the revision voted on."""

    __tablename__ = "bulletin_evenements"
    __table_args__ = (check_in("choix", Choix),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id"), index=True)
    choix: Mapped[Choix] = mapped_column(enum_type(Choix, 12))
    motif: Mapped[str] = mapped_column(String(280), default="")
    revision_id: Mapped[int] = mapped_column(ForeignKey("amendement_revisions.id"))
    at_dt: Mapped[datetime] = mapped_column()


@immutable()
class Resultat(db.Model):
    """An amendment's result, computed once at closing from the frozen rules and the ballots."""

    __tablename__ = "resultats"

    amendement_id: Mapped[int] = mapped_column(ForeignKey("amendements.id"), primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    electeurs: Mapped[int] = mapped_column(Integer)
    votants: Mapped[int] = mapped_column(Integer)
    pour: Mapped[int] = mapped_column(Integer)
    contre: Mapped[int] = mapped_column(Integer)
    abstention: Mapped[int] = mapped_column(Integer)
    quorum_atteint: Mapped[bool] = mapped_column(Boolean)
    adopte: Mapped[bool] = mapped_column(Boolean)
    details_json: Mapped[str] = mapped_column(Text, default="{}")  # voices per department, explanation
    calcule_at: Mapped[datetime] = mapped_column()

    amendement = relationship("Amendement")
