"""Charte: co-write, vote and publish a local authority's AI usage charter."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from charte.config import PROJECT_ROOT, load_config
from charte.database import configure_sqlite, engine_options
from charte.extensions import csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory."""
    config = load_config()
    if test_config:
        config.update(test_config)
    instance = Path(config["INSTANCE_PATH"])
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config["SECRET_KEY_LOADER"]()
    app.config.pop("SECRET_KEY_LOADER", None)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        os.makedirs(instance, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    app.config.update(
        SESSION_COOKIE_NAME="charte_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The cookie outlives both limits, which are checked on the server (charte.accounts.sessions):
        # an ended session is then recognised, and the login page says why.
        PERMANENT_SESSION_LIFETIME=timedelta(
            hours=max(app.config["CHARTE_SESSION_HOURS"], app.config["CHARTE_SESSION_MAX_HOURS"])),
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        JSON_AS_ASCII=False,
        WTF_I18N_ENABLED=False,  # WTForms then uses its own French messages (Meta.locales)
    )
    if app.config["CHARTE_PROXY_COUNT"]:
        count = app.config["CHARTE_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.session_protection = "basic"
    with app.app_context():
        configure_sqlite(db.engine)

    from charte import models  # noqa: F401  (register every table with the metadata)
    from charte import errors, security, web
    from charte.accounts.views import bp as accounts_bp
    from charte.accounts.views import load_user
    from charte.amendements.views import bp as amendements_bp
    from charte.chartes.views import bp as chartes_bp
    from charte.cli import charte_cli
    from charte.consolidation.views import bp as consolidation_bp
    from charte.journal.views import bp as journal_bp
    from charte.notifications.views import bp as notifications_bp
    from charte.public.views import bp as public_bp
    from charte.publication.views import bp as publication_bp
    from charte.scrutins.views import bp as scrutins_bp
    from charte.tours.views import bp as tours_bp

    login_manager.user_loader(load_user)
    app.url_map.converters["id"] = web.IdConverter  # before any blueprint: every route uses <id:…>
    security.install(app)
    errors.install(app)
    web.install(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(chartes_bp)
    app.register_blueprint(journal_bp)
    app.register_blueprint(tours_bp)
    app.register_blueprint(scrutins_bp)
    app.register_blueprint(amendements_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(consolidation_bp)
    app.register_blueprint(publication_bp)
    app.cli.add_command(charte_cli)
    return app
