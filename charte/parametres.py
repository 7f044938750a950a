"""Settings of the authority kept in the database (the environment may override them)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from charte.exceptions import InvalidInput
from charte.extensions import db
from charte.texte import COMPLEMENT_PREFIXES, complement_du_nom

NOM_COLLECTIVITE = "nom_collectivite"
# The name as it reads after "de": « la charte de la Ville de Belval », « d’Issy », « du Département… ».
NOM_COLLECTIVITE_COMPLEMENT = "nom_collectivite_complement"
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


def authority_complement() -> str:
    """The authority's name after "de" (« de la Ville de Belval-sur-Loire »): the stored form, or
    the environment's with CHARTE_AUTHORITY_NAME, else a suggestion drawn from the name."""
    if current_app.config.get("CHARTE_AUTHORITY_NAME"):
        return current_app.config.get("CHARTE_AUTHORITY_NAME_DE") or complement_du_nom(authority_name())
    return get_parametre(NOM_COLLECTIVITE_COMPLEMENT) or complement_du_nom(authority_name())


def clean_complement(raw: str | None, nom: str) -> str:
    """The form after "de", typographic apostrophe, starting as French requires; empty: suggested."""
    from charte.accounts.services import clean_label

    if not (raw or "").strip():
        return complement_du_nom(nom)
    value = clean_label(raw, "nom_collectivite_complement", "la forme du nom après « de »", 140)
    value = value.replace("'", "’")
    if not value.startswith(COMPLEMENT_PREFIXES):
        raise InvalidInput(
            f"Commencez par « de », « d’ », « du » ou « des » : par exemple "
            f"« {complement_du_nom(nom)} ».", "nom_collectivite_complement")
    return value


def changer_nom_collectivite(nom: str, actor, complement: str | None = None) -> str:
    """Store the authority's name and its form after "de", shown on every page and, later, on the
    signed PDF."""
    from charte.accounts.services import clean_label

    nom = clean_label(nom, "nom_collectivite", "le nom de la collectivité")
    complement = clean_complement(complement, nom)
    if get_parametre(NOM_COLLECTIVITE) != nom:
        set_parametre(NOM_COLLECTIVITE, nom, actor)
    if get_parametre(NOM_COLLECTIVITE_COMPLEMENT) != complement:
        set_parametre(NOM_COLLECTIVITE_COMPLEMENT, complement, actor)
    return nom
