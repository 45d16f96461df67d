"""live plan: one published plan per provider and term; a record of changes to plans

Revision ID: live_plan
Revises: web_hardening
"""
from alembic import op
import sqlalchemy as sa


revision = "live_plan"
down_revision = "web_hardening"
branch_labels = None
depends_on = None

ONE_PUBLISHED = sa.text("status = 'published'")


def upgrade():
    op.create_index("uq_plans_one_published", "plans", ["provider_id", "term_id"], unique=True,
                    postgresql_where=ONE_PUBLISHED, sqlite_where=ONE_PUBLISHED)
    op.create_table(
        "plan_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("from_group_id", sa.Integer(), nullable=True),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('published', 'seated')", name=op.f("ck_plan_changes_kind_known")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_changes_plan_id_plans"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_plan_changes_group_id_groups"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["from_group_id"], ["groups.id"], name=op.f("fk_plan_changes_from_group_id_groups"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], name=op.f("fk_plan_changes_learner_id_learners"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_plan_changes_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_changes")),
    )
    op.create_index(op.f("ix_plan_changes_plan_id"), "plan_changes", ["plan_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_plan_changes_plan_id"), table_name="plan_changes")
    op.drop_table("plan_changes")
    op.drop_index("uq_plans_one_published", table_name="plans", postgresql_where=ONE_PUBLISHED,
                  sqlite_where=ONE_PUBLISHED)
