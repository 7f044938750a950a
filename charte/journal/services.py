"""Writing to the journal and checking its keyed chain (whole, or from the last entry verified)."""
from __future__ import annotations

import json
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Iterable, Iterator

from sqlalchemy import func, select, text

from charte.extensions import db
from charte.hashing import GENESIS, same_digest
from charte.journal.chain import (
    VERIFIED, ChainBreak, EntryData, Head, checkpoint_break, entry_hash, missing_entries, verify_entries,
)

# Importing checkpoints also registers the session events that write them after each commit.
from charte.journal.checkpoints import last_checkpoints
from charte.journal.keys import journal_key
from charte.journal.models import JournalEntry, format_at

# Every action the journal knows, with its label for people.
ACTIONS = {
    "connexion.reussie": "Connexion",
    "connexion.echouee": "Échec de connexion",
    "connexion.limitee": "Connexion refusée (trop de tentatives)",
    "deconnexion": "Déconnexion",
    "mot_de_passe.change": "Mot de passe changé",
    "service.cree": "Service créé",
    "service.renomme": "Service renommé",
    "compte.cree": "Compte créé",
    "compte.modifie": "Compte modifié",
    "compte.desactive": "Compte désactivé",
    "compte.reactive": "Compte réactivé",
    "compte.mot_de_passe_reinitialise": "Mot de passe réinitialisé",
    "modele.importe": "Modèle importé",
    "charte.creee": "Charte créée",
    "version.creee": "Version créée",
    "parametre.modifie": "Paramètre modifié",
    "journal.rescelle": "Journal rescellé avec la clé du journal",
    "journal.verifie": "Vérification complète",
    "amendement.cree": "Amendement créé (brouillon)",
    "amendement.depose": "Amendement déposé",
    "amendement.revise": "Amendement révisé",
    "amendement.rebase": "Amendement rebasé sur la version en vigueur",
    "amendement.retire": "Amendement retiré",
    "amendement.cosigne": "Amendement cosigné",
    "amendement.irrecevable": "Amendement déclaré irrecevable",
    "commentaire.publie": "Commentaire publié",
    "commentaire.modifie": "Commentaire modifié",
    "commentaire.masque": "Commentaire masqué par le comité",
    "connexion.code_refuse": "Échec de connexion (code de double authentification)",
    "verification.limitee": "Vérification refusée (trop de tentatives)",
    "mot_de_passe.actuel_refuse": "Changement de mot de passe refusé (mot de passe actuel incorrect)",
    "double_facteur.active": "Double authentification activée",
    "double_facteur.desactive": "Double authentification désactivée",
    "double_facteur.reinitialise": "Double authentification réinitialisée par l’administration",
    "double_facteur.code_secours_utilise": "Code de secours utilisé",
    "double_facteur.codes_secours_renouveles": "Codes de secours renouvelés",
    "identite.confirmee": "Identité confirmée pour une action sensible",
    "identite.refusee": "Confirmation d’identité refusée",
    "acces.refuse": "Accès refusé",
    "csrf.refuse": "Formulaire refusé (jeton de sécurité absent ou invalide)",
    # Rules, rounds and ballots (charte.tours, charte.scrutins)
    "regles.modifiees": "Règles de vote modifiées",
    "tour.ouvert": "Tour d’amendements ouvert",
    "tour.fenetre_modifiee": "Période d’un tour modifiée",
    "scrutin.ouvert": "Vote ouvert",
    "bulletin.depose": "Bulletin déposé",
    "bulletin.modifie": "Bulletin modifié",
    "scrutin.clos": "Vote clos",
    "amendement.caduc": "Amendement devenu caduc",
    "projet.consolide": "Amendements adoptés consolidés en projet de version",
    "projet.conflit_resolu": "Conflit de consolidation résolu",
    "projet.corrige": "Correction rédactionnelle du projet de version",
    "projet.soumis": "Projet de version soumis à validation",
    "projet.approuve": "Projet de version approuvé",
    "projet.rejete": "Projet de version rejeté",
    "projet.adopte": "Projet de version adopté (version écrite)",
    "version.publiee": "Version publiée et signée",
}

