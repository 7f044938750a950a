"""Opening the vote, ballots, closing: services and pages."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from charte.amendements.models import Amendement, AmendementStatut, Cosignature
from charte.exceptions import Conflict, Forbidden, InvalidInput
from charte.extensions import db
from charte.immutability import ImmutableRowError
from charte.journal.models import JournalEntry
from charte.notifications.models import Notification
from charte.scrutins import services
from charte.scrutins.models import Bulletin, BulletinEvenement, Electeur, Resultat
from charte.scrutins.recus import FORME, recompter
from charte.temps import maintenant
from charte.tours.models import TourEvenement, TourEvenementType, TourStatut
from tests.conftest import page_text
from tests.scrutins.conftest import count, depot_termine, vote_termine


def journal(action):
    return db.session.scalars(select(JournalEntry).filter_by(action=action).order_by(JournalEntry.seq)).all()


def snapshot():
    """Everything a refused action must leave as it was."""
    return (count(Bulletin), count(BulletinEvenement), count(Electeur), count(Resultat), count(JournalEntry),
            count(Notification), count(TourEvenement),
            sorted((a.id, a.statut.value, a.motif) for a in db.session.scalars(select(Amendement))))


# --- Opening the vote ------------------------------------------------------------------------------

def test_opening_the_vote_freezes_the_electorate_and_moves_the_admissible_amendments(scrutin, make_amendement,
                                                                                    make_user):
    s = scrutin(n=2, agents=3, ouvrir=False)
    brouillon = make_amendement(tour=s.tour, auteur=s.electeurs[1], statut="brouillon")
    depot_termine(s.tour)
    disabled = make_user("agent", departement=s.departements[1])
    disabled.is_active = False
    db.session.commit()

    preparation = services.ouvrir_vote(s.tour, s.comite)
    db.session.commit()

    assert [a.id for a in preparation.en_vote] == [a.id for a in s.amendements]
    assert all(a.statut == AmendementStatut.EN_VOTE for a in s.amendements)
    assert db.session.get(Amendement, brouillon.id).statut == AmendementStatut.BROUILLON
    assert s.tour.statut == TourStatut.VOTE and s.tour.vote_ouvert_par_id == s.comite.id
    assert s.tour.electeurs_count == 4  # 3 agents and the committee member; not the disabled account
    electeurs = {(e.user_id, e.departement_id)
                 for e in db.session.scalars(select(Electeur).filter_by(tour_id=s.tour.id))}
    assert electeurs == {(u.id, u.departement_id) for u in [s.comite, *s.electeurs]}
    notified = set(db.session.scalars(select(Notification.user_id).filter_by(type="vote_ouvert")))
    assert notified == {u.id for u in [s.comite, *s.electeurs]}
    link = db.session.scalars(select(Notification.lien)).first()
    assert link == f"/tours/{s.tour.id}"
    entry = journal("scrutin.ouvert")[-1]
    assert json.loads(entry.details_json)["electeurs"] == 4


def test_the_page_says_how_many_may_vote(client, auth, scrutin):
    s = scrutin(agents=3)
    auth.login(s.electeurs[1])
    text = page_text(client.get(f"/tours/{s.tour.id}"))
    assert "4\u00a0agents peuvent voter" in text and "vous en faites partie" in text


def test_amendments_without_enough_cosigning_departments_stay_out_with_the_reason(scrutin, make_user):
    s = scrutin(n=2, ouvrir=False, cosignataires_min=1)
    soutenu, seul = s.amendements
    other = s.departements[1]
    db.session.add(Cosignature(amendement_id=soutenu.id, user_id=s.electeurs[1].id, departement_id=other.id,
                               created_at=maintenant()))
    # A co-signer of the author's own department does not count.
    db.session.add(Cosignature(amendement_id=seul.id, user_id=s.electeurs[2].id,
                               departement_id=seul.departement_id, created_at=maintenant()))
    db.session.commit()
    services.ouvrir_vote(s.tour, s.comite)
    db.session.commit()
    assert soutenu.statut == AmendementStatut.EN_VOTE
    assert seul.statut == AmendementStatut.DEPOSE
    assert seul.motif == "Écarté du vote\u00a0: 0 service cosignataire, il en faut au moins 1."


def test_the_electorate_does_not_follow_later_accounts(client, auth, scrutin, make_user):
    s = scrutin(agents=2)
    electeurs_avant = count(Electeur, tour_id=s.tour.id)
    nouveau = make_user("agent", departement=s.departements[0])
    s.electeurs[1].is_active = False
    db.session.commit()
    db.session.refresh(s.tour)
    assert count(Electeur, tour_id=s.tour.id) == electeurs_avant == s.tour.electeurs_count == 3
    assert db.session.get(Electeur, (s.tour.id, s.electeurs[1].id)) is not None

    auth.login(nouveau)
    before = snapshot()
    response = client.submit(f"/amendements/{s.amendements[0].id}/bulletin", {"choix": "pour"})
    assert response.status_code == 403
    assert "Vous ne faisiez pas partie des agents inscrits quand le vote s’est ouvert" in page_text(response)
    assert snapshot() == before
    page = page_text(client.get(f"/amendements/{s.amendements[0].id}/bulletin"))
    assert "ne faisiez pas partie" in page and 'name="choix"' not in page


@pytest.mark.parametrize("action, message, event_type", [
    ("ouvrir-vote", "La période de dépôt court encore", TourEvenementType.DEPOT_ABREGE),
    ("clore", "indiquez pourquoi vous le closez plus tôt", TourEvenementType.VOTE_ABREGE),
])
def test_cutting_a_window_short_needs_a_reason_and_records_it(client, auth, scrutin, action, message, event_type):
    s = scrutin(ouvrir=action == "clore")
    if action == "ouvrir-vote":
        s.tour.depot_fin_at = maintenant() + timedelta(days=1)
        s.tour.vote_debut_at = s.tour.depot_fin_at
        db.session.commit()
    auth.login(s.comite)
    before = snapshot()
    response = client.submit(f"/tours/{s.tour.id}/{action}", {"motif": "   "})
    assert response.status_code == 400
    assert message in page_text(response)
    assert snapshot() == before
    response = client.submit(f"/tours/{s.tour.id}/{action}", {"motif": "Tous les services sont prêts."})
    assert response.status_code == 302
    db.session.refresh(s.tour)
    assert s.tour.statut == (TourStatut.VOTE if action == "ouvrir-vote" else TourStatut.CLOS)
    event = db.session.scalars(select(TourEvenement)).one()
    assert (event.type, event.motif) == (event_type, "Tous les services sont prêts.")
    assert event.nouveau_at < event.ancien_at


@pytest.mark.parametrize("etat, status, message", [
    ("vote", 409, "Le vote de ce tour est déjà ouvert."),
    ("clos", 409, "Ce tour est clos."),
    ("passe", 409, "La période de vote prévue s’est terminée"),
])
def test_opening_the_vote_refused(client, auth, scrutin, etat, status, message):
    s = scrutin(ouvrir=etat != "passe")
    if etat == "clos":
        vote_termine(s.tour)
        services.clore_scrutin(s.tour, s.comite)
        db.session.commit()
    if etat == "passe":
        vote_termine(s.tour)
    auth.login(s.comite)
    before = snapshot()
    response = client.submit(f"/tours/{s.tour.id}/ouvrir-vote", {})
    assert response.status_code == status
    assert message in page_text(response)
    assert snapshot() == before


# --- Ballots -----------------------------------------------------------------------------------------

def test_cast_change_and_resubmit_a_ballot(scrutin):
    s = scrutin()
    amendement, agent = s.amendements[0], s.electeurs[1]
    bulletin, issue = services.voter(amendement, agent, "pour", "  Clair et utile.  ")
    db.session.commit()
    assert issue == "depose" and (bulletin.choix.value, bulletin.motif) == ("pour", "Clair et utile.")
    assert bulletin.revision_id == amendement.revisions[0].id
    _, issue = services.voter(amendement, agent, "contre")
    db.session.commit()
    assert issue == "modifie"
    _, issue = services.voter(amendement, agent, "contre")
    db.session.commit()
    assert issue == "inchange"
    assert count(Bulletin) == 1
    events = db.session.scalars(select(BulletinEvenement).order_by(BulletinEvenement.id)).all()
    assert [(e.choix.value, e.motif) for e in events] == [("pour", "Clair et utile."), ("contre", "")]
    assert all(e.revision_id == amendement.revisions[0].id for e in events)
    # The journal says that a ballot was cast, then changed; never what it says.
    entries = journal("bulletin.depose") + journal("bulletin.modifie")
    assert [e.action for e in entries] == ["bulletin.depose", "bulletin.modifie"]
    for entry in entries:
        assert entry.target == f"amendement:{amendement.id}" and json.loads(entry.details_json) == {}
        assert "pour" not in entry.details_json and "contre" not in entry.details_json


def test_vote_through_the_page(client, auth, scrutin):
    s = scrutin()
    a = s.amendements[0]
    auth.login(s.electeurs[1])
    page = page_text(client.get(f"/amendements/{a.id}/bulletin"))
    assert "Voter sur l’amendement n°\u00a0" in page and 'value="abstention"' in page
    response = client.submit(f"/amendements/{a.id}/bulletin", {"choix": "abstention", "motif": "Je m’abstiens."})
    assert response.status_code == 302
    page = page_text(client.get(f"/amendements/{a.id}/bulletin"))
    assert "Votre bulletin est enregistré" in page and "Abstention" in page and "Je m’abstiens." in page
    assert "Changer mon vote" in page
    assert client.submit(f"/amendements/{a.id}/bulletin", {"choix": "pour"}).status_code == 302
    assert "Votre bulletin est modifié" in page_text(client.get(f"/amendements/{a.id}/bulletin"))
    assert db.session.scalars(select(Bulletin)).one().choix.value == "pour"


@pytest.mark.parametrize("data, message", [
    ({}, "Choisissez «\u00a0pour\u00a0», «\u00a0contre\u00a0» ou «\u00a0abstention\u00a0»."),
    ({"choix": "peut-etre"}, "Choisissez une valeur proposée dans la liste."),
    ({"choix": "pour", "motif": "x" * 281}, "280 caractères au plus."),
])
def test_bad_ballots_are_refused(client, auth, scrutin, data, message):
    s = scrutin()
    auth.login(s.electeurs[0])
    before = snapshot()
    response = client.submit(f"/amendements/{s.amendements[0].id}/bulletin", data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert snapshot() == before


def test_a_ballot_without_csrf_is_refused(client, auth, scrutin):
    s = scrutin()
    auth.login(s.electeurs[0])
    before = snapshot()
    response = client.post(f"/amendements/{s.amendements[0].id}/bulletin", data={"choix": "pour"})
    assert response.status_code == 400
    after = snapshot()
    assert after[:4] == before[:4] and after[5:] == before[5:]  # only the refusal itself is journalled
    assert after[4] == before[4] + 1 and len(journal("csrf.refuse")) == 1


@pytest.mark.parametrize("situation, status, message", [
    ("avant", 409, "Le vote n’est pas encore ouvert."),
    ("apres_fenetre", 409, "La période de vote s’est terminée le"),
    ("clos", 409, "Le vote est clos"),
    ("pas_en_vote", 409, "Cet amendement n’est pas soumis au vote."),
    ("brouillon", 404, "Cet amendement n’existe pas"),
    ("inconnu", 404, "Cet amendement n’existe pas"),
])
def test_ballots_outside_the_window_or_state_are_refused(client, auth, scrutin, make_amendement, situation,
                                                         status, message):
    s = scrutin(ouvrir=situation != "avant")
    a = s.amendements[0]
    if situation == "apres_fenetre":
        vote_termine(s.tour)
    if situation == "clos":
        services.voter(a, s.electeurs[0], "pour")
        services.clore_scrutin(s.tour, s.comite, "Fin anticipée.")
        db.session.commit()
    if situation == "pas_en_vote":
        a = make_amendement(tour=s.tour, auteur=s.electeurs[0])  # déposé after the opening: not in the vote
    if situation == "brouillon":
        a = make_amendement(tour=s.tour, auteur=s.electeurs[0], statut="brouillon")
    url = f"/amendements/{a.id if situation != 'inconnu' else 999999}/bulletin"
    auth.login(s.electeurs[1])
    before = snapshot()
    response = client.submit(url, {"choix": "contre"})
    assert response.status_code == status
    assert message in page_text(response)
    assert snapshot() == before


def test_the_services_refuse_the_same(scrutin):
    s = scrutin()
    with pytest.raises(InvalidInput):
        services.voter(s.amendements[0], s.electeurs[0], "blanc")
    with pytest.raises(InvalidInput):
        services.voter(s.amendements[0], s.electeurs[0], "pour", "m" * 281)
    db.session.rollback()
    vote_termine(s.tour)
    with pytest.raises(Conflict):
        services.voter(s.amendements[0], s.electeurs[0], "pour")


def test_a_non_elector_is_refused_by_the_service(scrutin, make_user):
    s = scrutin()
    late = make_user("agent")
    with pytest.raises(Forbidden):
        services.voter(s.amendements[0], late, "pour")


# --- Privacy: nobody but the voter sees a ballot -----------------------------------------------------

SECRET = "Motif-tres-personnel-7Q"


def _get_routes(app, ids):
    """Every GET route of the application with its placeholders filled."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {arg: ids.get(arg, 1) for arg in rule.arguments}
        if "ref" in rule.arguments:
            values["ref"] = "RESP-1"
        if "numero" in rule.arguments:
            values["numero"] = 1
        urls.append(rule.build(values)[1] if hasattr(rule, "build") else None)
    return [u for u in urls if u]


