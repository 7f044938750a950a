"""A round of amendments on the version in force, with its windows and its frozen rules."""
from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charte.dbtypes import check_in, enum_type
from charte.extensions import db
from charte.immutability import immutable
from charte.temps import maintenant
from charte.tours.fenetres import Fenetres, depot_ouvert, vote_ouvert


class Majorite(str, enum.Enum):
    SIMPLE = "simple"  # pour > contre
    ABSOLUE = "absolue"  # pour > contre + abstention
    QUALIFIEE = "qualifiee"  # pour >= 2/3 (pour + contre)

    @property
    def label(self) -> str:
        return {
            "simple": "Majorité simple (plus de « pour » que de « contre »)",
            "absolue": "Majorité absolue (plus de « pour » que de « contre » et d’abstentions réunis)",
            "qualifiee": "Majorité qualifiée (au moins deux tiers de « pour » parmi les « pour » et « contre »)",
        }[self.value]


class TourStatut(str, enum.Enum):
    DEPOT = "depot"  # amendments may be drafted, submitted, revised
    VOTE = "vote"  # the committee opened the vote: texts frozen, ballots accepted within the window
    CLOS = "clos"  # results computed and frozen

    @property
    def label(self) -> str:
        return {"depot": "Dépôt des amendements", "vote": "Vote en cours", "clos": "Clos"}[self.value]


class ReglesCharte(db.Model):
    """The charter's rules, set by an admin before a round opens; each round keeps a frozen copy."""

    __tablename__ = "regles_chartes"
    __table_args__ = (
        check_in("majorite", Majorite),
        CheckConstraint("quorum_pct >= 0 AND quorum_pct <= 100", name="quorum"),
        CheckConstraint("cosignataires_min >= 0", name="cosignataires"),
        CheckConstraint("validation_seuil >= 1", name="validation"),
    )

    charte_id: Mapped[int] = mapped_column(ForeignKey("chartes.id"), primary_key=True)
    quorum_pct: Mapped[int] = mapped_column(Integer, default=25)
    majorite: Mapped[Majorite] = mapped_column(enum_type(Majorite), default=Majorite.SIMPLE)
    une_voix_par_service: Mapped[bool] = mapped_column(Boolean, default=False)
    resultats_en_direct: Mapped[bool] = mapped_column(Boolean, default=False)
    cosignataires_min: Mapped[int] = mapped_column(Integer, default=0)
    validation_seuil: Mapped[int] = mapped_column(Integer, default=2)  # k approvals of the committee
    updated_at: Mapped[datetime | None] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def as_dict(self) -> dict:
        """The plain values frozen into a round."""
        return {
            "quorum_pct": self.quorum_pct,
            "majorite": Majorite(self.majorite).value,
            "une_voix_par_service": bool(self.une_voix_par_service),
            "resultats_en_direct": bool(self.resultats_en_direct),
            "cosignataires_min": self.cosignataires_min,
            "validation_seuil": self.validation_seuil,
        }


class Tour(db.Model):
    """An amendment round: submission window, vote window, rules frozen at opening."""

    __tablename__ = "tours"
    __table_args__ = (
        UniqueConstraint("charte_id", "numero", name="uq_tours_charte_numero"),
        check_in("statut", TourStatut),
        CheckConstraint("depot_fin_at > depot_debut_at", name="depot_ordre"),
        CheckConstraint("vote_fin_at > vote_debut_at", name="vote_ordre"),
        CheckConstraint("vote_debut_at >= depot_fin_at", name="vote_apres_depot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charte_id: Mapped[int] = mapped_column(ForeignKey("chartes.id"), index=True)
    # Set to charte_id while the round is not closed, NULL afterwards: at most one open round per
    # charter, enforced by the database even when two committee members open one at once.
    ouvert_charte_id: Mapped[int | None] = mapped_column(ForeignKey("chartes.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))  # the version in force at opening
    numero: Mapped[int] = mapped_column(Integer)
    titre: Mapped[str] = mapped_column(String(200))
    statut: Mapped[TourStatut] = mapped_column(enum_type(TourStatut), default=TourStatut.DEPOT)
    # Windows, stored in UTC (naive), shown in Europe/Paris time.
    depot_debut_at: Mapped[datetime] = mapped_column()
    depot_fin_at: Mapped[datetime] = mapped_column()
    vote_debut_at: Mapped[datetime] = mapped_column()
    vote_fin_at: Mapped[datetime] = mapped_column()
    regles_json: Mapped[str] = mapped_column(Text)  # ReglesCharte.as_dict() frozen at opening
    electeurs_count: Mapped[int | None] = mapped_column(Integer)  # frozen electorate size, at vote opening
    created_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    vote_ouvert_at: Mapped[datetime | None] = mapped_column()
    vote_ouvert_par_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    clos_at: Mapped[datetime | None] = mapped_column()
    clos_par_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    charte = relationship("Charte", foreign_keys=[charte_id])
    version = relationship("Version")
    evenements = relationship("TourEvenement", back_populates="tour", order_by="TourEvenement.id")

    @property
    def regles(self) -> dict:
        return json.loads(self.regles_json)

    @property
    def majorite(self) -> Majorite:
        return Majorite(self.regles["majorite"])

    @property
    def fenetres(self) -> Fenetres:
        return Fenetres(self.depot_debut_at, self.depot_fin_at, self.vote_debut_at, self.vote_fin_at)

    @property
    def phase(self) -> str:
        """Where the round stands now, in French."""
        now = maintenant()
        if self.statut == TourStatut.CLOS:
            return "Clos"
        if self.statut == TourStatut.VOTE:
            return "Vote en cours" if vote_ouvert(self.fenetres, now) else "Vote terminé, en attente de clôture"
        if now < self.depot_debut_at:
            return "Dépôt des amendements à venir"
        if depot_ouvert(self.fenetres, now):
            return "Dépôt des amendements ouvert"
        return "Dépôt terminé, vote pas encore ouvert"


class TourEvenementType(str, enum.Enum):
    DEPOT_PROLONGE = "depot_prolonge"
    DEPOT_ABREGE = "depot_abrege"
    VOTE_PROLONGE = "vote_prolonge"
    VOTE_ABREGE = "vote_abrege"

    @property
    def label(self) -> str:
        return {"depot_prolonge": "Dépôt prolongé", "depot_abrege": "Dépôt clos plus tôt",
                "vote_prolonge": "Vote prolongé", "vote_abrege": "Vote clos plus tôt"}[self.value]


@immutable()
class TourEvenement(db.Model):
    """A window closed early or extended by the committee, with its reason."""

    __tablename__ = "tour_evenements"
    __table_args__ = (check_in("type", TourEvenementType),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), index=True)
    type: Mapped[TourEvenementType] = mapped_column(enum_type(TourEvenementType, 20))
    ancien_at: Mapped[datetime] = mapped_column()
    nouveau_at: Mapped[datetime] = mapped_column()
    motif: Mapped[str] = mapped_column(Text)
    auteur_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at_dt: Mapped[datetime] = mapped_column()

    tour = relationship("Tour", back_populates="evenements")
    auteur = relationship("User")