SYSTEM = "systeme"  # the author filter for entries written without an account (system, unknown address)

_PG_JOURNAL_LOCK = 0x43484152  # "CHAR": serialises writers of the chain on PostgreSQL


def _lock_chain() -> None:
    """Make concurrent writers take turns, so that two entries never share a predecessor."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_JOURNAL_LOCK})
    # SQLite: the write transaction already holds the database lock (BEGIN IMMEDIATE).


def clock() -> datetime:
    """Now, in naive UTC to the second: the time written on entries."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def record(action: str, actor=None, target: str = "", actor_label: str | None = None, **details) -> JournalEntry:
    """Append one entry to the journal (flushed, not committed)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown journal action {action!r}")
    _lock_chain()
    last = db.session.execute(select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)).scalar_one_or_none()
    at_dt = clock()
    label = actor_label if actor_label is not None else (actor.email if actor is not None else "système")
    data = EntryData(
        seq=(last.seq + 1) if last else 1,
        at=format_at(at_dt),
        actor=label,
        action=action,
        target=target,
        details=json.loads(json.dumps(details, ensure_ascii=False, default=str)),
        prev_hash=last.hash if last else GENESIS,
    )
    data = sealed_entry(data, journal_key())
    entry = JournalEntry(
        seq=data.seq,
        at_dt=at_dt,
        actor_id=actor.id if actor is not None else None,
        actor_label=label,
        action=action,
        target=target,
        details_json=json.dumps(data.details, ensure_ascii=False, sort_keys=True),
        prev_hash=data.prev_hash,
        hash=data.hash,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def sealed_entry(data: EntryData, key: bytes) -> EntryData:
    """The entry with its keyed hash (used by `record` and by the migration that re-sealed the journal)."""
    return replace(data, hash=entry_hash(data, key))


def journal_head() -> tuple[int, str]:
    """Number and hash of the journal's last entry ((0, GENESIS) when empty): what a signed document
    anchors to show the journal as it stood."""
    row = db.session.execute(select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc())
                             .limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def journal_entries(first_seq: int = 1) -> Iterator[EntryData]:
    """The entries from `first_seq` on, in order, read in batches (the journal may be long)."""
    rows = db.session.scalars(select(JournalEntry).where(JournalEntry.seq >= first_seq).order_by(JournalEntry.seq)
                              .execution_options(yield_per=500))
    try:
        for row in rows:
            yield row.as_data()
    finally:
        rows.close()  # a reader that stops at a break leaves no server-side cursor open


def verify_journal() -> ChainBreak | None:
    """Check the whole journal chain with the key; the first broken entry, or None."""
    with closing(journal_entries()) as entries:
        return verify_entries(entries, journal_key())


# --- The journal page's quick check: from the last entry verified, and against the last checkpoint --

MARK = "journal_verifie"  # Parametre holding the last entry verified (sealed with the key)


@dataclass(frozen=True)
class QuickCheck:
    """What the journal page says about the chain without re-reading all of it."""

    total: int
    verified_to: int
    chain_break: ChainBreak | None = None
    checkpoint_problem: str | None = None
    checkpoint: Head | None = None
    new_mark: Head | None = None  # the entry verified up to, when newer than the mark read

    @property
    def ok(self) -> bool:
        return self.chain_break is None and self.checkpoint_problem is None


def _read_mark(key: bytes) -> Head | None:
    from charte.parametres import Parametre

    row = db.session.get(Parametre, MARK)
    return Head.from_line(row.valeur, key, VERIFIED) if row is not None else None


def save_mark(head: Head) -> None:
    """Remember the last entry verified, sealed so that a database write cannot move it forward."""
    from charte.parametres import Parametre

    value = head.line(journal_key(), VERIFIED)
    row = db.session.get(Parametre, MARK)
    if row is None:
        db.session.add(Parametre(cle=MARK, valeur=value))
    elif row.valeur != value:
        row.valeur = value
    db.session.flush()


class _Tail:
    """Passes entries through and remembers the last one seen."""

    def __init__(self, entries: Iterable[EntryData]):
        self.entries = entries
        self.last: EntryData | None = None

    def __iter__(self):
        for entry in self.entries:
            self.last = entry
            yield entry


def _hash_at(seq: int) -> str | None:
    return db.session.scalar(select(JournalEntry.hash).where(JournalEntry.seq == seq))


def quick_check() -> QuickCheck:
    """Verify only the entries written since the last one verified, then the newest checkpoints.

    Reads nothing else: the page that calls it stays as quick with a long journal. The full check
    (every entry, every checkpoint, every version) is `charte.audit.verify_everything`."""
    key = journal_key()
    total, _ = journal_head()
    mark = _read_mark(key)
    lost = None  # a verified entry that is no longer there: the journal was cut after it was read
    previous, first = GENESIS, 1
    if mark is not None:
        stored = _hash_at(mark.seq)
        if stored is None:
            lost, mark = mark, None
        elif not same_digest(stored, mark.hash):
            return QuickCheck(total, mark.seq - 1, ChainBreak(mark.seq, "l’entrée a changé depuis sa vérification"))
        else:
            previous, first = mark.hash, mark.seq + 1
    with closing(journal_entries(first)) as entries:
        tail = _Tail(entries)
        broken = verify_entries(tail, key, previous, first)
    if broken:
        return QuickCheck(total, broken.seq - 1, broken)
    verified = Head(tail.last.seq, tail.last.hash) if tail.last else mark
    result = QuickCheck(total, verified.seq if verified else 0,
                        new_mark=verified if tail.last and lost is None else None)
    newest, problem = _newest_checkpoint(total)
    if lost is not None and (newest is None or newest.seq < lost.seq):
        problem = missing_entries(total + 1, lost.seq)
    return replace(result, checkpoint=newest, checkpoint_problem=problem)


def _newest_checkpoint(total: int) -> tuple[Head | None, str | None]:
    """The newest checkpoint at the end of the file, and why the journal does not match it (or None)."""
    found = last_checkpoints()
    if found is None:
        return None, "le fichier des points de contrôle est absent" if total else None
    heads, altered = found
    if altered:
        return None, "une ligne du fichier des points de contrôle est altérée"
    newest = max(heads, key=lambda h: h.seq, default=None)
    if newest is None:
        return None, None
    return newest, checkpoint_break(newest, total, _hash_at(newest.seq) if newest.seq <= total else None)


@dataclass(frozen=True)
class JournalPage:
    entries: list[JournalEntry]
    total: int
    page: int
    pages: int


def search_journal(action: str = "", actor: int | str | None = None, start: datetime | None = None,
                   end: datetime | None = None, page: int = 1, per_page: int = 50) -> JournalPage:
    """One page of entries, newest first, by action, author (an account id, or SYSTEM for entries without
    one) and UTC interval [start, end)."""
    query = select(JournalEntry)
    if action:
        query = query.where(JournalEntry.action == action)
    if actor == SYSTEM:
        query = query.where(JournalEntry.actor_id.is_(None))
    elif actor is not None:
        query = query.where(JournalEntry.actor_id == actor)
    if start is not None:
        query = query.where(JournalEntry.at_dt >= start)
    if end is not None:
        query = query.where(JournalEntry.at_dt < end)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    entries = db.session.scalars(query.order_by(JournalEntry.seq.desc()).offset((page - 1) * per_page)
                                 .limit(per_page)).all()
    return JournalPage(list(entries), total, page, pages)


def last_full_check() -> JournalEntry | None:
    """The newest "journal.verifie" entry: when everything was last checked, by whom, with what result."""
    return db.session.scalar(select(JournalEntry).where(JournalEntry.action == "journal.verifie")
                             .order_by(JournalEntry.seq.desc()).limit(1))


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)
