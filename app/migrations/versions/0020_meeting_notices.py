"""notices of a published kallelse: each user's choice of e-mail, and the calendar invitation a message carries

``users.email_meeting_notices``: whether the notice of a published or corrected kallelse also comes by e-mail;
every existing user keeps getting e-mail (true). ``outbox_messages.calendar``: the iCalendar text sent with the
e-mail, empty for every earlier message. The outbox's new state ``in_app`` needs no change: the state is a
string column without a check.

Revision ID: 0020_meeting_notices
Revises: 0019_justering
Create Date: 2026-12-05 07:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_meeting_notices"
down_revision = "0019_justering"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with a literal default (no batch copy of tables others refer to).
    op.add_column("users", sa.Column("email_meeting_notices", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("outbox_messages", sa.Column("calendar", sa.Text(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35 and later): neither column is indexed or referred to.
    op.drop_column("outbox_messages", "calendar")
    op.drop_column("users", "email_meeting_notices")
