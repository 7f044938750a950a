"""The committee in Chromium: consolidates a closed round, resolves a conflict, submits the draft; two
members approve it, each after confirming their identity on the real page; the version is adopted and
its page, changelog and comparison read well. axe-core on every page, a decision made with the keyboard,
no request to a third party (checked by the browser fixtures)."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, path_of, release_db
from tests.browser.test_accessibility import axe_violations, describe
from tests.conftest import PASSWORD, next_totp_code

pytestmark = pytest.mark.browser


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core sur {page.url} :\n{describe(violations)}"


@pytest.fixture
def tour_clos(app, make_user, make_departement, make_charte, make_tour, make_amendement):
    """A closed round with three adopted amendments, two of which rewrite the same words of RESP-2."""
    from charte.extensions import db
    from charte.scrutins.models import Resultat

    charte = make_charte("Charte d’usage de l’IA")
    tour = make_tour(charte, statut="clos", validation_seuil=2)
    finances, etat_civil = make_departement("Direction des finances"), make_departement("Service de l’état civil")
    agents = [make_user("agent", departement=finances, nom="Camille Durand"),
              make_user("agent", departement=etat_civil, nom="Lou Bernard")]
    comites = [make_user("comite", departement=finances, nom=nom) for nom in ("Dominique Martin", "Alix Moreau")]
    resp2 = charte.version_courante.clause("RESP-2").texte
    resp1 = charte.version_courante.clause("RESP-1").texte
    textes = [("RESP-2", resp2.replace("Un agent examine le dossier", "Deux agents examinent le dossier")),
              ("RESP-2", resp2.replace("Un agent examine le dossier", "Un agent qualifié examine le dossier")),
              ("RESP-1", resp1.replace("courrier, note", "courrier, note, rapport"))]
    for i, (ref, texte) in enumerate(textes):
        amendement = make_amendement(tour=tour, auteur=agents[i % 2], ref=ref, texte=texte, statut="adopte")
        db.session.add(Resultat(amendement_id=amendement.id, tour_id=tour.id, electeurs=30, votants=20, pour=14,
                                contre=4, abstention=2, quorum_atteint=True, adopte=True,
                                calcule_at=amendement.created_at))
    db.session.commit()
    values = {"charte_id": charte.id, "emails": [c.email for c in comites], "noms": [c.nom for c in comites],
              "merged": resp2.replace("Un agent examine le dossier", "Deux agents qualifiés examinent le dossier")}
    release_db()
    return values


@pytest.fixture
def horloge(monkeypatch):
    """Move the sessions' clock forward, so that a login's freshness runs out as it would after minutes."""
    from charte.accounts import sessions

    decalage = {"secondes": 0}
    monkeypatch.setattr(sessions, "_now", lambda: time.time() + decalage["secondes"])

    def avancer(secondes: int) -> None:
        decalage["secondes"] += secondes

    return avancer


def confirmer_identite(page, email: str) -> None:
    """The real confirmation page: password and second-factor code, then back to where the person was."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer votre identité")
    assert_axe_clean(page)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Code de vérification", exact=True).fill(next_totp_code(email))
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()


