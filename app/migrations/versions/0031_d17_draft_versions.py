"""draft versions: each time the draft is given to the chair is a version of it ("utkast 2"), per meeting

The reviews given before are numbered in the order they were given, per meeting.

Revision ID: 0031_d17_draft_versions
Revises: 0030_idempotency_keys
Create Date: 2026-12-05 14:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031_d17_draft_versions"
down_revision = "0030_idempotency_keys"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chair_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.execute(
        "UPDATE chair_reviews SET version = (SELECT count(*) FROM chair_reviews AS earlier"
        " WHERE earlier.meeting_id = chair_reviews.meeting_id AND earlier.id <= chair_reviews.id)"
    )
    with op.batch_alter_table("chair_reviews", schema=None) as batch_op:
        batch_op.alter_column("version", server_default=None)
        batch_op.create_unique_constraint(batch_op.f("uq_chair_reviews_meeting_id_version"), ["meeting_id", "version"])


def downgrade():
    with op.batch_alter_table("chair_reviews", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_chair_reviews_meeting_id_version"), type_="unique")
        batch_op.drop_column("version")
