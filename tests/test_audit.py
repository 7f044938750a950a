"""`charte audit-verify` and charte.audit against someone who can write the database but cannot read
the journal key nor the checkpoint file: a cut or emptied journal, a journal re-hashed without the key,
versions, titles and templates rewritten with their plain SHA-256 recomputed. Also the checkpoints
themselves, the journal key's configuration and the migration that re-sealed existing journals."""
import json
import os
import threading
from dataclasses import replace
from datetime import datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from charte import create_app
from charte.audit import first_finding, verify_everything
from charte.chartes.models import Version, VersionStatut
from charte.chartes.services import _write_version
from charte.chartes.snapshot import version_hash
from charte.config import ConfigurationError, PROJECT_ROOT, journal_key as configured_journal_key
from charte.extensions import db
from charte.hashing import GENESIS, chained_hash, sha256_hex
from charte.journal.chain import CHECKPOINT, EntryData, Head, entry_hash
from charte.journal.checkpoints import append_checkpoint, read_checkpoints
from charte.journal.keys import checkpoint_path, journal_key
from charte.journal.models import JournalEntry
from charte.journal.services import journal_head, record, verify_journal
from charte.journal.triggers import FOUNDATION, FrozenTable, drop_triggers, install_triggers, installed_triggers
from tests.conftest import fresh_database, make_app, tamper

MIGRATIONS = str(PROJECT_ROOT / "migrations")


def _audit(runner):
    result = runner.invoke(args=["charte", "audit-verify"])
    return result.exit_code, result.output


def _entries(count: int, commit_every: int = 10) -> None:
    for index in range(count):
        record("parametre.modifie", None, f"parametre:p{index}", nouveau=str(index))
        if (index + 1) % commit_every == 0:
            db.session.commit()
    db.session.commit()


def test_audit_verify_on_an_intact_database_names_every_check(runner, make_charte):
    make_charte()
    code, output = _audit(runner)
    assert code == 0, output
    seq, _ = journal_head()
    for line in (f"Journal\u00a0: intact ({seq} entrées).",
                 f"Points de contrôle\u00a0: 2 lignes valides, la dernière atteste l’entrée n° {seq}.",
                 "Versions\u00a0: chaînes intactes.",
                 "Chartes\u00a0: titres et modèles conformes au journal.",
                 "Modèles\u00a0: sources intactes et conformes au journal.",
                 "Base de données\u00a0: déclencheurs d’immuabilité en place."):
        assert line in output
    assert first_finding() is None


def test_audit_verify_on_an_empty_database(runner):
    code, output = _audit(runner)
    assert code == 0, output
    assert "Journal\u00a0: intact (0 entrée)." in output and "Points de contrôle\u00a0: aucun, le journal est vide." in output


# --- A journal cut at its end ---------------------------------------------------------------------


@pytest.mark.parametrize("keep, missing", [
    (99, "entrée n° 100 manquante"),
    (50, "entrées n° 51 à 100 manquantes"),
    (0, "entrées n° 1 à 100 manquantes"),
])
def test_a_journal_cut_at_its_end_is_detected_by_the_checkpoints(runner, keep, missing):
    _entries(100)
    assert journal_head()[0] == 100 and _audit(runner)[0] == 0
    tamper("DELETE FROM journal WHERE seq > :keep", keep=keep)
    code, output = _audit(runner)
    assert code == 1
    assert f"Journal\u00a0: ROMPU — {missing} (le point de contrôle du " in output
    assert "atteste l’entrée n° 100)" in output
    assert first_finding().domaine == "Journal"


def test_a_cut_journal_written_on_again_is_detected(runner):
    _entries(20)
    tamper("DELETE FROM journal WHERE seq > 12")
    _entries(10)  # the application goes on: entries 13 to 22, new ones
    code, output = _audit(runner)
    assert code == 1
    assert "l’entrée n° 20 n’est plus celle que le point de contrôle atteste" in output


# --- A journal re-hashed without the key --------------------------------------------------------


