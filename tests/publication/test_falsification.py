"""A single changed byte anywhere in the signed ranges, or anything appended after the signature, is
reported by verify-pdf, by pyHanko and by Poppler's pdfsig."""
from __future__ import annotations

from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel

from tests.publication.outils import pdfsig_valide, valider

FLIPS = 60


def _pyhanko_accepts(data: bytes) -> bool:
    """pyHanko's own verdict, as strict as it gets: intact, valid and covering the whole file."""
    try:
        _, status = valider(data)
    except Exception:  # noqa: BLE001 (an unreadable file is a rejected one)
        return False
    return status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def _offsets(byte_range, count: int) -> list[int]:
    """Offsets spread evenly over both signed ranges (everything but the signature's /Contents)."""
    start_a, len_a, start_b, len_b = byte_range
    signed = len_a + len_b
    picks = [round(i * (signed - 1) / (count - 1)) for i in range(count)]
    return [p if p < len_a else start_b + (p - len_a) for p in picks]


@pytest.fixture
def publie(make_publication, runner, tmp_path):
    publication = make_publication()
    path = tmp_path / "original.pdf"
    path.write_bytes(publication.pdf)
    assert runner.invoke(args=["charte", "verify-pdf", str(path)]).exit_code == 0
    assert pdfsig_valide(path)[0] and _pyhanko_accepts(publication.pdf)
    return publication


def test_a_single_flipped_byte_breaks_the_signature_for_all_three(publie, runner, tmp_path):
    pdf = publie.pdf
    byte_range = [int(v) for v in PdfFileReader(BytesIO(pdf)).embedded_signatures[0].byte_range]
    offsets = _offsets(byte_range, FLIPS)
    assert len(set(offsets)) == FLIPS and offsets[0] == 0 and offsets[-1] == len(pdf) - 1
    survivors = []
    for offset in offsets:
        data = bytearray(pdf)
        data[offset] ^= 0x01
        path = tmp_path / f"altere-{offset}.pdf"
        path.write_bytes(bytes(data))
        cli = runner.invoke(args=["charte", "verify-pdf", str(path)])
        pdfsig_ok, _ = pdfsig_valide(path)
        if cli.exit_code == 0 or "NON VALIDE" not in cli.output or pdfsig_ok or _pyhanko_accepts(bytes(data)):
            survivors.append((offset, cli.exit_code, pdfsig_ok))
    assert survivors == []


def _dss_ajoute(pdf: bytes) -> bytes:
    """An incremental update adding a document security store (validation data): pyHanko's summary calls it
    an acceptable, long-term-validation update."""
    sig = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
    out = BytesIO(pdf)
    DocumentSecurityStore.add_dss(out, sig.pkcs7_content, certs=[sig.signer_cert])
    return out.getvalue()


def _annotation_ajoutee(pdf: bytes) -> bytes:
    """An incremental update adding a comment on the last page."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][-1].get_object()
    annot = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/Text"),
        generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(v) for v in (10, 10, 30, 30)]),
        generic.NameObject("/Contents"): generic.TextStringObject("Texte ajouté après la signature"),
    }))
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), annot])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_appended_update_is_reported_even_when_pyhankos_summary_accepts_it(publie, runner, tmp_path):
    data = _dss_ajoute(publie.pdf)
    _, status = valider(data)
    assert status.bottom_line and status.intact  # pyHanko's summary alone would let it through
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level == ModificationLevel.LTA_UPDATES
    path = tmp_path / "complete.pdf"
    path.write_bytes(data)
    result = runner.invoke(args=["charte", "verify-pdf", str(path)])
    assert result.exit_code == 1 and "Modifié après la signature" in result.output
    assert "La partie signée est bien la version 1" in result.output
    valide, sortie = pdfsig_valide(path)
    assert not valide and "Not total document signed" in sortie


def test_an_added_comment_is_reported(publie, runner, tmp_path):
    path = tmp_path / "annotee.pdf"
    path.write_bytes(_annotation_ajoutee(publie.pdf))
    result = runner.invoke(args=["charte", "verify-pdf", str(path)])
    assert result.exit_code == 1 and "Modifié après la signature" in result.output
    assert not pdfsig_valide(path)[0]


def test_bytes_appended_after_the_end_are_reported(publie, runner, tmp_path):
    path = tmp_path / "queue.pdf"
    path.write_bytes(publie.pdf + b"\n%% ajout\n")
    result = runner.invoke(args=["charte", "verify-pdf", str(path)])
    assert result.exit_code == 1, result.output
    assert not pdfsig_valide(path)[0]
