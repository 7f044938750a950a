"""Drafts of the next version (projets de version), their merge conflicts, editorial corrections and the
committee's decisions (approvals and rejections).

A draft is not a `Version` row: versions are frozen, a draft changes until it is adopted. It holds its
content as canonical JSON with its SHA-256 (charte.consolidation.contenu) and a `revision` counter moved
on by every change: forms carry it (a stale form is refused) and each decision is bound to it and to the
SHA-256 it saw, so any change dismisses the approvals already given. Decisions and corrections are
written once and never changed; a resolved conflict and an adopted draft are frozen too.
"""
from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from charte.consolidation.contenu import ContenuProjet, lire_contenu
from charte.dbtypes import check_in, enum_type
from charte.extensions import db
from charte.immutability import ImmutableRowError, immutable
from charte.journal.triggers import FrozenTable


class ProjetStatut(str, enum.Enum):
    EDITION = "edition"  # being prepared: conflicts to resolve, corrections
    SOUMIS = "soumis"  # submitted: the committee approves or rejects
    REJETE = "rejete"  # rejected: back in editing, the rejection's comments shown
    ADOPTE = "adopte"  # the threshold was reached: the version is written, the draft frozen

    @property
    def label(self) -> str:
        return {"edition": "En préparation", "soumis": "Soumis à validation",
                "rejete": "Rejeté, revenu en préparation", "adopte": "Adopté"}[self.value]

    @property
    def modifiable(self) -> bool:
        return self != ProjetStatut.ADOPTE


class Sens(str, enum.Enum):
    APPROUVE = "approuve"
    REJETE = "rejete"

    @property
    def label(self) -> str:
        return {"approuve": "Approuvé", "rejete": "Rejeté"}[self.value]


