"""item notes and notice visits: a reader's note on an item as a whole (on its case, or on the agenda item
when it has none), and the versions of a kallelse each reader has opened ("Nytt sedan ditt senaste besök")

Nullable columns and a new table: existing notes stay notes on handlingar, and nobody has visited yet.

Revision ID: 0024_item_notes_and_visits
Revises: 0023_search
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024_item_notes_and_visits"
down_revision = "0023_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("handling_notes", schema=None) as batch_op:
        batch_op.alter_column("report_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_handling_notes_case_id_cases"), "cases", ["case_id"], ["id"], ondelete="CASCADE"
        )

    op.create_table(
        "notice_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_version", sa.Integer(), nullable=True),
        sa.Column("seen_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_notice_visits_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notice_visits_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_visits")),
        sa.UniqueConstraint("user_id", "meeting_id", name=op.f("uq_notice_visits_user_id_meeting_id")),
    )
    with op.batch_alter_table("notice_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_visits_meeting_id"), ["meeting_id"], unique=False)


def downgrade():
    with op.batch_alter_table("notice_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_visits_meeting_id"))
    op.drop_table("notice_visits")

    op.execute("DELETE FROM handling_notes WHERE report_id IS NULL")
    with op.batch_alter_table("handling_notes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_handling_notes_case_id_cases"), type_="foreignkey")
        batch_op.drop_column("item_id")
        batch_op.drop_column("case_id")
        batch_op.alter_column("report_id", existing_type=sa.Integer(), nullable=False)
