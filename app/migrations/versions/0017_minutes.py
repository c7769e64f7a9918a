"""protokoll: committee seats (ledamöter, ersättare), absences, yrkanden filed in advance, the protokoll with its
revisions, refused saves and paragraphs, and the § counters per committee and year

New tables only: existing data needs no rows (a committee without seats has none until its secretary adds them).

Revision ID: 0017_minutes
Revises: 0016_diaria
Create Date: 2026-12-05 05:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_minutes"
down_revision = "0016_diaria"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "committee_seats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("member", "deputy", name="seatkind", native_enum=False, length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column(
            "office",
            sa.Enum("chair", "first_vice_chair", "second_vice_chair", name="seatoffice", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_committee_seats_committee_id_committees")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_committee_seats_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_seats")),
    )
    with op.batch_alter_table("committee_seats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_seats_committee_id"), ["committee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_seats_user_id"), ["user_id"], unique=False)

    op.create_table(
        "paragraph_counters",
        sa.Column("committee_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_paragraph_counters_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("committee_id", "year", name=op.f("pk_paragraph_counters")),
    )
    op.create_table(
        "meeting_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("substitute_id", sa.Integer(), nullable=True),
        sa.Column("reported_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_absences_meeting_id_meetings")),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_meeting_absences_reported_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_meeting_absences_seat_id_committee_seats")
        ),
        sa.ForeignKeyConstraint(
            ["substitute_id"], ["committee_seats.id"], name=op.f("fk_meeting_absences_substitute_id_committee_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_absences")),
        sa.UniqueConstraint("meeting_id", "seat_id", name=op.f("uq_meeting_absences_meeting_id_seat_id")),
        sa.UniqueConstraint("meeting_id", "substitute_id", name=op.f("uq_meeting_absences_meeting_id_substitute_id")),
    )
    with op.batch_alter_table("meeting_absences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_absences_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_absences_seat_id"), ["seat_id"], unique=False)

    op.create_table(
        "minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("current_revision", sa.Integer(), nullable=False),
        sa.Column("adjusted_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_minutes_created_by_id_users")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_minutes_meeting_id_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_minutes_meeting_id")),
    )
    op.create_table(
        "filed_motions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "approval",
                "rejection",
                "amendment",
                "addition",
                "referral_back",
                "postponement",
                name="motionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_dt", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_filed_motions_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["filed_by_id"], ["users.id"], name=op.f("fk_filed_motions_filed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_filed_motions_seat_id_committee_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filed_motions")),
    )
    with op.batch_alter_table("filed_motions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filed_motions_agenda_item_id"), ["agenda_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_filed_motions_seat_id"), ["seat_id"], unique=False)

    op.create_table(
        "minutes_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=False),
        sa.Column("current_at_refusal", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_minutes_conflicts_author_id_users")),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_conflicts_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_conflicts")),
    )
    with op.batch_alter_table("minutes_conflicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_conflicts_minutes_id"), ["minutes_id"], unique=False)

    op.create_table(
        "minutes_paragraphs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("adjusted_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"], ["agenda_items.id"], name=op.f("fk_minutes_paragraphs_agenda_item_id_agenda_items")
        ),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_minutes_paragraphs_committee_id_committees")
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_paragraphs_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_paragraphs")),
        sa.UniqueConstraint("agenda_item_id", name=op.f("uq_minutes_paragraphs_agenda_item_id")),
        sa.UniqueConstraint(
            "committee_id", "year", "number", name=op.f("uq_minutes_paragraphs_committee_id_year_number")
        ),
    )
    with op.batch_alter_table("minutes_paragraphs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_paragraphs_committee_id"), ["committee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_minutes_paragraphs_minutes_id"), ["minutes_id"], unique=False)

    op.create_table(
        "minutes_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("changed_parts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_minutes_revisions_author_id_users")),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_revisions_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_revisions")),
        sa.UniqueConstraint("minutes_id", "number", name=op.f("uq_minutes_revisions_minutes_id_number")),
    )
    with op.batch_alter_table("minutes_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_revisions_minutes_id"), ["minutes_id"], unique=False)


def downgrade():
    with op.batch_alter_table("minutes_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_revisions_minutes_id"))

    op.drop_table("minutes_revisions")
    with op.batch_alter_table("minutes_paragraphs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_paragraphs_minutes_id"))
        batch_op.drop_index(batch_op.f("ix_minutes_paragraphs_committee_id"))

    op.drop_table("minutes_paragraphs")
    with op.batch_alter_table("minutes_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_conflicts_minutes_id"))

    op.drop_table("minutes_conflicts")
    with op.batch_alter_table("filed_motions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filed_motions_seat_id"))
        batch_op.drop_index(batch_op.f("ix_filed_motions_agenda_item_id"))

    op.drop_table("filed_motions")
    op.drop_table("minutes")
    with op.batch_alter_table("meeting_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_absences_seat_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_absences_meeting_id"))

    op.drop_table("meeting_absences")
    op.drop_table("paragraph_counters")
    with op.batch_alter_table("committee_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_seats_user_id"))
        batch_op.drop_index(batch_op.f("ix_committee_seats_committee_id"))

    op.drop_table("committee_seats")
