"""The charter's rules (admin) and its rounds (committee): opening, windows in Paris time, changes."""
import json
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from charte.exceptions import Conflict
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.temps import maintenant, saisie_paris
from charte.tours import services
from charte.tours.models import ReglesCharte, Tour, TourEvenement, TourEvenementType, TourStatut
from tests.conftest import page_text
from tests.scrutins.conftest import count, texte

AN = datetime.now().year + 2  # dates safely in the future
# The last Sunday of March: Paris goes from 02:00 to 03:00 that night.
PRINTEMPS = max(d for d in range(25, 32) if datetime(AN, 3, d).weekday() == 6)
RULES = {"quorum_pct": "30", "majorite": "qualifiee", "une_voix_par_service": "y", "resultats_en_direct": "",
         "cosignataires_min": "2", "validation_seuil": "3"}


def journal(action):
    return db.session.scalars(select(JournalEntry).filter_by(action=action)).all()


# --- Rules ---------------------------------------------------------------------------------------

def test_admin_sets_the_rules(client, auth, make_user, make_charte):
    charte = make_charte()
    auth.login(make_user("admin"))
    page = page_text(client.get(f"/admin/chartes/{charte.id}/regles"))
    assert 'value="25"' in page and "Majorité simple" in page  # the defaults
    response = client.submit(f"/admin/chartes/{charte.id}/regles", RULES)
    assert response.status_code == 302
    regles = db.session.get(ReglesCharte, charte.id)
    assert regles.as_dict() == {"quorum_pct": 30, "majorite": "qualifiee", "une_voix_par_service": True,
                                "resultats_en_direct": False, "cosignataires_min": 2, "validation_seuil": 3}
    entry = journal("regles.modifiees")[-1]
    assert entry.target == f"charte:{charte.id}"
    assert json.loads(entry.details_json)["changements"]["quorum_pct"] == [25, 30]
    # Saving the same values again writes nothing.
    client.submit(f"/admin/chartes/{charte.id}/regles", RULES)
    assert len(journal("regles.modifiees")) == 1
    page = page_text(client.get(f"/admin/chartes/{charte.id}/regles"))
    assert 'value="30"' in page and '<option selected value="qualifiee">' in page


@pytest.mark.parametrize("change, message", [
    ({"quorum_pct": "101"}, "Le quorum est un pourcentage de 0 à 100."),
    ({"quorum_pct": "-1"}, "Le quorum est un pourcentage de 0 à 100."),
    ({"quorum_pct": ""}, "Indiquez le quorum (0 pour aucun)."),
    ({"quorum_pct": "vingt"}, None),
    ({"majorite": "proportionnelle"}, "Choisissez une valeur proposée dans la liste."),
    ({"cosignataires_min": "-2"}, "Indiquez un nombre de 0 à 50."),
    ({"cosignataires_min": "51"}, "Indiquez un nombre de 0 à 50."),
    ({"validation_seuil": "0"}, "Indiquez un nombre de 1 à 50."),
    ({"validation_seuil": ""}, "Indiquez le nombre d’approbations nécessaires."),
])
def test_bad_rules_are_refused(client, auth, make_user, make_charte, change, message):
    charte = make_charte()
    auth.login(make_user("admin"))
    journal_before = count(JournalEntry)
    response = client.submit(f"/admin/chartes/{charte.id}/regles", {**RULES, **change})
    assert response.status_code == 400
    if message:
        assert message in page_text(response)
    assert db.session.get(ReglesCharte, charte.id) is None
    assert count(JournalEntry) == journal_before


def test_rules_service_refuses_out_of_range_values(make_user, make_charte):
    from charte.exceptions import InvalidInput

    charte = make_charte()
    admin = make_user("admin")
    base = dict(quorum_pct=25, majorite="simple", une_voix_par_service=False, resultats_en_direct=False,
                cosignataires_min=0, validation_seuil=2)
    for bad in ({"quorum_pct": 101}, {"quorum_pct": True}, {"majorite": "x"}, {"validation_seuil": 0}):
        with pytest.raises(InvalidInput):
            services.definir_regles(charte, admin, **{**base, **bad})
    db.session.rollback()