def _rehash_journal(hasher, change_seq: int | None = None) -> None:
    """Rewrite every entry's hash and link with SQL, as someone with the database but not the key could."""
    rows = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
    previous, updates = GENESIS, []
    for row in rows:
        data = replace(row.as_data(), prev_hash=previous)
        if row.seq == change_seq:
            data = replace(data, actor="quelqu’un d’autre")
        digest = hasher(data)
        updates.append({"id": row.id, "prev": previous, "hash": digest, "actor": data.actor})
        previous = digest
    db.session.rollback()
    for values in updates:
        tamper("UPDATE journal SET prev_hash = :prev, hash = :hash, actor_label = :actor WHERE id = :id", **values)


@pytest.mark.parametrize("hasher", [
    lambda data: chained_hash(data.payload(), data.prev_hash),  # the project's plain SHA-256 function
    lambda data: entry_hash(data, b"une autre cle de journal, devinee" * 2),
], ids=["sha256", "wrong-key"])
def test_a_journal_rehashed_without_the_key_is_detected(runner, make_charte, hasher):
    make_charte()
    _rehash_journal(hasher, change_seq=2)
    code, output = _audit(runner)
    assert code == 1
    assert "Journal\u00a0: ROMPU à l’entrée n° 1 — le contenu ne correspond plus à son empreinte." in output


def test_even_with_the_key_a_rewritten_journal_no_longer_matches_its_checkpoints(app, runner, make_charte):
    make_charte()
    key = journal_key()
    _rehash_journal(lambda data: entry_hash(data, key), change_seq=2)
    assert verify_journal() is None  # the chain alone holds: the key's holder rewrote it
    code, output = _audit(runner)
    assert code == 1 and "n’est plus celle que le point de contrôle atteste" in output


# --- Versions, titles and templates against the journal ---------------------------------------------


def test_a_version_rewritten_with_recomputed_hashes_is_detected(runner, make_charte):
    charte = make_charte()
    version = charte.versions[0]
    clause = version.clauses[2]
    forged = replace(version.content(), clauses=tuple(
        replace(c.data(), texte="Texte réécrit en douce.") if c.id == clause.id else c.data() for c in version.clauses))
    digest = version_hash(forged, None)
    tamper("UPDATE version_clauses SET texte = 'Texte réécrit en douce.' WHERE id = :id", id=clause.id)
    tamper("UPDATE versions SET sha256 = :digest WHERE id = :id", digest=digest, id=version.id)
    db.session.expire_all()
    assert db.session.get(Version, version.id).stored().sha256 == version_hash(
        db.session.get(Version, version.id).content(), None)  # its own chain holds
    code, output = _audit(runner)
    assert code == 1
    assert (f"Versions\u00a0: ROMPUES — charte n° {charte.id} «\u00a0{charte.titre}\u00a0», version 1\u00a0: "
            "son empreinte SHA-256 n’est pas celle inscrite au journal") in output


def _delete_version(version_id: int) -> None:
    tamper("DELETE FROM version_clauses WHERE version_id = :id", id=version_id)
    tamper("DELETE FROM versions WHERE id = :id", id=version_id)


def test_a_deleted_only_version_is_detected(runner, make_charte):
    charte = make_charte()
    _delete_version(charte.versions[0].id)
    code, output = _audit(runner)
    assert code == 1
    assert f"charte n° {charte.id}" in output and "version 1\u00a0: inscrite au journal (entrée n°" in output
    assert "elle a disparu de la base" in output


def _second_version(charte) -> Version:
    v1 = charte.versions[0]
    version = _write_version(charte, v1.titre, "Nouveau préambule.", [{"titre": t.titre, "intro": t.intro}
                             for t in v1.themes], [{"ref": c.ref, "theme": c.theme, "theme_position": c.theme_position,
                                                    "position": c.position, "titre": c.titre, "texte": c.texte}
                                                   for c in v1.clauses], VersionStatut.BROUILLON, None, note="v2")
    db.session.commit()
    return version


