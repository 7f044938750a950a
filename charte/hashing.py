"""Canonical serialisation and SHA-256, shared by the version chain and the journal chain."""
from __future__ import annotations

import hashlib
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
