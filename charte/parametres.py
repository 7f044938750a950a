"""Settings of the authority kept in the database (the environment may override them)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from charte.extensions import db

NOM_COLLECTIVITE = "nom_collectivite"
DEFAULT_AUTHORITY = "Votre collectivité"


class Parametre(db.Model):
    __tablename__ = "parametres"

    cle: Mapped[str] = mapped_column(String(64), primary_key=True)
    valeur: Mapped[str] = mapped_column(Text, default="")


def get_parametre(cle: str, default: str = "") -> str:
    row = db.session.get(Parametre, cle)
    return row.valeur if row is not None else default


def set_parametre(cle: str, valeur: str, actor=None) -> None:
    """Store a setting and journal the change."""
    from charte.journal.services import record

    row = db.session.get(Parametre, cle)
    ancien = row.valeur if row is not None else None
    if row is None:
        db.session.add(Parametre(cle=cle, valeur=valeur))
    else:
        row.valeur = valeur
    db.session.flush()
    record("parametre.modifie", actor, f"parametre:{cle}", ancien=ancien, nouveau=valeur)


def authority_name() -> str:
    """CHARTE_AUTHORITY_NAME if set, else the name stored by `demo` or by an admin."""
    configured = current_app.config.get("CHARTE_AUTHORITY_NAME")
    if configured:
        return configured
    return get_parametre(NOM_COLLECTIVITE, DEFAULT_AUTHORITY)


def changer_nom_collectivite(nom: str, actor) -> str:
    """Store the authority's name, shown on every page and, later, on the signed PDF."""
    from charte.accounts.services import clean_label

    nom = clean_label(nom, "nom_collectivite", "le nom de la collectivité")
    if get_parametre(NOM_COLLECTIVITE) != nom:
        set_parametre(NOM_COLLECTIVITE, nom, actor)
    return nom
