"""Every route × every role: anonymous, agent, agent of another department, committee, admin.

A new route that is not listed here makes `test_every_route_is_in_the_matrix` fail."""
import re

import pytest
from sqlalchemy import func, select

from charte.accounts.models import User
from charte.amendements.models import Commentaire
from charte.extensions import db
from charte.journal.models import JournalEntry
from tests.conftest import login_as

ROLES = ("anonyme", "agent", "agent_autre_service", "comite", "admin")
LOGIN = 302  # anonymous visitors are sent to the login page
PUBLIC = dict.fromkeys(ROLES, 200)
INTERNAL = {"anonyme": LOGIN, "agent": 200, "agent_autre_service": 200, "comite": 200, "admin": 200}
COMMITTEE = {"anonyme": LOGIN, "agent": 403, "agent_autre_service": 403, "comite": 200, "admin": 200}
ADMIN = {"anonyme": LOGIN, "agent": 403, "agent_autre_service": 403, "comite": 403, "admin": 200}


def _admin_post(admin_status):
    return {"anonyme": LOGIN, "agent": 403, "agent_autre_service": 403, "comite": 403, "admin": admin_status}


MATRIX = [
    ("GET", "/", PUBLIC),
    ("GET", "/accessibilite", PUBLIC),
    ("GET", "/connexion", {"anonyme": 200, "agent": 302, "agent_autre_service": 302, "comite": 302, "admin": 302}),
    ("POST", "/connexion", dict.fromkeys(ROLES, 400)),  # empty form: fields required
    ("POST", "/deconnexion", {"anonyme": LOGIN, "agent": 302, "agent_autre_service": 302, "comite": 302,
                              "admin": 302}),
    ("GET", "/connexion/code", dict.fromkeys(ROLES, 302)),  # no password step pending: back to the login
    ("POST", "/connexion/code", dict.fromkeys(ROLES, 302)),
    ("GET", "/mon-compte/mot-de-passe", INTERNAL),
    ("POST", "/mon-compte/mot-de-passe", {**dict.fromkeys(ROLES, 400), "anonyme": LOGIN}),
    ("GET", "/mon-compte/securite", INTERNAL),
    ("POST", "/mon-compte/securite/configurer", {**dict.fromkeys(ROLES, 302)}),
    ("GET", "/mon-compte/securite/activer", dict.fromkeys(ROLES, 302)),  # nothing being enrolled yet
    ("POST", "/mon-compte/securite/activer", dict.fromkeys(ROLES, 302)),
    # Enrolled (committee, admin): ten new codes; an agent without a second factor: 409.
    ("POST", "/mon-compte/securite/codes-secours", {"anonyme": LOGIN, "agent": 409, "agent_autre_service": 409,
                                                    "comite": 200, "admin": 200}),
    # Nothing to disable (agent), or required by the role (committee, admin).
    ("POST", "/mon-compte/securite/desactiver", {**dict.fromkeys(ROLES, 409), "anonyme": LOGIN}),
    ("GET", "/mon-compte/confirmer", INTERNAL),
    ("POST", "/mon-compte/confirmer", {**dict.fromkeys(ROLES, 400), "anonyme": LOGIN}),
    ("GET", "/chartes/", INTERNAL),
    ("GET", "/chartes/{charte}", INTERNAL),
    ("GET", "/chartes/{charte}/versions", INTERNAL),
    ("GET", "/chartes/{charte}/versions/1", INTERNAL),
    ("GET", "/chartes/{charte}/clauses/RESP-1", INTERNAL),
    ("GET", "/journal", COMMITTEE),
    # The full check is run by the committee only (it answers 303 to the journal page).
    ("POST", "/journal/verification", {"anonyme": LOGIN, "agent": 403, "agent_autre_service": 403, "comite": 303,
                                       "admin": 403}),
    ("GET", "/admin/", ADMIN),
    ("GET", "/admin/parametres", ADMIN),
    ("POST", "/admin/parametres", _admin_post(400)),
    ("POST", "/admin/parametres/double-facteur", _admin_post(400)),
    ("GET", "/admin/services", ADMIN),
    ("POST", "/admin/services", _admin_post(400)),
    ("GET", "/admin/services/{departement}", ADMIN),
    ("POST", "/admin/services/{departement}", _admin_post(400)),
    ("GET", "/admin/comptes", ADMIN),
    ("GET", "/admin/comptes/nouveau", ADMIN),
    ("POST", "/admin/comptes/nouveau", _admin_post(400)),
    ("GET", "/admin/comptes/{cible}", ADMIN),
    ("POST", "/admin/comptes/{cible}", _admin_post(400)),
    ("GET", "/admin/comptes/{cible}/desactiver", ADMIN),
    ("POST", "/admin/comptes/{cible}/desactiver", _admin_post(302)),
    ("POST", "/admin/comptes/{cible}/reactiver", _admin_post(409)),
    ("POST", "/admin/comptes/{cible}/reinitialiser", _admin_post(200)),
    ("POST", "/admin/comptes/{cible}/double-facteur", _admin_post(409)),  # the target has none
    ("GET", "/admin/modeles", ADMIN),
    ("POST", "/admin/modeles", _admin_post(400)),
    ("POST", "/admin/modeles/fichier", _admin_post(400)),
    ("GET", "/admin/modeles/format", ADMIN),
    ("GET", "/admin/modeles/{modele}", ADMIN),
    ("GET", "/admin/chartes/nouvelle", ADMIN),
    ("POST", "/admin/chartes/nouvelle", _admin_post(400)),
    # Publication: the public site is open to all; publishing is the committee's.
    ("GET", "/publications/", PUBLIC),
    ("GET", "/publications/{charte}/", PUBLIC),
    ("GET", "/publications/{charte}/versions/1", PUBLIC),
    ("GET", "/publications/{charte}/versions/1/charte.pdf", PUBLIC),
    ("GET", "/publications/{charte}/versions/1/donnees.json", PUBLIC),
    ("GET", "/publications/{charte}/versions/1/texte.md", PUBLIC),
    ("GET", "/publications/{charte}/versions/1/comparaison", dict.fromkeys(ROLES, 404)),  # first version
    ("GET", "/publications/flux.atom", PUBLIC),
    ("GET", "/donnees-ouvertes", PUBLIC),
    ("GET", "/mentions-legales", PUBLIC),
    ("GET", "/verifier", PUBLIC),
    ("POST", "/verifier", dict.fromkeys(ROLES, 400)),  # no file
    ("GET", "/chartes/{charte}/versions/1/publier", {**COMMITTEE, "admin": 403}),
    ("POST", "/chartes/{charte}/versions/1/publier", {**COMMITTEE, "comite": 400, "admin": 403}),
]


