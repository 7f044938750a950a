"""Pure rules of the journal chain: the keyed hash of an entry, the check of a chain (whole, or from a
point already verified), and the sealed lines that pin the chain's head outside the database.

The key is a parameter: nothing here reads the environment, a file or the database."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from charte.hashing import GENESIS, canonical_json, hmac_hex, keyed_chained_hash, same_digest


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


def entry_hash(entry: EntryData, key: bytes) -> str:
    """HMAC-SHA256 of the entry bound to its predecessor's hash, under the journal key."""
    return keyed_chained_hash(entry.payload(), entry.prev_hash, key)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_entries(entries: Iterable[EntryData], key: bytes, previous: str = GENESIS,
                   first_seq: int = 1) -> ChainBreak | None:
    """The first broken entry of a chain given in order, or None when it holds.

    `previous` and `first_seq` let a caller resume after an entry already verified."""
    expected_seq = first_seq
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, f"entrée manquante : n° {expected_seq} attendu, n° {entry.seq} trouvé")
        if entry.prev_hash != previous:
            return ChainBreak(entry.seq, "le lien vers l’entrée précédente ne correspond pas")
        if not same_digest(entry_hash(entry, key), entry.hash):
            return ChainBreak(entry.seq, "le contenu ne correspond plus à son empreinte")
        previous = entry.hash
        expected_seq += 1
    return None


# --- Sealed lines: a head of the chain written where the database cannot reach it ---------------


def _seal(key: bytes, kind: str, fields: tuple[str, ...]) -> str:
    return hmac_hex(key, canonical_json({"type": kind, "champs": list(fields)}))


def sealed_line(key: bytes, kind: str, *fields: str) -> str:
    """Tab-separated fields followed by their HMAC under the key (the kind keeps uses apart)."""
    return "\t".join((*fields, _seal(key, kind, fields)))


def open_sealed_line(key: bytes, kind: str, line: str, count: int) -> tuple[str, ...] | None:
    """The fields of a line sealed by `sealed_line` with this key and kind; None if altered or malformed."""
    parts = line.rstrip("\n").split("\t")
    if len(parts) != count + 1:
        return None
    fields, seal = tuple(parts[:count]), parts[count]
    return fields if same_digest(_seal(key, kind, fields), seal) else None


@dataclass(frozen=True)
class Head:
    """The chain's head at some moment: its last entry's number and hash (and when it was noted)."""

    seq: int
    hash: str
    at: str = ""

    def line(self, key: bytes, kind: str) -> str:
        return sealed_line(key, kind, str(self.seq), self.hash, self.at)

    @classmethod
    def from_line(cls, line: str, key: bytes, kind: str) -> "Head | None":
        fields = open_sealed_line(key, kind, line, 3)
        if fields is None or not fields[0].isdigit():
            return None
        return cls(int(fields[0]), fields[1], fields[2])


CHECKPOINT = "point-de-controle"
VERIFIED = "verifie"


def missing_entries(first: int, last: int) -> str:
    """'entrée n° 97 manquante', 'entrées n° 48 à 97 manquantes'."""
    if first == last:
        return f"entrée n° {first} manquante"
    return f"entrées n° {first} à {last} manquantes"


def checkpoint_break(checkpoint: Head, head_seq: int, stored_hash: str | None) -> str | None:
    """Why the journal (whose last entry is `head_seq`, and whose entry at the checkpoint's number has
    `stored_hash`) no longer matches a checkpoint; None when it does."""
    if head_seq < checkpoint.seq:
        return missing_entries(head_seq + 1, checkpoint.seq)
    if stored_hash is None:
        return missing_entries(checkpoint.seq, checkpoint.seq)
    if not same_digest(stored_hash, checkpoint.hash):
        return f"l’entrée n° {checkpoint.seq} n’est plus celle que le point de contrôle atteste"
    return None


def first_checkpoint_break(checkpoints: Iterable[Head], head_seq: int,
                           hashes: dict[int, str]) -> tuple[Head, str] | None:
    """Check every checkpoint against the journal (`hashes`: seq -> hash of the entries present).

    A checkpoint beyond the journal's end is reported with the newest one, so that the message names
    every missing entry; otherwise the checkpoint with the smallest number that fails comes first."""
    ordered = sorted(checkpoints, key=lambda c: c.seq)
    if not ordered:
        return None
    newest = ordered[-1]
    for checkpoint in ordered:
        if checkpoint.seq > head_seq:
            break
        reason = checkpoint_break(checkpoint, head_seq, hashes.get(checkpoint.seq))
        if reason:
            return checkpoint, reason
    if newest.seq > head_seq:
        return newest, checkpoint_break(newest, head_seq, None)
    return None
