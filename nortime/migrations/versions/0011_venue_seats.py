"""venues.seats: how many learners one room seats (optional); a group there holds at most that many

Revision ID: venue_seats
Revises: employers
"""
from alembic import op
import sqlalchemy as sa


revision = "venue_seats"
down_revision = "employers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("venues") as batch_op:
        batch_op.add_column(sa.Column("seats", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("seats_positive", "seats IS NULL OR seats >= 1")


def downgrade():
    with op.batch_alter_table("venues") as batch_op:
        batch_op.drop_constraint("seats_positive", type_="check")
        batch_op.drop_column("seats")