@pytest.mark.parametrize("closed", [False, True])
def test_no_page_shows_anyone_else_who_voted_what(app, client, auth, scrutin, make_user, closed):
    s = scrutin(agents=3, resultats_en_direct=True)
    a = s.amendements[0]
    voter = s.electeurs[1]
    voter.nom = "Zéphyrine Secrète"
    db.session.commit()
    services.voter(a, voter, "contre", SECRET)
    db.session.commit()
    if closed:
        services.clore_scrutin(s.tour, s.comite, "Fin anticipée.")
        db.session.commit()
    recu = db.session.scalars(select(Bulletin.recu)).one()
    observer = make_user("admin+comite", departement=s.departements[0])
    ids = {"tour_id": s.tour.id, "amendement_id": a.id, "charte_id": s.tour.charte_id, "user_id": voter.id,
           "departement_id": s.departements[0].id, "modele_id": s.tour.charte.modele_id}
    auth.login(observer)
    pages = _get_routes(app, ids)
    assert f"/amendements/{a.id}/bulletin" in pages and f"/tours/{s.tour.id}/resultats" in pages
    for url in pages:
        response = client.get(url)
        text = page_text(response)
        assert SECRET not in text, url
        if recu:
            assert recu not in text or "Zéphyrine" not in text, url  # a receipt is never shown with a name
    # The voter sees their own ballot, its reason and (after closing) its receipt.
    auth.logout()
    auth.login(voter)
    own = page_text(client.get(f"/amendements/{a.id}/bulletin"))
    assert SECRET in own and "Contre" in own
    if closed:
        assert recu in own