def test_the_last_of_several_versions_deleted_is_detected(runner, make_charte):
    charte = make_charte()
    v2 = _second_version(charte)
    assert _audit(runner)[0] == 0
    _delete_version(v2.id)
    code, output = _audit(runner)
    assert code == 1 and "version 2\u00a0: inscrite au journal" in output


def test_a_version_that_was_never_journalled_is_detected(runner, make_charte):
    charte = make_charte()
    v1 = charte.versions[0]
    content = replace(v1.content(), numero=2)
    digest = version_hash(content, v1.sha256)
    db.session.rollback()
    tamper("INSERT INTO versions (charte_id, numero, statut, parent_id, sha256, parent_sha256, titre, preambule, "
           "themes_json, note, created_at) SELECT charte_id, 2, 'adoptee', id, :digest, sha256, titre, preambule, "
           "themes_json, '', created_at FROM versions WHERE id = :id", digest=digest, id=v1.id)
    tamper("INSERT INTO version_clauses (version_id, ref, theme, theme_position, position, titre, texte) "
           "SELECT (SELECT id FROM versions WHERE numero = 2), ref, theme, theme_position, position, titre, texte "
           "FROM version_clauses WHERE version_id = :id", id=v1.id)
    code, output = _audit(runner)
    assert code == 1 and "version 2\u00a0: elle n’est pas inscrite au journal" in output


def test_an_edited_charter_title_is_detected(runner, make_charte):
    charte = make_charte("Charte de Belval")
    tamper("UPDATE chartes SET titre = 'Charte réécrite' WHERE id = :id", id=charte.id)
    code, output = _audit(runner)
    assert code == 1
    assert (f"Chartes\u00a0: ALTÉRÉES — charte n° {charte.id}\u00a0: son titre «\u00a0Charte réécrite\u00a0» "
            "n’est pas celui inscrit au journal (entrée n°") in output


def test_a_deleted_charter_is_detected(runner, make_charte):
    charte = make_charte()
    charte_id = charte.id
    _delete_version(charte.versions[0].id)
    tamper("DELETE FROM chartes WHERE id = :id", id=charte_id)
    code, output = _audit(runner)
    assert code == 1 and f"charte n° {charte_id}\u00a0: inscrite au journal" in output


@pytest.mark.parametrize("recompute, reason", [
    (False, "sa source ne correspond plus à son empreinte SHA-256"),
    (True, "son empreinte SHA-256 n’est pas celle inscrite au journal"),
])
def test_an_edited_template_source_is_detected(runner, make_modele, recompute, reason):
    modele = make_modele()
    source = modele.source.replace("responsable", "irresponsable", 1)
    assert source != modele.source
    digest = sha256_hex(source.encode("utf-8")) if recompute else modele.sha256
    tamper("UPDATE modeles SET source = :source, sha256 = :digest WHERE id = :id", source=source, digest=digest,
           id=modele.id)
    code, output = _audit(runner)
    assert code == 1
    assert f"Modèles\u00a0: ALTÉRÉS — modèle n° {modele.id} «\u00a0{modele.titre}\u00a0»\u00a0: {reason}" in output


def test_missing_triggers_are_reported(app, runner, make_charte):
    make_charte()
    journal = (FrozenTable("journal"),)
    drop_triggers(db.session.connection(), journal)
    db.session.commit()
    try:
        code, output = _audit(runner)
        assert code == 1 and "Base de données\u00a0: déclencheurs d’immuabilité absents" in output
        assert "charte_journal_no_delete" in output
    finally:
        install_triggers(db.session.connection(), journal)
        db.session.commit()
    assert set(FOUNDATION[0].trigger_names(db.engine.dialect.name)) <= installed_triggers(db.session.connection())


# --- The checkpoint file ------------------------------------------------------------------------------


