"""Publishing an adopted version (render once, sign, store the signed bytes) and reading publications."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from flask import current_app, render_template
from sqlalchemy import select

from charte.chartes.models import Charte, Version, VersionStatut
from charte.exceptions import Conflict, NotFound
from charte.extensions import db
from charte.hashing import sha256_hex
from charte.journal.services import journal_head, record
from charte.parametres import authority_name
from charte.publication.certificats import Certificat, charger_certificat, empreinte_configuree
from charte.publication.annexe import annexe_de
from charte.publication.contenu import (
    DocumentPublie, donnees_publication, json_publication, markdown_publication, qr_svg,
)
from charte.publication.models import Publication
from charte.publication.rendu import PieceJointe, rendre_pdf
from charte.publication.signature import Signataire, signer_pdf
from charte.publication.verification import (
    PublicationConnue, Verdict, analyser_pdf, conclure, date_horodatage,
)
from charte.textes.comparaison import ClauseComparee, bilan, comparer
from charte.textes.fusion import ClauseTexte

ANCRE_SIGNATURE = "zone-signature"
URL_LOCALE = "http://127.0.0.1:5000"


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


# --- Publishing ----------------------------------------------------------------------------------


def chemin_public(charte_id: int, numero: int) -> str:
    """The path of a published version's public page (built without a request: the CLI publishes too)."""
    return current_app.url_map.bind("localhost").build("publication.version",
                                                       {"charte_id": charte_id, "numero": numero})


def url_publique(charte_id: int, numero: int, base_url: str | None = None) -> str:
    """Absolute address of the public page: CHARTE_PUBLIC_URL, else the request's, else the local one."""
    base = current_app.config.get("CHARTE_PUBLIC_URL") or (base_url or "").rstrip("/") or URL_LOCALE
    return base + chemin_public(charte_id, numero)


def signataire_pour(version: Version, certificat: Certificat) -> Signataire:
    config = current_app.config
    return Signataire(
        nom=config.get("CHARTE_SIGNER_NAME") or certificat.nom,
        role=config.get("CHARTE_SIGNER_ROLE") or "",
        lieu=config.get("CHARTE_SIGNING_PLACE") or authority_name(),
        raison=f"Adoption de la charte IA, version {version.numero}",
    )


def verifier_publiable(version: Version) -> None:
    """Only an adopted version may be published, once, and never behind a newer published one."""
    if version.statut in (VersionStatut.PUBLIEE, VersionStatut.REMPLACEE):
        raise Conflict(f"La version {version.numero} est déjà publiée : une publication est définitive. "
                       "Une correction passe par une nouvelle version.")
    if version.statut != VersionStatut.ADOPTEE:
        raise Conflict(f"La version {version.numero} n’est pas adoptée (état : {version.statut.label}) : "
                       "seule une version adoptée peut être publiée.")
    newer = [v.numero for v in version.charte.versions
             if v.statut == VersionStatut.PUBLIEE and v.numero > version.numero]
    if newer:
        raise Conflict(f"La version {max(newer)}, plus récente, est déjà publiée : la version {version.numero} "
                       "ne peut plus l’être.")