# --- Results hidden until closing ----------------------------------------------------------------

HIDDEN_PARAMS = ["", "?direct=1", "?resultats=1&afficher=tout", "?statut=clos", "?live=true"]


def test_hidden_results_cannot_be_revealed_early(client, auth, scrutin, make_user):
    s = scrutin(agents=5)
    a = s.amendements[0]
    for agent, choix in zip(s.electeurs, ["pour", "pour", "pour", "contre", "abstention"]):
        services.voter(a, agent, choix)
    db.session.commit()
    admin = make_user("admin+comite", departement=s.departements[0])
    for who in (s.electeurs[0], s.comite, admin):
        auth.login(who)
        for path in (f"/tours/{s.tour.id}/resultats", f"/amendements/{a.id}/resultat", f"/tours/{s.tour.id}",
                     f"/amendements/{a.id}/bulletin", f"/tours/{s.tour.id}/participation"):
            for params in HIDDEN_PARAMS:
                response = client.get(path + params)
                assert response.status_code == 200, path + params
                html = response.get_data(as_text=True)
                assert 'class="decompte"' not in html and "Pour\u00a0:" not in html, path + params
                assert "Voix des services" not in html and "Quorum atteint" not in html, path + params
                assert "Quorum non atteint" not in html, path + params
                if not path.endswith("/participation"):  # turnout charts are not results
                    assert "<svg" not in html, path + params
        text = page_text(client.get(f"/tours/{s.tour.id}/resultats"))
        assert "Les résultats seront publiés à la clôture du vote" in text
        auth.logout()
    # Nothing was computed or stored either.
    assert count(Resultat) == 0


