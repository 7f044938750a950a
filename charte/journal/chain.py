"""Pure rules of the journal chain: the hash of an entry and the check of a whole chain."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from charte.hashing import GENESIS, chained_hash


@dataclass(frozen=True)
class EntryData:
    """What an entry's hash covers."""

    seq: int
    at: str
    actor: str
    action: str
    target: str
    details: dict
    prev_hash: str
    hash: str = ""

    def payload(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "details": self.details,
        }


def entry_hash(entry: EntryData) -> str:
    return chained_hash(entry.payload(), entry.prev_hash)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_entries(entries: Iterable[EntryData]) -> ChainBreak | None:
    """Return the first broken entry of a chain given in order, or None when it holds."""
    previous = GENESIS
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, f"entrée manquante : n° {expected_seq} attendu, n° {entry.seq} trouvé")
        if entry.prev_hash != previous:
            return ChainBreak(entry.seq, "le lien vers l’entrée précédente ne correspond pas")
        if entry_hash(entry) != entry.hash:
            return ChainBreak(entry.seq, "le contenu ne correspond plus à son empreinte")
        previous = entry.hash
        expected_seq += 1
    return None