class Projet(db.Model):
    """The draft of a charter's next version, built from one closed round's adopted amendments."""

    __tablename__ = "projets_version"
    __table_args__ = (
        check_in("statut", ProjetStatut),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charte_id: Mapped[int] = mapped_column(ForeignKey("chartes.id"), index=True)
    # One draft per round, and at most one draft not yet adopted per charter: both enforced by the
    # database, so that two committee members consolidating at once make one draft, not two.
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"), unique=True)
    en_cours_charte_id: Mapped[int | None] = mapped_column(ForeignKey("chartes.id"), unique=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    # active_history: the value before a change is known even when the row was expired (the freeze below).
    statut: Mapped[ProjetStatut] = mapped_column(enum_type(ProjetStatut), default=ProjetStatut.EDITION,
                                                 active_history=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    contenu_json: Mapped[str] = mapped_column(Text)  # canonical JSON of ContenuProjet
    sha256: Mapped[str] = mapped_column(String(64))  # contenu.empreinte(content, base version's sha256)
    appliques_json: Mapped[str] = mapped_column(Text, default="[]")  # ids of the amendments it integrates
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), unique=True)  # once adopted
    created_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    soumis_at: Mapped[datetime | None] = mapped_column()
    adopte_at: Mapped[datetime | None] = mapped_column()

    charte = relationship("Charte", foreign_keys=[charte_id])
    tour = relationship("Tour")
    base_version = relationship("Version", foreign_keys=[base_version_id])
    version = relationship("Version", foreign_keys=[version_id])
    created_by = relationship("User")
    conflits = relationship("ConflitFusion", back_populates="projet", order_by="ConflitFusion.id")
    corrections = relationship("Correction", back_populates="projet", order_by="Correction.id")
    decisions = relationship("Decision", back_populates="projet", order_by="Decision.id")

    @property
    def contenu(self) -> ContenuProjet:
        return lire_contenu(self.contenu_json)

    @property
    def appliques(self) -> list[int]:
        return json.loads(self.appliques_json)

    @property
    def seuil(self) -> int:
        """k approvals of the committee, from the round's frozen rules."""
        return int(self.tour.regles.get("validation_seuil", 2))

    @property
    def conflits_ouverts(self) -> list["ConflitFusion"]:
        return [c for c in self.conflits if c.resolu_at is None]

    def approbations_valides(self) -> list["Decision"]:
        """The approvals given to the draft's current text (bound to its revision and SHA-256)."""
        return [d for d in self.decisions if d.sens == Sens.APPROUVE and d.en_vigueur(self)]

    def approbations_ecartees(self) -> list["Decision"]:
        return [d for d in self.decisions if d.sens == Sens.APPROUVE and not d.en_vigueur(self)]

    def rejets(self) -> list["Decision"]:
        return [d for d in self.decisions if d.sens == Sens.REJETE]


class ConflitFusion(db.Model):
    """Amendments that cannot apply together on one clause; a committee member writes the merged text."""

    __tablename__ = "conflits_fusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    projet_id: Mapped[int] = mapped_column(ForeignKey("projets_version.id"), index=True)
    ref: Mapped[str] = mapped_column(String(16))
    amendements_json: Mapped[str] = mapped_column(Text)  # ids of the competing amendments
    raison: Mapped[str] = mapped_column(Text)
    base: Mapped[str] = mapped_column(Text)  # the clause in the base version
    courant: Mapped[str] = mapped_column(Text)  # the draft's text when the conflict was found
    suggestion: Mapped[str] = mapped_column(Text)  # best-effort (fuzzy) merge: a suggestion only
    created_at: Mapped[datetime] = mapped_column()
    # The resolution, written once.
    resolu_at: Mapped[datetime | None] = mapped_column(active_history=True)
    resolu_par_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    motif: Mapped[str] = mapped_column(Text, default="")
    titre: Mapped[str | None] = mapped_column(String(200))
    texte: Mapped[str | None] = mapped_column(Text)
    retenus_json: Mapped[str] = mapped_column(Text, default="[]")  # amendments taken into the merged text
    revision: Mapped[int | None] = mapped_column(Integer)  # the draft's revision the resolution produced

    projet = relationship("Projet", back_populates="conflits")
    resolu_par = relationship("User")

    @property
    def amendement_ids(self) -> list[int]:
        return json.loads(self.amendements_json)

    @property
    def retenus(self) -> list[int]:
        return json.loads(self.retenus_json)


@immutable()
class Correction(db.Model):
    """An editorial correction of one clause of the draft (typo, wording, numbering), with its reason."""

    __tablename__ = "corrections_projet"

    id: Mapped[int] = mapped_column(primary_key=True)
    projet_id: Mapped[int] = mapped_column(ForeignKey("projets_version.id"), index=True)
    ref: Mapped[str] = mapped_column(String(16))
    titre_avant: Mapped[str] = mapped_column(String(200))
    titre_apres: Mapped[str] = mapped_column(String(200))
    texte_avant: Mapped[str] = mapped_column(Text)
    texte_apres: Mapped[str] = mapped_column(Text)
    motif: Mapped[str] = mapped_column(Text)
    auteur_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()
    revision: Mapped[int] = mapped_column(Integer)  # the draft's revision the correction produced

    projet = relationship("Projet", back_populates="corrections")
    auteur = relationship("User")


@immutable()
class Decision(db.Model):
    """A committee member approves or rejects the draft's text as it stood: its revision and SHA-256."""

    __tablename__ = "decisions_projet"
    __table_args__ = (
        UniqueConstraint("projet_id", "revision", "user_id", name="uq_decisions_projet_revision_user"),
        check_in("sens", Sens),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    projet_id: Mapped[int] = mapped_column(ForeignKey("projets_version.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sens: Mapped[Sens] = mapped_column(enum_type(Sens, 12))
    commentaire: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column()

    projet = relationship("Projet", back_populates="decisions")
    user = relationship("User")

    def en_vigueur(self, projet: Projet) -> bool:
        """Given on the draft's current text (a later change dismissed it otherwise)."""
        return self.revision == projet.revision and self.sha256 == projet.sha256


# The database itself refuses UPDATE and DELETE on these (triggers installed by migration 0006).
FIGEES = (FrozenTable("decisions_projet"), FrozenTable("corrections_projet"))


def _etat_enregistre(obj, attribut: str):
    """The value the attribute had when the row was loaded (before this flush's changes)."""
    history = inspect(obj).attrs[attribut].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else getattr(obj, attribut)


@event.listens_for(Session, "before_flush")
def _adoptes_et_resolus_figes(session: Session, _context, _instances) -> None:
    """An adopted draft and a resolved conflict are never changed nor deleted again."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Projet) and _etat_enregistre(obj, "statut") == ProjetStatut.ADOPTE:
            if obj in session.deleted or session.is_modified(obj):
                raise ImmutableRowError("Ce projet de version est adopté\u00a0: il ne peut plus être modifié.")
        elif isinstance(obj, ConflitFusion) and _etat_enregistre(obj, "resolu_at") is not None:
            if obj in session.deleted or session.is_modified(obj):
                raise ImmutableRowError("Ce conflit est déjà résolu\u00a0: sa résolution ne peut plus être modifiée.")
        elif isinstance(obj, Projet) and obj in session.deleted:
            raise ImmutableRowError("Un projet de version ne peut pas être supprimé.")
