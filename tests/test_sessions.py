"""Sessions: the absolute lifetime on top of the idle timeout, the reason told on the login page when
a session ended, the throttled current-password check, refusals (403) journalled without flooding,
and fresh authentication before sensitive actions."""
import time
from datetime import timedelta

import pyotp
import pytest
from flask import Blueprint
from sqlalchemy import select

from charte.accounts.authentification import confirmer_identite
from charte.accounts.limitation import THROTTLE_LIMIT, utcnow
from charte.accounts.models import LoginAttempt, User
from charte.exceptions import InvalidInput, LoginThrottled
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.security import requires, requires_fresh_auth
from tests.conftest import PASSWORD, login_as, next_totp_code, page_text


def _journal(action: str) -> list[JournalEntry]:
    return db.session.scalars(select(JournalEntry).filter_by(action=action).order_by(JournalEntry.seq)).all()


def _shift(client, key: str, seconds: float) -> None:
    """Move a timestamp of the session back in time, as if that much time had passed."""
    with client.session_transaction() as sess:
        value = sess[key]
        sess[key] = [value[0] - seconds, value[1]] if isinstance(value, list) else value - seconds


def _login_message(client) -> str:
    response = client.get("/chartes/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    return page_text(client.get("/connexion"))


# --- Lifetimes -----------------------------------------------------------------------------------


def test_the_session_ends_after_twelve_hours_whatever_the_activity(client, make_user):
    login_as(client, make_user())
    _shift(client, "_auth_at", 12 * 3600 - 60)
    assert client.get("/chartes/").status_code == 200  # active all along, still within 12 h
    _shift(client, "_auth_at", 61)
    assert "durée maximale" in _login_message(client)
    assert client.get("/chartes/").status_code == 302
    # The reason is told once.
    assert "durée maximale" not in page_text(client.get("/connexion"))


def test_the_absolute_lifetime_is_configurable(app, client, make_user):
    app.config["CHARTE_SESSION_MAX_HOURS"] = 1  # as CHARTE_SESSION_MAX_HOURS=1 in the environment
    login_as(client, make_user())
    _shift(client, "_auth_at", 3600 - 60)
    assert client.get("/chartes/").status_code == 200
    _shift(client, "_auth_at", 61)
    assert client.get("/chartes/").status_code == 302


def test_the_lifetimes_come_from_the_environment(monkeypatch):
    from charte.config import load_config

    monkeypatch.setenv("CHARTE_SESSION_MAX_HOURS", "6")
    monkeypatch.setenv("CHARTE_SESSION_HOURS", "2")
    config = load_config()
    assert config["CHARTE_SESSION_MAX_HOURS"] == 6 and config["CHARTE_SESSION_HOURS"] == 2
    monkeypatch.delenv("CHARTE_SESSION_MAX_HOURS")
    assert load_config()["CHARTE_SESSION_MAX_HOURS"] == 12


def test_the_session_ends_after_the_idle_time(client, make_user):
    login_as(client, make_user())
    _shift(client, "_seen_at", 8 * 3600 - 60)
    assert client.get("/chartes/").status_code == 200  # and the clock restarts
    _shift(client, "_seen_at", 8 * 3600 - 60)
    assert client.get("/chartes/").status_code == 200
    _shift(client, "_seen_at", 8 * 3600 + 1)
    assert "inactivité" in _login_message(client)


def test_the_cookie_outlives_the_limits_so_that_the_reason_can_be_told(client, make_user):
    response = login_as(client, make_user())
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("charte_session="))
    assert "Expires=" in cookie
    assert client.application.permanent_session_lifetime == timedelta(hours=12)


@pytest.mark.parametrize("key", ["_auth_at", "_seen_at"])
def test_a_session_without_its_timestamps_is_refused(client, make_user, key):
    login_as(client, make_user())
    with client.session_transaction() as sess:
        sess[key] = "forgé"
    assert client.get("/chartes/").status_code == 302


# --- Why the session ended -----------------------------------------------------------------------


def _two_sessions(app, make_user, role="agent"):
    user = make_user(role)
    mine, theirs = app.test_client(), app.test_client()
    login_as(mine, user)
    login_as(theirs, user)
    return user, mine, theirs


def test_logout_elsewhere_is_told(app, make_user):
    _user, mine, theirs = _two_sessions(app, make_user)
    theirs.submit("/deconnexion")
    assert "déconnecté depuis un autre poste" in _login_message(mine)


def test_password_changed_elsewhere_is_told(app, make_user):
    _user, mine, theirs = _two_sessions(app, make_user)
    new = "une girafe lit le journal"
    assert theirs.submit("/mon-compte/mot-de-passe",
                         {"current": PASSWORD, "new": new, "confirmation": new}).status_code == 302
    assert "le mot de passe du compte a été changé" in _login_message(mine)
    assert theirs.get("/chartes/").status_code == 200


