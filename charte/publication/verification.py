"""Checking a PDF someone holds: is it signed, intact, covered entirely by its signature, signed with the
authority's certificate, and which published version is it. No Flask, no database: plain values in and out.

pyHanko's summary verdict accepts some incremental updates made after a signature (form filling,
annotations…). A published charter admits none: anything appended after the signature — even what
pyHanko would call harmless — is reported as a change after signing, by checking the coverage
(ENTIRE_FILE) and the modification level (NONE), not only the summary.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Iterable, Literal

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from charte.publication.asynchrone import sans_boucle

Etat = Literal["non_pdf", "illisible", "non_signe", "signe"]

# pyHanko logs a full traceback whenever a certificate path cannot be built (any self-signed
# certificate): the verdict below says it in words, the log need not.
logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Analyse:
    """What the file itself says, before comparing it with what the authority published."""

    etat: Etat
    sha256: str
    taille: int
    nb_signatures: int = 0
    intacte: bool = False
    couvre_tout: bool = False
    couverture: str = ""
    modification: str = ""
    certificat_sha256: str = ""
    certificat_nom: str = ""
    certificat_sujet: str = ""
    signataire_nom: str = ""
    raison: str = ""
    lieu: str = ""
    signe_at: datetime | None = None
    horodatage_at: datetime | None = None
    horodatage_intact: bool | None = None
    horodatage_reconnu: bool | None = None
    sha256_revision_signee: str = ""
    erreur: str = ""


def est_pdf(data: bytes) -> bool:
    """A PDF starts with its header (within the first kilobyte, as readers tolerate)."""
    return b"%PDF-" in data[:1024]


def _texte(sig_object, key: str) -> str:
    value = sig_object.get(key)
    return str(value) if value is not None else ""


def _certificat_nom(cert: asn1_x509.Certificate) -> str:
    return cert.subject.native.get("common_name") or cert.subject.human_friendly


def _contexte(racines: Iterable[asn1_x509.Certificate]) -> ValidationContext:
    return ValidationContext(trust_roots=list(racines), allow_fetching=False, revocation_mode="soft-fail")


def analyser_pdf(data: bytes, racines_horodatage: Iterable[asn1_x509.Certificate] = ()) -> Analyse:
    """Read and check the file's first signature; never raises on a hostile or broken file."""
    digest = hashlib.sha256(data).hexdigest()
    base = {"sha256": digest, "taille": len(data)}
    if not est_pdf(data):
        return Analyse("non_pdf", **base)
    # The file is untrusted input: whatever pyHanko fails on, the answer is "unreadable", never a crash.
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001
        return Analyse("illisible", erreur=type(exc).__name__, **base)
    if not signatures:
        return Analyse("non_signe", **base)
    sig = signatures[0]
    try:
        signer_cert = sig.signer_cert
        debut, longueur_a, debut_b, longueur_b = (int(v) for v in sig.byte_range)
        fin_signee = debut_b + longueur_b
        status = sans_boucle(
            validate_pdf_signature, sig, signer_validation_context=_contexte([signer_cert]),
            ts_validation_context=_contexte(racines_horodatage))
    except Exception as exc:  # noqa: BLE001
        return Analyse("signe", nb_signatures=len(signatures), erreur=type(exc).__name__, **base)
    niveau = status.modification_level
    couverture = status.coverage
    horodatage = status.timestamp_validity
    return Analyse(
        "signe",
        nb_signatures=len(signatures),
        intacte=bool(status.intact and status.valid),
        couvre_tout=(couverture == SignatureCoverageLevel.ENTIRE_FILE and niveau == ModificationLevel.NONE
                     and len(signatures) == 1 and debut == 0),
        couverture=couverture.name if couverture is not None else "",
        modification=niveau.name if niveau is not None else "",
        certificat_sha256=hashlib.sha256(signer_cert.dump()).hexdigest(),
        certificat_nom=_certificat_nom(signer_cert),
        certificat_sujet=signer_cert.subject.human_friendly,
        signataire_nom=_texte(sig.sig_object, "/Name"),
        raison=_texte(sig.sig_object, "/Reason"),
        lieu=_texte(sig.sig_object, "/Location"),
        signe_at=status.signer_reported_dt,
        horodatage_at=horodatage.timestamp if horodatage is not None else None,
        horodatage_intact=bool(horodatage.intact and horodatage.valid) if horodatage is not None else None,
        horodatage_reconnu=bool(horodatage.trusted) if horodatage is not None else None,
        sha256_revision_signee=hashlib.sha256(data[:fin_signee]).hexdigest(),
        **base,
    )


# --- The verdict ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationConnue:
    """A version the authority published, as the verdict names it."""

    charte_titre: str
    numero: int
    published_at: datetime
    url: str


@dataclass(frozen=True)
class Verdict:
    code: str
    ok: bool
    titre: str
    explication: str
    faits: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    publication: PublicationConnue | None = None


