"""sealed extracts: an omedelbar justering keeps the sha256 of each sealed protokollsutdrag of its paragraphs, as
a justering of the whole protokoll keeps the sealed protokoll's

A new nullable column: omedelbara justeringar made before it show no sealed extracts.

Revision ID: 0036_sealed_extracts
Revises: 0035_public_diarium_trigrams
Create Date: 2026-12-05 19:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036_sealed_extracts"
down_revision = "0035_public_diarium_trigrams"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("minutes_adjustments", sa.Column("sealed_extracts", sa.JSON(), nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): a batch copy would drop a table others refer to
    op.drop_column("minutes_adjustments", "sealed_extracts")
