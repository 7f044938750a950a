"""The public site: published versions, the stored PDF, open data, changelog, Atom feed, legal notice; and
the committee's publish page."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from charte.chartes.models import VersionStatut
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.publication.models import Publication
from tests.conftest import page_text
from tests.publication.outils import nouvelle_version

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def deux_versions(make_charte, make_publication):
    charte = make_charte()
    premiere = make_publication(charte)
    v1 = charte.versions[0]
    modifiee, retiree = v1.clauses[0], v1.clauses[1]
    v2 = nouvelle_version(charte, texte={modifiee.ref: modifiee.texte + " Une phrase ajoutée par amendement."},
                          retirer=(retiree.ref,))
    seconde = make_publication(charte, v2)
    return charte, premiere, seconde, modifiee, retiree


def test_home_and_list_show_the_published_versions(client, deux_versions):
    charte, premiere, seconde, *_ = deux_versions
    for url in ("/", "/publications/", f"/publications/{charte.id}/"):
        text = page_text(client.get(url))
        assert charte.titre in text and "Version 2" in text and "Version 1" in text, url
        assert f"/publications/{charte.id}/versions/2" in text


def test_version_page_has_the_text_the_pdf_and_what_changed(client, deux_versions):
    charte, premiere, seconde, modifiee, retiree = deux_versions
    response = client.get(f"/publications/{charte.id}/versions/2")
    text = page_text(response)
    assert response.status_code == 200
    for clause in seconde.version.clauses:
        assert clause.titre in text
    assert seconde.pdf_sha256 in text and seconde.certificat_sha256 in text and seconde.version.sha256 in text
    assert "Marie Dupont, Maire (Belval)" in text
    assert "1\u00a0clause modifiée" in text and "1\u00a0clause supprimée" in text
    assert f"{modifiee.ref}</a> — {modifiee.titre} (modifiée)" in text
    assert f"entrée n°\u00a0{seconde.journal_seq}" in text  # the same seal section as the PDF's last page
    old = page_text(client.get(f"/publications/{charte.id}/versions/1"))
    assert "Cette version a été remplacée" in old and "C’est la première version publiée" in old


def test_comparison_page(client, deux_versions):
    charte, premiere, seconde, modifiee, retiree = deux_versions
    text = page_text(client.get(f"/publications/{charte.id}/versions/2/comparaison"))
    assert "<ins>" in text and "Une phrase ajoutée par amendement." in text
    assert retiree.titre in text and "supprimée" in text
    first = client.get(f"/publications/{charte.id}/versions/1/comparaison")
    assert first.status_code == 404 and "rien à comparer" in page_text(first)


def test_downloads_serve_the_stored_bytes(client, deux_versions):
    charte, premiere, seconde, *_ = deux_versions
    pdf = client.get(f"/publications/{charte.id}/versions/2/charte.pdf")
    assert pdf.status_code == 200 and pdf.data == seconde.pdf and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="charte-{charte.id}-v2.pdf"'
    assert pdf.headers["ETag"] == f'"{seconde.pdf_sha256}"'
    again = client.get(f"/publications/{charte.id}/versions/2/charte.pdf",
                       headers={"If-None-Match": f'"{seconde.pdf_sha256}"'})
    assert again.status_code == 304
    donnees = client.get(f"/publications/{charte.id}/versions/2/donnees.json")
    assert donnees.mimetype == "application/json" and donnees.data == seconde.donnees_json.encode()
    assert json.loads(donnees.data)["version"]["numero"] == 2
    texte = client.get(f"/publications/{charte.id}/versions/2/texte.md")
    assert texte.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert texte.data == seconde.donnees_md.encode()


@pytest.mark.parametrize("url", ["/publications/99/", "/publications/99/versions/1", "/publications/{c}/versions/9",
                                 "/publications/{c}/versions/9/charte.pdf", "/publications/{c}/versions/9/donnees.json",
                                 "/publications/{c}/versions/9/texte.md"])
def test_unpublished_or_unknown_is_404(client, make_charte, url):
    charte = make_charte()  # v1 adopted, not published
    response = client.get(url.format(c=charte.id).replace("/9", "/1"))
    assert response.status_code == 404


def test_atom_feed(client, deux_versions):
    charte, premiere, seconde, *_ = deux_versions
    response = client.get("/publications/flux.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}id").text for e in entries] == [seconde.url_publique, premiere.url_publique]
    enclosure = entries[0].find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("href").endswith(f"/publications/{charte.id}/versions/2/charte.pdf")
    assert feed.find(f"{ATOM}updated").text == seconde.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ET.fromstring(client.get("/publications/flux.atom").data) is not None


def test_feed_escapes_titles(client, make_charte, make_publication):
    charte = make_charte(titre="Charte <script>alert(1)</script> & co")
    make_publication(charte)
    feed = ET.fromstring(client.get("/publications/flux.atom").data)
    assert feed.find(f"{ATOM}entry/{ATOM}title").text.startswith("Charte <script>alert(1)</script> & co")


def test_open_data_and_legal_notice_pages(client, deux_versions):
    charte, *_ = deux_versions
    text = page_text(client.get("/donnees-ouvertes"))
    assert "Licence Ouverte / Open Licence version 2.0" in text
    assert f"/publications/{charte.id}/versions/2/donnees.json" in text
    legal = page_text(client.get("/mentions-legales"))
    assert "Mentions légales" in legal and "Licence Ouverte" in legal and "rien n’est conservé" not in legal


def test_export_pdf_command(runner, deux_versions, tmp_path):
    charte, premiere, seconde, *_ = deux_versions
    out = tmp_path / "derniere.pdf"
    result = runner.invoke(args=["charte", "export-pdf", "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes() == seconde.pdf
    result = runner.invoke(args=["charte", "export-pdf", "--version", "1", "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes() == premiere.pdf and premiere.pdf_sha256 in result.output
    result = runner.invoke(args=["charte", "export-pdf", "--version", "7", "-o", str(out)])
    assert result.exit_code == 1 and "aucune version publiée ne correspond" in result.output


# --- The committee's publish page ----------------------------------------------------------------


def _counts():
    return (db.session.scalar(select(func.count()).select_from(Publication)),
            db.session.scalar(select(func.count()).select_from(JournalEntry)))


def test_committee_publishes_through_the_page(client, auth, make_user, make_charte, signing):
    charte = make_charte()
    comite = make_user("comite")
    auth.login(comite)
    page = page_text(client.get(f"/chartes/{charte.id}/versions/1/publier"))
    assert "Ville de Test — signature" in page and f"/publications/{charte.id}/versions/1" in page
    response = client.submit(f"/chartes/{charte.id}/versions/1/publier", {"confirmation": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/publications/{charte.id}/versions/1")
    publication = db.session.scalar(select(Publication))
    assert publication.published_by_id == comite.id
    assert publication.url_publique == f"http://localhost/publications/{charte.id}/versions/1"
    assert "est publiée et signée" in page_text(client.get(response.headers["Location"]))


def test_public_url_setting_wins(client, auth, app, make_user, make_charte, signing):
    app.config["CHARTE_PUBLIC_URL"] = "https://charte.belval.example"
    charte = make_charte()
    auth.login(make_user("comite"))
    client.submit(f"/chartes/{charte.id}/versions/1/publier", {"confirmation": "y"})
    assert db.session.scalar(select(Publication)).url_publique == \
        f"https://charte.belval.example/publications/{charte.id}/versions/1"


@pytest.mark.parametrize("case, status, message", [
    ("sans_confirmation", 400, "Cochez la case pour confirmer la publication."),
    ("sans_certificat", 409, "Aucun certificat de signature n’est configuré"),
    ("deja_publiee", 409, "est déjà publiée"),
    ("brouillon", 409, "n’est pas adoptée"),
])
def test_refusals_write_nothing(client, auth, app, make_user, make_charte, make_publication, tmp_path,
                                case, status, message):
    charte = make_charte()
    numero = 1
    if case == "deja_publiee":
        make_publication(charte)
    if case == "brouillon":
        numero = nouvelle_version(charte, statut=VersionStatut.BROUILLON).numero
    if case == "sans_certificat":
        app.config.update(CHARTE_SIGNING_P12="", INSTANCE_PATH=str(tmp_path))
    auth.login(make_user("comite"))
    before = _counts()
    data = {} if case == "sans_confirmation" else {"confirmation": "y"}
    response = client.submit(f"/chartes/{charte.id}/versions/{numero}/publier", data)
    assert response.status_code == status and message in page_text(response)
    assert _counts() == before


def test_publish_page_for_unknown_version_is_404(client, auth, make_user, make_charte):
    charte = make_charte()
    auth.login(make_user("comite"))
    assert client.get(f"/chartes/{charte.id}/versions/9/publier").status_code == 404
    assert client.submit(f"/chartes/{charte.id}/versions/9/publier", {"confirmation": "y"}).status_code == 404


def test_publishing_needs_a_fresh_authentication(client, auth, make_user, make_charte, signing):
    charte = make_charte()
    auth.login(make_user("comite"))
    with client.session_transaction() as sess:  # the login was more than five minutes ago
        sess["_reauth"] = [sess["_reauth"][0] - 6 * 60, sess["_reauth"][1]]
    before = _counts()
    url = f"/chartes/{charte.id}/versions/1/publier"
    response = client.submit(url, {"confirmation": "y"}, headers={"Referer": f"http://localhost{url}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/mon-compte/confirmer?next={url}"
    assert db.session.scalar(select(func.count()).select_from(Publication)) == before[0]
