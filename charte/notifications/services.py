"""Creating and reading notifications. They flush; the caller commits."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import func, select, update

from charte.extensions import db
from charte.notifications.models import Notification

MAX_MESSAGE = 400


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def notifier(destinataires: Iterable, type: str, message: str, lien: str = "", sauf=None) -> int:
    """Notify each recipient (users or user ids) once; `sauf` (a user or id) is skipped. Returns the count."""
    skip = getattr(sauf, "id", sauf)
    ids = sorted({getattr(d, "id", d) for d in destinataires} - {skip, None})
    now = _now()
    if ids:
        db.session.execute(
            Notification.__table__.insert(),
            [{"user_id": uid, "type": type, "message": message[:MAX_MESSAGE], "lien": lien[:300],
              "created_at": now, "lue_at": None} for uid in ids],
        )
    return len(ids)


def non_lues(user) -> int:
    """How many unread notifications the person has (the header's counter)."""
    return db.session.scalar(
        select(func.count()).select_from(Notification).filter_by(user_id=user.id, lue_at=None)) or 0


def marquer_lues(user, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all, or the given ids among theirs)."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.lue_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return db.session.execute(stmt.values(lue_at=_now())).rowcount
