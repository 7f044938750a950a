"""The second factor in Chromium, with the keyboard alone: a committee member without one is led to
enrol at login, reads the secret on the page (as a person types it into an app), enables it with a
computed code, gets the recovery codes, logs out and back in with a code. Every page passes axe-core
and the enrolment page makes no request to anyone but the application (the QR code is drawn inline)."""
from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import path_of, release_db
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_keyboard import assert_focus_visible, tab_until
from tests.conftest import PASSWORD, next_totp_code

pytestmark = pytest.mark.browser


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core sur {page.url} :\n{describe(violations)}"


def tab_to_field(page, field_id: str, limit: int = 30) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == field_id:
            assert_focus_visible(page)
            return
    raise AssertionError(f"champ #{field_id} jamais atteint avec Tab")


def test_enrolment_and_login_with_a_code_using_the_keyboard(page, make_user, make_departement, request_log):
    member = make_user("comite", departement=make_departement("Direction générale"), nom="Dominique Martin",
                       second_factor=False)
    email = member.email
    release_db()

    # Password step, with the keyboard: the role requires a second factor, so the person is led to enrol.
    page.goto("/connexion")
    expect(page.get_by_label("Adresse électronique", exact=True)).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/mon-compte/securite")
    expect(page.get_by_role("status")).to_contain_text("Votre rôle exige la double authentification")
    assert_axe_clean(page)
    page.goto("/chartes/")
    assert path_of(page) == "/mon-compte/securite", "la configuration n’est pas imposée"

    tab_until(page, "Configurer la double authentification")
    assert_focus_visible(page)
    first_request = len(request_log.urls)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/mon-compte/securite/activer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurer la double authentification")

    # The QR code is inline SVG drawn by the server; the page asked nobody else for anything.
    expect(page.locator("figure.qr-code svg[role='img']")).to_be_visible()
    loaded = request_log.urls[first_request:]
    assert all(url.startswith(request_log.base_url) for url in loaded), loaded
    assert not [url for url in loaded if "qr" in url.lower()], loaded
    assert_axe_clean(page)

    shown = page.locator("#cle-secrete").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", shown), shown
    secret = shown.replace(" ", "")

    # A wrong code first: refused, nothing enabled.
    tab_to_field(page, "code")
    page.keyboard.type("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    expect(page.locator("#code-erreur")).to_contain_text("ne correspond pas")
    assert_axe_clean(page)

    page.locator("#code").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification activée")
    codes = page.locator(".codes-secours code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    assert_axe_clean(page)

    tab_until(page, "J’ai noté mes codes, continuer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/chartes/"

    # Log out, then in again: password, then the code of the app.
    tab_until(page, "Se déconnecter")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/connexion")
    # Under load the keys may arrive before autofocus: put the focus where a person would see it.
    page.get_by_label("Adresse électronique", exact=True).focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/connexion/code"
    code_field = page.get_by_label("Code de vérification", exact=True)
    expect(code_field).to_be_focused()  # autofocus
    assert_axe_clean(page)
    page.keyboard.type(next_totp_code(email))  # the next code the app shows (the last one was used)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/chartes/")
    expect(page.get_by_role("status")).to_contain_text("Bienvenue, Dominique Martin.")

    # The security page tells the state, with the recovery codes left.
    page.goto("/mon-compte/securite")
    expect(page.locator("main")).to_contain_text("10 sur 10")
    assert_axe_clean(page)
    request_log.assert_same_origin()


def test_fresh_authentication_page_is_accessible(page, make_user, request_log):
    from tests.browser.conftest import login

    email = make_user("comite", nom="Dominique Martin").email
    release_db()
    login(page, email)
    page.goto("/mon-compte/confirmer?next=/chartes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer votre identité")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Code de vérification", exact=True).fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    expect(page.locator("#code-erreur")).to_contain_text("6 chiffres")
    assert_axe_clean(page)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Code de vérification", exact=True).fill(next_totp_code(email))
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    assert path_of(page) == "/chartes/"
    request_log.assert_same_origin()