def test_live_results_when_the_rules_say_so(client, auth, scrutin):
    s = scrutin(agents=3, resultats_en_direct=True)
    a = s.amendements[0]
    services.voter(a, s.electeurs[0], "pour")
    services.voter(a, s.electeurs[1], "contre")
    services.voter(a, s.electeurs[2], "pour")
    db.session.commit()
    auth.login(s.electeurs[0])
    text = page_text(client.get(f"/amendements/{a.id}/resultat"))
    assert "Résultat provisoire" in text and "Quorum atteint\u00a0: 3\u00a0votants sur 4\u00a0agents" in text
    assert "Reçus des bulletins" not in text  # receipts exist only after closing
    assert "Résultats provisoires" in page_text(client.get(f"/tours/{s.tour.id}/resultats"))
    assert count(Resultat) == 0


# --- Closing -------------------------------------------------------------------------------------------

def test_closing_counts_stores_results_gives_receipts_and_notifies(client, auth, scrutin):
    s = scrutin(n=2, agents=4, quorum_pct=50)
    a, b = s.amendements
    for agent, choix in zip(s.electeurs, ["pour", "pour", "contre", "abstention"]):
        services.voter(a, agent, choix)
    services.voter(b, s.electeurs[0], "contre")  # 1 voter of 5: quorum missed
    db.session.commit()
    vote_termine(s.tour)  # the window has ended: no reason needed
    auth.login(s.comite)
    response = client.submit(f"/tours/{s.tour.id}/clore", {})
    assert response.status_code == 302, page_text(response)[:800]
    db.session.refresh(s.tour)
    assert s.tour.statut == TourStatut.CLOS and s.tour.ouvert_charte_id is None and s.tour.clos_par_id == s.comite.id
    ra, rb = db.session.get(Resultat, a.id), db.session.get(Resultat, b.id)
    assert (ra.electeurs, ra.votants, ra.pour, ra.contre, ra.abstention, ra.quorum_atteint, ra.adopte) == \
        (5, 4, 2, 1, 1, True, True)
    assert (rb.votants, rb.quorum_atteint, rb.adopte) == (1, False, False)
    db.session.refresh(a)
    db.session.refresh(b)
    assert (a.statut, b.statut) == (AmendementStatut.ADOPTE, AmendementStatut.REJETE)
    codes = list(db.session.scalars(select(Bulletin.recu)))
    assert len(codes) == 5 and len(set(codes)) == 5 and all(FORME.match(c) for c in codes)
    notes = db.session.scalars(select(Notification).filter_by(type="vote_clos")).all()
    assert {(n.user_id, n.lien) for n in notes} == {(s.electeurs[0].id, f"/amendements/{a.id}/resultat"),
                                                    (s.electeurs[0].id, f"/amendements/{b.id}/resultat")}
    assert "est clos\u00a0: adopté." in {n.lien: n.message for n in notes}[f"/amendements/{a.id}/resultat"]
    assert json.loads(journal("scrutin.clos")[-1].details_json)["resultats"] == {str(a.numero): "adopte",
                                                                                  str(b.numero): "rejete"}
    # The result page explains the computation and lists every receipt, sorted by code.
    page = client.get(f"/amendements/{a.id}/resultat")
    text = page_text(page)
    assert "Quorum atteint\u00a0: 4\u00a0votants sur 5\u00a0agents, seuil 50\u00a0% (3\u00a0votants au moins)." in text
    assert "Majorité simple (bulletins)\u00a0: 2 «\u00a0pour\u00a0» > 1 «\u00a0contre\u00a0», majorité obtenue." in text
    assert "chacun peut recompter cette liste" in text
    listed = re.findall(r"<td><code>([A-Z0-9-]+)</code></td><td>(Pour|Contre|Abstention)</td>",
                        page.get_data(as_text=True))
    assert [code for code, _ in listed] == sorted(code for code, _ in listed)
    assert recompter((code, choix.lower()) for code, choix in listed) == \
        type(recompter([]))(ra.pour, ra.contre, ra.abstention)
    assert "<svg" in page.get_data(as_text=True) and "style=" not in page.get_data(as_text=True)
    # Each voter sees their own receipt on their ballot page.
    auth.logout()
    auth.login(s.electeurs[2])
    own = db.session.scalars(select(Bulletin).filter_by(user_id=s.electeurs[2].id, amendement_id=a.id)).one()
    text = page_text(client.get(f"/amendements/{a.id}/bulletin"))
    assert own.recu in text and "Code de reçu" in text


