"""users' session version; whether one person may both approve and sign in a committee

``users.session_version`` is part of every log-in session: raising it (log-out, a new
password, an admin's "log out everywhere") ends every session made before. Existing
sessions, which carry no version, end at the upgrade.
``committees.same_person_may_approve_and_sign`` is off: who approved a report may not sign it.

Revision ID: 0008_session_version
Revises: 0007_outbox_claimed
Create Date: 2026-12-02 10:12:44.318204

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_session_version"
down_revision = "0007_outbox_claimed"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (a literal default, no batch copy): other tables refer to both, and SQLite
    # cannot drop and recreate a table that rows of another refer to.
    op.add_column("users", sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "committees", sa.Column("same_person_may_approve_and_sign", sa.Boolean(), nullable=False, server_default="0")
    )


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later), for the same reason.
    op.drop_column("committees", "same_person_may_approve_and_sign")
    op.drop_column("users", "session_version")
