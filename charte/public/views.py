"""Public pages: home, accessibility statement. Published charters come with publication."""
from __future__ import annotations

from flask import Blueprint, render_template

from charte.security import public

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def index():
    """Public home: what Charte is here, and the published charters."""
    from charte.publication.services import chartes_publiees

    return render_template("public/index.html", chartes=chartes_publiees())


@bp.route("/accessibilite")
@public
def accessibilite():
    """Accessibility statement (RGAA)."""
    return render_template("public/accessibilite.html")
