"""Canonical serialisation, SHA-256 and HMAC-SHA256, shared by the version chain and the journal chain.

Versions are hashed with plain SHA-256 so that anyone can recompute them from a published text; the
journal is sealed with HMAC-SHA256 under a key kept outside the database, so that someone who can
write the database cannot recompute a chain that verifies."""
from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from typing import Any

GENESIS = "0" * 64


def normalise_text(text: str) -> str:
    """NFC, Unix line ends, no trailing spaces at line ends: the same words hash the same."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def canonical_json(value: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, no spaces, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chained_hash(payload: Any, previous: str) -> str:
    """Hash of a payload bound to the hash before it."""
    return sha256_hex(canonical_json({"precedent": previous, "contenu": payload}))


def hmac_hex(key: bytes, data: bytes) -> str:
    """HMAC-SHA256 of data under key, in hexadecimal."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def keyed_chained_hash(payload: Any, previous: str, key: bytes) -> str:
    """Keyed hash of a payload bound to the hash before it: only the key's holder can compute it."""
    return hmac_hex(key, canonical_json({"precedent": previous, "contenu": payload}))


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two hexadecimal digests."""
    return hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))
