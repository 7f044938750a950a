"""Browser fixtures: the test application served over HTTP, one headless Chromium per run, a fresh
browser context per test that records every request it makes.

The live server serves the `app` fixture's application, so it shares the test database: data made
with the factories is committed and visible to the server's request threads. On SQLite, a read
outside a request opens a write transaction (BEGIN IMMEDIATE), so a test that reads the database
must end its transaction (`release_db()`) before the browser submits a form.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from charte.extensions import db
from tests.conftest import PASSWORD, next_totp_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Schemes that are not network requests (inline data, blank pages).
LOCAL_SCHEMES = {"data", "about", "blob"}
TIMEOUT_MS = 10_000  # generous: the suite may share two cores with other work
expect.set_options(timeout=TIMEOUT_MS)


def _browser_unavailable(reason: str):
    if os.environ.get("CHARTE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CHARTE_REQUIRE_BROWSER=1)")
    pytest.skip(f"{reason}: browser tests skipped")


def release_db() -> None:
    """End the test thread's open transaction, so that the server's write transactions can start."""
    db.session.commit()


# --- The application over HTTP -----------------------------------------------------------------


@pytest.fixture
def live_server(app):
    """The test application served on 127.0.0.1 (a free port) by a threaded werkzeug server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown() waits for the serving loop to notice (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="charte-live-server", daemon=True)
    thread.start()
    release_db()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- Browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (the system's) for the whole run."""
    if not os.path.exists(CHROMIUM):
        _browser_unavailable(f"Chromium introuvable à {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield instance
    instance.close()
    playwright.stop()


class RequestLog:
    """Every URL requested by the test's browser contexts."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.origin = (parts.scheme, parts.netloc)
        self.urls: list[str] = []
        self.reported = False

    def record(self, request) -> None:
        self.urls.append(request.url)

    def foreign(self) -> list[str]:
        """URLs that went anywhere but the live server."""
        out = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if (parts.scheme, parts.netloc) != self.origin:
                out.append(url)
        return out

    def assert_same_origin(self) -> None:
        foreign = self.foreign()
        assert not foreign, f"Requêtes vers un tiers (hors {self.base_url}) : {foreign}"


@pytest.fixture
def request_log(live_server) -> RequestLog:
    return RequestLog(live_server)


@pytest.fixture
def new_context(browser, live_server, request_log):
    """Factory: a fresh, isolated browser context (French locale) whose requests are recorded."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", request_log.record)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    # Whatever the test did, no page may have called a third party (unless the test said so already).
    if not request_log.reported:
        request_log.assert_same_origin()


@pytest.fixture
def page(new_context):
    """A page in its own context; closed with the context after the test."""
    return new_context().new_page()


# --- Data and actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """Plain values (no ORM objects, no lazy loading) describing the seeded data."""

    departement_id: int
    departement_nom: str
    charte_id: int | None
    modele_id: int | None
    emails: dict[str, str]  # role -> e-mail of an account holding that role
    user_ids: dict[str, int]

    def email(self, role: str) -> str:
        return self.emails[role]


@pytest.fixture
def make_seed(app, make_user, make_departement, make_charte):
    """Factory: one department, one charter (from the bundled template) unless `charte=False`, and an
    account for each role asked for (agent, comite, admin), all in that department."""

    def make(*roles: str, charte: bool = True) -> Seed:
        dep = make_departement("Direction du numérique")
        charte = make_charte("Charte d’usage de l’IA") if charte else None
        noms = {"agent": "Camille Durand", "comite": "Dominique Martin", "admin": "Alex Bernard"}
        users = {role: make_user(role, departement=dep, nom=noms.get(role, "Claude Moreau")) for role in roles}
        values = Seed(
            departement_id=dep.id, departement_nom=dep.nom,
            charte_id=charte.id if charte else None, modele_id=charte.modele_id if charte else None,
            emails={role: u.email for role, u in users.items()}, user_ids={role: u.id for role, u in users.items()},
        )
        release_db()
        return values

    return make


def login(page, email: str, password: str = PASSWORD, *, expect_path: str = "/chartes/") -> None:
    """Log in through the real forms (fill + click): the password, then, when the account has a second
    factor, the code of its authenticator app (computed from the secret in the database); wait for
    the expected page."""
    page.goto("/connexion")
    page.get_by_label("Adresse électronique", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    if path_of(page) == "/connexion/code" and expect_path != "/connexion/code":
        page.get_by_label("Code de vérification", exact=True).fill(next_totp_code(email))
        with page.expect_navigation():
            page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"**{expect_path}")


_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def _post_form(context, path: str, fields: dict):
    html = context.request.get(path).text()
    token = _CSRF_INPUT.search(html)
    assert token, f"jeton CSRF introuvable dans la page {path}"
    return context.request.post(path, form={"csrf_token": token.group(1), **fields}, max_redirects=0)


def login_http(context, email: str, password: str = PASSWORD) -> None:
    """Log the browser context in through the real /connexion endpoint (CSRF token included), and the
    code step when the account has a second factor, with the context's own HTTP client, which shares
    its cookies: quicker than rendering the forms, for tests whose subject is another page. The forms
    themselves are exercised by the keyboard tests."""
    response = _post_form(context, "/connexion", {"email": email, "password": password})
    assert response.status == 302, f"connexion refusée ({response.status}) : {response.text()[:500]}"
    if urlsplit(response.headers["location"]).path == "/connexion/code":
        response = _post_form(context, "/connexion/code", {"code": next_totp_code(email)})
        assert response.status == 302, f"code refusé ({response.status}) : {response.text()[:500]}"


def path_of(page) -> str:
    return urlsplit(page.url).path
