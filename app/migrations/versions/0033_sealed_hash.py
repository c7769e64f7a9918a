"""sealed hash: a justering keeps the sha256 of the sealed PDF made from the approved version beside the sha256 of
the PDF its approvers saw

A new nullable column: justeringar made before it show no sealed hash until their revision is rendered again.

Revision ID: 0033_sealed_hash
Revises: 0032_scale_indexes
Create Date: 2026-12-05 14:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033_sealed_hash"
down_revision = "0032_scale_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("minutes_adjustments", sa.Column("sealed_pdf_sha256", sa.String(length=64), nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): a batch copy would drop a table others refer to
    op.drop_column("minutes_adjustments", "sealed_pdf_sha256")