def publier(version: Version, actor, base_url: str | None = None) -> Publication:
    """Render the adopted version once as PDF/A, sign it, store those exact bytes with their SHA-256; the
    charter's previously published version becomes `remplacee`. Refused (nothing written) without a
    valid signing certificate."""
    verifier_publiable(version)
    config = current_app.config
    certificat = charger_certificat(config)
    signataire = signataire_pour(version, certificat)
    tsa_url = config.get("CHARTE_TSA_URL") or None
    maintenant = utcnow()
    tete = journal_head()
    url = url_publique(version.charte_id, version.numero, base_url)
    donnees = donnees_publication(
        autorite=authority_name(), charte_id=version.charte_id, charte_titre=version.charte.titre,
        contenu=version.content().payload(), sha256=version.sha256, parent_sha256=version.parent_sha256,
        adopted_at=version.adopted_at, published_at=maintenant, url=url,
        signataire={"nom": signataire.nom, "role": signataire.role, "lieu": signataire.lieu,
                    "raison": signataire.raison},
        certificat={"nom": certificat.nom, "sujet": certificat.sujet, "sha256": certificat.sha256},
        journal=tete, horodatage=tsa_url is not None, annexe=annexe_de(version),
    )
    texte_json = json_publication(donnees)
    texte_md = markdown_publication(donnees)
    rendu = rendre_pdf_publication(DocumentPublie(json.loads(texte_json)), texte_json, texte_md)
    signe = signer_pdf(rendu.pdf, certificat, signataire, rendu.cadre, tsa_url)
    for autre in version.charte.versions:
        if autre.statut == VersionStatut.PUBLIEE:
            autre.statut = VersionStatut.REMPLACEE
    version.statut = VersionStatut.PUBLIEE
    version.published_at = maintenant
    publication = Publication(
        version_id=version.id, charte_id=version.charte_id, numero=version.numero, published_at=maintenant,
        published_by_id=actor.id if actor is not None else None, pdf=signe, pdf_sha256=sha256_hex(signe),
        pdf_taille=len(signe), donnees_json=texte_json, donnees_md=texte_md, url_publique=url,
        signataire_nom=signataire.nom, signataire_role=signataire.role, signataire_lieu=signataire.lieu,
        raison=signataire.raison, certificat_sujet=certificat.sujet[:500], certificat_sha256=certificat.sha256,
        horodatage_at=_naive(date_horodatage(signe)) if tsa_url else None,
        journal_seq=tete[0], journal_hash=tete[1],
    )
    db.session.add(publication)
    db.session.flush()
    record("version.publiee", actor, f"version:{version.id}", charte=version.charte_id, numero=version.numero,
           pdf_sha256=publication.pdf_sha256, certificat_sha256=certificat.sha256, journal_seq=tete[0],
           journal_hash=tete[1], horodatage=publication.horodatage_at)
    return publication


def _naive(value: datetime | None) -> datetime | None:
    return value.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0) if value is not None else None


def html_pdf(doc: DocumentPublie) -> str:
    """The HTML the PDF is rendered from (the same document partial as the public page)."""
    return render_template("publication/pdf.html", doc=doc, qr=qr_svg(doc.url), pdf=True)


def rendre_pdf_publication(doc: DocumentPublie, texte_json: str, texte_md: str):
    """WeasyPrint's PDF/A of the document with its JSON and Markdown attached (not yet signed)."""
    pieces = [
        PieceJointe(f"charte-v{doc.numero}.json", "Données ouvertes de la version (JSON, Licence Ouverte 2.0)",
                    texte_json.encode("utf-8")),
        PieceJointe(f"charte-v{doc.numero}.md", "Texte de la version (Markdown, Licence Ouverte 2.0)",
                    texte_md.encode("utf-8")),
    ]
    return rendre_pdf(html_pdf(doc), Path(current_app.static_folder), pieces, ANCRE_SIGNATURE)


# --- Reading -------------------------------------------------------------------------------------


def chartes_publiees() -> list[tuple[Charte, list[Publication]]]:
    """Each charter with a publication, and its publications newest first."""
    rows = db.session.scalars(select(Publication).order_by(Publication.charte_id, Publication.numero.desc())).all()
    grouped: dict[int, list[Publication]] = {}
    for row in rows:
        grouped.setdefault(row.charte_id, []).append(row)
    return [(pubs[0].charte, pubs) for pubs in grouped.values()]


def publications_recentes(limite: int = 50) -> list[Publication]:
    return list(db.session.scalars(select(Publication).order_by(Publication.published_at.desc(),
                                                                Publication.id.desc()).limit(limite)))


def publications_de(charte_id: int) -> list[Publication]:
    rows = list(db.session.scalars(select(Publication).filter_by(charte_id=charte_id)
                                   .order_by(Publication.numero.desc())))
    if not rows:
        raise NotFound("Aucune version de cette charte n’est publiée.")
    return rows


def get_publication(charte_id: int, numero: int) -> Publication:
    found = db.session.scalar(select(Publication).filter_by(charte_id=charte_id, numero=numero))
    if found is None:
        raise NotFound(f"La version {numero} de cette charte n’est pas publiée.")
    return found


def precedente(publication: Publication) -> Publication | None:
    """The charter's publication just before this one."""
    return db.session.scalar(select(Publication).where(Publication.charte_id == publication.charte_id,
                                                       Publication.numero < publication.numero)
                             .order_by(Publication.numero.desc()).limit(1))


