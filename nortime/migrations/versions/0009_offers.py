"""offers: a freed seat of a live plan held for one waiting learner; plan_changes of kind "left"

Revision ID: offers
Revises: enrollment
"""
from alembic import op
import sqlalchemy as sa


revision = "offers"
down_revision = "enrollment"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('published', 'seated')"
NEW_KINDS = "kind IN ('published', 'seated', 'left')"
ONE_OPEN = sa.text("state = 'open'")


def upgrade():
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'accepted', 'declined', 'lapsed', 'withdrawn')",
                           name=op.f("ck_offers_state_known")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_offers_plan_id_plans"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_offers_group_id_groups"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], name=op.f("fk_offers_learner_id_learners"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
    )
    op.create_index(op.f("ix_offers_plan_id"), "offers", ["plan_id"], unique=False)
    op.create_index(op.f("ix_offers_group_id"), "offers", ["group_id"], unique=False)
    op.create_index(op.f("ix_offers_learner_id"), "offers", ["learner_id"], unique=False)
    op.create_index("uq_offers_one_open", "offers", ["learner_id"], unique=True,
                    postgresql_where=ONE_OPEN, sqlite_where=ONE_OPEN)
    with op.batch_alter_table("plan_changes") as batch:
        batch.drop_constraint(op.f("ck_plan_changes_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_plan_changes_kind_known"), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM plan_changes WHERE kind = 'left'")
    with op.batch_alter_table("plan_changes") as batch:
        batch.drop_constraint(op.f("ck_plan_changes_kind_known"), type_="check")
        batch.create_check_constraint(op.f("ck_plan_changes_kind_known"), OLD_KINDS)
    op.drop_index("uq_offers_one_open", table_name="offers", postgresql_where=ONE_OPEN, sqlite_where=ONE_OPEN)
    op.drop_index(op.f("ix_offers_learner_id"), table_name="offers")
    op.drop_index(op.f("ix_offers_group_id"), table_name="offers")
    op.drop_index(op.f("ix_offers_plan_id"), table_name="offers")
    op.drop_table("offers")