def test_changing_the_rules_changes_no_open_round(make_user, make_charte):
    charte = make_charte()
    admin, comite = make_user("admin"), make_user("comite")
    now = maintenant()
    tour = services.ouvrir_tour(charte, comite, "", now, now + timedelta(days=2), now + timedelta(days=2),
                                now + timedelta(days=9))
    db.session.commit()
    frozen = tour.regles
    assert frozen["quorum_pct"] == 25 and frozen["majorite"] == "simple"
    services.definir_regles(charte, admin, quorum_pct=80, majorite="absolue", une_voix_par_service=True,
                            resultats_en_direct=True, cosignataires_min=4, validation_seuil=5)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).regles == frozen


# --- Opening a round ---------------------------------------------------------------------------

def _dates(**overrides):
    data = {"titre": "Premier tour", "depot_debut": f"{AN}-01-10T09:00", "depot_fin": f"{AN}-03-29T01:30",
            "vote_debut": f"{AN}-03-30T09:00", "vote_fin": f"{AN}-07-14T18:30"}
    data.update(overrides)
    return data


def test_committee_opens_a_round_in_paris_time(client, auth, make_user, make_charte):
    charte = make_charte()
    auth.login(make_user("comite"))
    response = client.submit(f"/chartes/{charte.id}/tours/nouveau", _dates())
    assert response.status_code == 302
    tour = db.session.scalars(select(Tour)).one()
    assert tour.depot_debut_at == datetime(AN, 1, 10, 8, 0)  # winter: UTC+1
    assert tour.vote_fin_at == datetime(AN, 7, 14, 16, 30)  # summer: UTC+2
    assert (tour.statut, tour.ouvert_charte_id, tour.numero, tour.titre) == (TourStatut.DEPOT, charte.id, 1,
                                                                              "Premier tour")
    assert tour.version_id == charte.version_courante.id
    assert json.loads(tour.regles_json)["majorite"] == "simple"
    assert journal("tour.ouvert")[-1].target == f"tour:{tour.id}"
    page = texte(client.get(f"/tours/{tour.id}"))
    assert f"du 10/01/{AN} à 09:00 au 29/03/{AN} à 01:30 (heure de Paris)" in page
    assert f"14/07/{AN} à 18:30" in page
    assert "Majorité simple" in page and "au moins 25\u00a0% des agents inscrits" in page
    assert "Dépôt des amendements à venir" in page


def test_default_title_and_the_rounds_list(client, auth, make_user, make_charte):
    charte = make_charte()
    auth.login(make_user("comite"))
    client.submit(f"/chartes/{charte.id}/tours/nouveau", _dates(titre=""))
    assert db.session.scalars(select(Tour.titre)).one() == "Tour n°\u00a01"
    page = page_text(client.get(f"/chartes/{charte.id}/tours"))
    assert "Tour n°\u00a01" in page and "un seul tour peut être ouvert à la fois" in page


@pytest.mark.parametrize("change, field_message", [
    ({"depot_fin": f"{AN}-01-10T09:00"}, "La fin du dépôt doit venir après son début."),
    ({"depot_fin": f"{AN}-01-09T09:00"}, "La fin du dépôt doit venir après son début."),
    ({"depot_debut": "2001-01-01T09:00", "depot_fin": "2001-02-01T09:00"}, "La fin du dépôt est déjà passée"),
    ({"vote_debut": f"{AN}-03-28T09:00"}, "Le vote doit commencer après la fin du dépôt"),
    ({"vote_fin": f"{AN}-03-30T09:00"}, "La fin du vote doit venir après son début."),
    ({"vote_fin": ""}, "Indiquez la fin du vote."),
    ({"depot_debut": "demain"}, "Indiquez une date et une heure valides"),
    ({"depot_debut": f"{AN}-02-30T09:00"}, "Indiquez une date et une heure valides"),
    ({"depot_fin": f"{AN}-03-{PRINTEMPS}T02:30"}, "Cette heure n’existe pas à Paris ce jour-là"),
    ({"titre": "t" * 201}, "200 caractères au plus."),
])
def test_bad_windows_are_refused_in_french(client, auth, make_user, make_charte, change, field_message):
    charte = make_charte()
    auth.login(make_user("comite"))
    journal_before = count(JournalEntry)
    response = client.submit(f"/chartes/{charte.id}/tours/nouveau", _dates(**change))
    assert response.status_code == 400
    assert field_message in page_text(response)
    assert count(Tour) == 0 and count(JournalEntry) == journal_before
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_a_second_open_round_is_refused(client, auth, make_user, make_charte):
    charte = make_charte()
    auth.login(make_user("comite"))
    assert client.submit(f"/chartes/{charte.id}/tours/nouveau", _dates()).status_code == 302
    response = client.submit(f"/chartes/{charte.id}/tours/nouveau", _dates(titre="Doublon"))
    assert response.status_code == 409
    assert "Un tour d’amendements est déjà ouvert pour cette charte" in page_text(response)
    assert count(Tour) == 1


