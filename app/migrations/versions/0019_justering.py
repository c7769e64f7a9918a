"""justering: each approval or rejection of a rendered protokoll, the justeringar completed, rättelser, the
announcements on the anslagstavla, and the committees' förvaringsplats för protokollet

New tables and one nullable column: existing data needs no rows.

Revision ID: 0019_justering
Revises: 0018_minutes_documents
Create Date: 2026-12-05 06:08:56.562443

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_justering"
down_revision = "0018_minutes_documents"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "minutes_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("full", "immediate", "correction", name="adjustmentkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("is_approved", sa.Boolean(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_approvals_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_minutes_approvals_seat_id_committee_seats")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_minutes_approvals_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_approvals")),
    )
    with op.batch_alter_table("minutes_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_approvals_minutes_id"), ["minutes_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_minutes_approvals_user_id"), ["user_id"], unique=False)

    op.create_table(
        "minutes_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("based_on_revision", sa.Integer(), nullable=False),
        sa.Column("opened_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_corrections_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name=op.f("fk_minutes_corrections_opened_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_corrections")),
    )
    with op.batch_alter_table("minutes_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_corrections_minutes_id"), ["minutes_id"], unique=False)

    op.create_table(
        "minutes_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("full", "immediate", "correction", name="adjustmentkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("adjusted_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["minutes_corrections.id"],
            name=op.f("fk_minutes_adjustments_correction_id_minutes_corrections"),
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_adjustments_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_adjustments")),
    )
    with op.batch_alter_table("minutes_adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_adjustments_minutes_id"), ["minutes_id"], unique=False)

    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adjustment_id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("organ", sa.String(length=200), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("full", "immediate", "correction", name="adjustmentkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("adjusted_on", sa.Date(), nullable=False),
        sa.Column("put_up_on", sa.Date(), nullable=False),
        sa.Column("last_appeal_day", sa.Date(), nullable=False),
        sa.Column("taken_down_on", sa.Date(), nullable=False),
        sa.Column("kept_at", sa.Text(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["adjustment_id"],
            ["minutes_adjustments.id"],
            name=op.f("fk_announcements_adjustment_id_minutes_adjustments"),
        ),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_announcements_committee_id_committees")
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_announcements_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint("adjustment_id", name=op.f("uq_announcements_adjustment_id")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_committee_id"), ["committee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_minutes_id"), ["minutes_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_put_up_on"), ["put_up_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_taken_down_on"), ["taken_down_on"], unique=False)

    op.add_column("committees", sa.Column("minutes_kept_at", sa.String(length=300), nullable=True))


def downgrade():
    # SQLite drops a column in place (no copy of the table, which others refer to)
    op.drop_column("committees", "minutes_kept_at")

    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcements_taken_down_on"))
        batch_op.drop_index(batch_op.f("ix_announcements_put_up_on"))
        batch_op.drop_index(batch_op.f("ix_announcements_minutes_id"))
        batch_op.drop_index(batch_op.f("ix_announcements_committee_id"))

    op.drop_table("announcements")
    with op.batch_alter_table("minutes_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_adjustments_minutes_id"))

    op.drop_table("minutes_adjustments")
    with op.batch_alter_table("minutes_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_corrections_minutes_id"))

    op.drop_table("minutes_corrections")
    with op.batch_alter_table("minutes_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_approvals_user_id"))
        batch_op.drop_index(batch_op.f("ix_minutes_approvals_minutes_id"))

    op.drop_table("minutes_approvals")