def test_a_published_list_recounts_to_the_stored_result_for_every_amendment(scrutin):
    import random

    s = scrutin(n=3, agents=12, services=3, une_voix_par_service=True)
    rng = random.Random(4)
    for a in s.amendements:
        for agent in s.electeurs:
            if rng.random() < 0.8:
                services.voter(a, agent, rng.choice(["pour", "contre", "abstention"]))
    db.session.commit()
    services.clore_scrutin(s.tour, s.comite, "Fin anticipée.")
    db.session.commit()
    from charte.scrutins.decompte import Regles, Voix, decompter
    from charte.scrutins.lectures import recus

    for a in s.amendements:
        liste = recus(a, par_service=True)
        stored = db.session.get(Resultat, a.id)
        assert [r.code for r in liste] == sorted(r.code for r in liste)
        counted = recompter((r.code, r.choix) for r in liste)
        assert (counted.pour, counted.contre, counted.abstention) == (stored.pour, stored.contre, stored.abstention)
        # With the departments listed, anyone can redo the whole computation, department voices included.
        redone = decompter(Regles.depuis(s.tour.regles), s.tour.electeurs_count,
                           [Voix(r.choix, r.service) for r in liste])
        assert redone.adopte == stored.adopte and redone.quorum_atteint == stored.quorum_atteint
        assert [v.voix for v in redone.services] == [v["voix"] for v in json.loads(stored.details_json)["services"]]


