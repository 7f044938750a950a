"""Rounds and the vote in Chromium: the committee opens a round and the vote, three agents vote (one
changes their mind), the committee closes, the results and the receipts show. Every step with the
keyboard, axe-core on each page, no third-party request."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from charte.extensions import db
from charte.temps import maintenant, saisie_paris
from tests.browser.conftest import login, login_http, path_of, release_db
from tests.browser.test_amendements import assert_accessible, press, tab_to_field
from tests.browser.test_keyboard import assert_focus_visible, start_from_top_of_document

pytestmark = pytest.mark.browser

NBSP = "\u00a0"


@dataclass(frozen=True)
class Monde:
    charte_id: int
    comite: str
    agents: tuple[str, ...]
    agent_ids: tuple[int, ...]


@pytest.fixture
def monde(make_user, make_departement, make_charte) -> Monde:
    finances = make_departement("Direction des finances")
    etat_civil = make_departement("Service de l’état civil")
    charte = make_charte("Charte d’usage de l’IA")
    agents = [make_user("agent", departement=dep, nom=nom) for dep, nom in
              ((finances, "Camille Durand"), (etat_civil, "Sacha Petit"), (etat_civil, "Lou Bernard"))]
    values = Monde(charte.id, make_user("comite", departement=finances, nom="Dominique Martin").email,
                   tuple(a.email for a in agents), tuple(a.id for a in agents))
    release_db()
    return values


def fill_date(page, field_id: str, value: str) -> None:
    """Reach the date-time field with Tab, then give its value. (Headless Chromium ignores digits typed
    into a datetime-local field's segments, so the value is set on the focused field.)"""
    tab_to_field(page, field_id)
    page.locator(f"#{field_id}").fill(value)


def choose(page, label: str) -> None:
    """Select a radio button with the keyboard: Tab into the group, then Space or the arrows."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "choix":
            break
    else:
        raise AssertionError("le groupe de boutons radio n’est jamais atteint avec Tab")
    assert_focus_visible(page)
    target = page.get_by_label(label, exact=True)
    if not page.evaluate("() => document.activeElement.checked"):
        page.keyboard.press("Space")
    for _ in range(3):
        if target.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(target).to_be_checked()


def vote(page, numero: int, label: str, motif: str = "", changement: bool = False) -> None:
    start_from_top_of_document(page)
    lien = f"changer mon vote sur l’amendement n°{NBSP}{numero}" if changement else \
        f"Voter sur l’amendement n°{NBSP}{numero}"
    _press_ending(page, lien)
    page.wait_for_url(re.compile(r"/amendements/\d+/bulletin$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Voter sur l’amendement n°{NBSP}{numero}")
    assert_accessible(page)
    start_from_top_of_document(page)
    choose(page, label)
    if motif:
        page.keyboard.press("Tab")
        expect(page.locator("#motif")).to_be_focused()
        page.keyboard.type(motif)
    press(page, "Changer mon vote" if changement else "Voter", limit=5)
    expect(page.get_by_role("status")).to_contain_text(
        "Votre bulletin est modifié" if changement else "Votre bulletin est enregistré")
    expect(page.locator(".facts")).to_contain_text(label)
    assert_accessible(page)


def _press_ending(page, suffix: str, limit: int = 80) -> None:
    """Tab to the link whose text ends with `suffix` (its start is the current choice), press Enter."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("() => document.activeElement.innerText || ''")
        # A visually hidden part of a link comes out of innerText on its own line: compare words only.
        if " ".join(text.split()).endswith(" ".join(suffix.split())):
            assert_focus_visible(page)
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"lien «{NBSP}…{suffix}{NBSP}» jamais atteint")


def committee_action(page, tour_path: str, link: str, path_end: str, motif: str, button: str) -> None:
    """From the round's page: follow the action's link, check the page, give the reason, confirm."""
    page.goto(tour_path)
    start_from_top_of_document(page)
    press(page, link)
    page.wait_for_url(f"**{path_end}")
    assert_accessible(page)
    tab_to_field(page, "motif")
    page.keyboard.type(motif)
    press(page, button, limit=5)


