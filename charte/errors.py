"""French error pages that reveal nothing internal."""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from charte.exceptions import DomainError
from charte.extensions import db

MESSAGES = {
    400: ("Requête incorrecte", "La demande envoyée n’a pas pu être comprise."),
    401: ("Connexion nécessaire", "Connectez-vous pour accéder à cette page."),
    403: ("Accès refusé", "Vous n’avez pas les droits nécessaires pour cette page."),
    404: ("Page introuvable", "Cette page n’existe pas ou plus. Vérifiez l’adresse, ou repartez de l’accueil."),
    405: ("Action non permise", "Cette adresse n’accepte pas ce type de demande."),
    409: ("Action impossible", "Cette action n’est pas possible dans l’état actuel."),
    413: ("Fichier trop volumineux", "Le fichier ou le formulaire envoyé dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Trop de demandes en peu de temps. Patientez une minute avant de réessayer."),
    500: ("Erreur interne", "Une erreur inattendue s’est produite. Rien n’a été enregistré ; réessayez plus tard."),
}


def render_error(status: int, message: str | None = None):
    title, default = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    return render_template("errors/error.html", status=status, title=title, message=message or default), status


def journal_refusal(kind: str, action: str, **details) -> None:
    """Journal a refused access or a CSRF failure, at most once a minute per account and address, so
    that a loop of refused requests cannot flood the journal. Never fails the error page."""
    from charte.accounts.limitation import attempt_key, clean_address, journal_once, utcnow

    try:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        journal_once(kind, action, attempt_key(user.email if user else ""), clean_address(request.remote_addr),
                     utcnow(), actor=user, label="(anonyme)", methode=request.method, chemin=request.path[:200],
                     **details)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("Refusal not journalled on %s %s", request.method, request.path, exc_info=True)


def install(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        db.session.rollback()
        if exc.status == 403:
            journal_refusal("acces", "acces.refuse")
        return render_error(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        db.session.rollback()
        journal_refusal("csrf", "csrf.refuse", motif=exc.description)
        return render_error(
            400,
            "Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez : "
            "rien n’a été enregistré.",
        )

    @app.errorhandler(IntegrityError)
    def _integrity(_exc):
        from charte.web import CONCURRENT_CHANGE

        db.session.rollback()
        return render_error(409, CONCURRENT_CHANGE)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        db.session.rollback()
        if exc.code == 403:
            journal_refusal("acces", "acces.refuse")
        response, status = render_error(exc.code or 500)
        if exc.code == 405 and exc.valid_methods:
            return response, status, {"Allow": ", ".join(exc.valid_methods)}
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
