"""a municipality's uploaded Word templates: document_templates

Every uploaded version is kept (who uploaded it, when, its file in app.storage by key and sha256); one
is in use per municipality and, optionally, per committee. Without any, documents are made on the
project's own template as before.

Revision ID: 0015_document_templates
Revises: 0014_committee_kinds
Create Date: 2026-12-05 12:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_document_templates"
down_revision = "0014_committee_kinds"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=67), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_document_templates_committee_id_committees")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_document_templates_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_document_templates_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_templates")),
    )
    op.create_index(op.f("ix_document_templates_committee_id"), "document_templates", ["committee_id"], unique=False)
    op.create_index(
        op.f("ix_document_templates_municipality_id"), "document_templates", ["municipality_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_document_templates_municipality_id"), table_name="document_templates")
    op.drop_index(op.f("ix_document_templates_committee_id"), table_name="document_templates")
    op.drop_table("document_templates")
