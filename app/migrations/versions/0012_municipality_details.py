"""the municipality's organisation number and logo

``municipalities.organisation_number`` (NNNNNN-NNNN, empty until given) and the logo, stored in
app.storage and named by its key, sha256 and content type (none until uploaded). Existing
municipalities keep every detail they have.

Revision ID: 0012_municipality_details
Revises: 0011_delegation_reported_in
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_municipality_details"
down_revision = "0011_delegation_reported_in"
branch_labels = None
depends_on = None

COLUMNS = ("organisation_number", "logo_key", "logo_sha256", "logo_content_type")


def upgrade():
    # Plain ADD COLUMN (a literal default, no batch copy): other tables refer to municipalities.
    op.add_column(
        "municipalities", sa.Column("organisation_number", sa.String(length=11), nullable=False, server_default="")
    )
    op.add_column("municipalities", sa.Column("logo_key", sa.String(length=67), nullable=True))
    op.add_column("municipalities", sa.Column("logo_sha256", sa.String(length=64), nullable=True))
    op.add_column("municipalities", sa.Column("logo_content_type", sa.String(length=20), nullable=True))


def downgrade():
    for column in reversed(COLUMNS):
        op.drop_column("municipalities", column)