def test_each_commit_that_adds_entries_writes_the_head(app, make_user):
    make_user()
    heads, altered = read_checkpoints()
    assert altered == [] and heads[-1].seq == journal_head()[0] and heads[-1].hash == journal_head()[1]
    lines = checkpoint_path().read_text(encoding="ascii").splitlines()
    db.session.commit()  # nothing journalled: no line
    record("parametre.modifie", None, "parametre:x")
    db.session.rollback()  # rolled back: no line
    assert checkpoint_path().read_text(encoding="ascii").splitlines() == lines
    assert oct(os.stat(checkpoint_path()).st_mode & 0o777) == "0o600"
    record("parametre.modifie", None, "parametre:y")
    record("parametre.modifie", None, "parametre:z")
    db.session.commit()  # one line for the commit, naming its newest entry
    after = checkpoint_path().read_text(encoding="ascii").splitlines()
    assert len(after) == len(lines) + 1
    assert Head.from_line(after[-1], journal_key(), CHECKPOINT).seq == journal_head()[0]


def test_a_missing_or_altered_checkpoint_file_is_reported(runner, make_user):
    make_user()
    path = checkpoint_path()
    lines = path.read_text(encoding="ascii").splitlines()
    forged = Head(999, "f" * 64, "2026-11-12T10:00:00Z").line(b"pas la cle du journal, une autre" * 2, CHECKPOINT)
    path.write_text("\n".join([*lines, forged]) + "\n", encoding="ascii")
    code, output = _audit(runner)
    assert code == 1 and f"ligne {len(lines) + 1} de {path} altérée" in output
    path.unlink()
    code, output = _audit(runner)
    assert code == 1 and f"fichier {path} absent alors que le journal compte" in output


def test_concurrent_writers_make_one_chain_and_valid_checkpoints(app):
    errors = []
    barrier = threading.Barrier(4)

    def writer(name):
        try:
            with app.app_context():
                barrier.wait()
                for index in range(5):
                    record("parametre.modifie", None, f"parametre:{name}{index}")
                    db.session.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.rollback()
    heads, altered = read_checkpoints()
    assert altered == [] and sorted(h.seq for h in heads) == list(range(1, 21))
    assert verify_everything().ok


