"""On a small phone screen (375 × 700), pages do not scroll sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login_http, path_of

pytestmark = pytest.mark.browser

OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""


def test_charter_page_has_no_horizontal_scroll_on_a_phone(new_context, make_seed):
    seed = make_seed("admin")
    context = new_context(viewport={"width": 375, "height": 700})
    login_http(context, seed.email("admin"))
    page = context.new_page()
    paths = [f"/chartes/{seed.charte_id}", f"/chartes/{seed.charte_id}/versions",
             f"/chartes/{seed.charte_id}/clauses/RESP-1", "/chartes/", "/journal", "/admin/comptes"]
    too_wide = {}
    for path in paths:
        page.goto(path)
        assert path_of(page) == path
        expect(page.locator("h1")).to_be_visible()
        m = page.evaluate(OVERFLOW)
        assert m["clientWidth"] <= 375
        if m["scrollWidth"] > m["clientWidth"] + 1:
            too_wide[path] = m
    assert not too_wide, f"défilement horizontal à 375 px : {too_wide}"


TABLES = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const table of document.querySelectorAll('main table')) {
    const caption = table.querySelector('caption');
    if (caption) {
      const r = caption.getBoundingClientRect();
      if (r.left < -1 || r.right > width + 1 || caption.scrollWidth > caption.clientWidth + 1)
        out.push('légende coupée : ' + caption.textContent.trim());
    }
    for (const cell of table.querySelectorAll('tbody td')) {
      const r = cell.getBoundingClientRect();
      const box = table.getBoundingClientRect();
      if (r.width === 0 || r.left < Math.max(0, box.left) - 1 || r.right > Math.min(width, box.right) + 1)
        out.push('cellule hors de l’écran : ' + cell.textContent.trim().slice(0, 40));
      const label = getComputedStyle(cell, '::before').content;
      if (!cell.hasAttribute('colspan') && (!cell.dataset.label || label !== '"' + cell.dataset.label + '"'))
        out.push('cellule sans son intitulé : ' + cell.textContent.trim().slice(0, 40));
    }
  }
  return out;
}"""


def test_tables_stack_on_a_phone_with_every_column_labelled(new_context, make_seed, make_user, make_departement):
    """At 375 px no column is pushed out of sight and no caption is cut: each row becomes a block whose
    cells are led by their column's name."""
    seed = make_seed("admin")
    dep = make_departement("Centre communal d’action sociale et de la petite enfance")
    make_user(departement=dep, nom="Marie-Clémentine de La Tour-Dupont-Lefebvre",
              email="marie-clementine.de-la-tour-dupont-lefebvre@belval-sur-loire.example")
    context = new_context(viewport={"width": 375, "height": 700})
    login_http(context, seed.email("admin"))
    page = context.new_page()
    paths = ["/admin/comptes", "/admin/services", "/admin/modeles", f"/chartes/{seed.charte_id}/versions"]
    faults = {}
    for path in paths:
        page.goto(path)
        assert path_of(page) == path
        expect(page.locator("main table")).to_have_count(1)
        found = page.evaluate(TABLES)
        m = page.evaluate(OVERFLOW)
        if m["scrollWidth"] > m["clientWidth"] + 1:
            found.append(f"défilement horizontal : {m}")
        if found:
            faults[path] = found[:5]
    assert not faults, f"tableaux illisibles à 375 px : {faults}"
    # On a wide screen the same tables are ordinary tables, headers shown.
    wide = new_context(viewport={"width": 1280, "height": 800})
    login_http(wide, seed.email("admin"))
    page = wide.new_page()
    page.goto("/admin/comptes")
    expect(page.get_by_role("columnheader", name="Adresse")).to_be_visible()


STACKED = """() => {
  const root = document.documentElement;
  const row = document.querySelector('table.stack tbody tr');
  const cells = [...row.querySelectorAll('td')].map(td => {
    const box = td.getBoundingClientRect();
    return {label: getComputedStyle(td, '::before').content, width: box.width,
            inside: box.left >= 0 && box.right <= root.clientWidth + 1};
  });
  const caption = document.querySelector('table.stack caption');
  return {cells, captionCut: caption.scrollWidth > caption.clientWidth + 1};
}"""


def test_journal_rows_stack_on_a_phone_with_every_column(new_context, make_seed):
    seed = make_seed("admin", "comite")
    context = new_context(viewport={"width": 375, "height": 700})
    login_http(context, seed.email("comite"))
    page = context.new_page()
    for path in ("/journal", "/journal?action=compte.cree&du=2020-01-01"):
        page.goto(path)
        expect(page.locator("h1")).to_have_text("Journal des actions")
        m = page.evaluate(OVERFLOW)
        assert m["scrollWidth"] <= m["clientWidth"] + 1, m
        stacked = page.evaluate(STACKED)
        assert [c["label"] for c in stacked["cells"]] == [
            '"N°"', '"Date"', '"Par"', '"Action"', '"Objet"', '"Empreinte"']
        assert all(c["inside"] and c["width"] > 0 for c in stacked["cells"]), stacked
        assert not stacked["captionCut"]