@pytest.mark.parametrize("action, message", [
    ("desactiver", "ce compte a été désactivé"),
    ("reinitialiser", "l’administration a réinitialisé le mot de passe"),
])
def test_admin_actions_are_told(app, make_user, action, message):
    user, mine, _theirs = _two_sessions(app, make_user)
    admin = app.test_client()
    login_as(admin, make_user("admin"))
    assert admin.submit(f"/admin/comptes/{user.id}/{action}").status_code in (200, 302)
    assert message in _login_message(mine)


def test_an_account_enabled_again_does_not_revive_old_sessions(app, make_user):
    from charte.accounts.services import desactiver_compte, reactiver_compte

    user, mine, _theirs = _two_sessions(app, make_user)
    desactiver_compte(user, None)
    reactiver_compte(user, None)
    db.session.commit()
    assert "session a été fermée" in _login_message(mine)


# --- The current-password check ------------------------------------------------------------------


def test_the_current_password_check_is_throttled_like_the_login(app, client, make_user):
    user = make_user()
    login_as(client, user)
    new = "une girafe lit le journal"
    for _ in range(THROTTLE_LIMIT):
        wrong = client.submit("/mon-compte/mot-de-passe", {"current": "pas le bon", "new": new, "confirmation": new})
        assert wrong.status_code == 400 and "actuel est incorrect" in page_text(wrong)
    assert len(_journal("mot_de_passe.actuel_refuse")) == THROTTLE_LIMIT
    for _ in range(3):
        refused = client.submit("/mon-compte/mot-de-passe", {"current": PASSWORD, "new": new, "confirmation": new})
        assert refused.status_code == 429 and "Trop de tentatives" in page_text(refused)
    assert len(_journal("verification.limitee")) == 1
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == user.password_hash
    # Guesses here count for the login too: it is the same password.
    assert app.test_client().submit("/connexion", {"email": user.email, "password": PASSWORD}).status_code == 429
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at_dt = utcnow() - timedelta(seconds=61)
    db.session.commit()
    assert client.submit("/mon-compte/mot-de-passe",
                         {"current": PASSWORD, "new": new, "confirmation": new}).status_code == 302


# --- Refused accesses are journalled, without flooding ---------------------------------------------


