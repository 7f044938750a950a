"""Canonical serialisation, the journal chain and the version chain: pure rules."""
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte.chartes.snapshot import ClauseData, StoredVersion, ThemeData, VersionContent, verify_versions, version_hash
from charte.hashing import GENESIS, canonical_json, chained_hash, normalise_text
from charte.journal.chain import EntryData, entry_hash, verify_entries


def test_canonical_json_is_independent_of_key_order_and_keeps_accents():
    assert canonical_json({"b": 1, "a": "é"}) == canonical_json({"a": "é", "b": 1})
    assert canonical_json({"a": "é"}) == '{"a":"é"}'.encode("utf-8")


@pytest.mark.parametrize("raw, expected", [
    ("Ligne  \r\nsuite\r", "Ligne\nsuite"),
    ("\n\nTexte\n\n", "Texte"),
    ("e\u0301t\u00e9", "\u00e9t\u00e9"),  # decomposed é is composed (NFC)
])
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


@given(st.dictionaries(st.text(max_size=5), st.text(max_size=20), max_size=5), st.text(min_size=1, max_size=3))
def test_chained_hash_depends_on_payload_and_previous(payload, suffix):
    base = chained_hash(payload, GENESIS)
    assert len(base) == 64
    assert chained_hash(payload, GENESIS) == base
    assert chained_hash(payload, "f" * 64) != base
    assert chained_hash({**payload, "extra" + suffix: suffix}, GENESIS) != base


def _journal(n: int) -> list[EntryData]:
    entries, previous = [], GENESIS
    for seq in range(1, n + 1):
        entry = EntryData(seq, f"2026-11-0{seq % 9 + 1}T10:00:00Z", "a@b.fr", "connexion.reussie", f"user:{seq}",
                          {"adresse": "127.0.0.1"}, previous)
        entry = replace(entry, hash=entry_hash(entry))
        entries.append(entry)
        previous = entry.hash
    return entries


def test_intact_journal_chain_verifies():
    assert verify_entries(_journal(6)) is None
    assert verify_entries([]) is None


@pytest.mark.parametrize("index, change, reason", [
    (2, {"action": "deconnexion"}, "contenu"),
    (3, {"details": {"adresse": "10.0.0.1"}}, "contenu"),
    (0, {"prev_hash": "1" * 64}, "lien"),
    (4, {"actor": "autre@b.fr"}, "contenu"),
])
def test_tampered_journal_entry_is_named(index, change, reason):
    entries = _journal(6)
    entries[index] = replace(entries[index], **change)
    broken = verify_entries(entries)
    assert broken is not None and broken.seq == index + 1
    assert reason in broken.reason


def test_removed_journal_entry_is_named():
    entries = _journal(6)
    del entries[2]
    broken = verify_entries(entries)
    assert broken.seq == 4 and "manquante" in broken.reason


def test_rehashed_entry_still_breaks_the_next_link():
    entries = _journal(5)
    forged = replace(entries[1], action="deconnexion")
    entries[1] = replace(forged, hash=entry_hash(forged))
    broken = verify_entries(entries)
    assert broken.seq == 3 and "lien" in broken.reason


def _content(numero: int, texte: str = "Texte.") -> VersionContent:
    return VersionContent(numero, "Charte", "Préambule", (ThemeData("Responsabilité", ""),),
                          (ClauseData("RESP-1", "Responsabilité", 1, 1, "Titre", texte),))


def _chain(n: int) -> list[StoredVersion]:
    versions, parent = [], None
    for numero in range(1, n + 1):
        content = _content(numero, f"Texte {numero}.")
        digest = version_hash(content, parent)
        versions.append(StoredVersion(numero, digest, parent, content))
        parent = digest
    return versions


def test_version_hash_covers_parent_and_every_field():
    content = _content(1)
    assert version_hash(content, None) == version_hash(content, GENESIS)
    assert version_hash(content, "a" * 64) != version_hash(content, None)
    assert version_hash(replace(content, preambule="Autre"), None) != version_hash(content, None)
    changed = replace(content, clauses=(replace(content.clauses[0], titre="Autre titre"),))
    assert version_hash(changed, None) != version_hash(content, None)


def test_version_hash_ignores_clause_storage_order():
    a = ClauseData("A-1", "T", 1, 1, "a", "x")
    b = ClauseData("A-2", "T", 1, 2, "b", "y")
    first = VersionContent(1, "C", "", (ThemeData("T", ""),), (a, b))
    assert version_hash(first, None) == version_hash(replace(first, clauses=(b, a)), None)


def test_version_chain_verifies_and_names_the_broken_version():
    chain = _chain(4)
    assert verify_versions(chain) is None
    chain[2] = replace(chain[2], content=_content(3, "Réécrit en douce."))
    assert verify_versions(chain) == (3, "le contenu ne correspond plus à son empreinte SHA-256")


def test_version_chain_detects_a_missing_version_and_a_wrong_parent():
    chain = _chain(3)
    assert verify_versions([chain[0], chain[2]])[0] == 3
    chain[1] = replace(chain[1], parent_sha256="b" * 64)
    assert verify_versions(chain)[0] == 2
