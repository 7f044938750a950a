"""Importing templates, creating charters and versions, checking the version chain."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from charte.accounts.services import clean_label
from charte.chartes.modeles import ParsedTemplate, TemplateError, decode_template, parse_template
from charte.chartes.models import Charte, Modele, Version, VersionClause, VersionStatut
from charte.chartes.snapshot import verify_versions, version_hash
from charte.config import PROJECT_ROOT
from charte.exceptions import Conflict, InvalidInput, NotFound
from charte.extensions import db
from charte.hashing import sha256_hex
from charte.journal.services import record
from charte.texte import without_control_characters

MODELES_DIR = PROJECT_ROOT / "modeles"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def clean_filename(filename: str | None) -> str:
    """The name of an uploaded file as it can be stored and shown: no folder, no control character."""
    return without_control_characters(Path(filename or "").name)[:255]


def importer_modele(data: bytes, filename: str, actor) -> Modele:
    """Parse and store a template; a malformed one raises TemplateError (naming the file) and writes nothing."""
    filename = clean_filename(filename)
    try:
        source = decode_template(data)
        parsed = parse_template(source)
    except TemplateError as exc:
        raise TemplateError(exc.line, exc.reason, filename) from None
    digest = sha256_hex(source.encode("utf-8"))
    existing = db.session.scalar(select(Modele).filter_by(sha256=digest))
    if existing is not None:
        raise Conflict(f"« {filename} » : ce modèle est déjà importé "
                       f"(« {existing.titre} », version {existing.version_label}).", "fichier")
    modele = Modele(
        titre=parsed.titre,
        description=parsed.description,
        version_label=parsed.version,
        filename=filename,
        source=source,
        sha256=digest,
        imported_by_id=actor.id if actor is not None else None,
    )
    db.session.add(modele)
    db.session.flush()
    record(
        "modele.importe", actor, f"modele:{modele.id}",
        titre=parsed.titre, version=parsed.version, clauses=parsed.clause_count, sha256=digest,
    )
    return modele


def modeles_disponibles() -> list[Path]:
    """The template files shipped in the modeles/ folder."""
    return sorted(MODELES_DIR.glob("*.md"))


def fichier_modele(name: str) -> Path:
    """A shipped template by its file name; refuses any other path."""
    for path in modeles_disponibles():
        if path.name == name:
            return path
    raise NotFound("Ce fichier de modèle n’existe pas.")


def parse_modele(modele: Modele) -> ParsedTemplate:
    return parse_template(modele.source)


def _write_version(charte: Charte, titre: str, preambule: str, themes: list[dict], clauses: list[dict],
                   statut: VersionStatut, actor, note: str) -> Version:
    """Write a new immutable version at the end of the charter's chain."""
    parent = charte.versions[-1] if charte.versions else None
    numero = parent.numero + 1 if parent else 1
    now = utcnow()
    version = Version(
        charte=charte,
        numero=numero,
        statut=statut,
        parent=parent,
        parent_sha256=parent.sha256 if parent else None,
        titre=titre,
        preambule=preambule,
        themes_json=json.dumps(themes, ensure_ascii=False),
        note=note,
        auteur_id=actor.id if actor is not None else None,
        created_at=now,
        adopted_at=now if statut == VersionStatut.ADOPTEE else None,
        sha256="",
    )
    for clause in clauses:
        version.clauses.append(VersionClause(**clause))
    version.sha256 = version_hash(version.content(), version.parent_sha256)
    db.session.add(version)
    db.session.flush()
    record(
        "version.creee", actor, f"version:{version.id}",
        charte=charte.id, numero=numero, statut=statut.value, sha256=version.sha256, parent=version.parent_sha256,
    )
    return version


def ecrire_version_adoptee(charte: Charte, titre: str, preambule: str, themes: list[dict], clauses: list[dict],
                           actor, note: str) -> Version:
    """Write an adopted version at the end of the charter's chain (for the consolidation's adoption)."""
    return _write_version(charte, titre, preambule, themes, clauses, VersionStatut.ADOPTEE, actor, note)


