"""Helpers of the publication tests: Poppler's tools, a counting HTTP server, PDF internals."""
from __future__ import annotations

import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pytest

from pyhanko.pdf_utils.reader import PdfFileReader


def poppler(tool: str, *args, input_path: Path | None = None) -> subprocess.CompletedProcess:
    """Run one of Poppler's command-line tools (pdfsig, pdffonts, pdftotext, pdfinfo)."""
    try:
        return subprocess.run([tool, *args], capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.fail(f"{tool} introuvable : installez poppler-utils (make system-deps)")


def pdfsig_valide(path: Path) -> tuple[bool, str]:
    """Poppler's own verdict: the signature valid and covering the whole file."""
    result = poppler("pdfsig", str(path))
    out = result.stdout + result.stderr
    return ("Signature is Valid." in out and "Total document signed" in out), out


@contextmanager
def serveur_local(handler):
    """Serve `handler` (a BaseHTTPRequestHandler class) on 127.0.0.1, a free port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def serveur_compteur(redirect_to: str | None = None):
    """An HTTP server on 127.0.0.1 that records every request it gets (and may answer with a redirect)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            if redirect_to:
                self.send_response(302)
                self.send_header("Location", redirect_to)
                self.end_headers()
                return
            body = b"body { color: red }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serveur_local(Handler) as base:
        yield base, hits


def valider(data: bytes, **contexts):
    """pyHanko's validation of the file's first signature, trusting its own certificate. pyHanko's calls
    run their own event loop: through sans_boucle, they also work once Playwright runs one in this thread."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from charte.publication.asynchrone import sans_boucle

    sig = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[0]
    context = ValidationContext(trust_roots=[sig.signer_cert], allow_fetching=False)
    return sig, sans_boucle(validate_pdf_signature, sig, context, **contexts)


def catalogue(pdf: bytes):
    return PdfFileReader(BytesIO(pdf), strict=False).root


def pieces_jointes(pdf: bytes) -> dict[str, bytes]:
    """The files embedded in the PDF (name -> bytes)."""
    root = catalogue(pdf)
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    out = {}
    for i in range(0, len(names), 2):
        spec = names[i + 1].get_object()
        out[str(names[i])] = spec["/EF"]["/F"].get_object().data
    return out


def nouvelle_version(charte, *, texte: dict[str, str] | None = None, retirer: tuple[str, ...] = (),
                     statut=None):
    """Write the charter's next version (adopted unless told), with some clause texts changed or removed."""
    import json

    from charte.chartes.models import VersionStatut
    from charte.chartes.services import _write_version
    from charte.extensions import db

    base = charte.versions[-1]
    clauses = [{"ref": c.ref, "theme": c.theme, "theme_position": c.theme_position, "position": c.position,
                "titre": c.titre, "texte": (texte or {}).get(c.ref, c.texte)}
               for c in base.clauses if c.ref not in retirer]
    version = _write_version(charte, base.titre, base.preambule, json.loads(base.themes_json), clauses,
                             statut or VersionStatut.ADOPTEE, None, note="Version d’essai")
    db.session.commit()
    return version
