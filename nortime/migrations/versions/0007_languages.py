"""session_changes.reason_code: a cancellation reason from a list, shown to each learner in her language

Revision ID: languages
Revises: staff_tools
"""
from alembic import op
import sqlalchemy as sa


revision = "languages"
down_revision = "staff_tools"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("session_changes") as batch_op:
        batch_op.add_column(sa.Column("reason_code", sa.String(length=30), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("session_changes") as batch_op:
        batch_op.drop_column("reason_code")