def test_a_whole_amendment_round_with_the_keyboard(new_context, monde, make_amendement, request_log):
    # The committee opens a round: dates in Paris time.
    comite = new_context().new_page()
    login(comite, monde.comite)
    comite.goto(f"/chartes/{monde.charte_id}/tours")
    assert_accessible(comite)
    start_from_top_of_document(comite)
    press(comite, "Ouvrir un tour d’amendements")
    comite.wait_for_url("**/tours/nouveau")
    assert_accessible(comite)
    tab_to_field(comite, "titre")
    comite.keyboard.type("Premier tour")
    now = maintenant()
    fill_date(comite, "depot_debut", saisie_paris(now - timedelta(hours=1)))
    fill_date(comite, "depot_fin", saisie_paris(now + timedelta(days=1)))
    fill_date(comite, "vote_debut", saisie_paris(now + timedelta(days=1)))
    fill_date(comite, "vote_fin", saisie_paris(now + timedelta(days=8)))
    press(comite, "Ouvrir le tour", limit=12)  # Tab first walks the date field’s segments
    comite.wait_for_url(re.compile(r"/tours/\d+$"))
    expect(comite.get_by_role("status")).to_contain_text("Le Premier tour est ouvert")
    expect(comite.locator(".facts")).to_contain_text("Dépôt des amendements ouvert")
    expect(comite.locator(".facts")).to_contain_text("(heure de Paris)")
    assert_accessible(comite)
    tour_path = path_of(comite)

    # Two departments submitted amendments meanwhile (the amendments' own pages are tested elsewhere).
    from charte.tours.models import Tour

    tour = db.session.scalars(select(Tour)).one()
    numero = make_amendement(tour=tour, auteur=db.session.get(_user(), monde.agent_ids[0]), ref="RESP-1").numero
    make_amendement(tour=tour, auteur=db.session.get(_user(), monde.agent_ids[1]), ref="DON-1")
    release_db()  # from here the test reads nothing more from the database: the server writes alone

    # The committee opens the vote, closing the submission window early with a reason.
    committee_action(comite, tour_path, "Ouvrir le vote", "/ouvrir-vote",
                     "Les services ont tous déposé leurs propositions.", "Ouvrir le vote")
    comite.wait_for_url(f"**{tour_path}")
    expect(comite.get_by_role("status")).to_contain_text(f"Le vote est ouvert sur 2{NBSP}amendements")
    expect(comite.locator(".facts")).to_contain_text(f"4{NBSP}agents peuvent voter")
    expect(comite.locator(".history")).to_contain_text("Les services ont tous déposé leurs propositions.")
    assert_accessible(comite)

    # Three agents vote; the third changes their mind.
    pages = []
    for email, (label, motif) in zip(monde.agents, (("Pour", "Enfin clair."), ("Contre", ""), ("Contre", ""))):
        page = new_context().new_page()
        login(page, email)
        page.goto(tour_path)
        assert_accessible(page)
        vote(page, numero, label, motif)
        pages.append(page)
    troisieme = pages[2]
    troisieme.goto(tour_path)
    vote(troisieme, numero, "Pour", changement=True)

    # Results stay hidden while the vote runs.
    pages[0].goto(tour_path + "/resultats")
    expect(pages[0].locator(".alert")).to_contain_text("Les résultats seront publiés à la clôture du vote")
    assert_accessible(pages[0])

    # The committee closes the vote early, with a reason.
    committee_action(comite, tour_path, "Clore le vote", "/clore", "Tous les agents concernés ont voté.",
                     "Clore le vote et publier les résultats")
    comite.wait_for_url("**/resultats")
    expect(comite.get_by_role("status")).to_contain_text("Le vote est clos")
    expect(comite.locator("table")).to_contain_text("Adopté")
    expect(comite.locator("svg[role=img] title").first).to_have_text(re.compile("^Résultats du Premier tour"))
    assert_accessible(comite)
    start_from_top_of_document(comite)
    press(comite, "L’agent reste responsable")
    comite.wait_for_url(re.compile(r"/amendements/\d+/resultat$"))
    expect(comite.locator(".calcul")).to_contain_text(f"Quorum atteint{NBSP}: 3{NBSP}votants sur 4{NBSP}agents, "
                                                      f"seuil 25{NBSP}%")
    expect(comite.locator(".calcul")).to_contain_text(f"2 «{NBSP}pour{NBSP}» > 1 «{NBSP}contre{NBSP}»")
    expect(comite.locator("table.recus tbody tr")).to_have_count(3)
    assert_accessible(comite)

    # Each agent finds their receipt on their ballot page, then in the published list.
    auteur = pages[0]
    auteur.goto(tour_path)
    start_from_top_of_document(auteur)
    _press_ending(auteur, f"mon reçu pour l’amendement n°{NBSP}{numero}")
    auteur.wait_for_url(re.compile(r"/bulletin$"))
    code = auteur.locator("code.recu").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}", code), code
    assert_accessible(auteur)
    start_from_top_of_document(auteur)
    press(auteur, "liste des reçus de l’amendement")
    auteur.wait_for_url(re.compile(r"/resultat#recus$"))
    expect(auteur.locator("table.recus tr", has_text=code)).to_contain_text("Pour")
    assert_accessible(auteur)
    request_log.assert_same_origin()