def _date(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y à %H:%M:%S UTC") if value else "—"


def _faits(analyse: Analyse, certificat_autorite: str | None) -> tuple[tuple[str, str], ...]:
    faits = [("Empreinte SHA-256 du fichier", analyse.sha256)]
    if analyse.etat != "signe" or analyse.erreur:
        return tuple(faits)
    if analyse.signataire_nom:
        faits.append(("Signataire", analyse.signataire_nom))
    faits.append(("Certificat", analyse.certificat_nom))
    if certificat_autorite:
        faits.append(("Nature du certificat", certificat_autorite))
    faits.append(("Empreinte SHA-256 du certificat", analyse.certificat_sha256))
    faits.append(("Signé le", _date(analyse.signe_at)))
    if analyse.horodatage_at is not None:
        if not analyse.horodatage_intact:
            etat = "jeton d’horodatage invalide"
        elif analyse.horodatage_reconnu:
            etat = "émis par une autorité d’horodatage reconnue"
        else:
            etat = "jeton intact, autorité d’horodatage non vérifiée ici"
        faits.append(("Horodatage", f"{_date(analyse.horodatage_at)} ({etat})"))
    if analyse.raison:
        faits.append(("Motif", analyse.raison))
    if analyse.lieu:
        faits.append(("Lieu", analyse.lieu))
    return tuple(faits)


def conclure(analyse: Analyse, autorite: str, certificats_autorite: dict[str, str],
             publication: PublicationConnue | None, publication_signee: PublicationConnue | None) -> Verdict:
    """The verdict in plain French.

    `certificats_autorite` maps the fingerprints of the authority's certificates to what they are (the
    one configured now, one used for an earlier publication); `publication` is the published version
    whose stored file has this file's SHA-256; `publication_signee` the one whose file is the signed
    part of this one (when data were appended after the signature)."""
    nature = certificats_autorite.get(analyse.certificat_sha256)
    faits = _faits(analyse, nature)
    if analyse.etat == "non_pdf":
        return Verdict("non_pdf", False, "Ce fichier n’est pas un PDF",
                       "Le fichier envoyé n’est pas un document PDF : il ne peut pas être vérifié.", faits)
    if analyse.etat == "illisible":
        return Verdict("illisible", False, "PDF endommagé ou illisible",
                       "Ce PDF est endommagé : sa structure ne peut pas être lue, sa signature ne peut donc pas être "
                       "vérifiée. S’il a été téléchargé ici, il a été modifié depuis ; téléchargez l’original.", faits)
    if analyse.etat == "non_signe":
        return Verdict("non_signe", False, "Document non signé",
                       f"Ce PDF ne porte aucune signature électronique : rien ne permet de l’attribuer à {autorite}.",
                       faits)
    if analyse.erreur or not analyse.intacte:
        return Verdict("altere", False, "Signature rompue : document modifié",
                       "Le contenu de ce PDF a été modifié après sa signature : la signature ne correspond plus "
                       "au document. Ne vous fiez pas à ce fichier.", faits)
    if not analyse.couvre_tout:
        suite = ""
        if publication_signee is not None:
            suite = (f" La partie signée est bien la version {publication_signee.numero} de « "
                     f"{publication_signee.charte_titre} » : téléchargez l’original sur {publication_signee.url}.")
        return Verdict("modifie_apres_signature", False, "Modifié après la signature",
                       "La signature d’origine est intacte, mais des données ont été ajoutées au fichier après la "
                       "signature (mise à jour incrémentale) : ce fichier n’est pas le document tel qu’il a été "
                       f"signé et publié.{suite}", faits, publication_signee)
    if nature is None:
        return Verdict("autre_certificat", False, "Signé par quelqu’un d’autre",
                       f"La signature est intacte, mais elle a été faite avec le certificat « "
                       f"{analyse.certificat_nom} », qui n’est pas celui de {autorite} : ce document n’est pas une "
                       f"publication de {autorite}.", faits)
    if publication is None:
        return Verdict("non_publie", False, "Signé par la collectivité, mais non publié ici",
                       f"Le document est intact et signé avec le certificat de {autorite}, mais il ne correspond à "
                       "aucune version publiée sur ce site.", faits)
    return Verdict("valide", True, "Document authentique et intact",
                   f"Ce PDF est la version {publication.numero} de « {publication.charte_titre} », publiée par "
                   f"{autorite} le {_date(publication.published_at)}. Il est intact : pas un octet n’a changé "
                   "depuis sa signature.", faits, publication)


def date_horodatage(pdf: bytes) -> datetime | None:
    """The time the timestamp authority certified in the file's first signature (RFC 3161), if any."""
    signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures
    if not signatures:
        return None
    attrs = signatures[0].signer_info["unsigned_attrs"]
    for attr in (attrs if attrs.native else ()):
        if attr["type"].native == "signature_time_stamp_token":
            tst_info = attr["values"][0]["content"]["encap_content_info"]["content"].parsed
            return tst_info["gen_time"].native
    return None
