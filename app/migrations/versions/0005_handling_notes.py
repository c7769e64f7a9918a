"""personal notes on handlingar

Revision ID: 0005_handling_notes
Revises: 0004_standing_items
Create Date: 2026-12-01 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_handling_notes"
down_revision = "0004_standing_items"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "handling_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("handling", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["report_attachments.id"],
            name=op.f("fk_handling_notes_attachment_id_report_attachments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_handling_notes_meeting_id_meetings")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["case_reports.id"],
            name=op.f("fk_handling_notes_report_id_case_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_handling_notes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handling_notes")),
        sa.UniqueConstraint(
            "user_id", "meeting_id", "handling", name=op.f("uq_handling_notes_user_id_meeting_id_handling")
        ),
    )
    with op.batch_alter_table("handling_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handling_notes_report_id"), ["report_id"], unique=False)


def downgrade():
    with op.batch_alter_table("handling_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handling_notes_report_id"))

    op.drop_table("handling_notes")
