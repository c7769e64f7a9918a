"""open data: when a case and a committee seat last changed (cases.modified_dt, committee_seats.modified_dt), so
that the OParl API's incremental sync finds what changed or was withdrawn since a time

Existing rows take their creation time; new rows their own (the models' default).

Revision ID: 0026_open_data
Revises: 0025_extracted_texts
Create Date: 2026-12-05 09:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_open_data"
down_revision = "0025_extracted_texts"
branch_labels = None
depends_on = None

TABLES = ("cases", "committee_seats")


def upgrade():
    # Added in place (no table rebuilt on SQLite: the seats are referenced by other tables), then filled.
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "modified_dt",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text("'1970-01-01 00:00:00'"),
            ),
        )
        op.execute(f"UPDATE {table} SET modified_dt = created_dt")
    op.create_index("ix_cases_modified_dt", "cases", ["modified_dt"], unique=False)


def downgrade():
    op.drop_index("ix_cases_modified_dt", table_name="cases")
    for table in reversed(TABLES):
        op.drop_column(table, "modified_dt")
