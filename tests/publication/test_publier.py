"""Publishing: rendered once, signed, stored as is; a PDF/A-3a that pyHanko and Poppler both accept."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.status import SignatureCoverageLevel
from sqlalchemy import func, select

from charte.chartes.models import VersionStatut
from charte.exceptions import Conflict
from charte.extensions import db
from charte.hashing import chained_hash, sha256_hex
from charte.journal.models import JournalEntry
from charte.journal.services import verify_journal
from charte.publication.certificats import CertificatRefuse, ecrire_p12, generer_certificat
from charte.publication.models import Publication
from charte.publication.services import publier
from tests.publication.outils import catalogue, nouvelle_version, pdfsig_valide, pieces_jointes, poppler, valider


def _journal_count() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def test_published_pdf_is_signed_archival_tagged_and_complete(app, make_publication, make_user, make_charte,
                                                              tmp_path):
    comite = make_user("comite")
    charte = make_charte()
    head_before = db.session.execute(select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc())
                                     .limit(1)).one()
    publication = make_publication(charte, actor=comite)
    version = publication.version
    pdf = publication.pdf
    path = tmp_path / "charte.pdf"
    path.write_bytes(pdf)

    # Stored once, with its SHA-256; the version is published, the journal says so and still holds.
    assert publication.pdf_sha256 == sha256_hex(pdf) and publication.pdf_taille == len(pdf)
    assert version.statut == VersionStatut.PUBLIEE and version.published_at == publication.published_at
    entry = db.session.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())).first()
    assert entry.action == "version.publiee" and entry.actor_id == comite.id
    assert entry.details["pdf_sha256"] == publication.pdf_sha256
    assert (publication.journal_seq, publication.journal_hash) == tuple(head_before)
    assert verify_journal() is None

    # pyHanko: intact, valid, PAdES, SHA-256, covering the whole file; signer, reason and place.
    sig, status = valider(pdf)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.modification_level == ModificationLevel.NONE
    assert status.md_algorithm == "sha256"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig.sig_object["/Reason"] == "Adoption de la charte IA, version 1"
    assert sig.sig_object["/Name"] == "Marie Dupont" and sig.sig_object["/Location"] == "Belval"
    claimed = status.cades_signer_attrs.claimed_attrs
    roles = [v["role_name"].chosen.native["common_name"] for v in claimed["role"].attr_values]
    assert roles == ["Maire"]

    # Poppler agrees.
    valide, sortie = pdfsig_valide(path)
    assert valide, sortie
    assert "ETSI.CAdES.detached" in sortie and "SHA-256" in sortie

    # Every font embedded (the signature block's too).
    fonts = poppler("pdffonts", str(path)).stdout.splitlines()[2:]
    assert len(fonts) >= 3
    assert all(line.split()[-5] == "yes" for line in fonts), fonts
    assert any("DejaVuSans-Identity-H" in line for line in fonts)  # the visible signature block's font

    # PDF/A-3a: XMP identification, tagged (structure tree, marked), language, metadata.
    root = catalogue(pdf)
    xmp = root["/Metadata"].get_object().data.decode("utf-8")
    assert re.search(r'pdfaid:part(="3"|>3<)', xmp) and re.search(r'pdfaid:conformance(="A"|>A<)', xmp)
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "fr"
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    info = poppler("pdfinfo", str(path)).stdout
    assert f"Title:           {version.titre} — version 1" in info
    assert "Author:          Votre collectivité" in info and "Subject:" in info and "Tagged:          yes" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info

    # The text: every clause title, the cover, the footer, the journal head on the last page.
    texte = poppler("pdftotext", "-layout", str(path), "-").stdout
    for clause in version.clauses:
        assert f"{clause.ref}" in texte and clause.titre in re.sub(r"\s+", " ", texte), clause.titre
    assert version.sha256 in texte.replace("\n", "").replace(" ", "")
    pages = texte.split("\f")
    total = len([p for p in pages if p.strip()])
    assert f"Version 1 — page 2/{total}" in pages[1]
    dernier = re.sub(r"\s+", " ", pages[total - 1])
    assert "Tête du journal à la publication" in dernier and f"entrée n° {publication.journal_seq}" in dernier
    assert "Signé électroniquement par" in dernier and "Marie Dupont" in dernier

    # The JSON and the Markdown attached are the open data stored with the publication.
    pieces = pieces_jointes(pdf)
    assert pieces == {"charte-v1.json": publication.donnees_json.encode(), "charte-v1.md": publication.donnees_md.encode()}
    donnees = json.loads(publication.donnees_json)
    assert donnees["publication"]["tete_du_journal"] == {"seq": publication.journal_seq, "hash": publication.journal_hash}
    assert donnees["licence"]["nom"] == "Licence Ouverte / Open Licence version 2.0"
    contenu = donnees["version"]["contenu"]
    assert chained_hash(contenu, "0" * 64) == version.sha256  # anyone can recompute the version's hash
    assert f"### {version.clauses[0].ref} — {version.clauses[0].titre}" in publication.donnees_md


def test_refused_without_a_certificate_and_nothing_is_written(app, make_charte, make_user, tmp_path):
    app.config.update(CHARTE_SIGNING_P12="", CHARTE_SIGNING_KEY="", CHARTE_SIGNING_CERT="",
                      INSTANCE_PATH=str(tmp_path))
    charte = make_charte()
    comite = make_user("comite")
    before = _journal_count()
    with pytest.raises(CertificatRefuse, match="Aucun certificat de signature n’est configuré"):
        publier(charte.version_courante, comite)
    db.session.rollback()
    assert charte.version_courante.statut == VersionStatut.ADOPTEE
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0
    assert _journal_count() == before


@pytest.mark.parametrize("probleme, message", [
    ("expire", "a expiré"),
    ("futur", "n’est valable qu’à partir"),
    ("illisible", "illisible"),
])
def test_refused_with_an_unusable_certificate(app, make_charte, tmp_path, probleme, message):
    path = tmp_path / "c.p12"
    if probleme == "illisible":
        path.write_bytes(b"pas un certificat")
    else:
        debut = datetime.now(timezone.utc) - (timedelta(days=400) if probleme == "expire" else -timedelta(days=2))
        cert, key = generer_certificat("Essai", jours=30, maintenant=debut)
        ecrire_p12(path, cert, key)
    app.config["CHARTE_SIGNING_P12"] = str(path)
    charte = make_charte()
    before = _journal_count()
    with pytest.raises(CertificatRefuse, match=message):
        publier(charte.version_courante, None)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0
    assert _journal_count() == before and charte.version_courante.statut == VersionStatut.ADOPTEE


def test_only_an_adopted_version_once_and_never_behind_a_newer_one(app, signing, make_charte, make_publication):
    charte = make_charte()
    brouillon = nouvelle_version(charte, statut=VersionStatut.BROUILLON)
    with pytest.raises(Conflict, match="n’est pas adoptée"):
        publier(brouillon, None)
    db.session.rollback()
    v1 = charte.versions[0]
    v3 = nouvelle_version(charte, texte={v1.clauses[0].ref: "Texte réécrit pour la version 3."})
    make_publication(charte, v3)
    with pytest.raises(Conflict, match="La version 3, plus récente, est déjà publiée"):
        publier(v1, None)
    db.session.rollback()
    with pytest.raises(Conflict, match="déjà publiée"):
        publier(v3, None)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 1


def test_the_previous_publication_is_superseded(app, make_charte, make_publication):
    charte = make_charte()
    premiere = make_publication(charte)
    v1 = charte.versions[0]
    v2 = nouvelle_version(charte, texte={v1.clauses[0].ref: "Nouvelle rédaction de la première clause."})
    seconde = make_publication(charte, v2)
    db.session.refresh(v1)
    assert v1.statut == VersionStatut.REMPLACEE and v2.statut == VersionStatut.PUBLIEE
    assert premiere.pdf_sha256 != seconde.pdf_sha256
    assert seconde.journal_seq > premiere.journal_seq  # the first publication's entry is anchored in the second
    # The stored rows never change afterwards.
    premiere.raison = "autre chose"
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()
