"""The signing certificate: read from PKCS#12 or PEM, refused with a French reason when it cannot sign."""
from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from charte.publication.certificats import (
    AUCUN, DEMO_P12, ILLISIBLE, CertificatRefuse, assurer_certificat_demo, charger_certificat, ecrire_p12,
    ecrire_pem, generer_certificat, probleme_certificat,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def _cert(key, *, debut=NOW - timedelta(days=1), fin=NOW + timedelta(days=30), usage="signature"):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Essai")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(1).not_valid_before(debut).not_valid_after(fin))
    bits = dict(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
    if usage == "signature":
        bits["digital_signature"] = True
    elif usage == "non_repudiation":
        bits["content_commitment"] = True
    elif usage == "chiffrement":
        bits["key_encipherment"] = True
    if usage is not None:
        builder = builder.add_extension(x509.KeyUsage(**bits), critical=True)
    return builder.sign(key, hashes.SHA256())


@pytest.fixture(scope="module")
def cle():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.mark.parametrize("kwargs, expected", [
    ({}, None),
    ({"usage": "non_repudiation"}, None),
    ({"debut": NOW + timedelta(days=1)}, "n’est valable qu’à partir du 02/06/2026"),
    ({"fin": NOW - timedelta(seconds=1)}, "a expiré le 01/06/2026"),
    ({"usage": "chiffrement"}, "n’autorise pas la signature"),
    ({"usage": None}, "n’autorise pas la signature"),
])
def test_what_makes_a_certificate_unfit(cle, kwargs, expected):
    probleme = probleme_certificat(_cert(cle, **kwargs), cle, NOW)
    assert (probleme is None) if expected is None else (expected in probleme)


def test_a_key_that_is_not_the_certificates_is_refused(cle):
    autre = ec.generate_private_key(ec.SECP256R1())
    assert "ne correspond pas" in probleme_certificat(_cert(cle), autre, NOW)


def test_generated_certificate_has_what_pyhanko_expects():
    cert, key = generer_certificat("Ville d’Essai — signature", jours=10)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 3072
    assert probleme_certificat(cert, key, datetime.now(timezone.utc)) is None
    assert probleme_certificat(cert, key, datetime.now(timezone.utc) + timedelta(days=11)) is not None


@pytest.fixture(scope="module")
def paire():
    return generer_certificat("Ville d’Essai — signature")


def _config(tmp_path, **values):
    return {"INSTANCE_PATH": str(tmp_path), "CHARTE_DEMO": False, **values}


def test_pkcs12_with_and_without_password(tmp_path, paire):
    cert, key = paire
    ecrire_p12(tmp_path / "a.p12", cert, key)
    ecrire_p12(tmp_path / "b.p12", cert, key, "secret du p12")
    assert charger_certificat(_config(tmp_path, CHARTE_SIGNING_P12=str(tmp_path / "a.p12"))).cert == cert
    loaded = charger_certificat(_config(tmp_path, CHARTE_SIGNING_P12=str(tmp_path / "b.p12"),
                                        CHARTE_SIGNING_P12_PASSWORD="secret du p12"))
    assert loaded.nom == "Ville d’Essai — signature" and len(loaded.sha256) == 64
    assert stat.S_IMODE(os.stat(tmp_path / "a.p12").st_mode) == 0o600


def test_pem_key_and_certificate(tmp_path, paire):
    cert, key = paire
    key_path, cert_path = ecrire_pem(tmp_path / "k.key", tmp_path / "c.pem", cert, key, "phrase secrète")
    loaded = charger_certificat(_config(tmp_path, CHARTE_SIGNING_KEY=str(key_path), CHARTE_SIGNING_CERT=str(cert_path),
                                        CHARTE_SIGNING_KEY_PASSWORD="phrase secrète"))
    assert loaded.cert == cert
    with pytest.raises(CertificatRefuse, match="illisible"):
        charger_certificat(_config(tmp_path, CHARTE_SIGNING_CERT=str(cert_path)))  # the key is missing


@pytest.mark.parametrize("probleme", ["absent", "mot_de_passe", "pas_un_certificat"])
def test_unreadable_certificate_is_refused(tmp_path, paire, probleme):
    cert, key = paire
    path = tmp_path / "c.p12"
    if probleme == "mot_de_passe":
        ecrire_p12(path, cert, key, "le bon mot de passe")
    elif probleme == "pas_un_certificat":
        path.write_bytes(b"%PDF-1.7 ceci n'est pas un PKCS#12")
    with pytest.raises(CertificatRefuse) as refus:
        charger_certificat(_config(tmp_path, CHARTE_SIGNING_P12=str(path), CHARTE_SIGNING_P12_PASSWORD="mauvais"))
    assert refus.value.message == ILLISIBLE and refus.value.status == 409


def test_expired_certificate_is_refused(tmp_path, paire):
    cert, key = paire
    ecrire_p12(tmp_path / "c.p12", cert, key)
    with pytest.raises(CertificatRefuse, match="a expiré le .* rien n’a été publié"):
        charger_certificat(_config(tmp_path, CHARTE_SIGNING_P12=str(tmp_path / "c.p12")),
                           datetime.now(timezone.utc) + timedelta(days=4000))


def test_nothing_configured_and_the_demo_fallback(tmp_path, paire):
    with pytest.raises(CertificatRefuse) as refus:
        charger_certificat(_config(tmp_path))
    assert refus.value.message == AUCUN
    path = assurer_certificat_demo(tmp_path)
    assert path == tmp_path / DEMO_P12 and path.is_file()
    assert assurer_certificat_demo(tmp_path) == path  # kept, not replaced
    with pytest.raises(CertificatRefuse):  # outside the demo, an unconfigured certificate is not guessed
        charger_certificat(_config(tmp_path))
    assert charger_certificat({**_config(tmp_path), "CHARTE_DEMO": True}).nom.startswith("Charte")


def test_gen_cert_command(app, runner, tmp_path):
    out = tmp_path / "signature.p12"
    result = runner.invoke(args=["charte", "gen-cert", "-o", str(out), "--name", "Ville de Test", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert f"CHARTE_SIGNING_P12={out}" in result.output and "Empreinte SHA-256" in result.output
    assert charger_certificat(_config(tmp_path, CHARTE_SIGNING_P12=str(out))).nom == "Ville de Test"
    again = runner.invoke(args=["charte", "gen-cert", "-o", str(out)])
    assert again.exit_code == 1 and "existe déjà" in again.output
    pem = runner.invoke(args=["charte", "gen-cert", "-o", str(tmp_path / "cle"), "--pem", "--password", "x" * 12])
    assert pem.exit_code == 0, pem.output
    loaded = charger_certificat(_config(tmp_path, CHARTE_SIGNING_KEY=str(tmp_path / "cle.key"),
                                        CHARTE_SIGNING_CERT=str(tmp_path / "cle.pem"),
                                        CHARTE_SIGNING_KEY_PASSWORD="x" * 12))
    assert loaded.nom.endswith("signature de la charte")


def test_gen_cert_defaults_to_the_instance_folder(app, runner, tmp_path):
    app.config["INSTANCE_PATH"] = str(tmp_path)
    result = runner.invoke(args=["charte", "gen-cert"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / DEMO_P12).is_file()