# --- Amendments, comments, notifications (world: "agent" wrote {amendement} (déposé), {irrecevable} and the
# draft {brouillon}; "agent_autre_service" wrote {commentaire} on {amendement}) ---------------------------
def _logged_in(status):
    return {**dict.fromkeys(ROLES, status), "anonyme": LOGIN}


def _only(role, status, others=403):
    return {**dict.fromkeys(ROLES, others), "anonyme": LOGIN, role: status}


MATRIX += [
    ("GET", "/amendements/", INTERNAL),
    ("GET", "/amendements/mes-amendements", INTERNAL),
    ("GET", "/chartes/{charte}/amendements/nouveau", INTERNAL),
    ("POST", "/chartes/{charte}/amendements/nouveau", _logged_in(400)),  # nothing chosen
    ("GET", "/amendements/{amendement}", INTERNAL),
    ("GET", "/amendements/{brouillon}", _only("agent", 200, others=404)),  # a draft is its author's only
    ("GET", "/amendements/{amendement}/revisions/1", INTERNAL),
    ("GET", "/amendements/{amendement}/modifier", _only("agent", 200)),
    ("POST", "/amendements/{amendement}/modifier", _only("agent", 400)),
    ("POST", "/amendements/{amendement}/deposer", _only("agent", 409)),  # already submitted
    ("POST", "/amendements/{irrecevable}/retirer", _only("agent", 409)),  # no longer possible
    ("POST", "/amendements/{amendement}/rebaser", _only("agent", 400)),  # no revision number
    ("POST", "/amendements/{irrecevable}/cosigner", {**_only("agent_autre_service", 409), "admin": 409}),
    ("POST", "/amendements/{amendement}/irrecevable", _only("comite", 400)),  # no reason
    ("POST", "/amendements/{amendement}/commentaires", _logged_in(400)),
    ("GET", "/commentaires/{commentaire}/modifier", _only("agent_autre_service", 200)),
    ("POST", "/commentaires/{commentaire}/modifier", _only("agent_autre_service", 400)),
    ("GET", "/commentaires/{commentaire}/historique", INTERNAL),
    ("POST", "/commentaires/{commentaire}/masquer", _only("comite", 400)),
    ("GET", "/notifications", INTERNAL),
    ("POST", "/notifications/lues", _logged_in(302)),
]


