"""staff tools: teacher accounts (users.teacher_id, the teacher role) and the learner edit log

Revision ID: staff_tools
Revises: messaging
"""
from alembic import op
import sqlalchemy as sa


revision = "staff_tools"  # Alembic refuses "-" in an identifier
down_revision = "messaging"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('provider_staff', 'coordinator', 'admin')"
NEW_ROLES = "role IN ('provider_staff', 'coordinator', 'admin', 'teacher')"


def upgrade():
    op.create_table(
        "learner_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], name=op.f("fk_learner_edits_learner_id_learners"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_learner_edits_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_edits")),
    )
    op.create_index(op.f("ix_learner_edits_learner_id"), "learner_edits", ["learner_id"], unique=False)
    with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("teacher_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_users_teacher_id_teachers"), "teachers", ["teacher_id"], ["id"],
                                 ondelete="SET NULL")
        batch.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role_known"), NEW_ROLES)


def downgrade():
    with op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role_known"), OLD_ROLES)
        batch.drop_constraint(op.f("fk_users_teacher_id_teachers"), type_="foreignkey")
        batch.drop_column("teacher_id")
    op.drop_index(op.f("ix_learner_edits_learner_id"), table_name="learner_edits")
    op.drop_table("learner_edits")
