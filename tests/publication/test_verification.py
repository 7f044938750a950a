"""The verification page and its verdicts: valid, tampered, appended, unsigned, other signer, not a PDF, too big."""
from __future__ import annotations

import os
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from sqlalchemy import func, select

from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.publication.certificats import charger_certificat, ecrire_p12, generer_certificat
from charte.publication.models import Publication
from charte.publication.rendu import rendre_pdf
from charte.publication.signature import Signataire, signer_pdf
from charte.publication.verification import Analyse, PublicationConnue, conclure
from tests.conftest import page_text

AUTORITE = "Ville de Test"
PUB = PublicationConnue("Charte d’essai", 2, datetime(2026, 5, 4, 10, 0), "https://ville.example/publications/1/versions/2")
CERT = "a" * 64


def _analyse(**kwargs) -> Analyse:
    values = dict(etat="signe", sha256="f" * 64, taille=1000, nb_signatures=1, intacte=True, couvre_tout=True,
                  certificat_sha256=CERT, certificat_nom="Ville de Test — signature", signataire_nom="Marie Dupont",
                  signe_at=datetime(2026, 5, 4, 10, 0, 5), sha256_revision_signee="f" * 64)
    values.update(kwargs)
    return Analyse(**values)


@pytest.mark.parametrize("analyse, certificats, publication, signee, code, ok", [
    (_analyse(), {CERT: "configuré"}, PUB, None, "valide", True),
    (_analyse(), {CERT: "configuré"}, None, None, "non_publie", False),
    (_analyse(), {"b" * 64: "configuré"}, PUB, None, "autre_certificat", False),
    (_analyse(couvre_tout=False), {CERT: "configuré"}, None, PUB, "modifie_apres_signature", False),
    (_analyse(couvre_tout=False), {CERT: "configuré"}, PUB, None, "modifie_apres_signature", False),
    (_analyse(intacte=False), {CERT: "configuré"}, PUB, None, "altere", False),
    (_analyse(intacte=True, erreur="PdfReadError"), {CERT: "configuré"}, PUB, None, "altere", False),
    (_analyse(etat="non_signe"), {CERT: "configuré"}, None, None, "non_signe", False),
    (_analyse(etat="illisible"), {CERT: "configuré"}, None, None, "illisible", False),
    (_analyse(etat="non_pdf"), {CERT: "configuré"}, None, None, "non_pdf", False),
])
def test_verdicts(analyse, certificats, publication, signee, code, ok):
    verdict = conclure(analyse, AUTORITE, certificats, publication, signee)
    assert (verdict.code, verdict.ok) == (code, ok)
    assert verdict.titre and verdict.explication.endswith(".")
    if code == "valide":
        assert "version 2 de «\u00a0Charte d’essai\u00a0»" in verdict.explication
        assert ("Signataire", "Marie Dupont") in verdict.faits
    if signee is not None:
        assert "La partie signée est bien la version 2" in verdict.explication


@pytest.fixture
def publie(make_publication):
    return make_publication()


def _envoyer(client, data: bytes, nom: str = "charte.pdf", **kwargs):
    return client.submit("/verifier", {"fichier": (BytesIO(data), nom)}, content_type="multipart/form-data", **kwargs)


def _compte():
    return (db.session.scalar(select(func.count()).select_from(JournalEntry)),
            db.session.scalar(select(func.count()).select_from(Publication)))


def test_the_published_file_is_recognised(client, publie):
    before = _compte()
    response = _envoyer(client, publie.pdf)
    text = page_text(response)
    assert response.status_code == 200
    assert "Document authentique et intact" in text and "la version 1 de" in text
    assert "Marie Dupont" in text and publie.pdf_sha256 in text and publie.certificat_sha256 in text
    assert "celui configuré ici" in text
    assert _compte() == before


