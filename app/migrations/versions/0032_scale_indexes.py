"""scale indexes: the diarium's order (newest registered first), so the diarium list and the public diarium read
their first page from an index instead of sorting every visible case; and what decides a case's visibility beside
its committee and status, so the lists' counts and the start page's open cases per committee are index-only scans

Indexes only: existing data needs nothing.

Revision ID: 0032_scale_indexes
Revises: 0031_d17_draft_versions
Create Date: 2026-12-05 15:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0032_scale_indexes"
down_revision = "0031_d17_draft_versions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_cases_registered_order", "cases", ["registered_on", "year", "serial", "id"])
    op.create_index("ix_cases_visibility", "cases", ["committee_id", "status", "is_confidential", "case_officer_id"])


def downgrade():
    op.drop_index("ix_cases_visibility", table_name="cases")
    op.drop_index("ix_cases_registered_order", table_name="cases")
