"""Verify everything a reader trusts, in one pass: the keyed journal chain, its checkpoints outside the
database, every charter's versions, titles and templates against what the journal sealed, and the
database triggers. `charte audit-verify` and the journal page's full check share this entry point."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from charte.chartes.models import Charte, Modele, Version
from charte.chartes.services import verify_charte_record, verify_charte_versions, verify_modele_source
from charte.extensions import db
from charte.journal.chain import EntryData, Head, first_checkpoint_break, verify_entries
from charte.journal.checkpoints import read_checkpoints
from charte.journal.keys import checkpoint_path, journal_key
from charte.journal.local_time import format_local, parse_utc
from charte.journal.services import journal_entries, journal_head, record, save_mark
from charte.journal.triggers import missing_triggers


@dataclass(frozen=True)
class Check:
    """The verdict on one domain: a plain French sentence, and whether it holds."""

    domaine: str
    message: str
    ok: bool = True

    @property
    def line(self) -> str:
        return f"{self.domaine}\u00a0: {self.message}."


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def findings(self) -> list[Check]:
        """The domains that do not hold, each with its first broken item."""
        return [check for check in self.checks if not check.ok]

    @property
    def ok(self) -> bool:
        return not self.findings

    def first_finding(self) -> Check | None:
        return next(iter(self.findings), None)


def _target_id(target: str, kind: str) -> int | None:
    prefix, _, raw = target.partition(":")
    return int(raw) if prefix == kind and raw.isdigit() else None


@dataclass
class _Sealed:
    """What the journal's entries say about the rows a reader trusts, gathered while it is read."""

    wanted_hashes: set[int]
    count: int = 0
    last_seq: int = 0
    hashes: dict[int, str] = field(default_factory=dict)
    versions: dict[int, dict[int, tuple[str, int]]] = field(default_factory=lambda: defaultdict(dict))
    chartes: dict[int, tuple[str, int, int]] = field(default_factory=dict)
    modeles: dict[int, tuple[str, int]] = field(default_factory=dict)

    def note(self, entries: Iterable[EntryData]) -> Iterator[EntryData]:
        for entry in entries:
            self.count += 1
            self.last_seq = entry.seq
            if entry.seq in self.wanted_hashes:
                self.hashes[entry.seq] = entry.hash
            try:
                self._seal(entry)
            except (KeyError, TypeError, ValueError):
                pass  # a malformed entry cannot verify: the chain check names it
            yield entry

    def _seal(self, entry: EntryData) -> None:
        details = entry.details
        if entry.action == "version.creee":
            self.versions[int(details["charte"])].setdefault(int(details["numero"]), (details["sha256"], entry.seq))
        elif entry.action == "charte.creee" and (charte_id := _target_id(entry.target, "charte")) is not None:
            self.chartes.setdefault(charte_id, (details["titre"], int(details["modele"]), entry.seq))
        elif entry.action == "modele.importe" and (modele_id := _target_id(entry.target, "modele")) is not None:
            self.modeles.setdefault(modele_id, (details["sha256"], entry.seq))


def _entries(count: int) -> str:
    return f"{count} entrée" if count < 2 else f"{count} entrées"


def _journal_checks(sealed: _Sealed, found) -> list[Check]:
    key = journal_key()
    heads, altered = found if found is not None else ([], [])
    stream = sealed.note(journal_entries())
    broken = verify_entries(stream, key)
    for _ in stream:  # read on: the count and the seals of every entry
        pass
    checks = []
    if broken:
        checks.append(Check("Journal", f"ROMPU à l’entrée n° {broken.seq} — {broken.reason}", False))
    elif cut := first_checkpoint_break(heads, sealed.last_seq, sealed.hashes):
        checkpoint, reason = cut
        checks.append(Check("Journal", f"ROMPU — {reason} (le point de contrôle du "
                                       f"{format_local(parse_utc(checkpoint.at))} atteste l’entrée n° {checkpoint.seq})",
                            False))
    else:
        checks.append(Check("Journal", f"intact ({_entries(sealed.count)})"))
    path = checkpoint_path()
    if found is None:
        if sealed.count:
            checks.append(Check("Points de contrôle", f"fichier {path} absent alors que le journal compte "
                                                       f"{_entries(sealed.count)}", False))
        else:
            checks.append(Check("Points de contrôle", "aucun, le journal est vide"))
    elif altered:
        checks.append(Check("Points de contrôle", f"ligne {altered[0]} de {path} altérée (son sceau ne correspond "
                                                   f"pas à la clé du journal)", False))
    elif not heads:
        ok = not sealed.count
        checks.append(Check("Points de contrôle", f"aucun dans {path}" if ok else
                            f"aucun dans {path} alors que le journal compte {_entries(sealed.count)}", ok))
    else:
        newest = max(head.seq for head in heads)
        lines = f"{len(heads)} ligne valide" if len(heads) == 1 else f"{len(heads)} lignes valides"
        checks.append(Check("Points de contrôle", f"{lines}, la dernière atteste l’entrée n° {newest}"))
    return checks


