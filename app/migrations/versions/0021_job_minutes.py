"""a job names the protokoll it renders: jobs.minutes_id

New jobs only: no job rendered a protokoll before this column.

Revision ID: 0021_job_minutes
Revises: 0020_meeting_notices
Create Date: 2026-12-05 06:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_job_minutes"
down_revision = "0020_meeting_notices"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Plain ADD COLUMN with its REFERENCES clause (SQLite has no ALTER … ADD CONSTRAINT): no batch copy.
        op.execute("ALTER TABLE jobs ADD COLUMN minutes_id INTEGER REFERENCES minutes (id)")
    else:
        op.add_column("jobs", sa.Column("minutes_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_jobs_minutes_id_minutes"), "jobs", "minutes", ["minutes_id"], ["id"])
    op.create_index(op.f("ix_jobs_minutes_id"), "jobs", ["minutes_id"], unique=False)


def downgrade():
    bind = op.get_bind()
    # SQLite cannot drop a column that a foreign key uses: the batch copies jobs (no table refers to it).
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_index(op.f("ix_jobs_minutes_id"))
        if bind.dialect.name != "sqlite":
            batch_op.drop_constraint(op.f("fk_jobs_minutes_id_minutes"), type_="foreignkey")
        batch_op.drop_column("minutes_id")
