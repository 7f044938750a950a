"""Security defaults: deny by default, headers, session cookies, safe redirects, fresh authentication."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from charte.exceptions import Forbidden

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

# Endpoints that need no login. Everything else is refused to anonymous visitors.
_public_views: set = set()


def public(view):
    """Mark a view as readable without logging in (the allow-list)."""
    _public_views.add(view)
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True
    return app.view_functions.get(endpoint) in _public_views


def requires(role: str):
    """View decorator: the user must hold the role (agent, comite, admin)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or role not in current_user.roles:
                raise Forbidden("Vous n’avez pas les droits nécessaires pour cette page.")
            return view(*args, **kwargs)

        return wrapped

    return decorate


def safe_next(target: str | None) -> str | None:
    """Keep `next` only when it is a path of this site (no scheme, host or protocol-relative URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


class CharteSessionInterface(SecureCookieSessionInterface):
    """Session cookie chosen per request: over HTTPS it is `__Host-charte_session` (Secure, Path=/, no
    Domain: the browser then refuses it from a sibling domain or over HTTP); over plain HTTP (the demo
    on 127.0.0.1) it is `charte_session`."""

    def _secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def get_cookie_name(self, app: Flask) -> str:
        return HOST_COOKIE_NAME if self._secure(app) else COOKIE_NAME

    def get_cookie_secure(self, app: Flask) -> bool:
        return self._secure(app)

    def get_cookie_domain(self, app: Flask) -> str | None:
        return None if self._secure(app) else super().get_cookie_domain(app)

    def get_cookie_path(self, app: Flask) -> str:
        return "/" if self._secure(app) else super().get_cookie_path(app)


COOKIE_NAME = "charte_session"
HOST_COOKIE_NAME = "__Host-charte_session"

# Pages a person may reach while a step of their own is due (a password to change, a second factor
# to enrol): that step's pages, logging out, the stylesheet.
PASSWORD_CHANGE_ENDPOINTS = {"accounts.change_password", "accounts.logout", "static"}
ENROLMENT_ENDPOINTS = PASSWORD_CHANGE_ENDPOINTS | {
    "accounts.securite", "accounts.securite_configurer", "accounts.securite_activer"}


def requires_fresh_auth(view):
    """View decorator for sensitive actions (approving a version, publishing…): the person must have
    confirmed their identity — password, and the second factor when enrolled — within the last five
    minutes (charte.accounts.sessions.FRESH_AUTH_SECONDS; signing in counts).

    Otherwise the request is sent to /mon-compte/confirmer, which asks for them and comes back: a GET
    comes back to the same address; a POST comes back to the page the form was sent from (its data is
    not replayed: the person sends the form again, now confirmed). Put it under `@requires(...)`:

        @bp.route("/chartes/<id:charte_id>/versions/<id:numero>/approuver", methods=["POST"])
        @requires("comite")
        @requires_fresh_auth
        def approuver(charte_id, numero): ...

    Services may also call charte.accounts.authentification.confirmer_identite(user, password, code,
    address) directly when the confirmation is part of their own form."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from charte.accounts.sessions import is_fresh

        if is_fresh(current_user):
            return view(*args, **kwargs)
        if request.method == "GET":
            back = request.full_path.rstrip("?")
        else:
            referrer = urlsplit(request.referrer or "")
            same_origin = referrer.netloc == request.host and referrer.scheme == request.scheme
            back = (referrer.path + (f"?{referrer.query}" if referrer.query else "")) if same_origin else None
        flash("Pour cette action, confirmez d’abord votre identité.", "info")
        return redirect(url_for("accounts.confirmer", next=safe_next(back)), 303)

    return wrapped


def install(app: Flask) -> None:
    """Attach the deny-by-default guard and the response headers."""
    app.session_interface = CharteSessionInterface()

    @app.before_request
    def _deny_by_default():
        from charte.accounts.double_facteur import doit_activer_double_facteur
        from charte.accounts.sessions import check_session

        endpoint = request.endpoint
        if endpoint != "static":
            check_session()
        if is_public_endpoint(app, endpoint):
            return None
        if not current_user.is_authenticated:
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("accounts.login", next=safe_next(target.rstrip("?") if target else None)))
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("accounts.change_password"))
        if endpoint not in ENROLMENT_ENDPOINTS and doit_activer_double_facteur(current_user):
            return redirect(url_for("accounts.securite"))
        return None

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and (session.get("_user_id") or session.get("_mfa")):
            # Shared office computers: a logged-in page must not come back from the cache.
            headers["Cache-Control"] = "no-store"
        return response
