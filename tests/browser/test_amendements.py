"""Amendments in Chromium: an agent proposes with the keyboard and submits; an agent of another department
comments and co-signs; the author revises and the diff shows; the committee's page; every page passes
axe-core, works without JavaScript, fits a phone screen and calls no third party."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, login_http, path_of, release_db
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_keyboard import assert_focus_visible, focused, start_from_top_of_document, tab_until
from tests.browser.test_responsive import OVERFLOW

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class World:
    charte_id: int
    auteur: str
    autre: str
    comite: str


@pytest.fixture
def world(make_user, make_departement, make_charte, make_tour) -> World:
    finances = make_departement("Direction des finances")
    etat_civil = make_departement("Service de l’état civil")
    charte = make_charte("Charte d’usage de l’IA")
    make_tour(charte)
    values = World(
        charte_id=charte.id,
        auteur=make_user("agent", departement=finances, nom="Camille Durand").email,
        autre=make_user("agent", departement=etat_civil, nom="Sacha Petit").email,
        comite=make_user("comite", departement=etat_civil, nom="Dominique Martin").email,
    )
    release_db()
    return values


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core sur {page.url} ({page.title()}) :\n{describe(violations)}"


def tab_to_field(page, field_id: str, limit: int = 60) -> None:
    """Press Tab until the form field with this id has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if info and info["id"] == field_id:
            assert_focus_visible(page)
            return
    raise AssertionError(f"champ {field_id} jamais atteint avec Tab")


def press(page, label: str, limit: int = 80) -> None:
    """Reach a link or button with Tab, check its focus is visible, and press Enter."""
    tab_until(page, label, limit)
    assert_focus_visible(page)
    page.keyboard.press("Enter")


def test_propose_submit_comment_cosign_revise(new_context, world, request_log):
    auteur = new_context().new_page()
    login(auteur, world.auteur)

    # The author starts from the clause and proposes a modification, with the keyboard only.
    auteur.goto(f"/chartes/{world.charte_id}/clauses/RESP-1")
    assert_accessible(auteur)
    start_from_top_of_document(auteur)
    press(auteur, "Proposer une modification")
    auteur.wait_for_url("**/amendements/nouveau?nature=modification&clause=RESP-1")
    expect(auteur.get_by_role("heading", level=1)).to_have_text("Proposer une modification de la clause RESP-1")
    assert_accessible(auteur)
    texte = auteur.get_by_label("Texte proposé (Markdown)")
    expect(texte).to_have_value(re.compile(r"^Un contenu produit avec l’aide d’une IA"))  # pre-filled
    tab_to_field(auteur, "texte")
    auteur.keyboard.press("Control+End")
    auteur.keyboard.type("\n\nLe référent IA valide chaque nouvel usage.")
    auteur.keyboard.press("Tab")
    expect(auteur.get_by_label("Exposé des motifs")).to_be_focused()
    auteur.keyboard.type("Personne ne sait aujourd’hui qui valide un nouvel outil.")
    press(auteur, "Enregistrer le brouillon", limit=5)
    expect(auteur.get_by_role("status")).to_contain_text("Votre brouillon est enregistré")
    expect(auteur.locator(".diff ins").first).to_contain_text("Le référent IA valide chaque nouvel usage.")
    assert_accessible(auteur)
    amendement_path = path_of(auteur)
    press(auteur, "Déposer l’amendement")
    expect(auteur.get_by_role("status")).to_contain_text("Votre amendement est déposé")
    expect(auteur.locator(".statut")).to_have_text("Déposé")

    # An agent of another department comments and co-signs.
    autre = new_context().new_page()
    login(autre, world.autre)
    autre.goto("/amendements/")
    assert_accessible(autre)
    start_from_top_of_document(autre)
    press(autre, "Modification — L’agent reste responsable")
    autre.wait_for_url(f"**{amendement_path}")
    assert_accessible(autre)
    start_from_top_of_document(autre)
    tab_to_field(autre, "commentaire-texte", limit=80)
    autre.keyboard.type("Et pour les **stagiaires** ?")
    press(autre, "Publier le commentaire", limit=3)
    expect(autre.get_by_role("status")).to_contain_text("Votre commentaire est publié")
    expect(autre.locator(".commentaire strong", has_text="stagiaires")).to_be_visible()
    expect(autre.locator(".commentaire-meta")).to_contain_text("sur la révision 1")
    start_from_top_of_document(autre)
    press(autre, "Cosigner au nom de Service de l’état civil")
    expect(autre.locator("#soutiens + p + ul")).to_contain_text("Service de l’état civil — cosigné par Sacha Petit")
    assert_accessible(autre)

    # The author is told, then revises; the diff against the previous revision shows.
    auteur.goto("/chartes/")
    expect(auteur.locator(".compteur")).to_have_text(re.compile(r"^2"))
    auteur.goto("/notifications")
    expect(auteur.locator(".notifications")).to_contain_text("Sacha Petit a commenté votre amendement n° 1")
    expect(auteur.locator(".notifications")).to_contain_text("a cosigné l’amendement n° 1")
    assert_accessible(auteur)
    start_from_top_of_document(auteur)
    press(auteur, "Tout marquer comme lu")
    expect(auteur.locator(".compteur")).to_have_count(0)
    auteur.goto(amendement_path)
    start_from_top_of_document(auteur)
    press(auteur, "Modifier l’amendement")
    auteur.wait_for_url(f"**{amendement_path}/modifier")
    assert_accessible(auteur)
    tab_to_field(auteur, "texte")
    auteur.keyboard.press("Control+End")
    auteur.keyboard.type(" Les stagiaires aussi.")
    press(auteur, "Enregistrer la révision", limit=5)
    expect(auteur.get_by_role("status")).to_contain_text("La révision 2 est enregistrée")
    expect(auteur.get_by_role("heading", name="Par rapport à la révision précédente (1)")).to_be_visible()
    expect(auteur.locator(".diff ins", has_text="stagiaires").first).to_be_visible()
    # Screen readers hear, and print shows, where changes start and end.
    expect(auteur.locator(".diff ins .diff-marque").first).to_have_text(re.compile("début d’ajout"))
    press(auteur, "Détail de la révision 2 (côte à côte, exposé)")
    auteur.wait_for_url(f"**{amendement_path}/revisions/2")
    expect(auteur.locator("table.diff-cote").first).to_be_visible()
    assert_accessible(auteur)
    auteur.goto("/amendements/mes-amendements")
    assert_accessible(auteur)

    # The committee's view of the page (with its forms) is accessible too.
    comite = new_context().new_page()
    login_http(comite.context, world.comite)
    comite.goto(amendement_path)
    comite.get_by_text("Déclarer l’amendement irrecevable (comité)").click()
    comite.locator("details.encart summary", has_text="Masquer").first.click()
    assert_accessible(comite)
    request_log.assert_same_origin()


