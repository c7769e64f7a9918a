"""extracted texts: the text a worker read from a stored file (a bilaga's), for the search

A new table: existing bilagor get their text from `flask search extract` (the worker reads it), and the index
takes it in as it is kept.

Revision ID: 0025_extracted_texts
Revises: 0024_item_notes_and_visits
Create Date: 2026-12-05 09:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025_extracted_texts"
down_revision = "0024_item_notes_and_visits"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "extracted_texts",
        sa.Column("file_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "status",
            sa.Enum("done", "no_text", "failed", name="extractionstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("problem", sa.String(length=300), nullable=True),
        sa.Column("extracted_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_files.id"], name=op.f("fk_extracted_texts_file_id_stored_files")),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_extracted_texts")),
    )


def downgrade():
    op.drop_table("extracted_texts")
