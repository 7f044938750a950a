"""Canonical serialisation, the keyed journal chain and its sealed lines, the version chain, local time:
pure rules."""
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte.chartes.snapshot import ClauseData, StoredVersion, ThemeData, VersionContent, verify_versions, version_hash
from charte.hashing import GENESIS, canonical_json, chained_hash, keyed_chained_hash, normalise_text
from charte.journal.chain import (
    CHECKPOINT, VERIFIED, EntryData, Head, checkpoint_break, entry_hash, first_checkpoint_break, missing_entries,
    open_sealed_line, sealed_line, verify_entries,
)
from charte.journal.local_time import format_local, local_day_end, local_day_start, parse_utc


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


KEY = b"k" * 48
OTHER_KEY = b"o" * 48


def _journal(n: int, key: bytes = KEY) -> list[EntryData]:
    entries, previous = [], GENESIS
    for seq in range(1, n + 1):
        entry = EntryData(seq, f"2026-11-0{seq % 9 + 1}T10:00:00Z", "a@b.fr", "connexion.reussie", f"user:{seq}",
                          {"adresse": "127.0.0.1"}, previous)
        entry = replace(entry, hash=entry_hash(entry, key))
        entries.append(entry)
        previous = entry.hash
    return entries


def test_intact_journal_chain_verifies():
    assert verify_entries(_journal(6), KEY) is None
    assert verify_entries([], KEY) is None


def test_entry_hash_is_keyed():
    entry = _journal(1)[0]
    assert entry_hash(entry, KEY) != entry_hash(entry, OTHER_KEY)
    assert entry.hash != chained_hash(entry.payload(), entry.prev_hash)  # not the plain SHA-256 any more
    assert keyed_chained_hash(entry.payload(), GENESIS, KEY) == entry.hash


@pytest.mark.parametrize("index, change, reason", [
    (2, {"action": "deconnexion"}, "contenu"),
    (3, {"details": {"adresse": "10.0.0.1"}}, "contenu"),
    (0, {"prev_hash": "1" * 64}, "lien"),
    (4, {"actor": "autre@b.fr"}, "contenu"),
])
def test_tampered_journal_entry_is_named(index, change, reason):
    entries = _journal(6)
    entries[index] = replace(entries[index], **change)
    broken = verify_entries(entries, KEY)
    assert broken is not None and broken.seq == index + 1
    assert reason in broken.reason


def test_removed_journal_entry_is_named():
    entries = _journal(6)
    del entries[2]
    broken = verify_entries(entries, KEY)
    assert broken.seq == 4 and "manquante" in broken.reason


def test_rehashed_entry_still_breaks_the_next_link():
    entries = _journal(5)
    forged = replace(entries[1], action="deconnexion")
    entries[1] = replace(forged, hash=entry_hash(forged, KEY))
    broken = verify_entries(entries, KEY)
    assert broken.seq == 3 and "lien" in broken.reason


def _rehash_all(entries: list[EntryData], hasher) -> list[EntryData]:
    """What someone who can write the database, but not read the key, could do: recompute every hash."""
    forged, previous = [], GENESIS
    for entry in entries:
        entry = replace(entry, prev_hash=previous)
        entry = replace(entry, hash=hasher(entry))
        forged.append(entry)
        previous = entry.hash
    return forged


@pytest.mark.parametrize("hasher", [
    lambda e: chained_hash(e.payload(), e.prev_hash),  # the plain SHA-256 of the foundation
    lambda e: entry_hash(e, OTHER_KEY),  # a guessed key
], ids=["sha256", "wrong-key"])
def test_a_full_rehash_without_the_key_is_detected(hasher):
    entries = _journal(6)
    entries[3] = replace(entries[3], details={"adresse": "10.9.9.9"})
    forged = _rehash_all(entries, hasher)
    broken = verify_entries(forged, KEY)
    assert broken is not None and broken.seq == 1 and "contenu" in broken.reason


@given(st.integers(min_value=0, max_value=4), st.sampled_from(["at", "actor", "action", "target"]),
       st.text(min_size=1, max_size=10))
def test_any_change_to_any_field_is_detected(index, name, suffix):
    entries = _journal(5)
    entries[index] = replace(entries[index], **{name: getattr(entries[index], name) + suffix})
    broken = verify_entries(entries, KEY)
    assert broken is not None and broken.seq == index + 1


def test_verification_resumes_after_an_entry_already_verified():
    entries = _journal(6)
    assert verify_entries(entries[3:], KEY, previous=entries[2].hash, first_seq=4) is None
    broken = verify_entries(entries[3:], KEY, previous="f" * 64, first_seq=4)
    assert broken.seq == 4 and "lien" in broken.reason
    assert verify_entries(entries[4:], KEY, previous=entries[2].hash, first_seq=4).seq == 5


# --- Sealed lines (checkpoints, the page's verified mark) -----------------------------------------


def test_sealed_head_line_round_trip():
    head = Head(97, "a" * 64, "2026-11-12T10:00:05Z")
    line = head.line(KEY, CHECKPOINT)
    assert line.split("\t")[:3] == ["97", "a" * 64, "2026-11-12T10:00:05Z"]
    assert Head.from_line(line + "\n", KEY, CHECKPOINT) == head


