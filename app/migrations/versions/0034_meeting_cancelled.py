"""meeting cancelled: a meeting can be inställt (status "cancelled"), with when and why

Two nullable columns on meetings; the status column is a VARCHAR(20) (no native enum, no CHECK), so the new
status needs no change of it. The downgrade gives a cancelled meeting back the status it had before: kallelse
published when it has a publication, else planned (the earlier schema cannot say inställt).

Revision ID: 0034_meeting_cancelled
Revises: 0033_sealed_hash
Create Date: 2026-12-05 19:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034_meeting_cancelled"
down_revision = "0033_sealed_hash"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("meetings", sa.Column("cancelled_dt", sa.DateTime(timezone=True), nullable=True))
    op.add_column("meetings", sa.Column("cancellation_reason", sa.Text(), nullable=True))


def downgrade():
    meetings = sa.table("meetings", sa.column("id", sa.Integer), sa.column("status", sa.String))
    publications = sa.table("publications", sa.column("meeting_id", sa.Integer))
    published = sa.exists().where(publications.c.meeting_id == meetings.c.id)
    op.execute(
        meetings.update()
        .where(meetings.c.status == "cancelled")
        .values(status=sa.case((published, "notice_published"), else_="planned"))
    )
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): a batch copy would drop a table others refer to
    op.drop_column("meetings", "cancellation_reason")
    op.drop_column("meetings", "cancelled_dt")
