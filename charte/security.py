"""Security defaults: deny by default, headers, session cookies, safe redirects."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, redirect, request, session, url_for
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
    """Session cookie marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


PASSWORD_CHANGE_ENDPOINTS = {"accounts.change_password", "accounts.logout", "static"}


def install(app: Flask) -> None:
    """Attach the deny-by-default guard and the response headers."""
    app.session_interface = CharteSessionInterface()

    @app.before_request
    def _deny_by_default():
        endpoint = request.endpoint
        if is_public_endpoint(app, endpoint):
            return None
        if not current_user.is_authenticated:
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("accounts.login", next=safe_next(target.rstrip("?") if target else None)))
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("accounts.change_password"))
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
        if request.endpoint != "static" and session.get("_user_id"):
            # Shared office computers: a logged-in page must not come back from the cache.
            headers["Cache-Control"] = "no-store"
        return response
