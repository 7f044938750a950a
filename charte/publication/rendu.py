"""HTML → PDF/A-3a with WeasyPrint, reading nothing but the application's own static files."""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML, Attachment
from weasyprint.css import ColorProfile
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/a-3a"  # PDF/A-3, level A: tagged (structure tree) and every font embedded
OUTPUT_INTENT = "charte-srgb"
PX_TO_PT = 0.75  # 72 PDF points per inch / 96 CSS pixels per inch


class URLRefusee(ValueError):
    """A resource the PDF asked for lies outside the application's static files."""


def chemin_autorise(url: str, racine: Path) -> Path:
    """The file a `file:` URL names, if it is a regular file inside `racine`; URLRefusee otherwise.

    Every other scheme (http, https, ftp, data…) is refused, so nothing is fetched from the network
    and no redirect can ever be followed; `..`, symbolic links and encoded separators are resolved
    before the check."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise URLRefusee(f"schéma refusé : {url[:80]}")
    if parts.netloc not in ("", "localhost"):
        raise URLRefusee(f"hôte refusé : {url[:80]}")
    if parts.query:
        raise URLRefusee(f"paramètres refusés : {url[:80]}")
    raw = unquote(parts.path)
    if "\x00" in raw or not raw.startswith("/"):
        raise URLRefusee(f"chemin refusé : {url[:80]}")
    root = racine.resolve()
    try:
        path = Path(raw).resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise URLRefusee(f"fichier introuvable : {url[:80]}") from exc
    if not path.is_relative_to(root) or not path.is_file():
        raise URLRefusee(f"hors des fichiers statiques : {url[:80]}")
    return path


class FetcherRestreint(URLFetcher):
    """WeasyPrint's URL fetcher limited to the static folder: no network, no redirect, no other file."""

    def __init__(self, racine: Path):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=False)
        self.racine = racine.resolve()
        self.refusees: list[str] = []

    def fetch(self, url, headers=None):
        try:
            path = chemin_autorise(url, self.racine)
        except URLRefusee:
            self.refusees.append(url)
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})


@dataclass(frozen=True)
class PieceJointe:
    nom: str
    description: str
    contenu: bytes
    relation: str = "Source"  # PDF/A-3 AFRelationship: the version's own source data


@dataclass(frozen=True)
class Cadre:
    """Where the visible signature goes: a page index and a box in PDF points (x1, y1, x2, y2)."""

    page: int
    boite: tuple[int, int, int, int]


@dataclass(frozen=True)
class RenduPdf:
    pdf: bytes
    pages: int
    cadre: Cadre | None
    refusees: tuple[str, ...]


@lru_cache(maxsize=1)
def _profil_srgb_bytes() -> bytes:
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def _profil_srgb() -> ColorProfile:
    # WeasyPrint's own 'srgb' intent leaves its ICC file open; the same profile, read and closed here.
    from io import BytesIO

    return ColorProfile(BytesIO(_profil_srgb_bytes()), "sRGB2014.icc", "relative-colorimetric",
                        (["r"], ["g"], ["b"]))


def _sans_producteur(_document, pdf) -> None:
    """Leave the producer to the XMP metadata alone.

    PDF/A wants the document information dictionary and the XMP packet to agree. pyHanko, when it
    signs, rewrites the XMP with its own producer but appends itself to an existing /Producer entry
    ("WeasyPrint …; pyHanko …"): the two would then differ. Without the entry, they cannot."""
    pdf.info.pop("Producer", None)


def _cadre(document, ancre: str | None) -> Cadre | None:
    if not ancre:
        return None
    for index in range(len(document.pages) - 1, -1, -1):
        page = document.pages[index]
        box = page.anchors.get(ancre)
        if box is None:
            continue
        x1, y1, x2, y2 = box
        hauteur = page.height * PX_TO_PT
        return Cadre(index, (round(x1 * PX_TO_PT), round(hauteur - y2 * PX_TO_PT),
                             round(x2 * PX_TO_PT), round(hauteur - y1 * PX_TO_PT)))
    return None


def rendre_pdf(html: str, racine_static: Path, pieces: list[PieceJointe] = (), ancre_signature: str | None = None
               ) -> RenduPdf:
    """Render the HTML once as PDF/A-3a with the pieces attached; find the signature frame's place."""
    fetcher = FetcherRestreint(racine_static)
    base_url = racine_static.resolve().as_uri() + "/"
    options = {"pdf_variant": PDF_VARIANT, "output_intent": OUTPUT_INTENT}
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        color_profiles={OUTPUT_INTENT: _profil_srgb()}, **options)
    attachments = [
        Attachment(string=piece.contenu, name=piece.nom, description=piece.description, url_fetcher=fetcher,
                   relationship=piece.relation)
        for piece in pieces
    ]
    pdf = document.write_pdf(attachments=attachments, finisher=_sans_producteur, **options)
    return RenduPdf(pdf, len(document.pages), _cadre(document, ancre_signature), tuple(fetcher.refusees))
