"""ordförandeberedning: the draft agenda given to the committee's chair, and the chair's comments on it

New tables: existing data needs no rows.

Revision ID: 0027_chair_review
Revises: 0026_open_data
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027_chair_review"
down_revision = "0026_open_data"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chair_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=False),
        sa.Column("given_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_chair_reviews_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["chair_id"], ["users.id"], name=op.f("fk_chair_reviews_chair_id_users")),
        sa.ForeignKeyConstraint(["given_by_id"], ["users.id"], name=op.f("fk_chair_reviews_given_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chair_reviews")),
    )
    with op.batch_alter_table("chair_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chair_reviews_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chair_reviews_chair_id"), ["chair_id"], unique=False)

    op.create_table(
        "chair_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("item_label", sa.String(length=40), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["chair_reviews.id"],
            name=op.f("fk_chair_comments_review_id_chair_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_chair_comments_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["agenda_items.id"], name=op.f("fk_chair_comments_item_id_agenda_items"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_chair_comments_author_id_users")),
        sa.ForeignKeyConstraint(["handled_by_id"], ["users.id"], name=op.f("fk_chair_comments_handled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chair_comments")),
    )
    with op.batch_alter_table("chair_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chair_comments_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chair_comments_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chair_comments_item_id"), ["item_id"], unique=False)


def downgrade():
    with op.batch_alter_table("chair_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chair_comments_item_id"))
        batch_op.drop_index(batch_op.f("ix_chair_comments_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_chair_comments_review_id"))
    op.drop_table("chair_comments")
    with op.batch_alter_table("chair_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chair_reviews_chair_id"))
        batch_op.drop_index(batch_op.f("ix_chair_reviews_meeting_id"))
    op.drop_table("chair_reviews")
