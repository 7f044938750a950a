"""Login, throttling, sessions, logout, own password: through HTTP, on the real database."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from charte.accounts.models import LoginAttempt, User
from charte.accounts.services import THROTTLE_LIMIT, utcnow
from charte.extensions import db
from charte.journal.models import JournalEntry
from tests.conftest import PASSWORD, login_as, page_text

BAD = "Adresse électronique ou mot de passe incorrect."


def _session_cookie(client):
    cookie = client.get_cookie("charte_session")
    return cookie.value if cookie else None


def test_login_success_redirects_and_records(client, auth, make_user):
    user = make_user(email="Agent.Un@Mairie.example")
    response = auth.login("  agent.un@mairie.example ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/chartes/")
    assert client.get("/chartes/").status_code == 200
    entry = db.session.scalars(select(JournalEntry).filter_by(action="connexion.reussie")).one()
    assert entry.actor_id == user.id
    assert db.session.get(User, user.id).last_login_at is not None


@pytest.mark.parametrize("email, password", [
    ("inconnu@mairie.example", PASSWORD),   # unknown account
    ("known", "mauvais mot de passe"),      # wrong password
    ("disabled", PASSWORD),                 # disabled account
])
def test_failed_login_gives_one_message_whatever_the_cause(client, auth, make_user, email, password):
    known = make_user()
    disabled = make_user()
    disabled.is_active = False
    db.session.commit()
    email = {"known": known.email, "disabled": disabled.email}.get(email, email)
    response = auth.login(email, password)
    assert response.status_code == 400
    assert BAD in page_text(response)
    assert client.get("/chartes/").status_code == 302
    assert db.session.scalars(select(JournalEntry).filter_by(action="connexion.echouee")).one()


def test_unknown_address_is_not_written_to_the_journal(auth):
    auth.login("mon-mot-de-passe-tape-ici", PASSWORD)
    entry = db.session.scalars(select(JournalEntry).filter_by(action="connexion.echouee")).one()
    assert "mon-mot-de-passe" not in entry.actor_label + entry.details_json


@pytest.mark.parametrize("data", [
    {"email": "", "password": ""},
    {"email": "a@b.fr"},
    {"email": "x" * 300 + "@b.fr", "password": PASSWORD},
    {"email": "a@b.fr", "password": "p" * 500},
])
def test_login_bad_input_is_400_without_session(client, data):
    response = client.submit("/connexion", data)
    assert response.status_code == 400
    assert "Indiquez" in page_text(response) or "dépasser" in page_text(response) \
        or "trop longue" in page_text(response)
    assert client.get("/chartes/").status_code == 302


def test_throttle_per_account_spares_other_accounts(client, auth, make_user):
    victim, other = make_user(), make_user()
    for _ in range(THROTTLE_LIMIT):
        assert auth.login(victim, "mauvais mot de passe", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 400
    # Even the right password from another address waits for the window to pass.
    refused = auth.login(victim, PASSWORD, environ_base={"REMOTE_ADDR": "10.2.2.2"})
    assert refused.status_code == 429
    assert "Trop de tentatives" in page_text(refused)
    assert client.get("/chartes/").status_code == 302
    # Another account from yet another address is not locked out.
    assert auth.login(other, PASSWORD, environ_base={"REMOTE_ADDR": "10.3.3.3"}).status_code == 302


def test_throttle_per_address_spares_other_addresses(client, auth, make_user):
    user = make_user()
    for index in range(THROTTLE_LIMIT):
        auth.login(f"inconnu{index}@mairie.example", "x" * 12, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert auth.login(user, PASSWORD, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429
    assert auth.login(user, PASSWORD, environ_base={"REMOTE_ADDR": "10.8.8.8"}).status_code == 302


def test_throttle_lifts_after_the_window(client, auth, make_user):
    user = make_user()
    for _ in range(THROTTLE_LIMIT):
        auth.login(user, "mauvais mot de passe")
    assert auth.login(user, PASSWORD).status_code == 429
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at_dt = utcnow() - timedelta(seconds=61)
    db.session.commit()
    assert auth.login(user, PASSWORD).status_code == 302


def test_session_is_renewed_at_login(client, auth, make_user):
    user = make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "avant connexion"
    before = _session_cookie(client)
    auth.login(user)
    assert _session_cookie(client) != before
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_is_post_only(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/chartes/").status_code == 200


def test_logout_kills_the_old_cookie_on_the_server(app, client, auth, make_user):
    auth.login(make_user())
    stolen = _session_cookie(client)
    response = auth.logout()
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    replay = app.test_client()
    replay.set_cookie("charte_session", stolen)
    assert replay.get("/chartes/").status_code == 302


def test_logout_without_csrf_is_refused(client, auth, make_user):
    auth.login(make_user())
    assert client.post("/deconnexion").status_code == 400
    assert client.get("/chartes/").status_code == 200


def test_password_change_ends_other_sessions(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    other = app.test_client()
    other.submit("/connexion", {"email": user.email, "password": PASSWORD})
    assert other.get("/chartes/").status_code == 200
    new = "une toute nouvelle phrase"
    response = client.submit("/mon-compte/mot-de-passe",
                             {"current": PASSWORD, "new": new, "confirmation": new})
    assert response.status_code == 302
    assert client.get("/chartes/").status_code == 200     # this session carries on
    assert other.get("/chartes/").status_code == 302      # the other one is over
    assert app.test_client().submit("/connexion", {"email": user.email, "password": new}).status_code == 302


NEW = "une girafe lit le journal"


@pytest.mark.parametrize("data, message", [
    ({"current": "faux mot de passe", "new": NEW, "confirmation": NEW}, "actuel est incorrect"),
    ({"current": PASSWORD, "new": "court", "confirmation": "court"}, "de 12 à 128"),
    ({"current": PASSWORD, "new": "x" * 129, "confirmation": "x" * 129}, "de 12 à 128"),
    ({"current": PASSWORD, "new": NEW, "confirmation": NEW + "x"}, "pas identiques"),
    ({"current": PASSWORD, "new": PASSWORD, "confirmation": PASSWORD}, "différent de l’actuel"),
    ({"current": PASSWORD, "new": "motdepasse123", "confirmation": "motdepasse123"}, "trop courant"),
    ({"current": PASSWORD, "new": "camille durand 2026", "confirmation": "camille durand 2026"}, "votre nom"),
    ({}, "Indiquez votre mot de passe actuel"),
])
def test_password_change_bad_input(client, auth, make_user, data, message):
    user = make_user()
    auth.login(user)
    old_hash = user.password_hash
    response = client.submit("/mon-compte/mot-de-passe", data)
    assert response.status_code == 400
    assert message in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


def test_must_change_password_is_enforced(client, auth, make_user):
    user = make_user(must_change=True)
    response = auth.login(user)
    assert response.headers["Location"].endswith("/mon-compte/mot-de-passe")
    assert client.get("/chartes/").headers["Location"].endswith("/mon-compte/mot-de-passe")
    new = "ma phrase personnelle"
    client.submit("/mon-compte/mot-de-passe", {"current": PASSWORD, "new": new, "confirmation": new})
    assert client.get("/chartes/").status_code == 200


def test_deactivation_ends_sessions(client, auth, make_user):
    from charte.accounts.services import desactiver_compte

    user = make_user()
    auth.login(user)
    desactiver_compte(user, None)
    db.session.commit()
    assert client.get("/chartes/").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/chartes/1", "/chartes/1"),
    ("https://evil.example/", "/chartes/"),
    ("//evil.example/x", "/chartes/"),
    ("/\\evil.example", "/chartes/"),
    ("javascript:alert(1)", "/chartes/"),
    ("http:/evil.example", "/chartes/"),
])
def test_next_only_redirects_to_our_own_paths(client, make_user, target, expected):
    user = make_user()
    response = client.submit("/connexion", {"email": user.email, "password": PASSWORD},
                             query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/chartes/1/versions")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=/chartes/1/versions"


def test_session_cookie_is_httponly_lax_and_secure_over_https(app, make_user):
    """Over HTTPS the cookie is __Host-charte_session: Secure, Path=/, no Domain; over HTTP (the demo on
    127.0.0.1) it keeps its plain name. The name is chosen per request."""
    user = make_user()
    for base, name, secure in (("http://localhost", "charte_session", False),
                               ("https://localhost", "__Host-charte_session", True)):
        client = app.test_client()
        response = client.submit("/connexion", {"email": user.email, "password": PASSWORD}, base_url=base,
                                 headers={"Referer": f"{base}/connexion"})
        cookies = response.headers.getlist("Set-Cookie")
        cookie = next(h for h in cookies if h.startswith(f"{name}="))
        assert not any(h.startswith("charte_session=") for h in cookies) or not secure
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        assert "httponly" in attributes and "samesite=lax" in attributes
        assert ("secure" in attributes) is secure
        assert "path=/" in attributes and not any(a.startswith("domain=") for a in attributes)
        # The browser sends it back and the session holds.
        assert client.get("/chartes/", base_url=base).status_code == 200


def test_a_plain_cookie_is_ignored_over_https(app, client, make_user):
    """A session cookie set over HTTP does not log anyone in over HTTPS: only the __Host- one counts."""
    login_as(client, make_user())
    plain = client.get_cookie("charte_session").value
    other = app.test_client()
    other.set_cookie("charte_session", plain, domain="localhost")
    assert other.get("/chartes/", base_url="https://localhost").status_code == 302


def test_hammering_a_throttled_form_journals_once_and_stores_little(client, auth, make_user):
    user = make_user()
    for _ in range(THROTTLE_LIMIT):
        auth.login(user, "mauvais mot de passe")
    for _ in range(20):
        assert auth.login(user, "mauvais mot de passe").status_code == 429
    limited = db.session.scalars(select(JournalEntry).filter_by(action="connexion.limitee")).all()
    assert len(limited) == 1 and limited[0].actor_label == user.email
    assert len(db.session.scalars(select(LoginAttempt)).all()) == THROTTLE_LIMIT + 1
