"""roles held in the municipality, not in one committee: municipality_roles

Administering the municipality (its details, organisation, committees, diaria, classification plan,
templates, users and their roles) becomes a role of its own, held in the municipality. So that nobody
loses access, every user who is an administrator of a committee today becomes an administrator of
that committee's municipality; their committee roles stay as they are.

Revision ID: 0010_municipality_roles
Revises: 0009_job_subjects
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_municipality_roles"
down_revision = "0009_job_subjects"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "municipality_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum("admin", name="municipalrole", native_enum=False, length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_municipality_roles_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_municipality_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality_roles")),
        sa.UniqueConstraint(
            "user_id", "municipality_id", "role", name=op.f("uq_municipality_roles_user_id_municipality_id_role")
        ),
    )
    op.create_index(op.f("ix_municipality_roles_municipality_id"), "municipality_roles", ["municipality_id"])
    op.create_index(op.f("ix_municipality_roles_user_id"), "municipality_roles", ["user_id"])

    # Every committee administrator administers the committee's municipality, once per municipality.
    op.execute(
        "INSERT INTO municipality_roles (user_id, municipality_id, role) "
        "SELECT DISTINCT committee_roles.user_id, committees.municipality_id, 'admin' "
        "FROM committee_roles JOIN committees ON committees.id = committee_roles.committee_id "
        "WHERE committee_roles.role = 'admin'"
    )


def downgrade():
    op.drop_index(op.f("ix_municipality_roles_user_id"), table_name="municipality_roles")
    op.drop_index(op.f("ix_municipality_roles_municipality_id"), table_name="municipality_roles")
    op.drop_table("municipality_roles")
