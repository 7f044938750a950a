"""PAdES signature (pyHanko): /ETSI.CAdES.detached, SHA-256, signer's name, role, reason and place, a
visible block drawn with an embedded font, and an RFC 3161 timestamp (PAdES B-T) when a server is set."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign.ades.api import CAdESSignedAttrSpec, SignerAttrSpec
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from charte.exceptions import Conflict
from charte.publication.asynchrone import sans_boucle
from charte.publication.certificats import Certificat
from charte.publication.rendu import Cadre

FIELD_NAME = "Signature-collectivite"
# DejaVu Sans (Debian's fonts-dejavu-core): the signature block's glyphs are embedded as a subset.
POLICE_SIGNATURE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# fontTools reports, for every subset, the tables it leaves out: nothing to act upon.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class SignatureImpossible(Conflict):
    """Signing failed (timestamp server away, font missing…): nothing is published."""


@dataclass(frozen=True)
class Signataire:
    nom: str
    role: str
    lieu: str
    raison: str


class _Glyphes1000(GlyphAccumulator):
    """pyHanko's glyph accumulator for fonts whose em is not 1000 units (DejaVu's is 2048).

    pyHanko writes the /W widths and the TJ adjustments in the font's own units, where PDF expects
    thousandths of an em: right for 1000-unit fonts only, and the stamp's letters drift apart otherwise.
    Here HarfBuzz shapes at 1000 units per em and every width is scaled to match."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._echelle = 1000 / self.units_per_em
        self.hb_font.scale = (1000, 1000)
        self.units_per_em = 1000

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        if glyph_id not in self._glyphs:
            cid, width = super()._get_cid_and_width(glyph_id)
            self._glyphs[glyph_id] = (cid, round(width * self._echelle))
        return self._glyphs[glyph_id]


# Latin-1, Latin Extended-A and the usual punctuation: every French name and date.
_JEU_DE_BASE = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2027), 0x20AC])


@lru_cache(maxsize=8)
def _police_reduite(chemin: str, supplement: frozenset[int]) -> bytes:
    """The font cut down to the characters a signature block may need, once per process: pyHanko then
    subsets a few hundred glyphs instead of DejaVu's six thousand (half a second saved per signature)."""
    font = TTFont(chemin)
    options = subset.Options()
    options.layout_features = []  # no kerning tables to parse again at every signature: plain text
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(_JEU_DE_BASE | supplement))
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _PoliceEmbarquee(GlyphAccumulatorFactory):
    """pyHanko's font factory, with the accumulator above, reading the font from memory (its own factory
    leaves the file open) and only what the block's text needs."""

    texte: str = ""

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        supplement = frozenset(ord(c) for c in self.texte) - _JEU_DE_BASE
        police = _police_reduite(self.font_file, supplement)
        return _Glyphes1000(writer=writer, font_handle=BytesIO(police), font_size=self.font_size,
                            bcp47_lang_code="fr", obj_stream=obj_stream)


class _SignataireCle(SimpleSigner):
    """pyHanko's SimpleSigner keeping the key object: its own reloads (and re-validates) the key from DER
    for every signature — twice per publication, a fifth of a second each for RSA-3072."""

    def __init__(self, cle, **kwargs):
        super().__init__(**kwargs)
        self._cle = cle

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            return super().sign_raw(data, digest_algorithm)
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15":
            return self._cle.sign(data, PKCS1v15(), hash_algo)
        if mechanism == "ecdsa":
            return self._cle.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def _pdf_text(value: str) -> str:
    """A value placed in pyHanko's %-formatted stamp text."""
    return value.replace("%", "%%")


def _simple_signer(certificat: Certificat) -> SimpleSigner:
    cert = asn1_x509.Certificate.load(certificat.der)
    key = asn1_keys.PrivateKeyInfo.load(certificat.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    chaine = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certificat.chaine]
    return _SignataireCle(certificat.key, signing_cert=cert, signing_key=key,
                          cert_registry=SimpleCertificateStore.from_certs([cert, *chaine]))


def _role(role: str) -> list[cms.AttCertAttribute]:
    """The signer's role as a CAdES claimed attribute (signer-attributes-v2)."""
    name = asn1_x509.GeneralName(name="directory_name", value=asn1_x509.Name.build({"common_name": role}))
    return [cms.AttCertAttribute({"type": "role", "values": [cms.RoleSyntax({"role_name": name})]})]


def style_bloc(signataire: Signataire, police: Path = POLICE_SIGNATURE, certificat: str = "") -> TextStampStyle:
    """The visible signature block: who, as what, where, when, with which certificate."""
    lignes = ["Signé électroniquement par", _pdf_text(signataire.nom)]
    if signataire.role:
        lignes.append(_pdf_text(signataire.role))
    lignes.append(f"{_pdf_text(signataire.lieu)}, le %(ts)s" if signataire.lieu else "Le %(ts)s")
    lignes.append("Certificat : %(signer)s")
    return TextStampStyle(
        stamp_text="\n".join(lignes),
        text_box_style=TextBoxStyle(font=_PoliceEmbarquee(str(police), texte="\n".join(lignes) + certificat),
                                    font_size=9),
        timestamp_format="%d/%m/%Y à %H:%M:%S UTC",
        border_width=1,
        background=None,
    )


def signer_pdf(pdf: bytes, certificat: Certificat, signataire: Signataire, cadre: Cadre | None,
               tsa_url: str | None = None, police: Path = POLICE_SIGNATURE) -> bytes:
    """Sign the PDF (an incremental update that covers the whole file); returns the signed bytes."""
    if cadre is not None and not police.is_file():
        raise SignatureImpossible(f"La police du bloc de signature est introuvable ({police}) : installez le "
                                  "paquet fonts-dejavu-core. Rien n’a été publié.")
    metadata = PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=signataire.raison,
        location=signataire.lieu or None,
        name=signataire.nom,
        cades_signed_attr_spec=CAdESSignedAttrSpec(
            signer_attributes=SignerAttrSpec(claimed_attrs=_role(signataire.role), certified_attrs=[]))
        if signataire.role else None,
    )
    field = SigFieldSpec(FIELD_NAME, on_page=cadre.page if cadre else 0, box=cadre.boite if cadre else None)
    signer = PdfSigner(metadata, _simple_signer(certificat), stamp_style=style_bloc(signataire, police, certificat.nom),
                       new_field_spec=field, timestamper=HTTPTimeStamper(tsa_url, timeout=10) if tsa_url else None)
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    try:
        return sans_boucle(signer.sign_pdf, writer).getvalue()
    except TimestampRequestError:
        raise SignatureImpossible(f"Le serveur d’horodatage ({tsa_url}) n’a pas répondu correctement : la "
                                  "publication est impossible, rien n’a été publié. Réessayez plus tard.") from None

