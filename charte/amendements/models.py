"""Amendments, their revisions, co-signatures and comments (with their edit history)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from charte.amendements.etats import AmendementStatut
from charte.amendements.permissions import can
from charte.dbtypes import check_in, enum_type
from charte.extensions import db
from charte.immutability import immutable


class Nature(str, enum.Enum):
    MODIFICATION = "modification"
    AJOUT = "ajout"
    SUPPRESSION = "suppression"

    @property
    def label(self) -> str:
        return {"modification": "Modification", "ajout": "Ajout", "suppression": "Suppression"}[self.value]


class Amendement(db.Model):
    """A department's proposal on a clause. Its current text is its latest revision (copied here for lists)."""

    __tablename__ = "amendements"
    __table_args__ = (
        UniqueConstraint("charte_id", "numero", name="uq_amendements_charte_numero"),
        check_in("nature", Nature),
        check_in("statut", AmendementStatut),
        CheckConstraint("nature = 'ajout' OR clause_ref IS NOT NULL", name="clause_visee"),
        CheckConstraint("revision_courante >= 1", name="revision_positive"),
        Index("ix_amendements_tour_statut", "tour_id", "statut"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(ForeignKey("tours.id"))
    charte_id: Mapped[int] = mapped_column(ForeignKey("chartes.id"), index=True)
    numero: Mapped[int] = mapped_column(Integer)  # n° 1, 2, 3… within the charter
    nature: Mapped[Nature] = mapped_column(enum_type(Nature))
    statut: Mapped[AmendementStatut] = mapped_column(enum_type(AmendementStatut), default=AmendementStatut.BROUILLON)
    # The clause aimed at (modification, suppression); for an addition, its place: inserted at `position`
    # in the theme (the clauses from that position on move down one). theme_position is also set for a
    # modification or a suppression (the theme of its clause), so that lists filter by theme.
    clause_ref: Mapped[str | None] = mapped_column(String(16), index=True)
    theme_position: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int | None] = mapped_column(Integer)
    auteur_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    departement_id: Mapped[int] = mapped_column(ForeignKey("departements.id"), index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))  # written against (moves on rebase)
    # Current content (the latest revision's), kept here for lists and search.
    titre: Mapped[str] = mapped_column(String(200))
    texte: Mapped[str] = mapped_column(Text, default="")
    expose: Mapped[str] = mapped_column(Text)  # exposé des motifs
    # Number of the current revision; also the optimistic lock token of the edit form.
    revision_courante: Mapped[int] = mapped_column(Integer, default=1)
    motif: Mapped[str] = mapped_column(Text, default="")  # why irrecevable, caduc or kept out of the vote
    created_at: Mapped[datetime] = mapped_column()
    depose_at: Mapped[datetime | None] = mapped_column()
    statut_at: Mapped[datetime | None] = mapped_column()
    integre_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))

    tour = relationship("Tour")
    charte = relationship("Charte")
    auteur = relationship("User", foreign_keys=[auteur_id])
    departement = relationship("Departement")
    base_version = relationship("Version", foreign_keys=[base_version_id])
    integre_version = relationship("Version", foreign_keys=[integre_version_id])
    revisions = relationship("Revision", back_populates="amendement", order_by="Revision.numero")
    cosignatures = relationship("Cosignature", back_populates="amendement", order_by="Cosignature.id")

    @property
    def revision(self) -> "Revision":
        """The current revision."""
        return self.revisions[-1]

    # Permission predicates (state and window included); see charte.amendements.permissions.
    def can_view(self, user) -> bool:
        return can("voir", self, user)

    def can_revise(self, user) -> bool:
        return can("reviser", self, user)

    def can_submit(self, user) -> bool:
        return can("deposer", self, user)

    def can_withdraw(self, user) -> bool:
        return can("retirer", self, user)

    def can_cosign(self, user) -> bool:
        return can("cosigner", self, user)

    def can_comment(self, user) -> bool:
        return can("commenter", self, user)

    def can_declare_irrecevable(self, user) -> bool:
        return can("declarer_irrecevable", self, user)


@immutable()
class Revision(db.Model):
    """One state of an amendment's text, kept for ever: each shows its diff against the clause and the previous one."""

    __tablename__ = "amendement_revisions"
    __table_args__ = (UniqueConstraint("amendement_id", "numero", name="uq_amendement_revisions_numero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendement_id: Mapped[int] = mapped_column(ForeignKey("amendements.id"), index=True)
    numero: Mapped[int] = mapped_column(Integer)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    base_titre: Mapped[str] = mapped_column(String(200), default="")  # the clause as it stood in the base version
    base_texte: Mapped[str] = mapped_column(Text, default="")
    titre: Mapped[str] = mapped_column(String(200))
    texte: Mapped[str] = mapped_column(Text, default="")
    expose: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")  # e.g. "Rebasée sur la version 3"
    auteur_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column()

    amendement = relationship("Amendement", back_populates="revisions")
    base_version = relationship("Version")
    auteur = relationship("User")


@immutable()
class Cosignature(db.Model):
    """An agent of another department supports the amendment; their department is listed."""

    __tablename__ = "cosignatures"
    __table_args__ = (UniqueConstraint("amendement_id", "user_id", name="uq_cosignatures_amendement_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendement_id: Mapped[int] = mapped_column(ForeignKey("amendements.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    departement_id: Mapped[int] = mapped_column(ForeignKey("departements.id"))
    created_at: Mapped[datetime] = mapped_column()

    amendement = relationship("Amendement", back_populates="cosignatures")
    user = relationship("User")
    departement = relationship("Departement")


class Commentaire(db.Model):
    """A comment on an amendment, attached to the revision it was written on; replies point to a parent."""

    __tablename__ = "commentaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendement_id: Mapped[int] = mapped_column(ForeignKey("amendements.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("amendement_revisions.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("commentaires.id"), index=True)
    auteur_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    texte: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
    modifie_at: Mapped[datetime | None] = mapped_column()
    # Hidden by the committee: the text stays (for the committee), everyone sees that it was hidden and why.
    masque_at: Mapped[datetime | None] = mapped_column()
    masque_par_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    masque_motif: Mapped[str] = mapped_column(Text, default="")

    amendement = relationship("Amendement")
    revision = relationship("Revision")
    auteur = relationship("User", foreign_keys=[auteur_id])
    masque_par = relationship("User", foreign_keys=[masque_par_id])
    parent = relationship("Commentaire", remote_side=[id])
    editions = relationship("CommentaireEdition", back_populates="commentaire", order_by="CommentaireEdition.id")

    def can_edit(self, user) -> bool:
        return can("modifier_commentaire", self, user)

    def can_hide(self, user) -> bool:
        return can("masquer_commentaire", self, user)

    def can_read(self, user) -> bool:
        """Whether the person sees the text (a hidden comment's text stays for the committee)."""
        return can("lire_masque", self, user)


@immutable()
class CommentaireEdition(db.Model):
    """The text a comment had before one of its edits."""

    __tablename__ = "commentaire_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    commentaire_id: Mapped[int] = mapped_column(ForeignKey("commentaires.id"), index=True)
    texte: Mapped[str] = mapped_column(Text)  # the text as it was before this edit
    remplace_at: Mapped[datetime] = mapped_column()

    commentaire = relationship("Commentaire", back_populates="editions")