@pytest.mark.parametrize("etat, message", [("depot", "Le vote n’est pas ouvert"), ("clos", "Ce vote est déjà clos.")])
def test_closing_refused(client, auth, scrutin, etat, message):
    s = scrutin(ouvrir=etat != "depot")
    if etat == "clos":
        services.clore_scrutin(s.tour, s.comite, "Fin anticipée.")
        db.session.commit()
    auth.login(s.comite)
    before = snapshot()
    response = client.submit(f"/tours/{s.tour.id}/clore", {"motif": "Encore ?"})
    assert response.status_code == 409 and message in page_text(response)
    assert snapshot() == before


def test_an_adopted_amendment_whose_clause_is_deleted_lapses(scrutin, make_amendement):
    s = scrutin(n=0, agents=2, ouvrir=False)
    modif = make_amendement(tour=s.tour, auteur=s.electeurs[0], ref="DON-2")
    suppr = make_amendement(tour=s.tour, auteur=s.electeurs[1], ref="DON-2", nature="suppression")
    depot_termine(s.tour)
    services.ouvrir_vote(s.tour, s.comite)
    for agent in [s.comite, *s.electeurs]:
        services.voter(modif, agent, "pour")
        services.voter(suppr, agent, "pour")
    services.clore_scrutin(s.tour, s.comite, "Fin anticipée.")
    db.session.commit()
    assert suppr.statut == AmendementStatut.ADOPTE
    assert modif.statut == AmendementStatut.CADUC
    assert modif.motif == (f"Caduc\u00a0: la clause DON-2 est supprimée par l’amendement n°\u00a0{suppr.numero}, "
                           "adopté au même vote.")
    assert db.session.get(Resultat, modif.id).adopte  # the vote itself adopted it


def test_results_are_immutable(scrutin):
    s = scrutin()
    services.clore_scrutin(s.tour, s.comite, "Fin anticipée.")
    db.session.commit()
    row = db.session.scalars(select(Resultat)).one()
    row.adopte = not row.adopte
    with pytest.raises(ImmutableRowError):
        db.session.flush()
    db.session.rollback()


def test_the_frozen_rules_decide_not_the_charter_s_current_ones(scrutin):
    from charte.tours.services import definir_regles

    s = scrutin(agents=3, quorum_pct=0, majorite="absolue")
    frozen = s.tour.regles_json
    definir_regles(s.tour.charte, s.comite, quorum_pct=90, majorite="simple", une_voix_par_service=True,
                   resultats_en_direct=True, cosignataires_min=3, validation_seuil=2)
    db.session.commit()
    db.session.refresh(s.tour)
    assert s.tour.regles_json == frozen
    a = s.amendements[0]
    services.voter(a, s.electeurs[0], "pour")
    services.voter(a, s.electeurs[1], "pour")
    services.voter(a, s.electeurs[2], "abstention")
    services.clore_scrutin(s.tour, s.comite, "Fin anticipée.")
    db.session.commit()
    result = db.session.get(Resultat, a.id)
    assert result.adopte  # 2 > 0 + 1 under the frozen absolute majority, no quorum; 90 % would have failed


@pytest.mark.parametrize("action", ["ouvrir-vote", "clore"])
def test_a_too_long_reason_is_refused(client, auth, scrutin, action):
    s = scrutin(ouvrir=action == "clore")
    auth.login(s.comite)
    before = snapshot()
    response = client.submit(f"/tours/{s.tour.id}/{action}", {"motif": "r" * 501})
    assert response.status_code == 400 and "500 caractères au plus." in page_text(response)
    assert snapshot() == before
