"""Publish a 100-clause charter and print the whole publication's time beside WeasyPrint alone rendering the
same HTML to PDF/A (target: publication / WeasyPrint < 1.3).

The publication does everything issue 8 asks: the open-data JSON and Markdown, the HTML, WeasyPrint's
PDF/A-3a with its attachments, the PAdES signature with its visible block, the SHA-256, the database row
and the journal entry. Both sides are warmed up once (fonts, imports) and timed as a median.
Run: .venv/bin/python scripts/bench_publication.py [--runs N] [--clauses N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from weasyprint import HTML  # noqa: E402

from charte import create_app  # noqa: E402
from charte.chartes.models import VersionStatut  # noqa: E402
from charte.chartes.services import _write_version, creer_charte, importer_modele  # noqa: E402
from charte.config import PROJECT_ROOT  # noqa: E402
from charte.extensions import db  # noqa: E402
from charte.publication.certificats import assurer_certificat_demo  # noqa: E402
from charte.publication.contenu import DocumentPublie  # noqa: E402
from charte.publication.rendu import PDF_VARIANT  # noqa: E402
from charte.publication.services import html_pdf, publier  # noqa: E402

PHRASE = ("Les agents vérifient chaque résultat produit avec l’aide d’un outil d’intelligence artificielle, "
          "en citent l’usage auprès des habitants et n’y versent aucune donnée personnelle. ")


def modele(themes: int, clauses: int) -> str:
    """A template with `clauses` clauses spread over `themes` themes, each about ninety words."""
    lines = ["---", "titre: Charte d’essai de performance", "description: Banc d’essai", "version: 1", "---", "",
             "Préambule du banc d’essai.", ""]
    per_theme = clauses // themes
    for t in range(1, themes + 1):
        lines += [f"## Thème {t}", "", f"Introduction du thème {t}.", ""]
        for c in range(1, per_theme + 1):
            lines += [f"### T{t}-{c} — Clause {c} du thème {t}", "", PHRASE * 3, ""]
    return "\n".join(lines)


def chrono(action):
    """(wall seconds, CPU seconds of this process, result): on a shared machine the CPU time is the steadier."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="timed publications (and WeasyPrint renderings)")
    parser.add_argument("--clauses", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "b" * 40,
                          "INSTANCE_PATH": tmp, "CHARTE_DEMO": True, "CHARTE_AUTHORITY_NAME": "Ville du banc"})
        with app.app_context():
            upgrade(directory=str(PROJECT_ROOT / "migrations"))
            assurer_certificat_demo(tmp)
            charte = creer_charte(importer_modele(modele(5, args.clauses).encode(), "banc.md", None), None, None)
            base = charte.versions[0]
            clauses = [{"ref": c.ref, "theme": c.theme, "theme_position": c.theme_position, "position": c.position,
                        "titre": c.titre, "texte": c.texte} for c in base.clauses]
            versions = [base]
            for n in range(args.runs + 1):
                clauses[0] = {**clauses[0], "texte": f"{PHRASE} (rédaction {n})"}
                versions.append(_write_version(charte, base.titre, base.preambule, json.loads(base.themes_json),
                                               list(clauses), VersionStatut.ADOPTEE, None, note="banc"))
            db.session.commit()
            static = Path(app.static_folder)
            static_url = static.resolve().as_uri() + "/"

            def weasyprint_seul(publication) -> tuple[float, float]:
                html = html_pdf(DocumentPublie(json.loads(publication.donnees_json)))
                return chrono(lambda: HTML(string=html, base_url=static_url).write_pdf(pdf_variant=PDF_VARIANT))

            def publication_complete(version):
                def run():
                    found = publier(version, None)
                    db.session.commit()
                    return found
                return chrono(run)

            publier(versions[0], None)  # warm-up: fonts, imports, the signature font
            db.session.commit()
            mesures = {"publication": [], "weasyprint": []}
            for version in versions[1:args.runs + 1]:  # interleaved, so that both see the same machine load
                publication = publication_complete(version)
                mesures["publication"].append(publication[:2])
                mesures["weasyprint"].append(weasyprint_seul(publication[2]))
            size = len(publication[2].pdf)
            db.engine.dispose()
    print(f"{args.clauses} clauses, signed PDF of {size / 1024:.0f} KiB, median of {args.runs} runs")
    print(f"{'':58} {'wall s':>7} {'CPU s':>7}")
    medians = {}
    for key, label in (("weasyprint", "WeasyPrint alone (same HTML, PDF/A-3a)"),
                       ("publication", "whole publication (render, attach, sign, store, journal)")):
        medians[key] = [statistics.median(m[i] for m in mesures[key]) for i in (0, 1)]
        print(f"{label:58} {medians[key][0]:>7.2f} {medians[key][1]:>7.2f}")
    wall = medians["publication"][0] / medians["weasyprint"][0]
    cpu = medians["publication"][1] / medians["weasyprint"][1]
    print(f"ratio publication / WeasyPrint: {cpu:.2f} in CPU time, {wall:.2f} in wall time (target < 1.3)")


if __name__ == "__main__":
    main()
