"""Small helpers shared by the views: running a form's action, template globals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask, current_app, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.routing import IntegerConverter

from charte.exceptions import DomainError
from charte.extensions import db
from charte.markdown import render_markdown, render_markdown_bounded
from charte.temps import format_paris, iso_utc
from charte.texte import de, pluriel


CONCURRENT_CHANGE = ("Une autre modification est arrivée au même moment : rien n’a été enregistré. "
                     "Rechargez la page et vérifiez avant de recommencer.")


# Every id column is an INTEGER: 32 bits on PostgreSQL. A larger number cannot name a row.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<id:…>` in a route: a row id from 1 to MAX_ID; anything else matches no route (404), so
    that a huge number never reaches the database (SQLite and psycopg refuse it with an error)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


def id_arg(name: str) -> int | None:
    """A row id passed in the query string (`?modele=3`), or None when absent or not an id."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


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


def install(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["markdown_bounded"] = render_markdown_bounded
    app.jinja_env.filters["dt"] = format_dt
    app.jinja_env.filters["pluriel"] = pluriel
    app.jinja_env.filters["de"] = de  # {{ "compte " ~ nom|de }}: « compte d’Alex »
    app.jinja_env.filters["dt_paris"] = format_paris
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        from charte.parametres import DEFAULT_AUTHORITY, authority_complement, authority_name
        from charte.texte import complement_du_nom

        try:
            name, complement = authority_name(), authority_complement()
        except SQLAlchemyError:  # error pages must render even when the database is away
            db.session.rollback()
            name = current_app.config.get("CHARTE_AUTHORITY_NAME") or DEFAULT_AUTHORITY
            complement = complement_du_nom(name)
        # authority_de: the name after "de", « la charte {{ authority_de }} » (de la Ville de…, d’Issy…)
        return {"authority_name": name, "authority_de": complement, "user": current_user}
