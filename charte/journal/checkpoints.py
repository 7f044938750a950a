"""Checkpoints: after every commit that added journal entries, the chain's head (number, hash, time),
sealed with the journal key, is appended to a file the database cannot reach. A journal shortened or
emptied behind the application's back no longer reaches the last checkpoint.

Several workers may append at once: each line is written by one `write` on a descriptor opened with
O_APPEND, under an exclusive `flock`. The file is not fsync'ed: after a power cut it may lose its last
lines (the check then only reaches less far), never claim a commit that the database lost."""
from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from charte.journal.chain import CHECKPOINT, Head
from charte.journal.keys import checkpoint_path, journal_key
from charte.journal.models import JournalEntry, format_at

_PENDING = "charte.journal.head"  # session.info key: the newest entry flushed in this transaction
TAIL_BYTES = 16384  # enough for the last hundred lines


def append_checkpoint(head: Head) -> None:
    """Append one sealed line for this head (the time is taken now if the head has none)."""
    if not head.at:
        head = Head(head.seq, head.hash, format_at(datetime.now(timezone.utc)))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (head.line(journal_key(), CHECKPOINT) + "\n").encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, data)
    finally:
        os.close(fd)  # releases the lock


def _parse(lines: list[str], first_number: int) -> tuple[list[Head], list[int]]:
    key = journal_key()
    heads, altered = [], []
    for number, line in enumerate(lines, start=first_number):
        if not line.strip():
            continue
        head = Head.from_line(line, key, CHECKPOINT)
        if head is None:
            altered.append(number)
        else:
            heads.append(head)
    return heads, altered


def read_checkpoints() -> tuple[list[Head], list[int]] | None:
    """Every checkpoint and the numbers of the lines that are not sealed by the key; None without a file."""
    try:
        text = checkpoint_path().read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    return _parse(text.split("\n"), 1)


def last_checkpoints() -> tuple[list[Head], bool] | None:
    """The checkpoints at the end of the file (cheap, for the journal page), and whether one of those
    lines is altered; None without a file."""
    try:
        with open(checkpoint_path(), "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - TAIL_BYTES))
            lines = handle.read().decode("ascii", errors="replace").split("\n")
    except FileNotFoundError:
        return None
    if size > TAIL_BYTES:
        lines = lines[1:]  # the first line read is cut
    heads, altered = _parse(lines, 1)
    return heads, bool(altered)


# --- Session events: note the head in after_flush, write it once the commit succeeded --------------


@event.listens_for(Session, "after_flush")
def _note_head(session: Session, _flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, JournalEntry):
            pending = session.info.get(_PENDING)
            if pending is None or obj.seq > pending.seq:
                session.info[_PENDING] = Head(obj.seq, obj.hash)


@event.listens_for(Session, "after_commit")
def _write_head(session: Session) -> None:
    head = session.info.pop(_PENDING, None)
    if head is None or not has_app_context():
        return
    try:
        append_checkpoint(head)
    except OSError:
        # The commit stands; the next one writes a newer head. Say it loudly to the operator.
        current_app.logger.exception("Point de contrôle du journal non écrit (entrée n° %s)", head.seq)


@event.listens_for(Session, "after_soft_rollback")
def _forget_head(session: Session, _previous_transaction) -> None:
    session.info.pop(_PENDING, None)
