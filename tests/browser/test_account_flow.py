"""An administrator creates an account; its owner logs in with the generated password, must change
it, and then reaches the charters."""
from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, path_of

pytestmark = pytest.mark.browser

NEW_EMAIL = "sacha.petit@mairie.example"
NEW_PASSWORD = "trois chatons dans le jardin"


def test_created_account_logs_in_and_must_change_its_password(new_context, make_seed):
    seed = make_seed("admin")

    # The administrator fills the form and submits it from the keyboard.
    admin = new_context().new_page()
    login(admin, seed.email("admin"))
    admin.goto("/admin/comptes")
    admin.get_by_role("link", name="Créer un compte").click()
    assert path_of(admin) == "/admin/comptes/nouveau"
    admin.get_by_label("Adresse électronique").fill(NEW_EMAIL)
    admin.get_by_label("Prénom et nom").fill("Sacha Petit")
    admin.get_by_label("Service", exact=True).select_option(label=seed.departement_nom)
    admin.get_by_label("Membre du comité de pilotage").check()
    admin.get_by_role("button", name="Créer le compte").focus()
    admin.keyboard.press("Enter")

    expect(admin.get_by_role("heading", level=1)).to_have_text("Compte créé")
    expect(admin.get_by_text(f"Mot de passe provisoire de Sacha Petit ({NEW_EMAIL})")).to_be_visible()
    password = admin.locator(".secret code").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}", password), password

    # Shown once: neither the account page nor the list shows it again.
    admin.get_by_role("link", name="Revenir au compte").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Compte de Sacha Petit")
    assert password not in admin.content()
    admin.goto("/admin/comptes")
    expect(admin.get_by_role("row", name=re.compile("Sacha Petit"))).to_contain_text("mot de passe à changer")
    assert password not in admin.content()

    # The new person, on another browser, is sent to the password change page and kept there.
    person = new_context().new_page()
    login(person, NEW_EMAIL, password, expect_path="/mon-compte/mot-de-passe")
    expect(person.get_by_role("status")).to_contain_text("Choisissez maintenant votre propre mot de passe.")
    expect(person.locator(".alert-info")).to_contain_text("créé ou réinitialisé par l’administration")
    person.goto("/chartes/")
    assert path_of(person) == "/mon-compte/mot-de-passe", "le changement de mot de passe n’est pas imposé"

    person.locator("#current").fill(password)
    person.locator("#new").fill(NEW_PASSWORD)
    person.locator("#confirmation").fill(NEW_PASSWORD)
    person.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    # A committee member then enrols a second factor before anything else.
    person.wait_for_url("**/mon-compte/securite")
    expect(person.get_by_role("status")).to_contain_text("Votre mot de passe a été changé.")
    person.get_by_role("button", name="Configurer la double authentification").click()
    secret = person.locator("#cle-secrete").inner_text().replace(" ", "")
    person.get_by_label("Code affiché par l’application").fill(pyotp.TOTP(secret).now())
    person.get_by_role("button", name="Activer").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Double authentification activée")
    person.get_by_role("link", name="J’ai noté mes codes, continuer").click()
    person.wait_for_url("**/chartes/")
    expect(person.locator(".account-name")).to_contain_text("Sacha Petit")
    expect(person.get_by_role("link", name="Journal")).to_be_visible()  # the committee role was given

    # The chosen password now opens the account directly; the generated one no longer does.
    person.get_by_role("button", name="Se déconnecter").click()
    person.wait_for_url("**/connexion")
    login(person, NEW_EMAIL, password, expect_path="/connexion")
    expect(person.get_by_role("alert")).to_contain_text("Adresse électronique ou mot de passe incorrect")
    login(person, NEW_EMAIL, NEW_PASSWORD)
    expect(person.get_by_role("heading", level=1)).to_contain_text("Chartes de")
