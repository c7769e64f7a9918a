"""agenda conventions per committee: agenda_conventions, agenda_sections, item_markers, agenda_item_markers and
agenda_items.section_id

A committee without a row in agenda_conventions writes its agendas as before (the title "Kallelse till <nämnd>",
numbers from 1, the closed part "Sekretessärenden", "Handling kommer senare"), so existing data needs no rows:
the demo looks exactly as before. Existing items stand in no named section.

Revision ID: 0013_agenda_conventions
Revises: 0012_municipality_details
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_agenda_conventions"
down_revision = "0012_municipality_details"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agenda_conventions",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("notice_title", sa.String(length=100), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("closed_section", sa.String(length=100), nullable=False),
        sa.Column("handling_later_text", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_agenda_conventions_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("committee_id", name=op.f("pk_agenda_conventions")),
    )
    op.create_table(
        "agenda_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_agenda_sections_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_sections")),
    )
    op.create_index(op.f("ix_agenda_sections_committee_id"), "agenda_sections", ["committee_id"], unique=False)
    op.create_table(
        "item_markers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_item_markers_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_markers")),
    )
    op.create_index(op.f("ix_item_markers_committee_id"), "item_markers", ["committee_id"], unique=False)
    op.create_table(
        "agenda_item_markers",
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("marker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_agenda_item_markers_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marker_id"],
            ["item_markers.id"],
            name=op.f("fk_agenda_item_markers_marker_id_item_markers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agenda_item_id", "marker_id", name=op.f("pk_agenda_item_markers")),
    )
    op.create_index(op.f("ix_agenda_item_markers_marker_id"), "agenda_item_markers", ["marker_id"], unique=False)

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Plain ADD COLUMN with its REFERENCES clause (SQLite has no ALTER … ADD CONSTRAINT): no batch copy.
        op.execute("ALTER TABLE agenda_items ADD COLUMN section_id INTEGER REFERENCES agenda_sections (id)")
    else:
        op.add_column("agenda_items", sa.Column("section_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_agenda_items_section_id_agenda_sections"),
            "agenda_items",
            "agenda_sections",
            ["section_id"],
            ["id"],
        )
    op.create_index(op.f("ix_agenda_items_section_id"), "agenda_items", ["section_id"], unique=False)


def downgrade():
    bind = op.get_bind()
    # SQLite cannot drop a column that a foreign key uses: the batch copies the table.
    with op.batch_alter_table("agenda_items") as batch_op:
        batch_op.drop_index(op.f("ix_agenda_items_section_id"))
        if bind.dialect.name != "sqlite":
            batch_op.drop_constraint(op.f("fk_agenda_items_section_id_agenda_sections"), type_="foreignkey")
        batch_op.drop_column("section_id")
    op.drop_index(op.f("ix_agenda_item_markers_marker_id"), table_name="agenda_item_markers")
    op.drop_table("agenda_item_markers")
    op.drop_index(op.f("ix_item_markers_committee_id"), table_name="item_markers")
    op.drop_table("item_markers")
    op.drop_index(op.f("ix_agenda_sections_committee_id"), table_name="agenda_sections")
    op.drop_table("agenda_sections")
    op.drop_table("agenda_conventions")