def test_a_tampered_file_is_reported(client, publie):
    data = bytearray(publie.pdf)
    data[len(data) // 3] ^= 0x01
    response = _envoyer(client, bytes(data))
    assert response.status_code == 200
    text = page_text(response)
    assert "Document authentique" not in text
    assert "Signature rompue" in text or "endommagé" in text


def test_an_unsigned_pdf_is_reported(client, app, publie):
    html = '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>x</title></head><body>Non signé</body></html>'
    pdf = rendre_pdf(html, Path(app.static_folder)).pdf
    text = page_text(_envoyer(client, pdf))
    assert "Document non signé" in text and "aucune signature électronique" in text


def test_a_pdf_signed_with_another_certificate_is_not_the_authoritys(client, app, publie, tmp_path):
    cert, key = generer_certificat("Usurpateur")
    ecrire_p12(tmp_path / "autre.p12", cert, key)
    autre = charger_certificat({"CHARTE_SIGNING_P12": str(tmp_path / "autre.p12"), "INSTANCE_PATH": str(tmp_path)})
    html = '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>x</title></head><body>Faux</body></html>'
    pdf = signer_pdf(rendre_pdf(html, Path(app.static_folder)).pdf, autre,
                     Signataire("Marie Dupont", "Maire", "Belval", "Adoption"), None)
    text = page_text(_envoyer(client, pdf))
    assert "Signé par quelqu’un d’autre" in text and "«\u00a0Usurpateur\u00a0»" in text


def test_not_a_pdf_is_refused_cleanly(client, publie):
    before = _compte()
    response = _envoyer(client, b"GIF89a ceci est une image", "image.gif")
    assert response.status_code == 400
    assert "Ce fichier n’est pas un PDF" in page_text(response)
    assert _compte() == before


def _multipart(client, data: bytes) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a big one to a temporary file that it
    leaves open when the application refuses to read it)."""
    boundary = "limite-de-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{client.csrf_token()}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"gros.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_oversize_upload_is_refused(client, app, publie):
    before = _compte()
    big = b"%PDF-1.7\n" + b"0" * (app.config["CHARTE_MAX_PDF_MB"] * 1024 * 1024 + 10)
    body, content_type = _multipart(client, big)
    response = client.post("/verifier", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "Le fichier dépasse 20\u00a0Mo" in page_text(response)
    assert _compte() == before


def test_a_big_upload_under_the_limit_is_accepted_on_this_route_only(client, app, publie):
    # 2 MB appended in an incremental update: over the site's 512 KiB, under 20 MB.
    writer = IncrementalPdfFileWriter(BytesIO(publie.pdf))
    writer.add_object(generic.StreamObject(stream_data=os.urandom(2 * 1024 * 1024)))
    out = BytesIO()
    writer.write(out)
    data = out.getvalue()
    body, content_type = _multipart(client, data)
    response = client.post("/verifier", data=body, content_type=content_type)
    assert response.status_code == 200 and "Modifié après la signature" in page_text(response)
    other = client.post("/connexion", data=body, content_type=content_type)
    assert other.status_code == 413  # the global limit still holds elsewhere


@pytest.mark.parametrize("data, status, message", [
    ({}, 400, "Choisissez un fichier PDF à vérifier."),
    ({"fichier": (BytesIO(b""), "")}, 400, "Choisissez un fichier PDF à vérifier."),
])
def test_missing_file(client, data, status, message):
    response = client.submit("/verifier", data, content_type="multipart/form-data")
    assert response.status_code == status and message in page_text(response)


def test_the_form_without_its_csrf_token_is_refused(client, publie):
    response = client.post("/verifier", data={"fichier": (BytesIO(publie.pdf), "charte.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "Document authentique" not in page_text(response)


def test_verify_pdf_command(runner, publie, tmp_path):
    path = tmp_path / "charte.pdf"
    path.write_bytes(publie.pdf)
    result = runner.invoke(args=["charte", "verify-pdf", str(path)])
    assert result.exit_code == 0 and result.output.startswith("VALIDE — Document authentique et intact")
    assert "Signataire\u00a0: Marie Dupont" in result.output
    path.write_bytes(b"pas un pdf")
    result = runner.invoke(args=["charte", "verify-pdf", str(path)])
    assert result.exit_code == 1 and "NON VALIDE — Ce fichier n’est pas un PDF" in result.output
