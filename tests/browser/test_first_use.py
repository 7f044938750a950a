"""In Chromium: a remote image in a template is a link and is never requested; disabling an account
goes through a confirmation page that works without JavaScript; the template guide is one click away."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from charte.accounts.models import User
from charte.extensions import db
from tests.browser.conftest import login, login_http, path_of, release_db
from tests.test_modeles import HEAD

pytestmark = pytest.mark.browser

FOREIGN = "http://127.0.0.1:9/banniere.png"  # another origin (a port nobody serves)


def test_a_remote_image_is_a_link_and_nothing_is_fetched(new_context, make_seed, make_modele, make_charte,
                                                          request_log):
    seed = make_seed("admin", charte=False)
    source = (HEAD + f"\n![Bannière de la ville]({FOREIGN})\n\n## Thème\n\n### RESP-1 — Clause\n\n"
              "Voir ![le schéma](https://tiers.example/schema.svg) et ![tampon](data:image/png;base64,iVBORw0KGgo=).\n")
    modele = make_modele(source)
    charte = make_charte(modele=modele)
    modele_id, charte_id = modele.id, charte.id
    release_db()
    context = new_context()
    login_http(context, seed.email("admin"))
    page = context.new_page()
    for path in (f"/admin/modeles/{modele_id}", f"/chartes/{charte_id}", f"/chartes/{charte_id}/clauses/RESP-1"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.locator("main img")).to_have_count(0)
        expect(page.get_by_role("link", name="Image : le schéma").first).to_have_attribute(
            "href", "https://tiers.example/schema.svg")
        expect(page.locator("main").get_by_text("Image intégrée non affichée : tampon").first).to_be_visible()
    page.goto(f"/chartes/{charte_id}")
    expect(page.get_by_role("link", name="Image : Bannière de la ville")).to_have_attribute("href", FOREIGN)
    request_log.assert_same_origin()


def test_disabling_an_account_without_javascript(new_context, make_seed, make_user):
    seed = make_seed("admin", charte=False)
    target_id = make_user(nom="Camille Durand", email="camille@mairie.example").id
    release_db()
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, seed.email("admin"))
    page.goto(f"/admin/comptes/{target_id}")
    page.get_by_role("link", name="Désactiver le compte…").click()
    assert path_of(page) == f"/admin/comptes/{target_id}/desactiver"
    expect(page.get_by_role("heading", level=1)).to_have_text("Désactiver le compte de Camille Durand ?")
    expect(page.locator("main")).to_contain_text("Toutes ses sessions ouvertes sont fermées aussitôt")

    page.get_by_role("link", name="Annuler").click()
    assert path_of(page) == f"/admin/comptes/{target_id}"
    assert db.session.get(User, target_id).is_active
    release_db()

    page.get_by_role("link", name="Désactiver le compte…").click()
    page.get_by_role("button", name="Désactiver le compte de Camille Durand").click()
    assert path_of(page) == f"/admin/comptes/{target_id}"
    expect(page.get_by_role("status")).to_contain_text("Le compte de Camille Durand est désactivé")
    expect(page.get_by_role("button", name="Réactiver le compte")).to_be_visible()
    assert db.session.scalar(select(User.is_active).filter_by(id=target_id)) is False
    release_db()


def test_the_template_guide_is_reachable_from_the_import_page(new_context, make_seed):
    seed = make_seed("admin", charte=False)
    context = new_context(java_script_enabled=False)
    login_http(context, seed.email("admin"))
    page = context.new_page()
    page.goto("/admin/modeles")
    page.get_by_role("link", name="guide des modèles").click()
    assert path_of(page) == "/admin/modeles/format"
    expect(page.get_by_role("heading", level=1)).to_have_text("Format des modèles de charte")
    page.get_by_role("link", name="Revenir à l’import des modèles").click()
    assert path_of(page) == "/admin/modeles"
