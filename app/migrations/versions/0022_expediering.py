"""expediering: each sending of a justerad paragraph's protokollsutdrag to a recipient, and the stored file an
outbox e-mail carries

A new table and nullable columns: existing data needs no rows.

Revision ID: 0022_expediering
Revises: 0021_job_minutes
Create Date: 2026-12-05 07:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_expediering"
down_revision = "0021_job_minutes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("attachment_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("attachment_name", sa.String(length=200), nullable=True))

    op.create_table(
        "minutes_dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("paragraph_number", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "in_app", "manual", name="dispatchchannel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("to_address", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("registered_document_id", sa.Integer(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_dispatches_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_minutes_dispatches_user_id_users")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["minutes_documents.id"], name=op.f("fk_minutes_dispatches_document_id_minutes_documents")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["outbox_messages.id"], name=op.f("fk_minutes_dispatches_message_id_outbox_messages")
        ),
        sa.ForeignKeyConstraint(
            ["registered_document_id"],
            ["registered_documents.id"],
            name=op.f("fk_minutes_dispatches_registered_document_id_registered_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_minutes_dispatches_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_dispatches")),
        sa.UniqueConstraint(
            "minutes_id", "paragraph_number", "recipient", "attempt", name="uq_minutes_dispatches_attempt"
        ),
    )
    with op.batch_alter_table("minutes_dispatches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_dispatches_minutes_id"), ["minutes_id"], unique=False)


def downgrade():
    with op.batch_alter_table("minutes_dispatches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_dispatches_minutes_id"))
    op.drop_table("minutes_dispatches")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("attachment_name")
        batch_op.drop_column("attachment_sha256")
        batch_op.drop_column("attachment_key")