def test_a_closed_round_lets_a_new_one_open(make_user, make_charte, make_tour):
    charte = make_charte()
    make_tour(charte=charte, statut="clos")
    now = maintenant()
    tour = services.ouvrir_tour(charte, make_user("comite"), None, now, now + timedelta(hours=1),
                                now + timedelta(hours=1), now + timedelta(hours=2))
    db.session.commit()
    assert tour.numero == 2


@pytest.mark.parametrize("attempt", range(3))
def test_two_members_opening_a_round_at_once_get_one_round(app, make_user, make_charte, attempt):
    """The database keeps one open round per charter; the other member gets a clean refusal."""
    charte = make_charte()
    members = [make_user("comite") for _ in range(4)]
    charte_id, member_ids = charte.id, [m.id for m in members]
    db.session.commit()
    barrier = threading.Barrier(len(members))
    outcomes, errors = [], []

    def open_round(user_id):
        from charte.accounts.models import User
        from charte.chartes.models import Charte

        try:
            with app.app_context():
                user, found = db.session.get(User, user_id), db.session.get(Charte, charte_id)
                now = maintenant()
                db.session.commit()  # SQLite: release the write lock taken by the read before the barrier
                barrier.wait()
                try:
                    services.ouvrir_tour(found, user, None, now, now + timedelta(hours=1), now + timedelta(hours=1),
                                         now + timedelta(hours=2))
                    db.session.commit()
                    outcomes.append("ouvert")
                except Conflict as exc:
                    db.session.rollback()
                    outcomes.append(exc.message)
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=open_round, args=(uid,)) for uid in member_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(outcomes) == sorted(["ouvert"] + [services.TOUR_DEJA_OUVERT] * 3)
    db.session.rollback()
    assert count(Tour) == 1 and len(journal("tour.ouvert")) == 1


# --- Moving a window -----------------------------------------------------------------------------

def test_close_the_submission_window_now_with_a_reason(client, auth, make_user, make_tour):
    tour = make_tour()
    auth.login(make_user("comite"))
    response = client.submit(f"/tours/{tour.id}/fenetre",
                             {"fenetre": "depot", "fin": "", "motif": "Assez d’amendements."})
    assert response.status_code == 302
    db.session.refresh(tour)
    assert abs((tour.depot_fin_at - maintenant()).total_seconds()) < 5
    event = db.session.scalars(select(TourEvenement)).one()
    assert (event.type, event.motif) == (TourEvenementType.DEPOT_ABREGE, "Assez d’amendements.")
    assert event.nouveau_at == tour.depot_fin_at and event.ancien_at > event.nouveau_at
    entry = journal("tour.fenetre_modifiee")[-1]
    assert json.loads(entry.details_json)["type"] == "depot_abrege"
    page = texte(client.get(f"/tours/{tour.id}"))
    assert "Dépôt clos plus tôt" in page and "Raison\u00a0: Assez d’amendements." in page