# --- Consolidation (world: a closed round consolidated by "comite" into {projet}, with the conflict
# {conflit}; another closed round {tour_attente} waits, refused while {projet} is not adopted) -------------
_COMITE_SEUL = {"anonyme": LOGIN, "agent": 403, "agent_autre_service": 403, "comite": 200, "admin": 403}

MATRIX += [
    ("GET", "/chartes/{charte}/projets", INTERNAL),
    ("POST", "/tours/{tour_attente}/consolider", _only("comite", 409)),  # another draft is pending
    ("GET", "/projets/{projet}", INTERNAL),
    ("GET", "/projets/{projet}/comparaison", INTERNAL),
    ("GET", "/projets/{projet}/conflits/{conflit}", INTERNAL),
    ("POST", "/projets/{projet}/conflits/{conflit}", _only("comite", 400)),  # empty form
    ("GET", "/projets/{projet}/corrections", _COMITE_SEUL),
    ("POST", "/projets/{projet}/corrections", _only("comite", 400)),
    ("POST", "/projets/{projet}/soumettre", _only("comite", 400)),  # no revision
    ("GET", "/projets/{projet}/decision", _COMITE_SEUL),  # signing in counts as a fresh authentication
    ("POST", "/projets/{projet}/decision", _only("comite", 400)),
    ("GET", "/chartes/{charte}/comparer", INTERNAL),
    ("GET", "/chartes/{charte}/versions/1/modifications", INTERNAL),
]


def _consolidation_world(charte, users, make_tour, make_amendement) -> dict:
    from charte.consolidation.services import consolider

    tour = make_tour(charte, statut="clos")
    for _ in range(2):  # the same addition twice on RESP-1: a conflict
        make_amendement(tour=tour, auteur=users["agent"], statut="adopte")
    projet = consolider(tour, actor=users["comite"]).projet
    db.session.commit()
    return {"projet": projet.id, "conflit": projet.conflits[0].id,
            "tour_attente": make_tour(charte, statut="clos").id}


# --- Rules, rounds, ballots, results (world: {tour_depot} is the charter's round still in submission,
# {tour} a round of a second charter whose vote is open on {scrutin}, {tour_clos} a closed round whose
# amendment {resultat} has its result; every account is an elector of {tour}) ----------------------------
MATRIX += [
    ("GET", "/admin/chartes/{charte}/regles", ADMIN),
    ("POST", "/admin/chartes/{charte}/regles", _admin_post(400)),  # nothing filled in
    ("GET", "/chartes/{charte}/tours", INTERNAL),
    ("GET", "/chartes/{charte}/tours/nouveau", _only("comite", 200)),
    ("POST", "/chartes/{charte}/tours/nouveau", _only("comite", 400)),
    ("GET", "/tours/{tour_depot}", INTERNAL),
    ("GET", "/tours/{tour}", INTERNAL),
    ("GET", "/tours/{tour_clos}", INTERNAL),
    ("GET", "/tours/{tour_depot}/fenetre", _only("comite", 200)),
    ("POST", "/tours/{tour_depot}/fenetre", _only("comite", 400)),  # no reason
    ("GET", "/tours/{tour_depot}/ouvrir-vote", _only("comite", 200)),
    ("POST", "/tours/{tour}/ouvrir-vote", _only("comite", 409)),  # already open
    ("GET", "/tours/{tour}/clore", _only("comite", 200)),
    ("POST", "/tours/{tour_depot}/clore", _only("comite", 409)),  # the vote is not open
    ("GET", "/amendements/{scrutin}/bulletin", INTERNAL),
    ("POST", "/amendements/{scrutin}/bulletin", _logged_in(400)),  # no choice
    ("GET", "/tours/{tour}/resultats", INTERNAL),
    ("GET", "/tours/{tour_clos}/resultats", INTERNAL),
    ("GET", "/amendements/{resultat}/resultat", INTERNAL),
    ("GET", "/tours/{tour_clos}/participation", INTERNAL),
]


