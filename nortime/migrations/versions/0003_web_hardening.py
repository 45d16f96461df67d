"""web hardening: a session generation per staff account; sign-up drafts on the server

Revision ID: web_hardening
Revises: operations
"""
from alembic import op
import sqlalchemy as sa


revision = 'web_hardening'
down_revision = 'operations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    op.create_table('signup_drafts',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signup_drafts'))
    )
    with op.batch_alter_table('signup_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signup_drafts_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('signup_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signup_drafts_updated_at'))
    op.drop_table('signup_drafts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