def test_extend_the_vote_and_the_submission(client, auth, make_user, make_tour):
    tour = make_tour()
    auth.login(make_user("comite"))
    fin_vote = saisie_paris(tour.vote_fin_at + timedelta(days=3))
    assert client.submit(f"/tours/{tour.id}/fenetre", {"fenetre": "vote", "fin": fin_vote,
                                                       "motif": "Congés scolaires."}).status_code == 302
    db.session.refresh(tour)
    assert saisie_paris(tour.vote_fin_at) == fin_vote
    # Extending the submission past the planned vote start moves that start along.
    fin_depot = saisie_paris(tour.vote_debut_at + timedelta(days=1))
    assert client.submit(f"/tours/{tour.id}/fenetre", {"fenetre": "depot", "fin": fin_depot,
                                                       "motif": "Demande des services."}).status_code == 302
    db.session.refresh(tour)
    assert saisie_paris(tour.depot_fin_at) == fin_depot and tour.vote_debut_at == tour.depot_fin_at
    assert [e.type for e in db.session.scalars(select(TourEvenement).order_by(TourEvenement.id))] == \
        [TourEvenementType.VOTE_PROLONGE, TourEvenementType.DEPOT_PROLONGE]


@pytest.mark.parametrize("data, status, message", [
    ({"fenetre": "depot", "fin": "", "motif": ""}, 400, "Indiquez la raison de ce changement."),
    ({"fenetre": "depot", "fin": "", "motif": "x" * 501}, 400, "500 caractères au plus."),
    ({"fenetre": "mandat", "fin": "", "motif": "x"}, 400, "Choisissez une valeur proposée dans la liste."),
    ({"fenetre": "depot", "fin": "2001-01-01T10:00", "motif": "x"}, 400, "ne peut pas être close dans le passé"),
    ({"fenetre": "depot", "fin": "n’importe quand", "motif": "x"}, 400, "Indiquez une date et une heure valides"),
    ({"fenetre": "depot", "fin": "SAME", "motif": "x"}, 400, "Cette date est déjà la fin prévue"),
    ({"fenetre": "depot", "fin": "AFTER_VOTE", "motif": "x"}, 400, "Le dépôt ne peut pas finir après la fin du vote"),
    ({"fenetre": "vote", "fin": "", "motif": "x"}, 409, "La période de vote n’a pas commencé"),
])
def test_bad_window_changes_are_refused(client, auth, make_user, make_tour, data, status, message):
    tour = make_tour()
    if data["fin"] == "SAME":
        data = {**data, "fin": saisie_paris(tour.depot_fin_at)}
    if data["fin"] == "AFTER_VOTE":
        data = {**data, "fin": saisie_paris(tour.vote_fin_at + timedelta(days=1))}
    auth.login(make_user("comite"))
    journal_before = count(JournalEntry)
    before = (tour.depot_fin_at, tour.vote_fin_at)
    response = client.submit(f"/tours/{tour.id}/fenetre", data)
    assert response.status_code == status
    assert message in page_text(response)
    db.session.refresh(tour)
    assert (tour.depot_fin_at, tour.vote_fin_at) == before
    assert count(TourEvenement) == 0 and count(JournalEntry) == journal_before


@pytest.mark.parametrize("statut, fenetre, message", [
    ("vote", "depot", "la période de dépôt est terminée"),
    ("clos", "vote", "Ce tour est clos"),
])
def test_window_changes_refused_in_the_wrong_state(client, auth, make_user, make_tour, statut, fenetre, message):
    tour = make_tour(statut=statut)
    auth.login(make_user("comite"))
    response = client.submit(f"/tours/{tour.id}/fenetre", {"fenetre": fenetre, "fin": "", "motif": "Pourquoi pas."})
    assert response.status_code == 409 and message in page_text(response)
    assert count(TourEvenement) == 0


def test_unknown_round_is_a_404(client, auth, make_user):
    auth.login(make_user("comite"))
    for url in ("/tours/999", "/tours/999/resultats", "/tours/999/participation", "/tours/999/fenetre"):
        response = client.get(url)
        assert response.status_code == 404 and "Ce tour d’amendements n’existe pas." in page_text(response)
