"""PAdES B-T: with CHARTE_TSA_URL the signature carries an RFC 3161 timestamp, here from a small timestamp
server started on 127.0.0.1 with pyHanko's own test timestamper (never a remote one)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from charte.extensions import db
from charte.publication.models import Publication
from charte.publication.services import publier
from charte.publication.signature import SignatureImpossible
from tests.publication.outils import pdfsig_valide, serveur_local, valider


def _tsa_certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Horodatage de test")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=2))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert, asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)), \
        asn1_keys.PrivateKeyInfo.load(der_key)


@pytest.fixture
def tsa(tmp_path):
    """An RFC 3161 server on 127.0.0.1: pyHanko's DummyTimeStamper answering over HTTP."""
    cert, asn1_cert, asn1_key = _tsa_certificate()
    stamper = DummyTimeStamper(asn1_cert, asn1_key)
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers.get("Content-Type"))
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    ca = tmp_path / "tsa.pem"
    ca.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    with serveur_local(Handler) as base:
        yield {"url": f"{base}/", "ca": ca, "cert": asn1_cert, "requests": requests}


def test_publication_is_timestamped_by_the_local_server(app, tsa, make_publication, runner, tmp_path):
    app.config.update(CHARTE_TSA_URL=tsa["url"], CHARTE_TSA_CA=str(tsa["ca"]))
    publication = make_publication()
    assert tsa["requests"] and all(ct == "application/timestamp-query" for ct in tsa["requests"])
    assert publication.horodatage_at is not None
    assert abs(publication.horodatage_at - publication.published_at) < timedelta(minutes=2)

    _, status = valider(publication.pdf, ts_validation_context=ValidationContext(trust_roots=[tsa["cert"]],
                                                                                  allow_fetching=False))
    assert status.bottom_line
    assert status.timestamp_validity.intact and status.timestamp_validity.valid and status.timestamp_validity.trusted
    assert status.timestamp_validity.timestamp.replace(tzinfo=None, microsecond=0) == publication.horodatage_at

    path = tmp_path / "horodate.pdf"
    path.write_bytes(publication.pdf)
    assert pdfsig_valide(path)[0]
    result = runner.invoke(args=["charte", "verify-pdf", str(path)])
    assert result.exit_code == 0
    assert "émis par une autorité d’horodatage reconnue" in result.output
    app.config["CHARTE_TSA_CA"] = ""
    assert "autorité d’horodatage non vérifiée ici" in runner.invoke(args=["charte", "verify-pdf", str(path)]).output


def test_timestamp_server_down_refuses_and_writes_nothing(app, signing, make_charte):
    charte = make_charte()
    app.config["CHARTE_TSA_URL"] = "http://127.0.0.1:9/"  # the discard port: nothing answers there
    with pytest.raises(SignatureImpossible, match="n’a pas répondu correctement"):
        publier(charte.version_courante, None)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0
