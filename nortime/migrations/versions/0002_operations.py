"""operations: SQLite never reuses the ids of learners and staff accounts (AUTOINCREMENT)

Revision ID: operations
Revises: 0001_initial

PostgreSQL sequences never hand out an id twice, so only SQLite changes: its
tables are rebuilt (Alembic batch mode) with AUTOINCREMENT, keeping every row.
"""
from alembic import op

revision = "operations"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TABLES = ("learners", "users")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
