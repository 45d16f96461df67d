"""employers (issue 21): employers, teams, join codes; the employer role; workplace venues; workers' team and consent

Revision ID: employers
Revises: offers
"""
from alembic import op
import sqlalchemy as sa


revision = "employers"
down_revision = "offers"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('provider_staff', 'coordinator', 'admin', 'teacher')"
NEW_ROLES = "role IN ('provider_staff', 'coordinator', 'admin', 'teacher', 'employer')"
SECTORS = "sector IN ('fish', 'health', 'industry', 'defence', 'construction', 'retail', 'hospitality', " \
          "'transport', 'other')"


def upgrade():
    op.create_table(
        "employers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("place_id", sa.String(length=40), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(SECTORS, name=op.f("ck_employers_sector_known")),
        sa.ForeignKeyConstraint(["place_id"], ["places.id"], name=op.f("fk_employers_place_id_places")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("slug", name=op.f("uq_employers_slug")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("rota_method", sa.String(length=40), nullable=True),
        sa.Column("rota_anchor", sa.Date(), nullable=True),
        sa.Column("rota_cycle", sa.JSON(), nullable=True),
        sa.Column("rota_answers", sa.JSON(), nullable=True),
        sa.Column("days_off", sa.String(length=40), nullable=False),
        sa.Column("rota_from", sa.Date(), nullable=True),
        sa.Column("rota_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("next_rota", sa.JSON(), nullable=True),
        sa.Column("next_rota_from", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_teams_employer_id_employers"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("employer_id", "name", name=op.f("uq_teams_employer_id_name")),
    )
    op.create_table(
        "join_codes",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_join_codes_team_id_teams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_join_codes")),
    )
    op.create_index(op.f("ix_join_codes_team_id"), "join_codes", ["team_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("employer_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_users_employer_id_employers"), "employers", ["employer_id"], ["id"],
                                 ondelete="CASCADE")
        batch.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role_known"), NEW_ROLES)
        batch.create_check_constraint(op.f("ck_users_employer_staff_has_employer"),
                                      "role != 'employer' OR employer_id IS NOT NULL")
    with op.batch_alter_table("venues") as batch:
        batch.add_column(sa.Column("employer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("accepted_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(op.f("fk_venues_employer_id_employers"), "employers", ["employer_id"], ["id"],
                                 ondelete="CASCADE")
    with op.batch_alter_table("learners", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("employer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("employer_consent_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(op.f("fk_learners_employer_id_employers"), "employers", ["employer_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_foreign_key(op.f("fk_learners_team_id_teams"), "teams", ["team_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index(op.f("ix_learners_employer_id"), ["employer_id"])
        batch.create_index(op.f("ix_learners_team_id"), ["team_id"])


def downgrade():
    with op.batch_alter_table("learners", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_index(op.f("ix_learners_team_id"))
        batch.drop_index(op.f("ix_learners_employer_id"))
        batch.drop_constraint(op.f("fk_learners_team_id_teams"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_learners_employer_id_employers"), type_="foreignkey")
        batch.drop_column("employer_consent_at")
        batch.drop_column("team_id")
        batch.drop_column("employer_id")
    with op.batch_alter_table("venues") as batch:
        batch.drop_constraint(op.f("fk_venues_employer_id_employers"), type_="foreignkey")
        batch.drop_column("accepted_at")
        batch.drop_column("employer_id")
    op.execute("DELETE FROM users WHERE role = 'employer'")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_employer_staff_has_employer"), type_="check")
        batch.drop_constraint(op.f("ck_users_role_known"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role_known"), OLD_ROLES)
        batch.drop_constraint(op.f("fk_users_employer_id_employers"), type_="foreignkey")
        batch.drop_column("employer_id")
    op.drop_index(op.f("ix_join_codes_team_id"), table_name="join_codes")
    op.drop_table("join_codes")
    op.drop_table("teams")
    op.drop_table("employers")
