"""the rendered protokoll: a row per document made from a revision (full, public version, extract per §) with its
Word and PDF files

A new table only: protokoll already kept have no rendered documents until they are rendered.

Revision ID: 0018_minutes_documents
Revises: 0017_minutes
Create Date: 2026-12-05 06:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_minutes_documents"
down_revision = "0017_minutes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "minutes_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("full", "public", "extract", name="documentkind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("paragraph_number", sa.Integer(), nullable=True),
        sa.Column("is_adjusted", sa.Boolean(), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("docx_key", sa.String(length=200), nullable=False),
        sa.Column("docx_sha256", sa.String(length=64), nullable=False),
        sa.Column("docx_size", sa.Integer(), nullable=False),
        sa.Column("docx_name", sa.String(length=200), nullable=False),
        sa.Column("pdf_key", sa.String(length=200), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.Column("pdf_name", sa.String(length=200), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_documents_minutes_id_minutes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_documents")),
        sa.UniqueConstraint(
            "minutes_id", "revision", "input_hash", name=op.f("uq_minutes_documents_minutes_id_revision_input_hash")
        ),
    )
    with op.batch_alter_table("minutes_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_documents_minutes_id"), ["minutes_id"], unique=False)


def downgrade():
    with op.batch_alter_table("minutes_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_documents_minutes_id"))

    op.drop_table("minutes_documents")
