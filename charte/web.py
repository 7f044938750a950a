"""Small helpers shared by the views: running a form's action, template globals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask, current_app
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from charte.exceptions import DomainError
from charte.extensions import db
from charte.markdown import render_markdown
from charte.temps import format_paris, iso_utc


CONCURRENT_CHANGE = ("Une autre modification est arrivée au même moment : rien n’a été enregistré. "
                     "Rechargez la page et vérifiez avant de recommencer.")


@dataclass
class Outcome:
    """What became of a submitted form: done (committed), or the status to answer with."""

    done: bool
    status: int = 200
    result: Any = None


def run_form(form: FlaskForm, action: Callable[[], Any]) -> Outcome:
    """Validate, run the action, commit once; on refusal roll back and show the message on its field."""
    if not form.is_submitted():
        return Outcome(False, 200)
    if not form.validate():
        return Outcome(False, 400)
    try:
        result = action()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        attach_error(form, exc)
        return Outcome(False, exc.status)
    except IntegrityError:
        # Two people did the same thing at the same moment; the database kept the first one.
        db.session.rollback()
        form.form_errors.append(CONCURRENT_CHANGE)
        return Outcome(False, 409)
    return Outcome(True, 200, result)


def attach_error(form: FlaskForm, exc: DomainError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        errors = list(field.errors) if isinstance(field.errors, (list, tuple)) else []
        errors.append(exc.message)
        field.errors = errors
    else:
        form.form_errors.append(exc.message)


def format_dt(value) -> str:
    """A UTC datetime as a French date and time."""
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y à %H:%M") + " UTC"


def pluriel(count: int, singulier: str, pluriel_: str | None = None) -> str:
    """'1 version', '3 versions'; in French 0 and 1 take the singular."""
    word = singulier if abs(count) < 2 else (pluriel_ or singulier + "s")
    return f"{count}\u00a0{word}"


def install(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["dt"] = format_dt
    app.jinja_env.filters["pluriel"] = pluriel
    app.jinja_env.filters["dt_paris"] = format_paris
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        from charte.parametres import DEFAULT_AUTHORITY, authority_name

        try:
            name = authority_name()
        except SQLAlchemyError:  # error pages must render even when the database is away
            db.session.rollback()
            name = current_app.config.get("CHARTE_AUTHORITY_NAME") or DEFAULT_AUTHORITY
        return {"authority_name": name, "user": current_user}
