"""messaging: the outbox of e-mails and SMS, learners' opt-in to session messages, phone numbers in E.164

Stored phone numbers are rewritten in E.164 here (Norwegian when they have no
country code), so that look-ups compare like with like; a number that cannot be
parsed is left as it was (staff see it and can fix it).

Revision ID: messaging
Revises: live_plan
"""
from alembic import op
import sqlalchemy as sa


revision = "messaging"
down_revision = "live_plan"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=5), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("session_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_messages_channel_known")),
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name=op.f("ck_messages_state_known")),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], name=op.f("fk_messages_learner_id_learners"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_messages_idempotency_key")),
    )
    op.create_index("ix_messages_due", "messages", ["state", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_messages_learner_id"), "messages", ["learner_id"], unique=False)
    with op.batch_alter_table("learners", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("session_messages", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Learners who signed up before the opt-in existed were told of cancellations and moves: keep doing so.
    op.execute(sa.text("UPDATE learners SET session_messages = :yes").bindparams(yes=True))
    _phones_to_e164()


def _phones_to_e164():
    import phonenumbers

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, phone FROM learners WHERE phone IS NOT NULL")).all()
    for learner_id, phone in rows:
        text = phone.strip()
        if text.startswith("00"):
            text = "+" + text[2:]
        try:
            number = phonenumbers.parse(text, "NO")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 != phone:
                connection.execute(sa.text("UPDATE learners SET phone = :phone WHERE id = :id"),
                                   {"phone": e164, "id": learner_id})


def downgrade():
    with op.batch_alter_table("learners", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("session_messages")
    op.drop_index(op.f("ix_messages_learner_id"), table_name="messages")
    op.drop_index("ix_messages_due", table_name="messages")
    op.drop_table("messages")
