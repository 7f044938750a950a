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
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from charte import create_app
from charte.config import PROJECT_ROOT
from charte.extensions import db
from charte.journal.keys import checkpoint_path

PASSWORD = "un mot de passe solide"
TEMPLATE_PATH = PROJECT_ROOT / "modeles" / "charte-ia-collectivite.md"
TEST_SECRET = "test-secret-key-" + "x" * 40


def _pg_admin_connect(url):
    import psycopg

    return psycopg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
        password=url.password, dbname=url.database or "postgres", autocommit=True,
    )


@contextlib.contextmanager
def fresh_database(sqlite_path: Path, prefix: str):
    """A SQLite file by default; with CHARTE_TEST_DATABASE_URL a fresh PostgreSQL database, dropped after."""
    configured = os.environ.get("CHARTE_TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite:///{sqlite_path}"
        return
    url = make_url(configured)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _pg_admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with _pg_admin_connect(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite file by default; with CHARTE_TEST_DATABASE_URL a fresh PostgreSQL database for this run."""
    with fresh_database(tmp_path_factory.mktemp("db") / "charte-test.db", "charte_test") as url:
        yield url


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


@contextlib.contextmanager
def triggers_suspended():
    """Within the test session's transaction, lift the immutability triggers, as the owner of the
    database could: to empty the tables between tests, and to tamper with rows in tamper tests."""
    if db.engine.dialect.name == "postgresql":
        # Triggers do not fire for a replication session (the test role is a superuser).
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        db.session.execute(text("SET LOCAL session_replication_role = origin"))
        return
    triggers = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for name, _sql in triggers:
        db.session.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        db.session.execute(text(sql))


def tamper(sql: str, **params) -> None:
    """Change the database behind the application's back, as someone with full SQL access could."""
    with triggers_suspended():
        db.session.execute(text(sql), params)
    db.session.commit()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with triggers_suspended():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()
    # The instance folder lives as long as the run: each test starts without checkpoints.
    checkpoint_path().unlink(missing_ok=True)


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


# --- Rounds and amendments (plain rows; the services' own tests go through the services) -------


@pytest.fixture
def make_tour(app, make_charte):
    """Factory: a round on the charter's version in force, in the given state, windows around now."""
    import json
    from datetime import datetime, timedelta, timezone

    from charte.tours.models import ReglesCharte, Tour, TourStatut

    def make(charte=None, statut: str = "depot", **regles):
        charte = charte or make_charte()
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        base = ReglesCharte(charte_id=charte.id, quorum_pct=25, majorite="simple", une_voix_par_service=False,
                            resultats_en_direct=False, cosignataires_min=0, validation_seuil=2)
        frozen = {**base.as_dict(), **regles}
        if statut == "depot":
            windows = (now - timedelta(days=1), now + timedelta(days=6), now + timedelta(days=7),
                       now + timedelta(days=14))
        else:
            windows = (now - timedelta(days=14), now - timedelta(days=7), now - timedelta(days=1),
                       now + timedelta(days=6) if statut == "vote" else now - timedelta(hours=1))
        numero = 1 + max([t.numero for t in db.session.scalars(select(Tour).filter_by(charte_id=charte.id))],
                         default=0)
        tour = Tour(
            charte_id=charte.id, ouvert_charte_id=None if statut == "clos" else charte.id,
            version_id=charte.version_courante.id, numero=numero, titre=f"Tour n° {numero}",
            statut=TourStatut(statut), depot_debut_at=windows[0], depot_fin_at=windows[1],
            vote_debut_at=windows[2], vote_fin_at=windows[3], regles_json=json.dumps(frozen),
            created_at=now, vote_ouvert_at=now if statut != "depot" else None,
        )
        db.session.add(tour)
        db.session.commit()
        return tour

    return make


@pytest.fixture
def make_amendement(app, make_tour, make_user):
    """Factory: an amendment with its first revision, by default a modification of RESP-1, déposé."""
    from datetime import datetime, timezone

    from charte.amendements.models import Amendement, AmendementStatut, Nature, Revision

    def make(tour=None, auteur=None, nature: str = "modification", ref: str | None = "RESP-1",
             texte: str | None = None, statut: str = "depose", titre: str | None = None,
             expose: str = "Parce que le texte actuel ne dit pas assez clairement qui décide."):
        tour = tour or make_tour()
        auteur = auteur or make_user("agent")
        version = tour.version
        clause = version.clause(ref) if ref and nature != "ajout" else None
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        if texte is None:
            texte = "" if nature == "suppression" else (
                (clause.texte + "\n\nUn agent référent valide chaque usage.") if clause else "Texte de la nouvelle clause.")
        titre = titre or (clause.titre if clause else "Nouvelle clause")
        numero = 1 + (db.session.scalar(select(func.max(Amendement.numero)).filter_by(charte_id=tour.charte_id)) or 0)
        amendement = Amendement(
            tour_id=tour.id, charte_id=tour.charte_id, numero=numero, nature=Nature(nature),
            statut=AmendementStatut(statut), clause_ref=ref if nature != "ajout" else None,
            theme_position=clause.theme_position if clause else 1, position=None if clause else 1, auteur_id=auteur.id,
            departement_id=auteur.departement_id, base_version_id=version.id, titre=titre, texte=texte,
            expose=expose, revision_courante=1, created_at=now, depose_at=None if statut == "brouillon" else now,
        )
        db.session.add(amendement)
        db.session.flush()
        db.session.add(Revision(
            amendement_id=amendement.id, numero=1, base_version_id=version.id,
            base_titre=clause.titre if clause else "", base_texte=clause.texte if clause else "",
            titre=titre, texte=texte, expose=expose, auteur_id=auteur.id, created_at=now,
        ))
        db.session.commit()
        return amendement

    return make
@pytest.fixture
def admin(client, auth, make_user):
    """An administrator, logged in with the test client."""
    user = make_user("admin", nom="Adèle Admin")
    auth.login(user)
    return user


def count(model) -> int:
    """Rows of a model's table, as the test's session sees them."""
    return db.session.scalar(select(func.count()).select_from(model))


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
