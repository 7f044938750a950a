"""In Chromium: a committee member publishes (fresh from the login), an anonymous visitor downloads the signed
PDF and checks it on the verification page; every public page is axe-core clean and fits a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from charte.chartes.models import Charte
from charte.extensions import db
from tests.browser.conftest import login, path_of, release_db
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_responsive import OVERFLOW
from tests.publication.outils import nouvelle_version

pytestmark = pytest.mark.browser


def test_committee_publishes_and_a_visitor_verifies_the_pdf(new_context, make_seed, signing, tmp_path):
    seed = make_seed("comite")
    comite = new_context().new_page()
    login(comite, seed.email("comite"))
    comite.goto(f"/chartes/{seed.charte_id}/versions/1/publier")
    expect(comite.get_by_role("heading", level=1)).to_have_text("Publier la version 1")
    assert not axe_violations(comite), describe(axe_violations(comite))
    comite.get_by_label(re.compile("Je confirme la publication")).check()
    with comite.expect_navigation(timeout=60_000):
        comite.get_by_role("button", name="Publier et signer la version 1").click()
    assert path_of(comite) == f"/publications/{seed.charte_id}/versions/1"
    expect(comite.locator(".flash-success")).to_contain_text("est publiée et signée")

    visiteur = new_context(accept_downloads=True).new_page()
    visiteur.goto("/")
    visiteur.get_by_role("link", name="Version 1").first.click()
    expect(visiteur.get_by_role("heading", level=1)).to_be_visible()
    with visiteur.expect_download() as download:
        visiteur.get_by_role("link", name=re.compile("Télécharger le PDF signé")).click()
    pdf = tmp_path / "charte.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    visiteur.get_by_role("link", name="Vérifier un PDF").first.click()
    visiteur.get_by_label("Fichier PDF (20 Mo au plus)").set_input_files(str(pdf))
    visiteur.get_by_role("button", name="Vérifier le PDF").click()
    expect(visiteur.get_by_role("heading", name="Document authentique et intact")).to_be_visible()
    expect(visiteur.locator(".verdict")).to_contain_text("la version 1 de")
    assert not axe_violations(visiteur), describe(axe_violations(visiteur))

    altere = bytearray(pdf.read_bytes())
    altere[len(altere) // 2] ^= 0x01
    (tmp_path / "altere.pdf").write_bytes(bytes(altere))
    visiteur.get_by_label("Fichier PDF (20 Mo au plus)").set_input_files(str(tmp_path / "altere.pdf"))
    visiteur.get_by_role("button", name="Vérifier le PDF").click()
    expect(visiteur.locator(".verdict")).not_to_contain_text("authentique")


def test_public_pages_are_axe_clean_and_fit_a_phone(app, new_context, make_charte, make_publication):
    charte = make_charte()
    make_publication(charte)
    v1 = db.session.get(Charte, charte.id).versions[0]
    make_publication(charte, nouvelle_version(charte, texte={v1.clauses[0].ref: "Une rédaction nouvelle."}))
    release_db()
    paths = ["/", "/publications/", f"/publications/{charte.id}/", f"/publications/{charte.id}/versions/2",
             f"/publications/{charte.id}/versions/2/comparaison", f"/publications/{charte.id}/versions/1",
             "/donnees-ouvertes", "/mentions-legales", "/verifier"]
    page = new_context(viewport={"width": 375, "height": 700}).new_page()
    problems, too_wide = {}, {}
    for path in paths:
        page.goto(path)
        assert path_of(page) == path
        expect(page.locator("h1")).to_be_visible()
        violations = axe_violations(page)
        if violations:
            problems[path] = describe(violations)
        m = page.evaluate(OVERFLOW)
        if m["scrollWidth"] > m["clientWidth"] + 1:
            too_wide[path] = m
    assert not problems, problems
    assert not too_wide, f"défilement horizontal à 375 px : {too_wide}"
