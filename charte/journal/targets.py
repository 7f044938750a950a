"""Readable names for what journal entries point at ("Compte de Nadia Haddad", not `user:5`),
resolved for a whole page of entries with one query per kind of object, never one per row."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select

from charte.accounts.models import Departement, User
from charte.chartes.models import Charte, Modele, Version
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.texte import de

PARAMETRES = {"nom_collectivite": "nom de la collectivité",
              "nom_collectivite_complement": "nom de la collectivité après «\u00a0de\u00a0»"}


@dataclass(frozen=True)
class Target:
    """A label, and the page it links to (for administrators only when `admin_only`)."""

    label: str
    endpoint: str | None = None
    values: dict = field(default_factory=dict)
    admin_only: bool = False
    detail: str = ""


def _split(target: str) -> tuple[str, str]:
    kind, _, raw = target.partition(":")
    return kind, raw


def _ids(entries: Iterable[JournalEntry]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.actor_id is not None:
            wanted["user"].add(entry.actor_id)
        kind, raw = _split(entry.target)
        if raw.isdigit():
            wanted[kind].add(int(raw))
    return wanted


def _load(wanted: dict[str, set[int]]) -> dict[tuple[str, int], Target]:
    """One query per kind present on the page."""
    found: dict[tuple[str, int], Target] = {}
    if wanted["user"]:
        for row in db.session.execute(select(User.id, User.nom, User.email).where(User.id.in_(wanted["user"]))):
            found["user", row.id] = Target(f"Compte {de(row.nom)}", "accounts.user_edit", {"user_id": row.id},
                                           admin_only=True)
            found["actor", row.id] = Target(row.nom, "accounts.user_edit", {"user_id": row.id}, admin_only=True,
                                            detail=row.email)
    if wanted["departement"]:
        rows = db.session.execute(select(Departement.id, Departement.nom)
                                  .where(Departement.id.in_(wanted["departement"])))
        for row in rows:
            found["departement", row.id] = Target(f"Service «\u00a0{row.nom}\u00a0»", "accounts.departement_edit",
                                                  {"departement_id": row.id}, admin_only=True)
    if wanted["charte"]:
        for row in db.session.execute(select(Charte.id, Charte.titre).where(Charte.id.in_(wanted["charte"]))):
            found["charte", row.id] = Target(f"Charte «\u00a0{row.titre}\u00a0»", "chartes.show",
                                             {"charte_id": row.id})
    if wanted["version"]:
        rows = db.session.execute(select(Version.id, Version.numero, Version.charte_id, Charte.titre)
                                  .join(Charte, Version.charte_id == Charte.id)
                                  .where(Version.id.in_(wanted["version"])))
        for row in rows:
            found["version", row.id] = Target(f"Version {row.numero} de la charte «\u00a0{row.titre}\u00a0»",
                                              "chartes.version", {"charte_id": row.charte_id, "numero": row.numero})
    if wanted["modele"]:
        for row in db.session.execute(select(Modele.id, Modele.titre).where(Modele.id.in_(wanted["modele"]))):
            found["modele", row.id] = Target(f"Modèle «\u00a0{row.titre}\u00a0»", "chartes.modele",
                                             {"modele_id": row.id}, admin_only=True)
    return found


_UNKNOWN = {"user": "Compte", "departement": "Service", "charte": "Charte", "version": "Version", "modele": "Modèle"}


def _describe(target: str, found: dict[tuple[str, int], Target]) -> Target:
    if not target:
        return Target("—")
    kind, raw = _split(target)
    if raw.isdigit():
        known = found.get((kind, int(raw)))
        if known is not None:
            return known
        if kind in _UNKNOWN:
            return Target(f"{_UNKNOWN[kind]} n° {raw} (introuvable)")
    if kind == "parametre":
        return Target(f"Paramètre «\u00a0{PARAMETRES.get(raw, raw)}\u00a0»", "accounts.parametres", admin_only=True)
    if kind == "journal":
        return Target("Journal")
    return Target(target)


def describe_entries(entries: list[JournalEntry]) -> dict[int, tuple[Target | None, Target]]:
    """For each entry (by id): its author as an account (None for the system or an unknown address) and
    its target, both readable."""
    found = _load(_ids(entries))
    described = {}
    for entry in entries:
        actor = found.get(("actor", entry.actor_id)) if entry.actor_id is not None else None
        described[entry.id] = (actor, _describe(entry.target, found))
    return described
