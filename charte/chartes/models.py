"""Templates, charters, versions and the clauses of each version."""
from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, event, func
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from charte.chartes.snapshot import ClauseData, StoredVersion, ThemeData, VersionContent
from charte.extensions import db
from charte.immutability import ImmutableRowError, immutable


class VersionStatut(str, enum.Enum):
    BROUILLON = "brouillon"
    SOUMISE = "soumise"
    ADOPTEE = "adoptee"
    PUBLIEE = "publiee"
    REMPLACEE = "remplacee"

    @property
    def label(self) -> str:
        return {
            "brouillon": "Brouillon",
            "soumise": "Soumise à validation",
            "adoptee": "Adoptée, pas encore publiée",
            "publiee": "Publiée, en vigueur",
            "remplacee": "Remplacée par une version publiée plus récente",
        }[self.value]


STATUTS_SQL = ", ".join(f"'{s.value}'" for s in VersionStatut)


@immutable()
class Modele(db.Model):
    """An imported template: its source is kept as it was read."""

    __tablename__ = "modeles"

    id: Mapped[int] = mapped_column(primary_key=True)
    titre: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    version_label: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    imported_at: Mapped[datetime] = mapped_column(server_default=func.now())
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    imported_by = relationship("User")


class Charte(db.Model):
    """A charter of the authority, created from a template; its text lives in its versions."""

    __tablename__ = "chartes"

    id: Mapped[int] = mapped_column(primary_key=True)
    titre: Mapped[str] = mapped_column(String(200))
    modele_id: Mapped[int] = mapped_column(ForeignKey("modeles.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    modele = relationship("Modele")
    created_by = relationship("User")
    versions = relationship("Version", back_populates="charte", order_by="Version.numero")

    @property
    def version_publiee(self) -> "Version | None":
        """The published version: the only text in force (None until a version is published)."""
        return next((v for v in reversed(self.versions) if v.statut == VersionStatut.PUBLIEE), None)

    @property
    def version_courante(self) -> "Version | None":
        """The newest adopted or published version: the reference text, the base for amendments.
        It is in force only once published (version_publiee)."""
        in_force = [v for v in self.versions if v.statut in (VersionStatut.ADOPTEE, VersionStatut.PUBLIEE)]
        return in_force[-1] if in_force else (self.versions[-1] if self.versions else None)


# Only the life-cycle fields of a version may change once it is written.
@immutable("statut", "submitted_at", "adopted_at", "published_at")
class Version(db.Model):
    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("charte_id", "numero", name="uq_versions_charte_numero"),
        CheckConstraint(f"statut IN ({STATUTS_SQL})", name="statut"),
        CheckConstraint("numero >= 1", name="numero_positif"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charte_id: Mapped[int] = mapped_column(ForeignKey("chartes.id"), index=True)
    numero: Mapped[int] = mapped_column(Integer)
    statut: Mapped[VersionStatut] = mapped_column(
        db.Enum(VersionStatut, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e],
                create_constraint=False)
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    parent_sha256: Mapped[str | None] = mapped_column(String(64))
    titre: Mapped[str] = mapped_column(String(200))
    preambule: Mapped[str] = mapped_column(Text, default="")
    themes_json: Mapped[str] = mapped_column(Text, default="[]")
    note: Mapped[str] = mapped_column(Text, default="")
    auteur_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    adopted_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()

    charte = relationship("Charte", back_populates="versions")
    parent = relationship("Version", remote_side=[id])
    auteur = relationship("User")
    clauses = relationship(
        "VersionClause", back_populates="version", order_by="(VersionClause.theme_position, VersionClause.position)"
    )

    @property
    def is_texte_de_depart(self) -> bool:
        """Version 1 as the template gave it: nobody has amended, voted or validated it yet."""
        return self.numero == 1 and self.statut == VersionStatut.ADOPTEE

    @property
    def statut_label(self) -> str:
        """The state as a person should read it; v1 is the template's text, not an adopted one."""
        if self.is_texte_de_depart:
            return "Texte de départ (modèle), pas encore publié"
        return self.statut.label

    @property
    def themes(self) -> list[ThemeData]:
        return [ThemeData(t["titre"], t["intro"]) for t in json.loads(self.themes_json)]

    def themes_with_clauses(self) -> list[tuple[ThemeData, list["VersionClause"]]]:
        grouped = []
        for position, theme in enumerate(self.themes, start=1):
            grouped.append((theme, [c for c in self.clauses if c.theme_position == position]))
        return grouped

    def clause(self, ref: str) -> "VersionClause | None":
        return next((c for c in self.clauses if c.ref == ref), None)

    def content(self) -> VersionContent:
        return VersionContent(
            numero=self.numero,
            titre=self.titre,
            preambule=self.preambule,
            themes=tuple(self.themes),
            clauses=tuple(c.data() for c in self.clauses),
        )

    def stored(self) -> StoredVersion:
        return StoredVersion(self.numero, self.sha256, self.parent_sha256, self.content())


@immutable()
class VersionClause(db.Model):
    """One clause as a version states it; never changed once written."""

    __tablename__ = "version_clauses"
    __table_args__ = (
        UniqueConstraint("version_id", "ref", name="uq_version_clauses_version_ref"),
        CheckConstraint("position >= 1 AND theme_position >= 1", name="positions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    ref: Mapped[str] = mapped_column(String(16))
    theme: Mapped[str] = mapped_column(String(120))
    theme_position: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    titre: Mapped[str] = mapped_column(String(200))
    texte: Mapped[str] = mapped_column(Text)

    version = relationship("Version", back_populates="clauses")

    def data(self) -> ClauseData:
        return ClauseData(self.ref, self.theme, self.theme_position, self.position, self.titre, self.texte)


@event.listens_for(Session, "before_flush")
def _clauses_only_with_their_version(session, _context, _instances) -> None:
    """A clause may only be written together with a new version, never added to an existing one."""
    for obj in session.new:
        if isinstance(obj, VersionClause):
            version = obj.version
            if version is None or version not in session.new:
                raise ImmutableRowError("On ne peut pas ajouter de clause à une version déjà enregistrée.")
