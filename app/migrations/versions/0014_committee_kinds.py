"""committees' kind (nämnd, utskott, stadsdelsnämnd) and an utskott's parent committee

``committees.kind``: every existing committee is a nämnd. ``committees.parent_id``: the committee an
utskott prepares matters for; empty for the others.

Revision ID: 0014_committee_kinds
Revises: 0013_agenda_conventions
Create Date: 2026-12-05 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_committee_kinds"
down_revision = "0013_agenda_conventions"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    # Plain ADD COLUMN (a literal default, no batch copy): other tables refer to committees.
    op.add_column(
        "committees",
        sa.Column(
            "kind",
            sa.Enum(
                "committee", "subcommittee", "district_committee", name="committeekind", native_enum=False, length=20
            ),
            nullable=False,
            server_default="committee",
        ),
    )
    if bind.dialect.name == "sqlite":
        # SQLite has no ALTER … ADD CONSTRAINT: the REFERENCES clause comes with the column. A downgrade on
        # SQLite leaves the column (empty) behind, so it may be there already.
        columns = {row[1] for row in bind.exec_driver_sql("PRAGMA table_info(committees)")}
        if "parent_id" not in columns:
            op.execute("ALTER TABLE committees ADD COLUMN parent_id INTEGER REFERENCES committees (id)")
    else:
        op.add_column("committees", sa.Column("parent_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_committees_parent_id_committees"), "committees", "committees", ["parent_id"], ["id"]
        )
    op.create_index(op.f("ix_committees_parent_id"), "committees", ["parent_id"], unique=False)


def downgrade():
    bind = op.get_bind()
    op.drop_index(op.f("ix_committees_parent_id"), table_name="committees")
    if bind.dialect.name == "sqlite":
        # SQLite cannot drop a column a foreign key uses without copying the table, and cannot copy a table
        # other tables refer to: the column stays, empty (the upgrade takes it up again), and the model of the
        # earlier revision does not read it.
        op.execute("UPDATE committees SET parent_id = NULL")
    else:
        op.drop_constraint(op.f("fk_committees_parent_id_committees"), "committees", type_="foreignkey")
        op.drop_column("committees", "parent_id")
    op.drop_column("committees", "kind")
