"""Logging in and out with the keyboard alone, with a visible focus indicator at every step."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, path_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 60),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
             && box.left < window.innerWidth && box.top < window.innerHeight,
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page) -> dict:
    """The focused element is on screen and drawn with an outline."""
    info = focused(page)
    assert info is not None, "aucun élément n’a le focus"
    assert info["visible"], f"l’élément qui a le focus est hors de l’écran : {info}"
    assert info["outlineStyle"] != "none" and info["outlineWidth"] > 0, f"aucun indicateur de focus : {info}"
    return info


def start_from_top_of_document(page) -> None:
    """Put the keyboard's starting point at the top of the document, as on a page without autofocus
    (the login page puts the focus in the e-mail field)."""
    page.evaluate("() => { const b = document.body; b.tabIndex = -1; b.focus(); b.removeAttribute('tabindex'); }")


def tab_until(page, label: str, limit: int = 25) -> list[str]:
    """Press Tab until the focused element's text is `label`; return the texts met on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        seen.append(info["text"] if info else "(rien)")
        if info and info["text"] == label:
            return seen
    raise AssertionError(f"« {label} » jamais atteint avec Tab ; parcours : {seen}")


def test_login_with_the_keyboard_only(page, make_seed):
    seed = make_seed("agent")
    page.goto("/connexion")
    email = page.get_by_label("Adresse électronique", exact=True)
    expect(email).to_be_focused()  # autofocus

    start_from_top_of_document(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    assert_focus_visible(page)  # the skip link comes on screen, outlined

    page.keyboard.press("Enter")  # to the content
    expect(page.locator("main#contenu")).to_be_focused()
    assert page.url.endswith("#contenu")

    page.keyboard.press("Tab")  # the first field of the content
    expect(email).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type(seed.email("agent"))
    page.keyboard.press("Tab")
    password = page.get_by_label("Mot de passe", exact=True)
    expect(password).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url("**/chartes/")
    assert path_of(page) == "/chartes/"
    expect(page.locator(".account-name")).to_be_visible()
    expect(page.locator(".account-name")).to_contain_text("Camille Durand")
    expect(page.get_by_role("status")).to_contain_text("Bienvenue, Camille Durand.")


def test_logout_with_the_keyboard(page, make_seed):
    seed = make_seed("agent")
    login(page, seed.email("agent"))

    route = tab_until(page, "Se déconnecter")
    assert route[0] == "Aller au contenu", f"le lien d’évitement n’est pas le premier arrêt : {route}"
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    page.wait_for_url("**/connexion")
    expect(page.get_by_role("status")).to_contain_text("Vous êtes déconnecté·e.")
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    page.goto("/chartes/")
    assert path_of(page) == "/connexion", "la session survit à la déconnexion"
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion à l’espace agents")