def document(publication: Publication) -> DocumentPublie:
    """What the publication says, from its stored JSON (the PDF was rendered from the same)."""
    return DocumentPublie(json.loads(publication.donnees_json))


@dataclass(frozen=True)
class Comparaison:
    avant: Publication
    clauses: tuple[ClauseComparee, ...]

    @property
    def bilan(self):
        return bilan(self.clauses)

    @property
    def changees(self) -> tuple[ClauseComparee, ...]:
        return tuple(c for c in self.clauses if c.statut != "inchangee")


def _textes(doc: DocumentPublie) -> list[ClauseTexte]:
    return [ClauseTexte(c.ref, c.theme_position, c.position, c.theme, c.titre, c.texte) for c in doc.clauses()]


def comparaison(publication: Publication) -> Comparaison | None:
    """Clause by clause, what changed since the previous published version (None for the first)."""
    avant = precedente(publication)
    if avant is None:
        return None
    return Comparaison(avant, comparer(_textes(document(avant)), _textes(document(publication))))


# --- Verifying -----------------------------------------------------------------------------------


def _connue(publication: Publication | None) -> PublicationConnue | None:
    if publication is None:
        return None
    return PublicationConnue(publication.charte.titre, publication.numero, publication.published_at,
                             publication.url_publique)


def racines_horodatage() -> list[asn1_x509.Certificate]:
    """Trusted timestamp authorities (CHARTE_TSA_CA, PEM), to say whether a timestamp is recognised."""
    path = current_app.config.get("CHARTE_TSA_CA")
    if not path:
        return []
    try:
        data = Path(path).read_bytes()
    except OSError:
        return []
    if asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def verifier_fichier(data: bytes) -> Verdict:
    """The verdict on an uploaded or given PDF: nothing of it is stored."""
    analyse = analyser_pdf(data, racines_horodatage())
    autorite = authority_name()
    certificats: dict[str, str] = {}
    for (empreinte,) in db.session.execute(select(Publication.certificat_sha256).distinct()):
        certificats[empreinte] = f"certificat utilisé par {autorite} pour ses publications"
    configure = empreinte_configuree(current_app.config)
    if configure:
        certificats[configure] = f"certificat de signature de {autorite} (celui configuré ici)"
    par_fichier = db.session.scalar(select(Publication).filter_by(pdf_sha256=analyse.sha256))
    par_revision = None
    if analyse.sha256_revision_signee and analyse.sha256_revision_signee != analyse.sha256:
        par_revision = db.session.scalar(select(Publication).filter_by(pdf_sha256=analyse.sha256_revision_signee))
    return conclure(analyse, autorite, certificats, _connue(par_fichier), _connue(par_revision))


# --- Audit ---------------------------------------------------------------------------------------


def verifier_publications() -> str | None:
    """The first publication that no longer holds (French sentence), or None.

    Each stored PDF still has its SHA-256, its data still name the version's hash, and the journal still
    holds the entry whose hash the signed PDF anchors: a journal cut or rewritten before that entry no
    longer matches a document anyone may have downloaded."""
    from sqlalchemy.orm import undefer

    from charte.journal.models import JournalEntry

    rows = db.session.scalars(select(Publication).order_by(Publication.id)
                              .options(undefer(Publication.pdf), undefer(Publication.donnees_json)))
    for publication in rows:
        nom = f"version {publication.numero} de la charte n°\u00a0{publication.charte_id}"
        if sha256_hex(publication.pdf) != publication.pdf_sha256:
            return f"{nom}\u00a0: le PDF enregistré ne correspond plus à son empreinte SHA-256"
        if json.loads(publication.donnees_json)["version"]["sha256"] != publication.version.sha256:
            return f"{nom}\u00a0: les données publiées ne correspondent plus au contenu de la version"
        if publication.journal_seq:
            ancre = db.session.scalar(select(JournalEntry.hash).filter_by(seq=publication.journal_seq))
            if ancre != publication.journal_hash:
                return (f"{nom}\u00a0: le journal ne contient plus l’entrée n°\u00a0{publication.journal_seq} "
                        "ancrée dans le PDF signé")
    return None
