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
