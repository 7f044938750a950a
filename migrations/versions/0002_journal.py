"""journal: keyed chain (HMAC-SHA256), the existing chain re-sealed once, immutability triggers

Revision ID: 0002_journal
Revises: 0001_foundation

The journal's hashes were plain SHA-256, which anyone able to write the database could recompute.
This migration checks the chain as it stands (with the old rule), re-seals every entry with the
journal key (CHARTE_JOURNAL_KEY or instance/journal_key, read through the application's configuration:
Flask-Migrate runs migrations inside the application context), appends a "journal.rescelle" entry that
records how many entries were re-sealed, the old head and whether the old chain held, writes the new
head to the checkpoint file once the transaction is committed, and installs the triggers that make the
database refuse UPDATE and DELETE on the journal and the versions.
"""
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy import event

from charte.hashing import GENESIS, chained_hash
from charte.journal.chain import EntryData, Head
from charte.journal.keys import journal_key
from charte.journal.services import sealed_entry
from charte.journal.triggers import FOUNDATION, drop_triggers, install_triggers

# revision identifiers, used by Alembic.
revision = '0002_journal'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None

journal = sa.table(
    "journal",
    sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("at_dt", sa.DateTime),
    sa.column("actor_id", sa.Integer), sa.column("actor_label", sa.String), sa.column("action", sa.String),
    sa.column("target", sa.String), sa.column("details_json", sa.Text), sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _at(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _data(row, prev_hash: str) -> EntryData:
    return EntryData(row.seq, _at(row.at_dt), row.actor_label, row.action, row.target,
                     json.loads(row.details_json), prev_hash)


def _old_chain_state(rows) -> str:
    """The chain checked with the rule it was written with (plain SHA-256), before it is re-sealed."""
    previous, expected = GENESIS, 1
    for row in rows:
        if row.seq != expected:
            return f"rompue à l’entrée n° {row.seq} (n° {expected} attendu)"
        if row.prev_hash != previous or chained_hash(_data(row, previous).payload(), previous) != row.hash:
            return f"rompue à l’entrée n° {row.seq}"
        previous, expected = row.hash, expected + 1
    return "intacte"


def upgrade():
    bind = op.get_bind()
    key = journal_key()
    rows = bind.execute(sa.select(journal).order_by(journal.c.seq)).all()
    if rows:
        state = _old_chain_state(rows)
        previous = GENESIS
        for row in rows:
            data = sealed_entry(_data(row, previous), key)
            bind.execute(journal.update().where(journal.c.id == row.id).values(prev_hash=previous, hash=data.hash))
            previous = data.hash
        at_dt = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        details = {"entrees": len(rows), "ancienne_tete": rows[-1].hash, "ancienne_chaine": state,
                   "algorithme": "HMAC-SHA256"}
        entry = sealed_entry(EntryData(rows[-1].seq + 1, _at(at_dt), "système", "journal.rescelle", "journal",
                                       details, previous), key)
        bind.execute(journal.insert().values(
            seq=entry.seq, at_dt=at_dt, actor_id=None, actor_label=entry.actor, action=entry.action,
            target=entry.target, details_json=json.dumps(details, ensure_ascii=False, sort_keys=True),
            prev_hash=entry.prev_hash, hash=entry.hash,
        ))
        head = Head(entry.seq, entry.hash)

        def write_checkpoint(_connection):
            from charte.journal.checkpoints import append_checkpoint

            append_checkpoint(head)

        # The head goes to the checkpoint file when this transaction commits, not before.
        event.listen(bind, "commit", write_checkpoint, once=True)
    install_triggers(bind, FOUNDATION)


def downgrade():
    drop_triggers(op.get_bind(), FOUNDATION)
    # The re-sealed hashes stay: the plain SHA-256 chain cannot be restored without rewriting history.
