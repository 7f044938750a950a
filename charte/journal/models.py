"""The journal entry: one significant action, chained to the previous entry."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from charte.extensions import db
from charte.immutability import immutable
from charte.journal.chain import EntryData


def format_at(at_dt: datetime) -> str:
    return at_dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@immutable()
class JournalEntry(db.Model):
    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at_dt: Mapped[datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(120), default="")
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


    @property
    def details(self) -> dict:
        return json.loads(self.details_json)

    def as_data(self) -> EntryData:
        return EntryData(
            seq=self.seq,
            at=format_at(self.at_dt),
            actor=self.actor_label,
            action=self.action,
            target=self.target,
            details=self.details,
            prev_hash=self.prev_hash,
            hash=self.hash,
        )
