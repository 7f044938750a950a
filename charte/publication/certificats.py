"""The authority's signing certificate: read from PKCS#12 or PEM, checked before any signature, and a
self-signed one made for demonstrations and tests (`charte gen-cert`)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Mapping

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from charte.exceptions import Conflict

DEMO_P12 = "certificat-demo.p12"
DEMO_NOM = "Charte — certificat de démonstration"


class CertificatRefuse(Conflict):
    """No usable signing certificate: publishing is refused and nothing is written."""


@dataclass(frozen=True)
class Certificat:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chaine: tuple[x509.Certificate, ...]

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def sha256(self) -> str:
        return empreinte(self.cert)

    @property
    def nom(self) -> str:
        return nom_commun(self.cert)

    @property
    def sujet(self) -> str:
        return self.cert.subject.rfc4514_string()


@dataclass(frozen=True)
class SourceCertificat:
    """Where the configuration says the certificate is: a PKCS#12 file, or PEM key and certificate."""

    p12: Path | None = None
    p12_password: str = ""
    key: Path | None = None
    key_password: str = ""
    cert: Path | None = None

    @property
    def label(self) -> str:
        return str(self.p12 or self.cert)


def empreinte(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER encoding (its usual fingerprint)."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def nom_commun(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _date(value: datetime) -> str:
    return value.strftime("%d/%m/%Y à %H:%M UTC")


# --- Pure checks ---------------------------------------------------------------------------------


def probleme_certificat(cert: x509.Certificate, key, maintenant: datetime) -> str | None:
    """Why this certificate cannot sign now (French sentence), or None when it can."""
    if maintenant < cert.not_valid_before_utc:
        return f"Le certificat de signature n’est valable qu’à partir du {_date(cert.not_valid_before_utc)}."
    if maintenant > cert.not_valid_after_utc:
        return f"Le certificat de signature a expiré le {_date(cert.not_valid_after_utc)}."
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not (usage.digital_signature or usage.content_commitment):
        return ("Le certificat n’autorise pas la signature de documents (usage de clé « signature numérique » "
                "ou « non-répudiation » absent).")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        return "La clé privée du certificat n’est ni RSA ni ECDSA : pyHanko ne sait pas signer avec elle."
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        return "La clé privée configurée ne correspond pas au certificat."
    return None


# --- Reading the configuration -------------------------------------------------------------------


def source_configuree(config: Mapping) -> SourceCertificat | None:
    """The configured certificate; in the demo, the one `gen-cert` left in the instance folder."""
    if config.get("CHARTE_SIGNING_P12"):
        return SourceCertificat(p12=Path(config["CHARTE_SIGNING_P12"]),
                                p12_password=config.get("CHARTE_SIGNING_P12_PASSWORD", ""))
    if config.get("CHARTE_SIGNING_KEY") or config.get("CHARTE_SIGNING_CERT"):
        return SourceCertificat(key=Path(config["CHARTE_SIGNING_KEY"]) if config.get("CHARTE_SIGNING_KEY") else None,
                                key_password=config.get("CHARTE_SIGNING_KEY_PASSWORD", ""),
                                cert=Path(config["CHARTE_SIGNING_CERT"]) if config.get("CHARTE_SIGNING_CERT") else None)
    demo = Path(config["INSTANCE_PATH"]) / DEMO_P12
    if config.get("CHARTE_DEMO") and demo.is_file():
        return SourceCertificat(p12=demo)
    return None


def _lire(source: SourceCertificat):
    """(certificate, key, chain) from the files; ValueError or OSError when they cannot be read.

    Parsed once per version of the files: checking an RSA key costs a fifth of a second."""
    chemins = [p for p in (source.p12, source.key, source.cert) if p is not None]
    etats = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in chemins)
    return _lire_fichiers(source, etats)