def _charte_checks(sealed: _Sealed) -> list[Check]:
    chartes = {c.id: c for c in db.session.scalars(
        select(Charte).options(selectinload(Charte.versions).selectinload(Version.clauses)).order_by(Charte.id))}
    version_check = Check("Versions", "chaînes intactes")
    for charte_id in sorted(set(chartes) | set(sealed.versions)):
        charte = chartes.get(charte_id)
        if charte is None:
            continue  # a vanished charter is named under "Chartes"
        broken = verify_charte_versions(charte, sealed.versions.get(charte_id, {}))
        if broken:
            numero, reason = broken
            version_check = Check("Versions", f"ROMPUES — charte n° {charte.id} «\u00a0{charte.titre}\u00a0», "
                                              f"version {numero}\u00a0: {reason}", False)
            break
    charte_check = Check("Chartes", "titres et modèles conformes au journal")
    for charte_id in sorted(set(chartes) | set(sealed.chartes)):
        charte = chartes.get(charte_id)
        if charte is None:
            seq = sealed.chartes[charte_id][2]
            reason = f"inscrite au journal (entrée n° {seq}), elle a disparu de la base"
        else:
            reason = verify_charte_record(charte, sealed.chartes.get(charte_id))
        if reason:
            charte_check = Check("Chartes", f"ALTÉRÉES — charte n° {charte_id}\u00a0: {reason}", False)
            break
    return [version_check, charte_check]


def _modele_checks(sealed: _Sealed) -> list[Check]:
    modeles = {m.id: m for m in db.session.scalars(select(Modele).order_by(Modele.id))}
    for modele_id in sorted(set(modeles) | set(sealed.modeles)):
        modele = modeles.get(modele_id)
        if modele is None:
            seq = sealed.modeles[modele_id][1]
            reason = f"inscrit au journal (entrée n° {seq}), il a disparu de la base"
            return [Check("Modèles", f"ALTÉRÉS — modèle n° {modele_id}\u00a0: {reason}", False)]
        reason = verify_modele_source(modele, sealed.modeles.get(modele_id))
        if reason:
            return [Check("Modèles", f"ALTÉRÉS — modèle n° {modele_id} «\u00a0{modele.titre}\u00a0»\u00a0: {reason}",
                          False)]
    return [Check("Modèles", "sources intactes et conformes au journal")]


def _trigger_checks() -> list[Check]:
    from charte.consolidation.models import FIGEES
    from charte.journal.triggers import FOUNDATION
    from charte.publication.models import FIGEES as PUBLICATIONS

    missing = missing_triggers(db.session.connection(), FOUNDATION + FIGEES + PUBLICATIONS)
    if missing:
        return [Check("Base de données", f"déclencheurs d’immuabilité absents ou désactivés\u00a0: {', '.join(missing)}",
                      False)]
    return [Check("Base de données", "déclencheurs d’immuabilité en place")]


def _approbation_checks() -> list[Check]:
    from charte.consolidation.verification import verifier_approbations

    probleme = verifier_approbations()
    if probleme is not None:
        return [Check("Approbations", str(probleme), False)]
    return [Check("Approbations", "chaque version adoptée porte les approbations du texte exact qu’elle contient")]


def _publication_checks() -> list[Check]:
    from charte.publication.services import verifier_publications

    probleme = verifier_publications()
    if probleme is not None:
        return [Check("Publications", f"ALTÉRÉES — {probleme}", False)]
    return [Check("Publications", "chaque PDF signé est intact et son ancre dans le journal est présente")]


def verify_everything() -> Report:
    """Every check, in the order a reader relies on them; each names its first broken item."""
    found = read_checkpoints()
    sealed = _Sealed(wanted_hashes={head.seq for head in found[0]} if found else set())
    checks = _journal_checks(sealed, found) + _charte_checks(sealed) + _modele_checks(sealed) + _approbation_checks() \
        + _publication_checks() + _trigger_checks()
    return Report(tuple(checks))


def first_finding() -> Check | None:
    """The first thing that does not hold, or None when everything does."""
    return verify_everything().first_finding()


def verifier_tout(actor) -> Report:
    """Run every check now and journal that it was run, by whom and with what result."""
    report = verify_everything()
    if report.checks[0].ok:
        seq, head_hash = journal_head()
        if seq:
            save_mark(Head(seq, head_hash))
    record("journal.verifie", actor, "journal", resultat="intact" if report.ok else "anomalies",
           anomalies=[check.line for check in report.findings])
    return report