def _user():
    from charte.accounts.models import User

    return User


def test_the_other_round_pages_pass_axe(new_context, monde, make_user, make_tour, make_amendement):
    """Rules, windows, the round list, a form with errors, department voices and the dashboard."""
    from charte.accounts.models import User
    from charte.chartes.models import Charte
    from charte.scrutins.models import Electeur
    from charte.scrutins.services import clore_scrutin, voter

    admin = make_user("admin", nom="Alex Bernard").email
    charte = db.session.get(Charte, monde.charte_id)
    tour = make_tour(charte=charte, statut="vote", une_voix_par_service=True)
    amendement = make_amendement(tour=tour, auteur=db.session.get(User, monde.agent_ids[0]), statut="en_vote")
    users = db.session.scalars(select(User)).all()
    db.session.add_all([Electeur(tour_id=tour.id, user_id=u.id, departement_id=u.departement_id) for u in users])
    tour.electeurs_count = len(users)
    for user_id, choix in zip(monde.agent_ids, ("pour", "contre", "contre")):
        voter(amendement, db.session.get(User, user_id), choix)
    comite = db.session.scalars(select(User).filter_by(email=monde.comite)).one()
    clore_scrutin(tour, comite, "Fin de la démonstration.")
    db.session.commit()
    depot = make_tour(charte=charte)  # a new round, still in submission
    ids = {"charte": charte.id, "tour": tour.id, "amendement": amendement.id, "depot": depot.id}
    release_db()  # from here the test reads nothing more from the database

    pages = {
        admin: ["/admin/chartes/{charte}/regles"],
        monde.comite: ["/chartes/{charte}/tours", "/chartes/{charte}/tours/nouveau", "/tours/{tour}",
                       "/tours/{tour}/participation", "/amendements/{amendement}/resultat",
                       "/tours/{tour}/resultats", "/tours/{depot}/fenetre", "/tours/{depot}/ouvrir-vote"],
    }
    for email, paths in pages.items():
        context = new_context()
        login_http(context, email)
        page = context.new_page()
        for path in paths:
            url = path.format(**ids)
            page.goto(url)
            assert path_of(page) == url
            assert_accessible(page)
        if email == monde.comite:
            page.goto(f"/chartes/{ids['charte']}/tours/nouveau")
            page.get_by_role("button", name="Ouvrir le tour").focus()
            page.keyboard.press("Enter")
            expect(page.get_by_text("Indiquez le début du dépôt.")).to_be_visible()
            assert_accessible(page)
            page.goto(f"/amendements/{ids['amendement']}/resultat")
            expect(page.get_by_role("table", name="Voix des services (une voix par service)")).to_be_visible()