def test_every_route_is_in_the_matrix(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, path, _ in MATRIX:
        endpoint, _args = adapter.match(re.sub(r"\{\w+\}", "1", path), method=method)
        covered.add((endpoint, method))
    every = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert sorted(every - covered) == []


@pytest.fixture
def world(app, make_user, make_departement, make_charte, make_tour, make_amendement):
    home = make_departement("Service A")
    other = make_departement("Service B")
    users = {
        "agent": make_user("agent", departement=home),
        "agent_autre_service": make_user("agent", departement=other),
        "comite": make_user("comite", departement=home),
        "admin": make_user("admin", departement=other),
    }
    charte = make_charte()
    cible = make_user("agent", departement=home, email="cible@mairie.example")
    ids = {"charte": charte.id, "departement": home.id, "cible": cible.id, "modele": charte.modele_id}
    # Amendments
    tour = make_tour(charte)
    amendement = make_amendement(tour=tour, auteur=users["agent"])
    commentaire = Commentaire(amendement_id=amendement.id, revision_id=amendement.revision.id,
                              auteur_id=users["agent_autre_service"].id, texte="Bonne idée.",
                              created_at=amendement.created_at)
    db.session.add(commentaire)
    db.session.commit()
    ids.update(amendement=amendement.id, commentaire=commentaire.id,
               irrecevable=make_amendement(tour=tour, auteur=users["agent"], statut="irrecevable").id,
               brouillon=make_amendement(tour=tour, auteur=users["agent"], statut="brouillon").id)
    ids.update(_consolidation_world(charte, users, make_tour, make_amendement))
    # Rounds and ballots
    ids.update(_world_scrutins(make_charte, make_tour, make_amendement, charte, tour, users, cible))
    return {"users": users, "ids": ids}


def _world_scrutins(make_charte, make_tour, make_amendement, charte, tour_depot, users, cible) -> dict:
    from charte.scrutins.models import Electeur
    from charte.scrutins.services import clore_scrutin, voter

    autre = make_charte("Deuxième charte", modele=charte.modele)
    everyone = [*users.values(), cible]

    def round_in_vote():
        tour = make_tour(autre, statut="vote")
        amendement = make_amendement(tour=tour, auteur=users["agent"], statut="en_vote")
        db.session.add_all([Electeur(tour_id=tour.id, user_id=u.id, departement_id=u.departement_id)
                            for u in everyone])
        tour.electeurs_count = len(everyone)
        db.session.commit()
        return tour, amendement

    tour_clos, resultat = round_in_vote()
    voter(resultat, users["agent_autre_service"], "pour")
    clore_scrutin(tour_clos, users["comite"], "Fin anticipée.")
    db.session.commit()
    tour, scrutin = round_in_vote()
    return {"tour_depot": tour_depot.id, "tour": tour.id, "scrutin": scrutin.id, "tour_clos": tour_clos.id,
            "resultat": resultat.id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, expected", MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_access(app, client, world, role, method, path, expected, request):
    if path.startswith("/publications/{charte}/"):
        from charte.chartes.models import Charte

        request.getfixturevalue("published_world")(db.session.get(Charte, world["ids"]["charte"]))
    url = path.format(**world["ids"])
    if role != "anonyme":
        login_as(client, world["users"][role])
    users_before = [(u.id, u.is_active, u.password_hash, u.is_admin, u.totp_secret)
                    for u in db.session.scalars(select(User))]
    journal_before = _journal_counts()
    response = client.get(url) if method == "GET" else client.submit(url, {})
    assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
    journal_after = _journal_counts()
    # A refused access is journalled (once a minute per account and address), and nothing else is.
    assert journal_after[1] - journal_before[1] == (1 if response.status_code == 403 else 0)
    if response.status_code in (302, 400, 403, 409) and method == "POST" and role != "admin" \
            and path != "/deconnexion":
        # A refused action changes nothing and writes nothing (login failures excepted: they are journalled).
        assert [(u.id, u.is_active, u.password_hash, u.is_admin, u.totp_secret)
                for u in db.session.scalars(select(User))] == users_before
        if path != "/connexion":
            assert journal_after[0] == journal_before[0]
    if response.status_code == LOGIN and role == "anonyme":
        assert "/connexion" in response.headers["Location"]


def _journal_counts() -> tuple[int, int]:
    """(entries other than refused accesses, refused accesses)."""
    refused = db.session.scalar(select(func.count()).select_from(JournalEntry).filter_by(action="acces.refuse"))
    return db.session.scalar(select(func.count()).select_from(JournalEntry)) - refused, refused
