"""hygiene: department keys fold apostrophes, quotes, dashes and spaces

Revision ID: 0004_hygiene
Revises: 0002_journal

Recomputes `departements.nom_key` with `charte.texte.name_key`, so that "Systèmes d'information"
and "Systèmes d’information" are one name. Two existing departments that become the same name
are never merged silently: the migration stops, names them, and changes nothing.
"""
from alembic import op
import sqlalchemy as sa

from charte.exceptions import MigrationStopped
from charte.texte import name_key

# revision identifiers, used by Alembic.
revision = '0004_hygiene'
down_revision = '0005_amendements'
branch_labels = None
depends_on = None

KEY_LENGTH = 120

departements = sa.table(
    "departements",
    sa.column("id", sa.Integer),
    sa.column("nom", sa.String),
    sa.column("nom_key", sa.String),
)


class DuplicateDepartments(MigrationStopped):
    """Two departments would share one name: an administrator must decide, not the migration."""


def new_keys(rows) -> dict[int, str]:
    """id → new key for every department; raises DuplicateDepartments naming each collision."""
    owners: dict[str, list[tuple[int, str]]] = {}
    keys = {}
    for dep_id, nom, _old_key in rows:
        key = name_key(nom)
        if len(key) > KEY_LENGTH:
            raise DuplicateDepartments(
                f"Le nom du service n°\u00a0{dep_id} « {nom} » dépasse {KEY_LENGTH} caractères une fois "
                "normalisé : raccourcissez-le (Administration › Services) puis relancez « charte init ».")
        owners.setdefault(key, []).append((dep_id, nom))
        keys[dep_id] = key
    collisions = [found for found in owners.values() if len(found) > 1]
    if collisions:
        lines = "\n".join(
            "  - " + " et ".join(f"n°\u00a0{dep_id} « {nom} »" for dep_id, nom in found) for found in collisions)
        raise DuplicateDepartments(
            "Migration arrêtée, rien n’a été modifié : ces services ne diffèrent que par leurs apostrophes, "
            "guillemets, tirets, espaces ou majuscules, et deviendraient un seul service :\n"
            f"{lines}\n"
            "Renommez l’un d’eux (Administration › Services), ou déplacez ses agents vers l’autre "
            "puis renommez-le, avant de relancer « charte init ».")
    return keys


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(departements.c.id, departements.c.nom, departements.c.nom_key).order_by(departements.c.id)
    ).all()
    keys = new_keys(rows)
    changed = {dep_id: keys[dep_id] for dep_id, _nom, old_key in rows if keys[dep_id] != old_key}
    # Two passes, as insurance against the unique index: no row takes its new key while another row
    # may still hold that value as its old one. The parking value holds a typographic apostrophe,
    # which no new key contains.
    for dep_id in changed:
        connection.execute(departements.update().where(departements.c.id == dep_id)
                           .values(nom_key=f"\u2019migration 0004 n\u00b0 {dep_id}\u2019"))
    for dep_id, key in changed.items():
        connection.execute(departements.update().where(departements.c.id == dep_id).values(nom_key=key))


def downgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(departements.c.id, departements.c.nom)).all()
    for dep_id, nom in rows:
        connection.execute(departements.update().where(departements.c.id == dep_id)
                           .values(nom_key=" ".join(nom.split()).casefold()))
