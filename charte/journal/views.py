"""The journal, readable by the committee and the administration."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from charte.chartes.services import verify_version_chains
from charte.exceptions import Forbidden
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.journal.services import action_label, verify_journal

bp = Blueprint("journal", __name__)

PER_PAGE = 50


@bp.route("/journal")
def index():
    """Journal entries, newest first, with the state of both hash chains."""
    if not (current_user.is_comite or current_user.is_admin):
        raise Forbidden("Le journal est réservé au comité de pilotage et à l’administration.")
    page = request.args.get("page", 1, type=int) or 1
    total = db.session.scalar(select(func.count()).select_from(JournalEntry))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    entries = db.session.scalars(
        select(JournalEntry).order_by(JournalEntry.seq.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return render_template(
        "journal/index.html", entries=entries, page=page, pages=pages, total=total,
        journal_break=verify_journal(), version_break=verify_version_chains(), action_label=action_label,
    )
