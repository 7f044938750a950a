"""consolidation: drafts of the next version, merge conflicts, editorial corrections, committee decisions

Revision ID: 0006_consolidation
Revises: 0005_amendements
Create Date: 2026-11-22 11:11:25.466465

"""
from alembic import op
import sqlalchemy as sa

from charte.journal.triggers import FrozenTable, drop_triggers, install_triggers

# As charte.consolidation.models.FIGEES (spelt out: a migration does not follow later model changes).
FIGEES = (FrozenTable("decisions_projet"), FrozenTable("corrections_projet"))


# revision identifiers, used by Alembic.
revision = '0006_consolidation'
down_revision = '0004_hygiene'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('projets_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('charte_id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('en_cours_charte_id', sa.Integer(), nullable=True),
    sa.Column('base_version_id', sa.Integer(), nullable=False),
    sa.Column('statut', sa.Enum('edition', 'soumis', 'rejete', 'adopte', name='projetstatut', native_enum=False, length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('contenu_json', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('appliques_json', sa.Text(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('soumis_at', sa.DateTime(), nullable=True),
    sa.Column('adopte_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("statut IN ('edition', 'soumis', 'rejete', 'adopte')", name=op.f('ck_projets_version_statut')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_projets_version_revision_positive')),
    sa.ForeignKeyConstraint(['base_version_id'], ['versions.id'], name=op.f('fk_projets_version_base_version_id_versions')),
    sa.ForeignKeyConstraint(['charte_id'], ['chartes.id'], name=op.f('fk_projets_version_charte_id_chartes')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_projets_version_created_by_id_users')),
    sa.ForeignKeyConstraint(['en_cours_charte_id'], ['chartes.id'], name=op.f('fk_projets_version_en_cours_charte_id_chartes')),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_projets_version_tour_id_tours')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_projets_version_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projets_version')),
    sa.UniqueConstraint('en_cours_charte_id', name=op.f('uq_projets_version_en_cours_charte_id')),
    sa.UniqueConstraint('tour_id', name=op.f('uq_projets_version_tour_id')),
    sa.UniqueConstraint('version_id', name=op.f('uq_projets_version_version_id'))
    )
    with op.batch_alter_table('projets_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projets_version_charte_id'), ['charte_id'], unique=False)

    op.create_table('conflits_fusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('projet_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=16), nullable=False),
    sa.Column('amendements_json', sa.Text(), nullable=False),
    sa.Column('raison', sa.Text(), nullable=False),
    sa.Column('base', sa.Text(), nullable=False),
    sa.Column('courant', sa.Text(), nullable=False),
    sa.Column('suggestion', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolu_at', sa.DateTime(), nullable=True),
    sa.Column('resolu_par_id', sa.Integer(), nullable=True),
    sa.Column('motif', sa.Text(), nullable=False),
    sa.Column('titre', sa.String(length=200), nullable=True),
    sa.Column('texte', sa.Text(), nullable=True),
    sa.Column('retenus_json', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['projet_id'], ['projets_version.id'], name=op.f('fk_conflits_fusion_projet_id_projets_version')),
    sa.ForeignKeyConstraint(['resolu_par_id'], ['users.id'], name=op.f('fk_conflits_fusion_resolu_par_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflits_fusion'))
    )
    with op.batch_alter_table('conflits_fusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflits_fusion_projet_id'), ['projet_id'], unique=False)

    op.create_table('corrections_projet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('projet_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=16), nullable=False),
    sa.Column('titre_avant', sa.String(length=200), nullable=False),
    sa.Column('titre_apres', sa.String(length=200), nullable=False),
    sa.Column('texte_avant', sa.Text(), nullable=False),
    sa.Column('texte_apres', sa.Text(), nullable=False),
    sa.Column('motif', sa.Text(), nullable=False),
    sa.Column('auteur_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['auteur_id'], ['users.id'], name=op.f('fk_corrections_projet_auteur_id_users')),
    sa.ForeignKeyConstraint(['projet_id'], ['projets_version.id'], name=op.f('fk_corrections_projet_projet_id_projets_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections_projet'))
    )
    with op.batch_alter_table('corrections_projet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_projet_projet_id'), ['projet_id'], unique=False)

    op.create_table('decisions_projet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('projet_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sens', sa.Enum('approuve', 'rejete', name='sens', native_enum=False, length=12), nullable=False),
    sa.Column('commentaire', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("sens IN ('approuve', 'rejete')", name=op.f('ck_decisions_projet_sens')),
    sa.ForeignKeyConstraint(['projet_id'], ['projets_version.id'], name=op.f('fk_decisions_projet_projet_id_projets_version')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_decisions_projet_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions_projet')),
    sa.UniqueConstraint('projet_id', 'revision', 'user_id', name='uq_decisions_projet_revision_user')
    )
    with op.batch_alter_table('decisions_projet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_projet_projet_id'), ['projet_id'], unique=False)

    install_triggers(op.get_bind(), FIGEES)


def downgrade():
    drop_triggers(op.get_bind(), FIGEES)
    with op.batch_alter_table('decisions_projet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_projet_projet_id'))

    op.drop_table('decisions_projet')
    with op.batch_alter_table('corrections_projet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_projet_projet_id'))

    op.drop_table('corrections_projet')
    with op.batch_alter_table('conflits_fusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflits_fusion_projet_id'))

    op.drop_table('conflits_fusion')
    with op.batch_alter_table('projets_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projets_version_charte_id'))

    op.drop_table('projets_version')