def creer_charte(modele: Modele | None, titre: str | None, actor) -> Charte:
    """Create a charter from a template; its v1, the template's text, is the adopted base."""
    if modele is None:
        raise InvalidInput("Choisissez un modèle.", "modele_id")
    parsed = parse_modele(modele)
    titre = clean_label(titre or parsed.titre, "titre", "le titre de la charte", 200)
    charte = Charte(titre=titre, modele=modele, created_by_id=actor.id if actor is not None else None)
    db.session.add(charte)
    db.session.flush()
    themes, clauses = [], []
    for theme_position, theme in enumerate(parsed.themes, start=1):
        themes.append({"titre": theme.titre, "intro": theme.intro})
        for position, clause in enumerate(theme.clauses, start=1):
            clauses.append({
                "ref": clause.ref, "theme": theme.titre, "theme_position": theme_position,
                "position": position, "titre": clause.titre, "texte": clause.texte,
            })
    record("charte.creee", actor, f"charte:{charte.id}", titre=titre, modele=modele.id, modele_sha256=modele.sha256)
    _write_version(charte, titre, parsed.preambule, themes, clauses, VersionStatut.ADOPTEE, actor,
                   note=f"Texte du modèle « {modele.titre} » (version {modele.version_label}).")
    return charte


def get_charte(charte_id: int) -> Charte:
    charte = db.session.get(Charte, charte_id)
    if charte is None:
        raise NotFound("Cette charte n’existe pas.")
    return charte


def get_version(charte: Charte, numero: int) -> Version:
    version = db.session.scalar(select(Version).filter_by(charte_id=charte.id, numero=numero))
    if version is None:
        raise NotFound(f"La version {numero} de cette charte n’existe pas.")
    return version


def clause_history(charte: Charte, ref: str) -> list[tuple[Version, VersionClause | None]]:
    """Every version of the charter with the clause as it stood there (None where absent)."""
    history = [(version, version.clause(ref)) for version in charte.versions]
    if not any(clause for _, clause in history):
        raise NotFound(f"La clause {ref} n’existe dans aucune version de cette charte.")
    return history


# --- Checks used by charte.audit: each stored row against what the keyed journal sealed ----------
# `journalled` values come from the journal's entries ("version.creee", "charte.creee",
# "modele.importe"): plain values, so that this module does not read the journal itself.


def verify_charte_versions(charte: Charte, journalled: dict[int, tuple[str, int]]) -> tuple[int, str] | None:
    """A charter's versions: their chain (1..N, each hash covering its parent), then each against the
    SHA-256 its journal entry sealed (`journalled`: numero -> (sha256, journal seq)). A version whose
    hashes were all recomputed, or that was deleted, no longer matches the journal. First (numero, reason)."""
    broken = verify_versions(v.stored() for v in charte.versions)
    if broken:
        return broken
    stored = {v.numero: v.sha256 for v in charte.versions}
    for numero in sorted(set(stored) | set(journalled)):
        if numero not in journalled:
            return numero, "elle n’est pas inscrite au journal"
        sha256, seq = journalled[numero]
        if numero not in stored:
            return numero, f"inscrite au journal (entrée n° {seq}), elle a disparu de la base"
        if stored[numero] != sha256:
            return numero, f"son empreinte SHA-256 n’est pas celle inscrite au journal (entrée n° {seq})"
    return None


def verify_charte_record(charte: Charte, journalled: tuple[str, int, int] | None) -> str | None:
    """A charter's title and template against its "charte.creee" entry (titre, modele id, journal seq)."""
    if journalled is None:
        return "elle n’est pas inscrite au journal"
    titre, modele_id, seq = journalled
    if charte.titre != titre:
        return f"son titre « {charte.titre} » n’est pas celui inscrit au journal (entrée n° {seq})"
    if charte.modele_id != modele_id:
        return f"son modèle n’est pas celui inscrit au journal (entrée n° {seq})"
    return None


def verify_modele_source(modele: Modele, journalled: tuple[str, int] | None) -> str | None:
    """A template's source against its stored SHA-256, and that against its "modele.importe" entry."""
    if sha256_hex(modele.source.encode("utf-8")) != modele.sha256:
        return "sa source ne correspond plus à son empreinte SHA-256"
    if journalled is None:
        return "il n’est pas inscrit au journal"
    sha256, seq = journalled
    if modele.sha256 != sha256:
        return f"son empreinte SHA-256 n’est pas celle inscrite au journal (entrée n° {seq})"
    return None


def file_sha256(path: Path) -> str:
    """SHA-256 of a template file as importer_modele computes it."""
    return sha256_hex(decode_template(path.read_bytes()).encode("utf-8"))
