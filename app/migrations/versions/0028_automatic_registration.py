"""automatic registration: a registered document's source (what registered it by itself, once), its sha256 and
stored file; the case that collects a committee's kallelser of a year

Nullable columns and unique indexes that NULLs do not break: existing data needs no rows.

Revision ID: 0028_automatic_registration
Revises: 0027_chair_review
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028_automatic_registration"
down_revision = "0027_chair_review"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and unique indexes (no batch copy): other tables refer to both, and SQLite cannot drop and
    # recreate a table that rows of another refer to.
    op.add_column("registered_documents", sa.Column("source", sa.String(length=100), nullable=True))
    op.add_column("registered_documents", sa.Column("sha256", sa.String(length=64), nullable=True))
    op.add_column("registered_documents", sa.Column("storage_key", sa.String(length=100), nullable=True))
    op.create_index("ix_registered_documents_source", "registered_documents", ["source"], unique=True)
    op.add_column("cases", sa.Column("meetings_year", sa.Integer(), nullable=True))
    op.create_index("ix_cases_committee_meetings_year", "cases", ["committee_id", "meetings_year"], unique=True)


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later), for the same reason.
    op.drop_index("ix_cases_committee_meetings_year", table_name="cases")
    op.drop_column("cases", "meetings_year")
    op.drop_index("ix_registered_documents_source", table_name="registered_documents")
    op.drop_column("registered_documents", "storage_key")
    op.drop_column("registered_documents", "sha256")
    op.drop_column("registered_documents", "source")
