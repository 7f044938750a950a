"""Writing to the journal and checking its chain."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select, text

from charte.extensions import db
from charte.hashing import GENESIS
from charte.journal.chain import ChainBreak, EntryData, entry_hash, verify_entries
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
    "version.publiee": "Version publiée et signée",
}

_PG_JOURNAL_LOCK = 0x43484152  # "CHAR": serialises writers of the chain on PostgreSQL


def _lock_chain() -> None:
    """Make concurrent writers take turns, so that two entries never share a predecessor."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_JOURNAL_LOCK})
    # SQLite: the write transaction already holds the database lock (BEGIN IMMEDIATE).


def record(action: str, actor=None, target: str = "", actor_label: str | None = None, **details) -> JournalEntry:
    """Append one entry to the journal (flushed, not committed)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown journal action {action!r}")
    _lock_chain()
    last = db.session.execute(select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)).scalar_one_or_none()
    at_dt = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
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
    entry = JournalEntry(
        seq=data.seq,
        at_dt=at_dt,
        actor_id=actor.id if actor is not None else None,
        actor_label=label,
        action=action,
        target=target,
        details_json=json.dumps(data.details, ensure_ascii=False, sort_keys=True),
        prev_hash=data.prev_hash,
        hash=entry_hash(data),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def verify_journal() -> ChainBreak | None:
    """Check the whole journal chain; the first broken entry, or None."""
    rows = db.session.execute(select(JournalEntry).order_by(JournalEntry.seq)).scalars()
    return verify_entries(row.as_data() for row in rows)


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)
