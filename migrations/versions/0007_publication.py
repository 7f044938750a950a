"""publication: the signed PDF of each published version, its data and its anchors

Revision ID: 0007_publication
Revises: 0006_consolidation
"""
from alembic import op
import sqlalchemy as sa

from charte.journal.triggers import FrozenTable, drop_triggers, install_triggers

# As charte.publication.models.FIGEES, written out: a migration keeps the schema it was written for.
FIGEES = (FrozenTable("publications"),)


revision = '0007_publication'
down_revision = '0006_consolidation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('charte_id', sa.Integer(), nullable=False),
    sa.Column('numero', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_taille', sa.Integer(), nullable=False),
    sa.Column('donnees_json', sa.Text(), nullable=False),
    sa.Column('donnees_md', sa.Text(), nullable=False),
    sa.Column('url_publique', sa.String(length=500), nullable=False),
    sa.Column('signataire_nom', sa.String(length=200), nullable=False),
    sa.Column('signataire_role', sa.String(length=200), nullable=False),
    sa.Column('signataire_lieu', sa.String(length=200), nullable=False),
    sa.Column('raison', sa.String(length=200), nullable=False),
    sa.Column('certificat_sujet', sa.String(length=500), nullable=False),
    sa.Column('certificat_sha256', sa.String(length=64), nullable=False),
    sa.Column('horodatage_at', sa.DateTime(), nullable=True),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.Column('journal_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['charte_id'], ['chartes.id'], name=op.f('fk_publications_charte_id_chartes')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_publications_published_by_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_publications_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('pdf_sha256', name=op.f('uq_publications_pdf_sha256')),
    sa.UniqueConstraint('version_id', name=op.f('uq_publications_version_id'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_certificat_sha256'), ['certificat_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_charte_id'), ['charte_id'], unique=False)

    install_triggers(op.get_bind(), FIGEES)


def downgrade():
    drop_triggers(op.get_bind(), FIGEES)
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_charte_id'))
        batch_op.drop_index(batch_op.f('ix_publications_certificat_sha256'))
    op.drop_table('publications')
