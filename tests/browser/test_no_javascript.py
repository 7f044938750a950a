"""Every page works without JavaScript: reading a charter, creating and renaming a department."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from charte.accounts.models import Departement
from charte.extensions import db
from tests.browser.conftest import login, path_of, release_db

pytestmark = pytest.mark.browser


def test_pages_work_without_javascript(new_context, make_seed):
    seed = make_seed("admin")
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    # JavaScript really is off: a script in the page does not run.
    page.set_content("<title>sans</title><script>document.title = 'avec';</script>")
    assert page.title() == "sans"

    login(page, seed.email("admin"))
    expect(page.locator(".account-name")).to_contain_text("Alex Bernard")

    page.get_by_role("link", name="Charte d’usage de l’IA", exact=True).click()
    assert path_of(page) == f"/chartes/{seed.charte_id}"
    expect(page.locator("article#RESP-1")).to_contain_text("L’agent reste responsable")
    page.get_by_role("link", name="Historique de la clause RESP-1").click()
    assert path_of(page) == f"/chartes/{seed.charte_id}/clauses/RESP-1"
    expect(page.get_by_role("heading", name="Historique de la clause")).to_be_visible()

    page.goto("/admin/services")
    page.get_by_label("Nom du service").fill("Direction des affaires culturelles")
    page.get_by_role("button", name="Créer le service").click()
    expect(page.get_by_role("status")).to_contain_text("Le service « Direction des affaires culturelles » a été créé.")
    expect(page.get_by_role("cell", name="Direction des affaires culturelles", exact=True)).to_be_visible()

    page.get_by_role("link", name="Renommer Direction des affaires culturelles").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Renommer le service")
    field = page.get_by_label("Nom du service")
    expect(field).to_have_value("Direction des affaires culturelles")
    field.fill("Direction de la culture")
    page.get_by_role("button", name="Enregistrer").click()
    assert path_of(page) == "/admin/services"
    expect(page.get_by_role("status")).to_contain_text("Le service s’appelle désormais « Direction de la culture ».")
    expect(page.get_by_role("cell", name="Direction de la culture", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Direction des affaires culturelles", exact=True)).to_have_count(0)

    noms = set(db.session.scalars(select(Departement.nom)))
    release_db()
    assert noms == {seed.departement_nom, "Direction de la culture"}
