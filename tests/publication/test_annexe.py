"""The annex of a version adopted through a round: integrated amendments with their department and vote,
approvals, departments that took part — in the PDF and on the public page; and the audit of publications."""
from __future__ import annotations

import json
import re

from sqlalchemy import text

from charte.audit import verify_everything
from charte.consolidation import services, validation
from charte.extensions import db
from tests.conftest import page_text, tamper
from tests.consolidation.conftest import adopte, remplacer, scene  # noqa: F401 (the consolidation tests’ fixtures)
from tests.publication.outils import poppler


def _version_adoptee(scene, adopte):
    adopte("RESP-1", remplacer(scene, "RESP-1", "courrier, note", "courrier, note, rapport"),
           titre="Ajouter les rapports", votes=(12, 3, 1))
    projet = services.consolider(scene.tour, actor=scene.comites[0]).projet
    db.session.commit()
    validation.soumettre_projet(projet, projet.revision, actor=scene.comites[0])
    for qui in (0, 1):
        validation.decider_projet(projet, "approuve", "D’accord.", projet.revision, actor=scene.comites[qui])
        db.session.commit()
    db.session.refresh(projet)
    return projet.version


def test_the_annex_lists_how_the_text_was_written(scene, adopte, make_publication, client, tmp_path):
    version = _version_adoptee(scene, adopte)
    publication = make_publication(scene.charte, version, actor=scene.comites[2])
    annexe = json.loads(publication.donnees_json)["annexe"]
    [amendement] = annexe["amendements_integres"]
    assert amendement["objet"] == "Ajouter les rapports" and amendement["departement"] == "Direction des finances"
    assert amendement["resultat"].startswith("adopté\u00a0: 12\u00a0voix pour, 3 contre, 1\u00a0abstention")
    assert [a["nom"] for a in annexe["approbations"]] == ["Dominique Martin", "Alix Moreau"]
    assert annexe["services_participants"] == ["Direction des finances"]
    assert annexe["texte_de_depart"] is False

    path = tmp_path / "v2.pdf"
    path.write_bytes(publication.pdf)
    pdf_text = re.sub(r"\s+", " ", poppler("pdftotext", str(path), "-").stdout)
    assert "Ajouter les rapports" in pdf_text and "Direction des finances" in pdf_text
    assert "Dominique Martin" in pdf_text and "Alix Moreau" in pdf_text
    page = page_text(client.get(f"/publications/{scene.charte.id}/versions/{version.numero}"))
    assert "Ajouter les rapports" in page and "Dominique Martin, le" in page


def test_the_audit_checks_each_publication(make_publication, runner):
    publication = make_publication()
    assert verify_everything().ok
    # Someone with full SQL access rewrites the stored PDF.
    tamper("UPDATE publications SET pdf = :pdf WHERE id = :id", pdf=publication.pdf + b"\n", id=publication.id)
    report = verify_everything()
    [finding] = report.findings
    assert finding.domaine == "Publications"
    assert "le PDF enregistré ne correspond plus à son empreinte SHA-256" in finding.message
    result = runner.invoke(args=["charte", "audit-verify"])
    assert result.exit_code == 1 and "Publications" in result.output


def test_the_database_refuses_to_change_a_publication(make_publication):
    publication = make_publication()
    for statement in ("UPDATE publications SET raison = 'autre' WHERE id = :id",
                      "DELETE FROM publications WHERE id = :id"):
        try:
            db.session.execute(text(statement), {"id": publication.id})
        except Exception as exc:  # noqa: BLE001 (each dialect has its own error class)
            assert "immuable" in str(exc)
        else:
            raise AssertionError(f"la base a accepté : {statement}")
        finally:
            db.session.rollback()