def test_amendments_work_without_javascript(new_context, world):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, world.auteur)
    page.goto(f"/chartes/{world.charte_id}/amendements/nouveau")
    page.get_by_role("link", name="Ajouter une clause au thème «\u00a0Sobriété\u00a0»").click()
    expect(page.get_by_label("Emplacement de la nouvelle clause")).to_have_value("4:5")
    page.get_by_label("Titre de la clause").fill("Mesurer la consommation")
    page.get_by_label("Texte proposé (Markdown)").fill("Chaque service mesure ce que consomment ses outils.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Indiquez l’exposé des motifs")).to_be_visible()  # refused, text kept
    expect(page.get_by_label("Titre de la clause")).to_have_value("Mesurer la consommation")
    page.get_by_label("Exposé des motifs").fill("La sobriété se mesure.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("button", name="Déposer l’amendement").click()
    expect(page.get_by_role("status")).to_contain_text("Votre amendement est déposé")
    path = path_of(page)

    other = new_context(java_script_enabled=False).new_page()
    login(other, world.autre)
    other.goto(path)
    other.get_by_label("Votre commentaire sur la révision 1").fill("D’accord.")
    other.get_by_role("button", name="Publier le commentaire").click()
    other.get_by_text("Répondre").click()  # <details> opens without JavaScript
    other.get_by_label(re.compile("^Votre réponse")).fill("Et je précise.")
    other.get_by_role("button", name="Publier la réponse").click()
    expect(other.locator(".reponses")).to_contain_text("Et je précise.")
    other.get_by_role("button", name="Cosigner au nom de Service de l’état civil").click()
    expect(other.get_by_role("status")).to_contain_text("Vous avez cosigné")


def test_amendment_pages_fit_a_phone(new_context, world, make_amendement):
    context = new_context(viewport={"width": 375, "height": 700})
    login_http(context, world.auteur)
    page = context.new_page()
    page.goto(f"/chartes/{world.charte_id}/amendements/nouveau?nature=modification&clause=RESP-2")
    page.get_by_label("Texte proposé (Markdown)").fill("Un texte " + "très " * 40 + "long.")
    page.get_by_label("Exposé des motifs").fill("Pour voir.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    amendement = path_of(page)
    too_wide = {}
    for path in ("/amendements/", "/amendements/mes-amendements", amendement, amendement + "/revisions/1",
                 "/notifications", f"/chartes/{world.charte_id}/amendements/nouveau"):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        m = page.evaluate(OVERFLOW)
        if m["scrollWidth"] > m["clientWidth"] + 1:
            too_wide[path] = m
    assert not too_wide, f"défilement horizontal à 375 px : {too_wide}"
