"""Placeholder on the scrutins branch until the amendements branch lands (take theirs when merging)."""
from __future__ import annotations

from charte.amendements.models import Amendement, AmendementStatut
from charte.extensions import db
from charte.temps import maintenant


def changer_statut(amendement: Amendement, vers: AmendementStatut | str, motif: str = "") -> Amendement:
    """Move an amendment to another state (transition checks come with the amendements branch)."""
    amendement.statut = AmendementStatut(vers)
    amendement.statut_at = maintenant()
    if motif:
        amendement.motif = motif
    db.session.flush()
    return amendement