@pytest.mark.parametrize("alter", [
    lambda line: line.replace("97", "98", 1),  # a later head claimed
    lambda line: line.replace("a" * 64, "b" * 64),
    lambda line: line.replace("10:00:05", "10:00:06"),
    lambda line: line[:-1] + ("0" if line[-1] != "0" else "1"),  # the seal itself
    lambda line: line.rsplit("\t", 1)[0],  # no seal
    lambda line: "",
    lambda line: "n'importe quoi",
])
def test_altered_sealed_line_is_refused(alter):
    line = Head(97, "a" * 64, "2026-11-12T10:00:05Z").line(KEY, CHECKPOINT)
    assert Head.from_line(alter(line), KEY, CHECKPOINT) is None


def test_sealed_line_depends_on_key_and_kind():
    line = Head(3, "c" * 64).line(KEY, CHECKPOINT)
    assert Head.from_line(line, OTHER_KEY, CHECKPOINT) is None
    assert Head.from_line(line, KEY, VERIFIED) is None
    assert open_sealed_line(KEY, CHECKPOINT, sealed_line(KEY, CHECKPOINT, "x", "y"), 2) == ("x", "y")


@pytest.mark.parametrize("first, last, text", [
    (97, 97, "entrée n° 97 manquante"),
    (48, 97, "entrées n° 48 à 97 manquantes"),
    (1, 97, "entrées n° 1 à 97 manquantes"),
])
def test_missing_entries_are_named(first, last, text):
    assert missing_entries(first, last) == text


@pytest.mark.parametrize("head_seq, stored, expected", [
    (97, "a" * 64, None),
    (120, "a" * 64, None),  # newer entries than the checkpoint: fine
    (96, None, "entrée n° 97 manquante"),
    (47, None, "entrées n° 48 à 97 manquantes"),
    (0, None, "entrées n° 1 à 97 manquantes"),
    (97, "b" * 64, "l’entrée n° 97 n’est plus celle que le point de contrôle atteste"),
    (100, None, "entrée n° 97 manquante"),
])
def test_checkpoint_break(head_seq, stored, expected):
    assert checkpoint_break(Head(97, "a" * 64), head_seq, stored) == expected


def test_first_checkpoint_break_names_every_missing_entry_up_to_the_newest_checkpoint():
    checkpoints = [Head(10, "a" * 64), Head(97, "b" * 64), Head(50, "c" * 64)]
    hashes = {10: "a" * 64, 50: "c" * 64, 97: "b" * 64}
    assert first_checkpoint_break(checkpoints, 97, hashes) is None
    assert first_checkpoint_break([], 0, {}) is None
    cut = first_checkpoint_break(checkpoints, 47, {10: "a" * 64})
    assert cut == (Head(97, "b" * 64), "entrées n° 48 à 97 manquantes")
    rewritten = first_checkpoint_break(checkpoints, 97, {**hashes, 50: "d" * 64})
    assert rewritten[0].seq == 50 and "n’est plus celle" in rewritten[1]


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


# --- Local time (Europe/Paris) ----------------------------------------------------------------


@pytest.mark.parametrize("utc, shown", [
    (datetime(2026, 1, 15, 23, 30), "16/01/2026 à 00:30:00 UTC+01:00"),
    (datetime(2026, 8, 1, 10, 0, 5), "01/08/2026 à 12:00:05 UTC+02:00"),
    (datetime(2026, 3, 29, 0, 59, 59), "29/03/2026 à 01:59:59 UTC+01:00"),  # just before summer time
    (datetime(2026, 3, 29, 1, 0), "29/03/2026 à 03:00:00 UTC+02:00"),
    (datetime(2026, 10, 25, 0, 30), "25/10/2026 à 02:30:00 UTC+02:00"),  # the hour seen twice
    (datetime(2026, 10, 25, 1, 30), "25/10/2026 à 02:30:00 UTC+01:00"),
    (datetime(2026, 8, 1, 10, 0, tzinfo=timezone.utc), "01/08/2026 à 12:00:00 UTC+02:00"),
])
def test_format_local(utc, shown):
    assert format_local(utc) == shown


def test_format_local_without_a_date():
    assert format_local(None) == "—"


@pytest.mark.parametrize("day, start, end", [
    (date(2026, 1, 16), datetime(2026, 1, 15, 23), datetime(2026, 1, 16, 23)),
    (date(2026, 7, 1), datetime(2026, 6, 30, 22), datetime(2026, 7, 1, 22)),
    (date(2026, 3, 29), datetime(2026, 3, 28, 23), datetime(2026, 3, 29, 22)),  # 23 hours
    (date(2026, 10, 25), datetime(2026, 10, 24, 22), datetime(2026, 10, 25, 23)),  # 25 hours
])
def test_local_day_bounds_in_utc(day, start, end):
    assert (local_day_start(day), local_day_end(day)) == (start, end)


def test_parse_utc_reads_journal_times():
    assert parse_utc("2026-11-12T10:00:05Z") == datetime(2026, 11, 12, 10, 0, 5)
