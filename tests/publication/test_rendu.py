"""The PDF is rendered from our templates only: the URL fetcher reads the static folder and nothing else."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charte.config import PROJECT_ROOT
from charte.publication.rendu import FetcherRestreint, PieceJointe, URLRefusee, chemin_autorise, rendre_pdf
from tests.publication.outils import pieces_jointes, serveur_compteur

STATIC = PROJECT_ROOT / "static"


@pytest.fixture
def racine(tmp_path) -> Path:
    """A static folder of our own, with a file inside, a secret beside it and a link escaping it."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "style.css").write_text("body { color: black }")
    (static / "sous").mkdir()
    (static / "sous" / "image.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", static / "lien.txt")
    return static


def test_files_inside_the_static_folder_are_read(racine):
    assert chemin_autorise((racine / "style.css").as_uri(), racine) == (racine / "style.css").resolve()
    assert chemin_autorise((racine / "sous" / "image.svg").as_uri(), racine).name == "image.svg"
    assert chemin_autorise(f"file://localhost{racine}/style.css", racine).name == "style.css"
    response = FetcherRestreint(racine).fetch((racine / "style.css").as_uri())
    assert response.read() == b"body { color: black }" and response.content_type == "text/css"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/style.css",
    "https://example.org/style.css",
    "HTTP://example.org/x.css",
    "ftp://example.org/x.css",
    "data:text/css,body%7Bcolor:red%7D",
    "data:image/png;base64,iVBORw0KGgo=",
    "file:///etc/passwd",
    "file:///etc/hostname",
    "file://evil.example/{racine}/style.css",
    "file://{racine}/../secret.txt",
    "file://{racine}/%2e%2e/secret.txt",
    "file://{racine}/sous/%2E%2E/%2E%2E/secret.txt",
    "file://{racine}/lien.txt",  # a symbolic link pointing outside
    "file://{racine}/absent.css",
    "file://{racine}/sous",  # a folder
    "file://{racine}/style.css?x=1",
    "file://{racine}/style.css%00.png",
    "javascript:alert(1)",
    "//example.org/style.css",
    "style.css",
])
def test_everything_else_is_refused(racine, url):
    url = url.replace("{racine}", str(racine))
    with pytest.raises(URLRefusee):
        chemin_autorise(url, racine)
    fetcher = FetcherRestreint(racine)
    with pytest.raises(URLRefusee):
        fetcher.fetch(url)
    assert fetcher.refusees == [url]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_no_path_outside_the_folder_is_ever_accepted(suffix):
    racine = STATIC.resolve()
    try:
        path = chemin_autorise(f"file://{racine}/{suffix}", racine)
    except URLRefusee:
        return
    assert path.is_file() and path.is_relative_to(racine)


def test_rendering_never_fetches_anything_but_static_files(racine, tmp_path):
    """Stylesheets, images and attachments pointing at a server or at other files are not fetched."""
    with serveur_compteur() as (base, hits), serveur_compteur(redirect_to=(racine / "style.css").as_uri()) as (
            redirige, redirect_hits):
        html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title>
        <link rel="stylesheet" href="{base}/distant.css">
        <link rel="stylesheet" href="{redirige}/redirige.css">
        <link rel="stylesheet" href="style.css">
        <link rel="attachment" href="file:///etc/hostname" title="fuite">
        <link rel="attachment" href="{base}/piece.json" title="distante">
        <link rel="attachment" href="../secret.txt" title="voisine">
        <style>@import url("{base}/import.css"); body {{ background: url("{base}/fond.png") }}</style>
        </head><body><h1>Essai</h1><img src="{base}/image.png" alt="x"><img src="file:///etc/passwd" alt="y">
        <img src="data:image/png;base64,iVBORw0KGgo=" alt="z"></body></html>"""
        rendu = rendre_pdf(html, racine, [PieceJointe("propre.json", "à joindre", b"{}")])
    assert hits == [] and redirect_hits == []
    assert f"{base}/distant.css" in rendu.refusees and "file:///etc/passwd" in rendu.refusees
    assert "file:///etc/hostname" in rendu.refusees and f"{base}/piece.json" in rendu.refusees
    assert (tmp_path / "secret.txt").as_uri() in rendu.refusees
    assert list(pieces_jointes(rendu.pdf)) == ["propre.json"]
    assert b"secret" not in rendu.pdf


def test_the_signature_frame_is_found_on_its_page(racine):
    html = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>t</title></head><body>
    <p>Un</p><p style="break-before: page">Deux</p><div id="zone" style="height: 30mm; width: 90mm"></div>
    </body></html>"""
    rendu = rendre_pdf(html, racine, ancre_signature="zone")
    assert rendu.pages == 2 and rendu.cadre.page == 1
    x1, y1, x2, y2 = rendu.cadre.boite
    assert 250 <= x2 - x1 <= 260 and 82 <= y2 - y1 <= 88  # 90 mm × 30 mm in points
    assert 0 < y1 < y2 < 842
    assert rendre_pdf(html, racine, ancre_signature="absente").cadre is None