def test_the_committee_consolidates_resolves_approves_and_adopts(page, new_context, tour_clos, horloge):
    charte_id = tour_clos["charte_id"]
    premier, second = tour_clos["emails"]
    login(page, premier)
    page.goto(f"/chartes/{charte_id}/projets")
    expect(page.get_by_role("heading", level=1)).to_have_text("Projets de version")
    assert_axe_clean(page)
    page.get_by_role("button", name="Consolider le Tour n° 1").click()
    expect(page.get_by_role("status")).to_contain_text("1\u00a0amendement appliqué, 1\u00a0conflit à résoudre")
    assert_axe_clean(page)
    projet_path = path_of(page)

    # The conflict screen: texts, competing amendments with their votes, the suggestion marked as such.
    page.get_by_role("link", name="Résoudre le conflit sur la clause RESP-2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conflit sur la clause RESP-2")
    expect(page.get_by_text("Suggestion de fusion automatique, à vérifier.")).to_be_visible()
    expect(page.get_by_text("14 pour, 4 contre, 2 abstentions").first).to_be_visible()
    assert_axe_clean(page)
    page.get_by_role("button", name="Enregistrer la résolution").click()  # no reason given: refused
    expect(page.locator("#motif-erreur")).to_contain_text("Indiquez le motif")
    assert_axe_clean(page)
    page.get_by_label("Texte de la clause (Markdown)").fill(tour_clos["merged"])
    page.get_by_label("Motif (affiché dans le journal des modifications)").fill("Les deux idées se complètent.")
    page.get_by_role("button", name="Enregistrer la résolution").click()
    expect(page.get_by_role("status")).to_contain_text("Le conflit sur la clause RESP-2 est résolu.")
    assert path_of(page) == projet_path

    page.get_by_role("button", name="Soumettre le projet à validation").click()
    expect(page.get_by_role("status")).to_contain_text("soumis à la validation du comité")

    # Minutes later, the login is no longer fresh: approving asks for the password and the code again.
    horloge(6 * 60)
    page.get_by_role("link", name="Approuver ou rejeter le projet").click()
    confirmer_identite(page, premier)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approuver ou rejeter le projet")
    assert_axe_clean(page)
    page.get_by_label("J’approuve ce texte").check()
    page.get_by_role("button", name="Enregistrer ma décision").click()
    expect(page.get_by_role("status")).to_contain_text("Votre décision est enregistrée.")
    expect(page.get_by_text("1\u00a0approbation sur le texte actuel, pour un seuil de 2.")).to_be_visible()

    # The second member, in their own browser, decides with the keyboard only.
    autre = new_context().new_page()
    login(autre, second)
    horloge(6 * 60)
    autre.goto(f"{projet_path}/decision")
    confirmer_identite(autre, second)
    expect(autre.get_by_role("heading", level=1)).to_contain_text("Approuver ou rejeter le projet")
    autre.get_by_label("J’approuve ce texte").focus()
    autre.keyboard.press("Space")
    autre.keyboard.press("Tab")  # out of the radio group, into the comment
    assert autre.evaluate("() => document.activeElement.id") == "commentaire"
    autre.keyboard.type("Texte clair et complet.")
    autre.keyboard.press("Tab")
    assert autre.evaluate("() => document.activeElement.textContent.trim()") == "Enregistrer ma décision"
    with autre.expect_navigation():
        autre.keyboard.press("Enter")

    # Adopted: the version's page with its hash, its parent's hash and the approvals it carries.
    expect(autre.get_by_role("status")).to_contain_text("la version 2 est adoptée")
    assert path_of(autre) == f"/chartes/{charte_id}/versions/2"
    expect(autre.get_by_role("heading", name="Approbations du comité")).to_be_visible()
    for nom in tour_clos["noms"]:
        expect(autre.get_by_text(nom, exact=False).last).to_be_visible()
    expect(autre.get_by_text("Empreinte de la version parente")).to_be_visible()
    assert_axe_clean(autre)

    autre.get_by_role("link", name="Journal des modifications de cette version").click()
    expect(autre.get_by_role("heading", level=1)).to_have_text("Journal des modifications de la version 2")
    expect(autre.get_by_text("Les deux idées se complètent.")).to_be_visible()
    assert_axe_clean(autre)
    autre.get_by_role("link", name="Comparer avec la version 1").click()
    expect(autre.get_by_role("heading", level=1)).to_contain_text("Version 1 → Version 2")
    autre.get_by_text("Vue côte à côte de la clause RESP-2").click()
    expect(autre.locator("#cmp-RESP-2 table.diff-cote")).to_be_visible()
    assert_axe_clean(autre)
    autre.goto(f"{projet_path}/comparaison")
    assert_axe_clean(autre)
    autre.goto(projet_path)
    expect(autre.get_by_text("Adopté", exact=True).first).to_be_visible()
    assert_axe_clean(autre)
