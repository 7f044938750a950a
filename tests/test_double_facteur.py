"""The second factor through HTTP: enrolment, the two-step login, codes (wrong, malformed, replayed,
throttled), recovery codes, the half-login that expires, the role requirement and its lifting, the
admin's reset. On the real database, with codes computed as an authenticator app would."""
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from charte.accounts import totp
from charte.accounts.limitation import CODE_HOURLY_LIMIT, THROTTLE_LIMIT, utcnow
from charte.accounts.models import CodeSecours, LoginAttempt, User
from charte.extensions import db
from charte.journal.models import JournalEntry
from tests.conftest import PASSWORD, login_as, next_totp_code, page_text


def _journal(action: str) -> list[JournalEntry]:
    return db.session.scalars(select(JournalEntry).filter_by(action=action).order_by(JournalEntry.seq)).all()


def _user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def _password_step(client, user, **kwargs):
    response = client.submit("/connexion", {"email": user.email, "password": PASSWORD}, **kwargs)
    assert response.status_code == 302 and response.headers["Location"] == "/connexion/code", response.headers
    return response


def _enrol(client, user) -> tuple[str, list[str]]:
    """Enrol through the pages as a person would: the secret is read from the page."""
    assert client.submit("/mon-compte/securite/configurer").headers["Location"] == "/mon-compte/securite/activer"
    page = page_text(client.get("/mon-compte/securite/activer"))
    secret = re.search(r'<code id="cle-secrete">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    response = client.submit("/mon-compte/securite/activer", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, page_text(response)[:500]
    codes = re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", page_text(response))
    return secret, codes


# --- Enrolment -----------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_checks_a_code_and_gives_ten_recovery_codes(client, make_user):
    user = make_user()
    login_as(client, user)
    assert "Configurer la double authentification" in page_text(client.get("/mon-compte/securite"))
    client.submit("/mon-compte/securite/configurer")
    page = page_text(client.get("/mon-compte/securite/activer"))
    pending = _user(user.id).totp_pending_secret
    assert totp.grouped(pending) in page  # the secret in text, by groups of four
    assert '<svg role="img"' in page and 'class="qr"' in page and " style=" not in page
    assert not _user(user.id).has_second_factor
    secret, codes = _enrol(client, user)
    db_user = _user(user.id)
    assert db_user.has_second_factor and db_user.totp_secret == secret and db_user.totp_pending_secret is None
    assert len(set(codes)) == 10
    stored = db.session.scalars(select(CodeSecours).filter_by(user_id=user.id)).all()
    assert len(stored) == 10 and all(row.code_hash.startswith("$argon2id$") for row in stored)
    assert not {row.code_hash for row in stored} & set(codes)  # hashed, never in clear
    assert _journal("double_facteur.active")[-1].actor_id == user.id
    assert client.get("/chartes/").status_code == 200  # this session carries on
    assert "10</strong> sur 10" in page_text(client.get("/mon-compte/securite"))


@pytest.mark.parametrize("code, status, message", [
    ("", 400, "Saisissez le code"),
    ("12ab56", 400, "6 chiffres"),
    ("1" * 65, 400, "trop long"),
    ("WRONG", 400, "6 chiffres"),
])
def test_enrolment_bad_input(client, make_user, code, status, message):
    user = make_user()
    login_as(client, user)
    client.submit("/mon-compte/securite/configurer")
    response = client.submit("/mon-compte/securite/activer", {"code": code})
    assert response.status_code == status and message in page_text(response)
    assert not _user(user.id).has_second_factor and _user(user.id).totp_pending_secret


def test_enrolment_refuses_a_wrong_code_and_enables_nothing(client, make_user):
    user = make_user()
    login_as(client, user)
    client.submit("/mon-compte/securite/configurer")
    pending = _user(user.id).totp_pending_secret
    wrong = f"{(int(pyotp.TOTP(pending).now()) + 1) % 1_000_000:06d}"
    response = client.submit("/mon-compte/securite/activer", {"code": wrong})
    assert response.status_code == 400 and "ne correspond pas" in page_text(response)
    assert not _user(user.id).has_second_factor and not _journal("double_facteur.active")


def test_enrolment_page_without_a_secret_being_enrolled_sends_back(client, make_user):
    login_as(client, make_user())
    response = client.get("/mon-compte/securite/activer")
    assert response.headers["Location"] == "/mon-compte/securite"


def test_enrolment_ends_the_other_sessions(app, client, make_user):
    user = make_user()
    login_as(client, user)
    other = app.test_client()
    login_as(other, user)
    _enrol(client, user)
    assert client.get("/chartes/").status_code == 200
    assert other.get("/chartes/").status_code == 302


# --- Two-step login ------------------------------------------------------------------------------


def test_login_is_two_steps_and_the_first_grants_nothing(client, make_user):
    user = make_user("comite")
    _password_step(client, user)
    assert client.get("/chartes/").headers["Location"].startswith("/connexion")
    assert not _journal("connexion.reussie")
    assert "Code de vérification" in page_text(client.get("/connexion/code"))
    response = client.submit("/connexion/code", {"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.headers["Location"] == "/chartes/"
    assert client.get("/chartes/").status_code == 200
    entry = _journal("connexion.reussie")[-1]
    assert entry.actor_id == user.id and entry.details["second_facteur"] == "totp"


@pytest.mark.parametrize("code, message", [
    ("", "Saisissez le code"),
    ("12345", "6 chiffres"),
    ("abcdef", "6 chiffres"),
    ("x" * 65, "trop long"),
])
def test_malformed_codes_are_refused(client, make_user, code, message):
    user = make_user("admin")
    _password_step(client, user)
    response = client.submit("/connexion/code", {"code": code})
    assert response.status_code == 400 and message in page_text(response)
    assert client.get("/chartes/").status_code == 302


def test_a_wrong_code_is_refused_and_journalled(client, make_user):
    user = make_user("comite")
    _password_step(client, user)
    good = pyotp.TOTP(user.totp_secret).now()
    response = client.submit("/connexion/code", {"code": f"{(int(good) + 1) % 1_000_000:06d}"})
    assert response.status_code == 400 and "pas valide" in page_text(response)
    assert client.get("/chartes/").status_code == 302
    assert _journal("connexion.code_refuse")[-1].actor_id == user.id
    # The half-login is still there: the right code now works.
    assert client.submit("/connexion/code", {"code": good}).headers["Location"] == "/chartes/"


def test_a_code_cannot_be_replayed(app, client, make_user):
    user = make_user("comite")
    _password_step(client, user)
    code = pyotp.TOTP(user.totp_secret).now()
    assert client.submit("/connexion/code", {"code": code}).status_code == 302
    thief = app.test_client()
    _password_step(thief, user)
    replay = thief.submit("/connexion/code", {"code": code})
    assert replay.status_code == 400 and "déjà servi" in page_text(replay)
    assert thief.get("/chartes/").status_code == 302
    assert _user(user.id).totp_last_step >= totp.time_step(utcnow()) - 1


def test_codes_are_throttled_per_account(app, client, make_user):
    user = make_user("comite")
    _password_step(client, user, environ_base={"REMOTE_ADDR": "10.4.4.4"})
    for _ in range(THROTTLE_LIMIT):
        assert client.submit("/connexion/code", {"code": "000000"},
                             environ_base={"REMOTE_ADDR": "10.4.4.4"}).status_code == 400
    other = app.test_client()
    _password_step(other, user, environ_base={"REMOTE_ADDR": "10.5.5.5"})
    for _ in range(3):  # even the right code, from elsewhere, waits
        refused = other.submit("/connexion/code", {"code": next_totp_code(user.email)},
                               environ_base={"REMOTE_ADDR": "10.5.5.5"})
        assert refused.status_code == 429 and "Trop de tentatives" in page_text(refused)
    assert other.get("/chartes/").status_code == 302
    assert len(_journal("verification.limitee")) == 1  # journalled once a minute per account and address
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at_dt = utcnow() - __import__("datetime").timedelta(seconds=61)
    db.session.commit()
    assert other.submit("/connexion/code", {"code": next_totp_code(user.email)},
                        environ_base={"REMOTE_ADDR": "10.5.5.5"}).status_code == 302


def test_codes_have_an_hourly_limit_too(client, make_user):
    from datetime import timedelta

    user = make_user("comite")
    now = utcnow()
    # Failures spread over the last hour, never five in one minute.
    db.session.add_all(LoginAttempt(kind="code", at_dt=now - timedelta(minutes=2 + 2 * i), email_key=user.email,
                                    address=f"10.6.6.{i}", succeeded=False) for i in range(CODE_HOURLY_LIMIT))
    db.session.commit()
    _password_step(client, user)
    assert client.submit("/connexion/code", {"code": next_totp_code(user.email)}).status_code == 429


def test_the_half_login_expires_after_five_minutes(client, make_user):
    user = make_user("comite")
    _password_step(client, user)
    with client.session_transaction() as sess:
        sess["_mfa"] = {**sess["_mfa"], "at": time.time() - 5 * 60 - 1}
    for response in (client.get("/connexion/code"),
                     client.submit("/connexion/code", {"code": next_totp_code(user.email)})):
        assert response.status_code == 302 and response.headers["Location"] == "/connexion"
    assert "n’a pas abouti à temps" in page_text(client.get("/connexion"))
    assert client.get("/chartes/").status_code == 302
    assert not _journal("connexion.reussie")


def test_the_half_login_ends_when_the_account_changes(client, make_user):
    from charte.accounts.services import desactiver_compte, reinitialiser_mot_de_passe

    for change in (lambda u: reinitialiser_mot_de_passe(u, None), lambda u: desactiver_compte(u, None)):
        user = make_user("comite")
        _password_step(client, user)
        change(_user(user.id))
        db.session.commit()
        assert client.submit("/connexion/code", {"code": next_totp_code(user.email)}).headers["Location"] \
            == "/connexion"
        assert client.get("/chartes/").status_code == 302


def test_forged_half_login_state_is_refused(client, make_user):
    user = make_user("comite")
    for forged in ({"uid": user.id, "sv": 99, "at": time.time()}, {"uid": "1", "sv": 1, "at": time.time()},
                   "n’importe quoi", {"uid": user.id, "sv": user.session_version, "at": "x"}):
        with client.session_transaction() as sess:
            sess["_mfa"] = forged
        try:
            response = client.submit("/connexion/code", {"code": next_totp_code(user.email)})
        except ValueError:
            pytest.fail("a malformed half-login state must not raise")
        assert response.headers["Location"] == "/connexion"


@pytest.mark.parametrize("target, expected", [
    ("/chartes/1", "/chartes/1"),
    ("https://evil.example/", "/chartes/"),
    ("//evil.example/x", "/chartes/"),
    ("/\\evil.example", "/chartes/"),
])
def test_next_survives_the_code_step_only_when_it_is_ours(client, make_user, target, expected):
    user = make_user("comite")
    client.submit("/connexion", {"email": user.email, "password": PASSWORD}, query_string={"next": target})
    response = client.submit("/connexion/code", {"code": next_totp_code(user.email)})
    assert response.headers["Location"] == expected


def test_a_recovery_code_works_once_instead_of_a_code(client, make_user):
    user = make_user()
    login_as(client, user)
    _secret, codes = _enrol(client, user)
    client.submit("/deconnexion")
    _password_step(client, user)
    typed = codes[3].upper().replace("-", " ")  # as read from paper
    response = client.submit("/connexion/code", {"code": typed})
    assert response.headers["Location"] == "/chartes/"
    assert "Il vous en reste 9" in page_text(client.get("/chartes/"))
    assert _journal("connexion.reussie")[-1].details["second_facteur"] == "code_secours"
    assert _journal("double_facteur.code_secours_utilise")[-1].details["restants"] == 9
    client.submit("/deconnexion")
    _password_step(client, user)
    again = client.submit("/connexion/code", {"code": codes[3]})
    assert again.status_code == 400 and "pas valide" in page_text(again)


def test_new_recovery_codes_replace_the_old_ones(client, make_user):
    user = make_user()
    login_as(client, user)
    _secret, old = _enrol(client, user)
    response = client.submit("/mon-compte/securite/codes-secours")
    assert response.status_code == 200
    new = re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", page_text(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert _journal("double_facteur.codes_secours_renouveles")
    client.submit("/deconnexion")
    _password_step(client, user)
    assert client.submit("/connexion/code", {"code": old[0]}).status_code == 400
    assert client.submit("/connexion/code", {"code": new[0]}).status_code == 302


# --- The role requirement ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["comite", "admin"])
def test_committee_and_admins_without_a_second_factor_must_enrol_first(client, make_user, role):
    user = make_user(role, second_factor=False)
    response = client.submit("/connexion", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/mon-compte/securite"
    for url in ("/chartes/", "/journal", "/admin/", "/mon-compte/confirmer"):
        assert client.get(url).headers["Location"] == "/mon-compte/securite", url
    assert "Votre rôle" in page_text(client.get("/mon-compte/securite"))
    _enrol(client, user)
    assert client.get("/chartes/").status_code == 200


def test_an_agent_may_go_without(client, make_user):
    login_as(client, make_user())
    assert client.get("/chartes/").status_code == 200


def test_an_admin_may_lift_the_requirement_with_a_warning(app, client, make_user):
    admin = make_user("admin")
    member = make_user("comite", second_factor=False)
    login_as(client, admin)
    assert "Lever l’exigence" in page_text(client.get("/admin/parametres"))
    refused = client.submit("/admin/parametres/double-facteur", {"exiger": "0"})
    assert refused.status_code == 400 and "Cochez la case" in page_text(refused)
    forged = client.submit("/admin/parametres/double-facteur", {"exiger": "peut-être", "compris": "y"})
    assert forged.status_code == 400
    before = len(_journal("parametre.modifie"))
    assert client.submit("/admin/parametres/double-facteur", {"exiger": "0", "compris": "y"}).status_code == 302
    assert len(_journal("parametre.modifie")) == before + 1
    assert "n’est plus exigée" in page_text(client.get("/admin/parametres"))
    again = client.submit("/admin/parametres/double-facteur", {"exiger": "0", "compris": "y"})
    assert again.status_code == 409  # a double submit changes nothing
    theirs = app.test_client()
    assert theirs.submit("/connexion", {"email": member.email, "password": PASSWORD}).headers["Location"] \
        == "/chartes/"
    assert theirs.get("/chartes/").status_code == 200
    assert client.submit("/admin/parametres/double-facteur", {"exiger": "1"}).status_code == 302
    assert theirs.get("/chartes/").headers["Location"] == "/mon-compte/securite"


def test_a_required_second_factor_cannot_be_turned_off_by_its_owner(client, make_user):
    user = make_user("comite")
    login_as(client, user)
    response = client.submit("/mon-compte/securite/desactiver")
    assert response.status_code == 409 and "exige" in page_text(response)
    assert _user(user.id).has_second_factor


def test_an_agent_may_turn_it_off(client, make_user):
    user = make_user(second_factor=True)
    login_as(client, user)
    assert client.submit("/mon-compte/securite/desactiver").headers["Location"] == "/mon-compte/securite"
    db_user = _user(user.id)
    assert not db_user.has_second_factor and db_user.totp_secret is None
    assert db.session.scalar(select(func.count()).select_from(CodeSecours).filter_by(user_id=user.id)) == 0
    assert _journal("double_facteur.desactive")
    assert client.get("/chartes/").status_code == 200


# --- The admin's reset ---------------------------------------------------------------------------


def test_an_admin_resets_a_lost_second_factor(app, client, make_user):
    admin = make_user("admin")
    member = make_user("comite")
    theirs = app.test_client()
    login_as(theirs, member)
    login_as(client, admin)
    assert "Réinitialiser la double authentification" in page_text(client.get(f"/admin/comptes/{member.id}"))
    response = client.submit(f"/admin/comptes/{member.id}/double-facteur")
    assert response.headers["Location"] == f"/admin/comptes/{member.id}"
    assert not _user(member.id).has_second_factor
    entry = _journal("double_facteur.reinitialise")[-1]
    assert entry.actor_id == admin.id and entry.target == f"user:{member.id}"
    assert theirs.get("/chartes/").status_code == 302  # their sessions ended
    assert "double authentification du compte a changé" in page_text(theirs.get("/connexion"))
    # They sign in with the password alone, and must enrol again.
    assert theirs.submit("/connexion", {"email": member.email, "password": PASSWORD}).headers["Location"] \
        == "/mon-compte/securite"
    again = client.submit(f"/admin/comptes/{member.id}/double-facteur")
    assert again.status_code == 409 and "pas de double authentification" in page_text(again)


def test_an_admin_cannot_reset_their_own_second_factor(client, make_user):
    admin = make_user("admin")
    login_as(client, admin)
    response = client.submit(f"/admin/comptes/{admin.id}/double-facteur")
    assert response.status_code == 409 and _user(admin.id).has_second_factor


def test_reset_of_an_unknown_account_is_404(client, make_user):
    login_as(client, make_user("admin"))
    assert client.submit("/admin/comptes/999999/double-facteur").status_code == 404