def test_refused_access_is_journalled_once_a_minute_per_account_and_address(client, make_user):
    agent = make_user()
    login_as(client, agent)
    for _ in range(5):
        assert client.get("/admin/").status_code == 403
        assert client.submit("/admin/services", {"nom": "X"}).status_code == 403
    entries = _journal("acces.refuse")
    assert len(entries) == 1 and entries[0].actor_id == agent.id and entries[0].details["chemin"] == "/admin/"
    assert client.get("/admin/", environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code == 403
    assert len(_journal("acces.refuse")) == 2  # another address
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at_dt = utcnow() - timedelta(seconds=61)
    db.session.commit()
    client.get("/admin/")
    assert len(_journal("acces.refuse")) == 3  # the next minute
    assert not db.session.scalars(select(LoginAttempt).filter_by(kind="acces", throttled=False)).all()


def test_csrf_failures_of_anonymous_visitors_are_journalled_once(client):
    for _ in range(4):
        assert client.post("/connexion", data={"email": "a@b.fr", "password": "x"}).status_code == 400
    entries = _journal("csrf.refuse")
    assert len(entries) == 1 and entries[0].actor_label == "(anonyme)" and entries[0].details["chemin"] == "/connexion"


# --- Fresh authentication ------------------------------------------------------------------------


def test_confirmer_identite_checks_the_password_and_the_code(app, make_user):
    user = make_user("comite")
    good = pyotp.TOTP(user.totp_secret).now()
    wrong = "000000" if good != "000000" else "111111"
    for password, code, field in ((("pas le bon", good, "password")), (PASSWORD, wrong, "code"),
                                  (PASSWORD, None, "code")):  # the code is required when enrolled
        with pytest.raises(InvalidInput) as refused:
            confirmer_identite(user, password, code, "10.0.0.1")
        assert refused.value.field == field
        db.session.commit()  # as the view does: the refusal counts and stays in the journal
    confirmer_identite(user, PASSWORD, next_totp_code(user.email), "10.0.0.1")
    db.session.commit()
    assert _journal("identite.confirmee")[-1].actor_id == user.id
    assert len(_journal("identite.refusee")) == 3


def test_confirmer_identite_needs_only_the_password_without_a_second_factor(app, make_user):
    user = make_user()
    confirmer_identite(user, PASSWORD, "", "10.0.0.1")
    with pytest.raises(InvalidInput):
        confirmer_identite(user, "pas le bon", "", "10.0.0.1")


def test_confirmer_identite_is_throttled(app, make_user):
    user = make_user()
    for _ in range(THROTTLE_LIMIT):
        with pytest.raises(InvalidInput):
            confirmer_identite(user, "pas le bon", "", "10.0.0.2")
    with pytest.raises(LoginThrottled):
        confirmer_identite(user, PASSWORD, "", "10.0.0.2")


@pytest.fixture
def sensitive(app):
    """A sensitive page, as later issues will write them (approval, publication)."""
    bp = Blueprint("essai_sensible", __name__)

    @bp.route("/essai/sensible", methods=["GET", "POST"])
    @requires("comite")
    @requires_fresh_auth
    def action():
        return "fait"

    app.register_blueprint(bp)
    return "/essai/sensible"


def test_a_sensitive_page_is_open_within_five_minutes_of_the_login(client, make_user, sensitive):
    login_as(client, make_user("comite"))
    _shift(client, "_reauth", 5 * 60 - 2)
    assert client.get(sensitive).get_data(as_text=True) == "fait"
    _shift(client, "_reauth", 3)
    response = client.get(sensitive + "?a=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/mon-compte/confirmer?next=/essai/sensible?a%3D1"


def test_confirming_brings_back_and_lasts_five_minutes(client, make_user, sensitive):
    user = make_user("comite")
    login_as(client, user)
    _shift(client, "_reauth", 3600)
    page = page_text(client.get("/mon-compte/confirmer?next=/essai/sensible"))
    assert "Mot de passe" in page and "Code de vérification" in page
    wrong = client.submit("/mon-compte/confirmer?next=/essai/sensible", {"password": PASSWORD, "code": "12"})
    assert wrong.status_code == 400 and "6 chiffres" in page_text(wrong)
    assert client.get(sensitive).status_code == 303
    response = client.submit("/mon-compte/confirmer?next=/essai/sensible",
                             {"password": PASSWORD, "code": next_totp_code(user.email)})
    assert response.headers["Location"] == "/essai/sensible"
    assert client.get(sensitive).get_data(as_text=True) == "fait"
    _shift(client, "_reauth", 5 * 60)
    assert client.get(sensitive).status_code == 303


def test_a_refused_post_goes_back_to_the_page_of_the_form(client, make_user, sensitive):
    login_as(client, make_user("comite"))
    _shift(client, "_reauth", 3600)
    response = client.submit(sensitive, {}, headers={"Referer": "http://localhost/chartes/1?x=2"})
    assert response.headers["Location"] == "/mon-compte/confirmer?next=/chartes/1?x%3D2"
    foreign = client.submit(sensitive, {}, headers={"Referer": "https://evil.example/chartes/"})
    assert foreign.headers["Location"] == "/mon-compte/confirmer"


def test_the_confirmation_is_bound_to_the_session(app, client, make_user, sensitive):
    user = make_user("comite")
    login_as(client, user)
    with client.session_transaction() as sess:
        at, version = sess["_reauth"]
        sess["_reauth"] = [at, version - 1]  # a marker from an older session of the account
    assert client.get(sensitive).status_code == 303


@pytest.mark.parametrize("data, status, message", [
    ({}, 400, "Indiquez votre mot de passe"),
    ({"password": "pas le bon", "code": "123456"}, 400, "mot de passe est incorrect"),
    ({"password": PASSWORD, "code": "abc"}, 400, "6 chiffres"),
    ({"password": "p" * 500, "code": "123456"}, 400, "dépasser"),
])
def test_confirmation_bad_input(client, make_user, data, status, message):
    login_as(client, make_user("comite"))
    _shift(client, "_reauth", 3600)
    response = client.submit("/mon-compte/confirmer", data)
    assert response.status_code == status and message in page_text(response)
    assert not _journal("identite.confirmee")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil", "javascript:alert(1)"])
def test_confirmation_never_sends_elsewhere(client, make_user, target):
    user = make_user("comite")
    login_as(client, user)
    response = client.submit("/mon-compte/confirmer", {"password": PASSWORD, "code": next_totp_code(user.email)},
                             query_string={"next": target})
    assert response.headers["Location"] == "/mon-compte/securite"


def test_confirmation_is_throttled_over_http(client, make_user):
    user = make_user("comite")
    login_as(client, user)
    for _ in range(THROTTLE_LIMIT):
        client.submit("/mon-compte/confirmer", {"password": PASSWORD, "code": "000001"})
    refused = client.submit("/mon-compte/confirmer", {"password": PASSWORD, "code": next_totp_code(user.email)})
    assert refused.status_code == 429 and not _journal("identite.confirmee")


def test_the_settings_of_the_second_factor_ask_for_a_fresh_authentication(client, make_user):
    login_as(client, make_user("admin"))
    _shift(client, "_reauth", 5 * 60 + 1)
    response = client.submit("/admin/parametres/double-facteur", {"exiger": "0", "compris": "y"},
                             headers={"Referer": "http://localhost/admin/parametres"})
    assert response.status_code == 303 and response.headers["Location"] == \
        "/mon-compte/confirmer?next=/admin/parametres"
    assert not _journal("parametre.modifie")
    assert time.time()  # the clock of the test is the real one: only the session's timestamps moved
