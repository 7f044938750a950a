"""Fixtures: a real database (SQLite file, or a fresh PostgreSQL database per run), the app,
clients that carry CSRF tokens, an `auth` helper and factories."""
from __future__ import annotations

import contextlib
import html
import contextvars
import os
import secrets
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner, FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from charte import create_app
from charte.config import PROJECT_ROOT
from charte.extensions import db

PASSWORD = "un mot de passe solide"
TEMPLATE_PATH = PROJECT_ROOT / "modeles" / "charte-ia-collectivite.md"
TEST_SECRET = "test-secret-key-" + "x" * 40


def _pg_admin_connect(url):
    import psycopg

    return psycopg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password, dbname=url.database or "postgres", autocommit=True,
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite file by default; with CHARTE_TEST_DATABASE_URL a fresh PostgreSQL database for this run."""
    configured = os.environ.get("CHARTE_TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'charte-test.db'}"
        return
    url = make_url(configured)
    name = f"charte_test_{uuid.uuid4().hex[:10]}"
    with _pg_admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with _pg_admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


def make_app(database_url: str, instance_dir: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_dir),
        "CHARTE_AUTHORITY_NAME": "",
        # Real argon2id at its cheapest cost; test_passwords checks the production parameters.
        "CHARTE_PASSWORD_PROFILE": "tests",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def _schema(database_url, instance_dir):
    """The schema is built once per run by the migrations themselves."""
    app = make_app(database_url, instance_dir)
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        db.engine.dispose()
    return True


@contextlib.contextmanager
def _isolated_cm(cm):
    ctx = contextvars.Context()
    value = ctx.run(cm.__enter__)
    try:
        yield value
    except BaseException as exc:
        if not ctx.run(cm.__exit__, type(exc), exc, exc.__traceback__):
            raise
    else:
        ctx.run(cm.__exit__, None, None, None)


def page_text(response) -> str:
    """The response body with HTML entities decoded, to look for a French message in it."""
    return html.unescape(response.get_data(as_text=True))


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


class CharteClient(FlaskClient):
    """A test client whose `submit` posts a form with a valid CSRF token, as a browser would.

    Each request runs in its own application context, as in production: nothing (Flask-Login's
    cached user, the database session) leaks from the test's context into the request or back.
    """

    def open(self, *args, **kwargs):
        db.session.rollback()  # the test's own session holds no snapshot or lock during the request
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.rollback()  # and sees what the request committed

    def session_transaction(self, *args, **kwargs):
        return _isolated_cm(super().session_transaction(*args, **kwargs))

    def csrf_token(self, base_url: str | None = None) -> str:
        # The session cookie's name depends on the scheme (__Host-charte_session over HTTPS).
        with self.session_transaction(**({"base_url": base_url} if base_url else {})) as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                raw = sess["csrf_token"] = secrets.token_hex(20)
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(kwargs.get("base_url")))
        return self.post(url, data=payload, **kwargs)


class CharteRunner(FlaskCliRunner):
    """A CLI runner whose commands do not wait on a transaction left open by the test itself."""

    def invoke(self, *args, **kwargs):
        db.session.rollback()
        try:
            return super().invoke(*args, **kwargs)
        finally:
            db.session.rollback()


@pytest.fixture
def app(_schema, database_url, instance_dir):
    app = make_app(database_url, instance_dir)
    app.test_client_class = CharteClient
    app.test_cli_runner_class = CharteRunner
    with app.app_context():
        _empty_all_tables()
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def client(app) -> CharteClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- Factories ---------------------------------------------------------------------------------


@pytest.fixture
def make_departement(app):
    from charte.accounts.services import creer_departement

    def make(nom: str | None = None):
        dep = creer_departement(nom or f"Service {secrets.token_hex(3)}", None)
        db.session.commit()
        return dep

    return make


def _roles(role: str) -> set[str]:
    return {"agent"} | ({"comite"} if role in ("comite", "admin+comite") else set()) \
        | ({"admin"} if role in ("admin", "admin+comite") else set())


@pytest.fixture
def make_user(app, make_departement):
    """Factory of accounts. Committee members and admins are enrolled in the second factor (as their
    role requires) unless `second_factor=False`; their secret is `user.totp_secret`, and the `auth`
    helpers compute the codes. Others may be enrolled with `second_factor=True`."""
    from charte.accounts.double_facteur import enroler_sans_verification
    from charte.accounts.services import creer_compte

    def make(role: str = "agent", departement=None, email: str | None = None, password: str = PASSWORD,
             nom: str = "Camille Durand", must_change: bool = False, second_factor: bool | None = None):
        roles = _roles(role)
        user, _ = creer_compte(
            email or f"{role.replace('+', '-')}.{secrets.token_hex(3)}@mairie.example",
            nom, departement or make_departement(), roles, None, password=password,
        )
        user.must_change_password = must_change
        if second_factor or (second_factor is None and roles & {"comite", "admin"}):
            enroler_sans_verification(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_modele(app):
    from charte.chartes.services import importer_modele

    def make(source: str | None = None, filename: str = "modele.md"):
        data = source.encode("utf-8") if source is not None else TEMPLATE_PATH.read_bytes()
        modele = importer_modele(data, filename, None)
        db.session.commit()
        return modele

    return make


@pytest.fixture
def make_charte(app, make_modele):
    from charte.chartes.services import creer_charte

    def make(titre: str | None = None, modele=None):
        charte = creer_charte(modele or make_modele(), titre, None)
        db.session.commit()
        return charte

    return make


def next_totp_code(email: str) -> str | None:
    """A valid code of the account's second factor that the server has not seen yet, computed from its
    secret as an authenticator app would; None when the account has no second factor.

    A person cannot log in three times within 30 seconds (each code is accepted once, the previous and
    next steps included); the tests do, so the helper then forgets the last used step. The replay rule
    has its own tests (tests/test_totp.py), which do not go through this helper."""
    from sqlalchemy import select, update

    from charte.accounts.limitation import utcnow
    from charte.accounts.models import User
    from charte.accounts.totp import code_at, time_step

    db.session.rollback()
    row = db.session.execute(select(User.id, User.totp_secret, User.totp_last_step, User.totp_enabled_at)
                             .filter_by(email=email.strip().lower())).one_or_none()
    if row is None or not row.totp_secret or row.totp_enabled_at is None:
        db.session.commit()
        return None
    current = time_step(utcnow())
    step = next((s for s in (current, current + 1) if row.totp_last_step is None or s > row.totp_last_step), None)
    if step is None:
        db.session.execute(update(User).where(User.id == row.id).values(totp_last_step=None))
        step = current
    db.session.commit()
    return code_at(row.totp_secret, step)


class AuthActions:
    def __init__(self, client: CharteClient):
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD, **kwargs):
        """Log in through the real forms: the password, then (when the account has a second factor) the
        code of its authenticator app, computed here. The last response is returned."""
        email = getattr(user_or_email, "email", user_or_email)
        response = self._client.submit("/connexion", {"email": email, "password": password}, **kwargs)
        if response.status_code == 302 and response.headers["Location"].startswith("/connexion/code"):
            kwargs.pop("query_string", None)
            response = self._client.submit("/connexion/code", {"code": next_totp_code(email)}, **kwargs)
        return response

    def logout(self):
        return self._client.submit("/deconnexion")


def login_as(client: CharteClient, user, password: str = PASSWORD):
    """Log the client in as this account (both steps), asserting that it worked."""
    response = AuthActions(client).login(user, password)
    assert response.status_code == 302, page_text(response)[:500]
    assert not response.headers["Location"].startswith("/connexion"), response.headers["Location"]
    return response


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


# --- Publication: a signing certificate and published versions --------------------------------


@pytest.fixture(scope="session")
def signing_p12(tmp_path_factory) -> Path:
    """A self-signed signing certificate (PKCS#12, no password), made once per run by `gen-cert`'s code."""
    from charte.publication.certificats import ecrire_p12, generer_certificat

    cert, key = generer_certificat("Ville de Test — signature", organisation="Ville de Test")
    return ecrire_p12(tmp_path_factory.mktemp("signature") / "signature.p12", cert, key)


@pytest.fixture
def signing(app, signing_p12):
    """The application configured with the test signing certificate."""
    app.config.update(CHARTE_SIGNING_P12=str(signing_p12), CHARTE_SIGNER_NAME="Marie Dupont",
                      CHARTE_SIGNER_ROLE="Maire", CHARTE_SIGNING_PLACE="Belval")
    return signing_p12


@pytest.fixture
def make_publication(app, signing, make_charte):
    """Factory: publish a charter's adopted version for real (render, sign, store) and commit."""
    from charte.publication.services import publier

    def make(charte=None, version=None, actor=None):
        charte = charte or make_charte()
        version = version or charte.version_courante
        publication = publier(version, actor)  # outside any request, as the command line does
        db.session.commit()
        return publication

    return make


_PUBLISHED_ONCE: dict = {}


@pytest.fixture
def published_world(app, make_publication):
    """A published v1 for tests about access, not content: the first call of the run publishes for real;
    later ones store the same signed bytes again instead of rendering them anew."""
    from charte.chartes.models import VersionStatut
    from charte.publication.models import Publication

    def make(charte):
        version = charte.version_courante
        if not _PUBLISHED_ONCE:
            publication = make_publication(charte, version)
            _PUBLISHED_ONCE.update({c.key: getattr(publication, c.key) for c in Publication.__table__.columns
                                    if c.key not in ("id", "version_id", "charte_id", "published_by_id")})
            return publication
        publication = Publication(version_id=version.id, charte_id=charte.id, **_PUBLISHED_ONCE)
        version.statut = VersionStatut.PUBLIEE
        version.published_at = publication.published_at
        db.session.add(publication)
        db.session.commit()
        return publication

    return make
