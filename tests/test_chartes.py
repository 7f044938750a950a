"""Templates, charters and versions: import, creation, immutability, reading pages."""
import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from sqlalchemy import func, select, text, update

from charte.chartes.models import Charte, Modele, Version, VersionClause, VersionStatut
from charte.extensions import db
from charte.immutability import ImmutableRowError
from charte.journal.models import JournalEntry
from tests.conftest import TEMPLATE_PATH, page_text
from tests.test_modeles import HEAD, VALID


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, data: bytes, name: str = "modele.md"):
    return client.submit("/admin/modeles", {"fichier": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")


def test_upload_template_then_create_charter(client, admin):
    response = _upload(client, VALID.encode("utf-8"))
    assert response.status_code == 302
    modele = db.session.scalars(select(Modele)).one()
    assert modele.titre == "Charte test" and modele.filename == "modele.md"
    preview = client.get(f"/admin/modeles/{modele.id}")
    assert "RESP-2" in page_text(preview) and "3\u00a0clauses" in page_text(preview)
    response = client.submit("/admin/chartes/nouvelle", {"modele_id": modele.id, "titre": "Ma charte"})
    assert response.status_code == 302
    charte = db.session.scalars(select(Charte)).one()
    version = charte.versions[0]
    assert (charte.titre, version.numero, version.statut) == ("Ma charte", 1, VersionStatut.ADOPTEE)
    assert [c.ref for c in version.clauses] == ["RESP-1", "RESP-2", "DON-1"]
    assert version.parent_sha256 is None and len(version.sha256) == 64
    actions = list(db.session.scalars(select(JournalEntry.action)))
    assert {"modele.importe", "charte.creee", "version.creee"} <= set(actions)


def test_charter_title_defaults_to_the_template_title(client, admin, make_modele):
    modele = make_modele()
    client.submit("/admin/chartes/nouvelle", {"modele_id": modele.id, "titre": ""})
    assert db.session.scalars(select(Charte)).one().titre == modele.titre


def test_import_shipped_template(client, admin):
    response = client.submit("/admin/modeles/fichier", {"nom": TEMPLATE_PATH.name})
    assert response.status_code == 302
    assert db.session.scalars(select(Modele)).one().filename == TEMPLATE_PATH.name
    page = page_text(client.get("/admin/modeles"))
    assert "déjà importé" in page


@pytest.mark.parametrize("nom, status", [("../pyproject.toml", 404), ("inexistant.md", 404), ("", 400)])
def test_import_shipped_template_refuses_other_paths(client, admin, nom, status):
    response = client.submit("/admin/modeles/fichier", {"nom": nom})
    assert response.status_code == status
    assert _count(Modele) == 0


@pytest.mark.parametrize("data, status, message", [
    ((HEAD + "## T\n### A-1 — Un\n\n### A-2 — Deux\nx\n").encode(), 400, "Ligne 7 : la clause A-1 n’a pas de texte."),
    ("---\ntitre: é\n".encode("latin-1"), 400, "UTF-8"),
    (b"", 400, "commencer par un en-t"),
])
def test_malformed_upload_is_refused_whole(client, admin, data, status, message):
    journal_before = _count(JournalEntry)
    response = _upload(client, data)
    assert response.status_code == status
    assert message in page_text(response)
    assert _count(Modele) == 0 and _count(JournalEntry) == journal_before


def test_upload_without_file_and_duplicate(client, admin):
    response = client.submit("/admin/modeles", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choisissez un fichier" in page_text(response)
    assert _upload(client, VALID.encode()).status_code == 302
    again = _upload(client, VALID.encode())
    assert again.status_code == 409 and "déjà importé" in page_text(again)
    assert _count(Modele) == 1


def test_too_large_upload_is_413(client, admin):
    # The body is encoded here, in memory: the test client would otherwise spool it to a temp file.
    boundary, body = encode_multipart({
        "csrf_token": client.csrf_token(),
        "fichier": FileStorage(io.BytesIO(b"x" * (600 * 1024)), filename="gros.md"),
    })
    response = client.post("/admin/modeles", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "dépasse la taille autorisée" in page_text(response)


@pytest.mark.parametrize("data, status", [
    ({"modele_id": "999"}, 400), ({"modele_id": "abc"}, 400), ({}, 400),
    ({"modele_id": "MODELE", "titre": "t" * 201}, 400),
])
def test_create_charter_bad_input(client, admin, make_modele, data, status):
    modele = make_modele()
    data = {k: (str(modele.id) if v == "MODELE" else v) for k, v in data.items()}
    assert client.submit("/admin/chartes/nouvelle", data).status_code == status
    assert _count(Charte) == 0 and _count(Version) == 0


def test_version_clauses_cannot_be_changed(app, make_charte):
    charte = make_charte()
    clause = charte.versions[0].clauses[0]
    clause.texte = "Texte réécrit"
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(VersionClause, clause.id))
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ImmutableRowError):
        db.session.execute(update(VersionClause).values(texte="en masse"))
    db.session.rollback()
    version = db.session.get(Version, charte.versions[0].id)
    version.clauses.append(VersionClause(ref="NEW-1", theme="x", theme_position=1, position=99, titre="x", texte="x"))
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(VersionClause, clause.id).texte != "Texte réécrit"


def test_version_content_fields_are_frozen_but_status_may_move(app, make_charte):
    charte = make_charte()
    version = charte.versions[0]
    version.sha256 = "0" * 64
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()
    version = db.session.get(Version, version.id)
    version.preambule = "Autre"
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()
    version = db.session.get(Version, version.id)
    version.statut = VersionStatut.PUBLIEE
    db.session.commit()
    assert db.session.get(Version, version.id).statut is VersionStatut.PUBLIEE


def test_version_status_is_checked_by_the_database(app, make_charte):
    charte = make_charte()
    with pytest.raises(Exception) as caught:
        db.session.execute(text("UPDATE versions SET statut = 'inventee' WHERE id = :id"),
                           {"id": charte.versions[0].id})
        db.session.flush()
    db.session.rollback()
    assert "constraint" in str(caught.value).lower()


def test_agent_reads_charter_versions_and_clause_history(client, auth, make_user, make_charte):
    charte = make_charte()
    auth.login(make_user())
    index = page_text(client.get("/chartes/"))
    assert charte.titre in index
    page = page_text(client.get(f"/chartes/{charte.id}"))
    for theme in ("Responsabilité", "Transparence", "Données", "Sobriété"):
        assert f">{theme}</h2>" in page
    assert charte.versions[0].sha256 in page
    versions = page_text(client.get(f"/chartes/{charte.id}/versions"))
    assert "Version 1" in versions and "aucune (origine)" in versions
    clause = page_text(client.get(f"/chartes/{charte.id}/clauses/RESP-1"))
    assert "Historique de la clause" in clause and "Version 1" in clause
    assert client.get(f"/chartes/{charte.id}/versions/1").status_code == 200


@pytest.mark.parametrize("path", ["/chartes/999", "/chartes/999/versions", "/chartes/CHARTE/versions/7",
                                  "/chartes/CHARTE/clauses/NOPE-9", "/chartes/CHARTE/clauses/pas%20valide",
                                  "/chartes/abc"])
def test_unknown_charter_version_or_clause_is_404(client, auth, make_user, make_charte, path):
    charte = make_charte()
    auth.login(make_user())
    response = client.get(path.replace("CHARTE", str(charte.id)))
    assert response.status_code == 404
    assert "Traceback" not in page_text(response)


def test_clause_markdown_is_rendered_safely(app, client, auth, make_user, make_modele):
    from charte.chartes.services import creer_charte

    source = HEAD + "## T\n### A-1 — Piège\n<script>alert(1)</script> [lien](javascript:alert(1)) **gras**\n"
    charte = creer_charte(make_modele(source), None, None)
    db.session.commit()
    auth.login(make_user())
    page = client.get(f"/chartes/{charte.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "<strong>gras</strong>" in page
