"""One notification for one person."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from charte.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_lue", "user_id", "lue_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(400))
    lien: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column()
    lue_at: Mapped[datetime | None] = mapped_column()
