"""A publication: the exact signed bytes of an adopted version, stored once and served as they are."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charte.extensions import db
from charte.immutability import immutable
from charte.journal.triggers import FrozenTable


@immutable()
class Publication(db.Model):
    """Written once when a version is published; never changed (a correction is a new version)."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), unique=True)
    charte_id: Mapped[int] = mapped_column(ForeignKey("chartes.id"), index=True)
    numero: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column()
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The large columns are loaded only when asked for: lists and pages never read the PDF.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    pdf_taille: Mapped[int] = mapped_column(Integer)
    donnees_json: Mapped[str] = mapped_column(Text, deferred=True)
    donnees_md: Mapped[str] = mapped_column(Text, deferred=True)
    url_publique: Mapped[str] = mapped_column(String(500))
    signataire_nom: Mapped[str] = mapped_column(String(200))
    signataire_role: Mapped[str] = mapped_column(String(200))
    signataire_lieu: Mapped[str] = mapped_column(String(200))
    raison: Mapped[str] = mapped_column(String(200))
    certificat_sujet: Mapped[str] = mapped_column(String(500))
    certificat_sha256: Mapped[str] = mapped_column(String(64), index=True)
    horodatage_at: Mapped[datetime | None] = mapped_column()
    journal_seq: Mapped[int] = mapped_column(Integer)
    journal_hash: Mapped[str] = mapped_column(String(64))

    version = relationship("Version")
    charte = relationship("Charte")
    published_by = relationship("User")


# The database refuses any UPDATE or DELETE on publications (charte.journal.triggers), as the ORM does.
FIGEES = (FrozenTable("publications"),)
