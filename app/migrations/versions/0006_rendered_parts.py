"""rendered parts kept for reuse by input hash

The meeting documents jobs used to find stored parts in the params of their 20 latest
predecessors; the parts those jobs name are carried over, so nothing is rendered again.

Revision ID: 0006_rendered_parts
Revises: 0005_handling_notes
Create Date: 2026-11-29 15:33:30.501682

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_rendered_parts"
down_revision = "0005_handling_notes"
branch_labels = None
depends_on = None


def upgrade():
    rendered_parts = op.create_table(
        "rendered_parts",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rendered_parts")),
    )
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("params", sa.JSON),
        sa.column("created_dt", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(jobs.c.params, jobs.c.created_dt).where(jobs.c.kind == "meeting_documents").order_by(jobs.c.id.desc())
    )
    parts = {}
    for params, created in rows:
        for key, stored in ((params or {}).get("parts") or {}).items():
            if key not in parts and len(key) <= 120 and {"key", "sha256", "size"} <= set(stored or {}):
                parts[key] = {
                    "key": key,
                    "storage_key": stored["key"],
                    "sha256": stored["sha256"],
                    "size": int(stored["size"]),
                    "created_dt": created,
                }
    if parts:
        op.bulk_insert(rendered_parts, list(parts.values()))


def downgrade():
    op.drop_table("rendered_parts")