@lru_cache(maxsize=4)
def _lire_fichiers(source: SourceCertificat, _etats: tuple):
    if source.p12 is not None:
        key, cert, autres = pkcs12.load_key_and_certificates(
            source.p12.read_bytes(), source.p12_password.encode("utf-8") or None)
        if cert is None or key is None:
            raise ValueError("PKCS#12 without key or certificate")
        return cert, key, tuple(autres)
    if source.key is None or source.cert is None:
        raise ValueError("PEM key and certificate both required")
    key = serialization.load_pem_private_key(source.key.read_bytes(), source.key_password.encode("utf-8") or None)
    certs = x509.load_pem_x509_certificates(source.cert.read_bytes())
    return certs[0], key, tuple(certs[1:])


AUCUN = ("Aucun certificat de signature n’est configuré (CHARTE_SIGNING_P12, ou CHARTE_SIGNING_KEY et "
         "CHARTE_SIGNING_CERT) : la publication est impossible. Pour une démonstration, créez-en un avec "
         "« flask --app wsgi charte gen-cert ».")
ILLISIBLE = ("Le certificat de signature configuré est illisible (fichier absent, mot de passe erroné ou format "
             "inconnu) : la publication est impossible.")


def charger_certificat(config: Mapping, maintenant: datetime | None = None) -> Certificat:
    """The configured certificate, checked; CertificatRefuse with the reason otherwise."""
    source = source_configuree(config)
    if source is None:
        raise CertificatRefuse(AUCUN)
    try:
        cert, key, chaine = _lire(source)
    except (OSError, ValueError, TypeError):
        raise CertificatRefuse(ILLISIBLE) from None
    probleme = probleme_certificat(cert, key, maintenant or datetime.now(timezone.utc))
    if probleme:
        raise CertificatRefuse(f"{probleme} La publication est impossible : rien n’a été publié.")
    return Certificat(cert, key, chaine)


def empreinte_configuree(config: Mapping) -> str | None:
    """Fingerprint of the configured certificate (even expired), None when none can be read."""
    source = source_configuree(config)
    if source is None:
        return None
    try:
        return empreinte(_lire(source)[0])
    except (OSError, ValueError, TypeError):
        return None


# --- Making a self-signed certificate ------------------------------------------------------------


def generer_certificat(nom: str, jours: int = 3 * 365, maintenant: datetime | None = None,
                       organisation: str | None = None) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed RSA-3072 certificate with the key usages a PDF signature needs
    (digitalSignature and nonRepudiation), valid from an hour ago for `jours` days."""
    maintenant = maintenant or datetime.now(timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    attributs = [x509.NameAttribute(NameOID.COMMON_NAME, nom), x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]
    if organisation:
        attributs.insert(1, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    name = x509.Name(attributs)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(maintenant - timedelta(hours=1))
        .not_valid_after(maintenant + timedelta(days=jours))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _ecrire_prive(path: Path, data: bytes) -> None:
    """Write a secret file readable by its owner only (never over an existing file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ecrire_p12(path: Path, cert: x509.Certificate, key, password: str = "") -> Path:
    encryption = (serialization.BestAvailableEncryption(password.encode("utf-8")) if password
                  else serialization.NoEncryption())
    _ecrire_prive(path, pkcs12.serialize_key_and_certificates(nom_commun(cert).encode("utf-8"), key, cert, None,
                                                              encryption))
    return path


def ecrire_pem(key_path: Path, cert_path: Path, cert: x509.Certificate, key, password: str = "") -> tuple[Path, Path]:
    encryption = (serialization.BestAvailableEncryption(password.encode("utf-8")) if password
                  else serialization.NoEncryption())
    _ecrire_prive(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              encryption))
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    if cert_path.exists():
        raise FileExistsError(cert_path)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def assurer_certificat_demo(instance_path: str | Path, nom: str = DEMO_NOM) -> Path:
    """The demo's PKCS#12 (no password) in the instance folder, created if missing; its path.

    `charte demo` calls this so that the demo publishes a signed version out of the box; in the demo
    (CHARTE_DEMO) the certificate is then used when CHARTE_SIGNING_P12 is not set."""
    path = Path(instance_path) / DEMO_P12
    if not path.is_file():
        cert, key = generer_certificat(nom)
        ecrire_p12(path, cert, key)
    return path