def test_concurrent_appends_never_mix_lines(app):
    def append(worker):
        with app.app_context():
            for index in range(50):
                append_checkpoint(Head(worker * 1000 + index, f"{worker:x}" * 64))

    threads = [threading.Thread(target=append, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    heads, altered = read_checkpoints()
    assert altered == [] and len(heads) == 200


def test_checkpoint_path_may_be_set(database_url, instance_dir, tmp_path, _schema):
    target = tmp_path / "ailleurs" / "points"
    other = make_app(database_url, instance_dir, CHARTE_JOURNAL_CHECKPOINT=str(target))
    with other.app_context():
        assert checkpoint_path() == target
        record("parametre.modifie", None, "parametre:ailleurs")
        db.session.commit()
        assert Head.from_line(target.read_text(encoding="ascii").splitlines()[-1], journal_key(), CHECKPOINT).seq \
            == journal_head()[0]
        db.session.remove()
        db.engine.dispose()


# --- The journal key's configuration ------------------------------------------------------------------


def test_journal_key_is_generated_once_with_mode_0600(tmp_path):
    key = configured_journal_key("", tmp_path, allow_generated=True)
    assert len(key) >= 32
    assert configured_journal_key("", tmp_path, allow_generated=True) == key
    assert oct(os.stat(tmp_path / "journal_key").st_mode & 0o777) == "0o600"
    assert configured_journal_key("k" * 40, tmp_path, allow_generated=False) == b"k" * 40


def test_journal_key_is_required_outside_the_demo(tmp_path):
    with pytest.raises(ConfigurationError, match="CHARTE_JOURNAL_KEY est obligatoire"):
        configured_journal_key("", tmp_path, allow_generated=False)
    with pytest.raises(ConfigurationError, match="au moins 32"):
        configured_journal_key("court", tmp_path, allow_generated=True)
    (tmp_path / "journal_key").write_text("g" * 64, encoding="utf-8")  # a key file already there is used
    assert configured_journal_key("", tmp_path, allow_generated=False) == b"g" * 64


def test_production_start_up_stops_without_a_journal_key(monkeypatch, tmp_path):
    for name in ("CHARTE_DEMO", "FLASK_DEBUG", "CHARTE_JOURNAL_KEY", "CHARTE_JOURNAL_CHECKPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CHARTE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://charte@127.0.0.1/charte")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    with pytest.raises(ConfigurationError, match="CHARTE_JOURNAL_KEY est obligatoire"):
        create_app()
    monkeypatch.setenv("CHARTE_JOURNAL_KEY", "j" * 40)
    app = create_app()
    with app.app_context():
        assert journal_key() == b"j" * 40 and checkpoint_path() == tmp_path / "journal_checkpoints"
        db.engine.dispose()


# --- The migration that re-sealed existing journals -------------------------------------------------


@pytest.fixture
def scratch_database(tmp_path):
    """A database of its own (SQLite file, or a fresh PostgreSQL database) to run the migrations on."""
    with fresh_database(tmp_path / "ancienne.db", "charte_mig") as url:
        yield url


def _old_style_entries(connection, count: int, broken_at: int | None = None) -> list[str]:
    """Entries written as the foundation wrote them: plain SHA-256, no key."""
    previous, hashes = GENESIS, []
    for seq in range(1, count + 1):
        at = datetime(2026, 11, 1, 9, seq)
        details = {"nouveau": str(seq)}
        data = EntryData(seq, at.strftime("%Y-%m-%dT%H:%M:%SZ"), "système", "parametre.modifie", f"parametre:{seq}",
                         details, previous)
        digest = chained_hash(data.payload(), previous)
        stored_details = {"nouveau": "falsifié"} if seq == broken_at else details
        connection.execute(text(
            "INSERT INTO journal (seq, at_dt, actor_id, actor_label, action, target, details_json, prev_hash, hash) "
            "VALUES (:seq, :at, NULL, 'système', 'parametre.modifie', :target, :details, :prev, :hash)"),
            {"seq": seq, "at": at, "target": f"parametre:{seq}", "details": json.dumps(stored_details),
             "prev": previous, "hash": digest})
        previous = digest
        hashes.append(digest)
    return hashes


@pytest.mark.parametrize("broken_at, state", [(None, "intacte"), (2, "rompue à l’entrée n° 2")])
def test_the_migration_reseals_an_old_style_chain(app, scratch_database, tmp_path, broken_at, state):
    instance = tmp_path / "instance"
    old = make_app(scratch_database, instance)
    with old.app_context():
        upgrade(directory=MIGRATIONS, revision="0001_foundation")
        with db.engine.begin() as connection:
            old_hashes = _old_style_entries(connection, 3, broken_at)
        assert not checkpoint_path().exists()
        upgrade(directory=MIGRATIONS)
        entries = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
        assert [e.seq for e in entries] == [1, 2, 3, 4]
        assert not {e.hash for e in entries} & set(old_hashes)  # every hash is now keyed
        assert verify_journal() is None
        reseal = entries[-1]
        assert (reseal.action, reseal.actor_label, reseal.target) == ("journal.rescelle", "système", "journal")
        assert reseal.details == {"entrees": 3, "ancienne_tete": old_hashes[-1], "ancienne_chaine": state,
                                  "algorithme": "HMAC-SHA256"}
        heads, altered = read_checkpoints()
        assert altered == [] and [(h.seq, h.hash) for h in heads] == [(4, reseal.hash)]
        assert set(installed_triggers(db.session.connection())) >= {
            name for frozen in FOUNDATION for name in frozen.trigger_names(db.engine.dialect.name)}
        report = verify_everything()
        assert report.ok, [c.line for c in report.findings]
        db.session.remove()
        db.engine.dispose()


def test_the_migration_on_an_empty_journal_writes_nothing(app, scratch_database, tmp_path):
    fresh = make_app(scratch_database, tmp_path / "instance")
    with fresh.app_context():
        upgrade(directory=MIGRATIONS)
        assert journal_head() == (0, GENESIS) and not checkpoint_path().exists()
        db.session.remove()
        db.engine.dispose()
