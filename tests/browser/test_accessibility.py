"""axe-core on every page a person uses: no violation of impact "serious" or "critical"."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import login_http, path_of

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING = {"serious", "critical"}


def describe(violations) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(str(t) for t in node["target"]) for node in v["nodes"]]
        lines.append(f"  - {v['id']} [{v['impact']}] {v['help']} ({v.get('helpUrl', '')}) → {targets}")
    return "\n".join(lines)


def axe_violations(page, impacts=BLOCKING):
    violations = AXE.run(page).response["violations"]
    return [v for v in violations if v.get("impact") in impacts]


# --- What some pages need before they can be checked -------------------------------------------


def wrong_password(page, seed):
    page.get_by_label("Adresse électronique", exact=True).fill("personne@mairie.example")
    page.get_by_label("Mot de passe", exact=True).fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse électronique ou mot de passe incorrect")


def submit_empty(page, seed):
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_text("Indiquez l’adresse électronique.")).to_be_visible()
    expect(page.get_by_label("Adresse électronique")).to_have_attribute("aria-invalid", "true")


def create_account(page, seed):
    page.get_by_label("Adresse électronique").fill("sacha.petit@mairie.example")
    page.get_by_label("Prénom et nom").fill("Sacha Petit")
    page.get_by_label("Service", exact=True).select_option(label=seed.departement_nom)
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte créé")
    expect(page.locator(".secret code")).to_have_text(re.compile(r"^\S{4}(-\S{4}){3}$"))


# (id, role logged in or None, path, action after loading, expected <h1>)
PAGES = [
    ("public-accueil", None, "/", None, "La charte d’usage"),
    ("public-accessibilite", None, "/accessibilite", None, "Déclaration d’accessibilité"),
    ("public-connexion", None, "/connexion", None, "Connexion à l’espace agents"),
    ("public-connexion-erreur", None, "/connexion", wrong_password, "Connexion à l’espace agents"),
    ("public-404", None, "/page-qui-n-existe-pas", None, "Page introuvable"),
    ("agent-chartes", "agent", "/chartes/", None, "Chartes de"),
    ("agent-charte", "agent", "/chartes/{charte_id}", None, None),
    ("agent-versions", "agent", "/chartes/{charte_id}/versions", None, "Versions de la charte"),
    ("agent-version-1", "agent", "/chartes/{charte_id}/versions/1", None, None),
    ("agent-clause-RESP-1", "agent", "/chartes/{charte_id}/clauses/RESP-1", None, "RESP-1"),
    ("agent-mot-de-passe", "agent", "/mon-compte/mot-de-passe", None, "Changer de mot de passe"),
    ("agent-403", "agent", "/journal", None, "Accès refusé"),
    ("comite-journal", "comite", "/journal", None, "Journal des actions"),
    ("comite-journal-filtre", "comite", "/journal?action=compte.cree&personne=systeme&du=2020-01-01", None,
     "Journal des actions"),
    ("comite-journal-filtre-erreur", "comite", "/journal?du=hier&au=2020-01-01", None, "Journal des actions"),
    ("admin-journal", "admin", "/journal", None, "Journal des actions"),
    ("admin-accueil", "admin", "/admin/", None, "Administration"),
    ("admin-parametres", "admin", "/admin/parametres", None, "Paramètres de la collectivité"),
    ("admin-comptes", "admin", "/admin/comptes", None, "Comptes"),
    ("admin-compte-nouveau", "admin", "/admin/comptes/nouveau", None, "Créer un compte"),
    ("admin-compte-nouveau-erreurs", "admin", "/admin/comptes/nouveau", submit_empty, "Créer un compte"),
    ("admin-compte", "admin", "/admin/comptes/{admin_id}", None, "Compte d’Alex Bernard"),
    ("admin-compte-desactiver", "admin", "/admin/comptes/{agent_id}/desactiver", None,
     "Désactiver le compte de Camille Durand"),
    ("admin-services", "admin", "/admin/services", None, "Services"),
    ("admin-service", "admin", "/admin/services/{departement_id}", None, "Renommer le service"),
    ("admin-modeles", "admin", "/admin/modeles", None, "Modèles de charte"),
    ("admin-modeles-format", "admin", "/admin/modeles/format", None, "Format des modèles de charte"),
    ("admin-modele", "admin", "/admin/modeles/{modele_id}", None, "Modèle :"),
    ("admin-charte-nouvelle", "admin", "/admin/chartes/nouvelle", None, "Créer une charte"),
    ("admin-mot-de-passe-genere", "admin", "/admin/comptes/nouveau", create_account, "Compte créé"),
]


@pytest.mark.parametrize(("role", "path", "action", "heading"),
                         [pytest.param(*case[1:], id=case[0]) for case in PAGES])
def test_page_has_no_serious_axe_violation(page, make_seed, request_log, role, path, action, heading):
    roles = {None: [], "admin": ["admin", "agent"]}.get(role, [role])  # an admin needs someone to manage
    seed = make_seed(*roles, charte=role is not None)
    if role:
        login_http(page.context, seed.email(role))
    url = path.format(charte_id=seed.charte_id, departement_id=seed.departement_id, modele_id=seed.modele_id,
                      admin_id=seed.user_ids.get("admin"), agent_id=seed.user_ids.get("agent"))
    page.goto(url)
    assert path_of(page) == url.split("?")[0], f"{url} a mené à {page.url}"
    if action:
        action(page, seed)
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    violations = axe_violations(page)

    assert not violations, f"axe-core sur {url} ({page.title()}) :\n{describe(violations)}"
    request_log.assert_same_origin()
