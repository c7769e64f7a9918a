"""when a worker began sending an outbox message

Messages already left in "sending" count from when they were queued, so the sweep ends them.

Revision ID: 0007_outbox_claimed
Revises: 0006_rendered_parts
Create Date: 2026-11-29 16:17:01.135077

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_outbox_claimed"
down_revision = "0006_rendered_parts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_dt", sa.DateTime(timezone=True), nullable=True))
    outbox = sa.table(
        "outbox_messages",
        sa.column("state", sa.String),
        sa.column("created_dt", sa.DateTime),
        sa.column("claimed_dt", sa.DateTime),
    )
    op.execute(outbox.update().where(outbox.c.state == "sending").values(claimed_dt=outbox.c.created_dt))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("claimed_dt")
