"""The journal, readable by the committee and the administration; the committee runs the full check."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from charte.accounts.models import User
from charte.audit import verifier_tout
from charte.exceptions import Forbidden
from charte.extensions import db
from charte.forms import ActionForm
from charte.journal import keys
from charte.journal.forms import JournalFilters
from charte.journal.local_time import format_local, local_day_end, local_day_start
from charte.journal.services import (
    ACTIONS, SYSTEM, action_label, last_full_check, quick_check, save_mark, search_journal,
)
from charte.journal.targets import describe_entries
from charte.security import requires
from charte.web import run_form

bp = Blueprint("journal", __name__)
# The journal key is read when the application starts: a production set-up without one stops there.
bp.record_once(lambda state: keys.install(state.app))

PER_PAGE = 50


@bp.app_template_filter("dt_local")
def dt_local(value) -> str:
    """A UTC datetime in Paris time, with its offset (the global `dt` filter stays in UTC)."""
    return format_local(value)


def _require_reader() -> None:
    if not (current_user.is_comite or current_user.is_admin):
        raise Forbidden("Le journal est réservé au comité de pilotage et à l’administration.")


def _filters() -> JournalFilters:
    form = JournalFilters(request.args)
    form.action.choices = [("", "Toutes les actions")] + sorted(ACTIONS.items(), key=lambda item: item[1])
    people = db.session.execute(select(User.id, User.nom, User.email).order_by(User.nom, User.email))
    form.personne.choices = [("", "Toutes les personnes"), (SYSTEM, "Système ou adresse inconnue")] + [
        (str(row.id), f"{row.nom} ({row.email})") for row in people]
    return form


def _remember(check) -> None:
    """Store how far the chain was verified; only an optimisation, so a busy database may refuse it."""
    if check.new_mark is None:
        return
    try:
        save_mark(check.new_mark)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()


@bp.route("/journal")
def index():
    """Journal entries, newest first, filtered; the chain checked since the last entry verified."""
    _require_reader()
    form = _filters()
    status = 200
    found = None
    if form.values() and not form.validate():
        status = 400
    else:
        personne = form.personne.data or None
        found = search_journal(
            action=form.action.data or "",
            actor=int(personne) if personne and personne != SYSTEM else personne,
            start=local_day_start(form.du.data) if form.du.data else None,
            end=local_day_end(form.au.data) if form.au.data else None,
            page=request.args.get("page", 1, type=int) or 1, per_page=PER_PAGE,
        )
    check = quick_check()
    html = render_template(
        "journal/index.html", form=form, found=found, filters=form.values(), check=check,
        described=describe_entries(found.entries) if found else {}, last_check=last_full_check(),
        action_label=action_label, verify_form=ActionForm(),
    )
    _remember(check)
    return html, status


@bp.route("/journal/verification", methods=["POST"])
@requires("comite")
def verify():
    """Check everything now (journal, checkpoints, versions, charters, templates) and journal it."""
    outcome = run_form(ActionForm(), lambda: verifier_tout(current_user))
    if outcome.done:
        report = outcome.result
        if report.ok:
            flash("Vérification complète\u00a0: tout est intact.", "success")
        for check in report.findings:
            flash(check.line, "error")
    return redirect(url_for("journal.index", _anchor="verification"), 303)
