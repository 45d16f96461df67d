"""placements.misfit_since: when a placed learner's changed rota or details stopped fitting their group

Revision ID: enrollment
Revises: languages
"""
from alembic import op
import sqlalchemy as sa


revision = "enrollment"
down_revision = "languages"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("placements") as batch_op:
        batch_op.add_column(sa.Column("misfit_since", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("placements") as batch_op:
        batch_op.drop_column("misfit_since")
