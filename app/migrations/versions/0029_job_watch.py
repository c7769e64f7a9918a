"""jobs never stuck: a job's worker and heartbeat and how often it was sent again; the task outbox

Revision ID: 0029_job_watch
Revises: 0028_automatic_registration
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029_job_watch"
down_revision = "0028_automatic_registration"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_dt", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("requeues", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "task_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_name", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_outbox")),
    )
    op.create_index(op.f("ix_task_outbox_created_dt"), "task_outbox", ["created_dt"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_task_outbox_created_dt"), table_name="task_outbox")
    op.drop_table("task_outbox")
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_column("requeues")
        batch_op.drop_column("heartbeat_dt")
        batch_op.drop_column("worker")
