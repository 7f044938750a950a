"""auth: second factor (TOTP, recovery codes), session end reasons, attempt kinds

Revision ID: 0003_auth
Revises: 0002_journal (in this branch; the lead sets the final chain)
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_auth'
down_revision = '0002_journal'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_end_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='mot_de_passe', nullable=False))
        batch_op.create_check_constraint(op.f('ck_login_attempts_kind'), "kind IN ('mot_de_passe', 'code', 'acces', 'csrf')")

    op.create_table('codes_secours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_codes_secours_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codes_secours'))
    )
    with op.batch_alter_table('codes_secours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codes_secours_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('codes_secours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codes_secours_user_id'))
    op.drop_table('codes_secours')

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_login_attempts_kind'), type_='check')
        batch_op.drop_column('kind')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_pending_secret')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('session_end_reason')
