"""Notifications: the header's counter, the list, marking them read."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField, IntegerField
from wtforms.validators import Optional

from charte.errors import render_error
from charte.exceptions import NotFound
from charte.extensions import db
from charte.forms import Form
from charte.notifications.models import Notification
from charte.notifications.services import marquer_lues, non_lues

bp = Blueprint("notifications", __name__)

PAR_PAGE = 30


class LuesForm(Form):
    """Mark one notification read (its id), or all of them (no id)."""

    id = IntegerField(widget=HiddenField.widget, validators=[Optional()])


@bp.app_context_processor
def _compteur():
    """`notifications_non_lues()` for the header: one COUNT query, only when the page asks for it."""
    cache: list[int] = []

    def notifications_non_lues() -> int:
        if not cache:
            count = 0
            if getattr(current_user, "is_authenticated", False):
                try:
                    count = non_lues(current_user)
                except SQLAlchemyError:  # error pages must render even when the database is away
                    db.session.rollback()
            cache.append(count)
        return cache[0]

    return {"notifications_non_lues": notifications_non_lues}


@bp.route("/notifications")
def index():
    """The person's notifications, newest first, by pages."""
    mine = select(Notification).filter_by(user_id=current_user.id)
    total = db.session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    pages = max(1, -(-total // PAR_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    notifications = db.session.scalars(mine.order_by(Notification.id.desc())
                                       .offset((page - 1) * PAR_PAGE).limit(PAR_PAGE)).all()
    return render_template("notifications/index.html", notifications=notifications, page=page, pages=pages,
                           total=total)


@bp.route("/notifications/lues", methods=["POST"])
def mark_read():
    """Mark one notification (or all) read."""
    form = LuesForm()
    if not form.validate():
        return render_error(400, "Cette notification n’existe pas.")
    if form.id.data is not None:
        owned = db.session.scalar(select(Notification.id).filter_by(id=form.id.data, user_id=current_user.id))
        if owned is None:
            raise NotFound("Cette notification n’existe pas.")
        marquer_lues(current_user, [form.id.data])
        message = "La notification est marquée comme lue."
    else:
        marquer_lues(current_user)
        message = "Toutes vos notifications sont marquées comme lues."
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("notifications.index", page=request.args.get("page", type=int)))
