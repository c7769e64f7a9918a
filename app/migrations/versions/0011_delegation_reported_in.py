"""a delegated decision names the meeting whose published kallelse reported it: delegation_decisions.reported_in_id

Until now a meeting reported the decisions registered between the previous meeting's start and its own, so
a decision registered after a kallelse was published was never reported unless that kallelse was published
again. Now a meeting reports the decisions no published kallelse has reported yet. Existing decisions get the
meeting whose latest published kallelse held them by the old rule (registered in its window before that
publication); those registered after it stay unreported and go to the next meeting.

Revision ID: 0011_delegation_reported_in
Revises: 0010_municipality_roles
Create Date: 2026-12-04 21:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_delegation_reported_in"
down_revision = "0010_municipality_roles"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Plain ADD COLUMN with its REFERENCES clause (SQLite has no ALTER … ADD CONSTRAINT): no batch copy.
        op.execute("ALTER TABLE delegation_decisions ADD COLUMN reported_in_id INTEGER REFERENCES meetings (id)")
    else:
        op.add_column("delegation_decisions", sa.Column("reported_in_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_delegation_decisions_reported_in_id_meetings"),
            "delegation_decisions",
            "meetings",
            ["reported_in_id"],
            ["id"],
        )
    op.create_index(
        op.f("ix_delegation_decisions_reported_in_id"), "delegation_decisions", ["reported_in_id"], unique=False
    )

    meetings = sa.table(
        "meetings",
        sa.column("id", sa.Integer),
        sa.column("committee_id", sa.Integer),
        sa.column("start_dt", sa.DateTime),
    )
    publications = sa.table("publications", sa.column("meeting_id", sa.Integer), sa.column("published_dt", sa.DateTime))
    decisions = sa.table(
        "delegation_decisions",
        sa.column("id", sa.Integer),
        sa.column("committee_id", sa.Integer),
        sa.column("registered_dt", sa.DateTime),
        sa.column("reported_in_id", sa.Integer),
    )
    latest = dict(
        bind.execute(
            sa.select(publications.c.meeting_id, sa.func.max(publications.c.published_dt)).group_by(
                publications.c.meeting_id
            )
        ).all()
    )
    previous_start: dict[int, object] = {}
    for meeting_id, committee_id, start in bind.execute(
        sa.select(meetings.c.id, meetings.c.committee_id, meetings.c.start_dt).order_by(
            meetings.c.committee_id, meetings.c.start_dt
        )
    ):
        since = previous_start.get(committee_id)
        previous_start[committee_id] = start
        published = latest.get(meeting_id)
        if published is None:
            continue
        condition = [
            decisions.c.committee_id == committee_id,
            decisions.c.registered_dt < start,
            decisions.c.registered_dt <= published,
            decisions.c.reported_in_id.is_(None),
        ]
        if since is not None:
            condition.append(decisions.c.registered_dt >= since)
        bind.execute(decisions.update().where(*condition).values(reported_in_id=meeting_id))


def downgrade():
    bind = op.get_bind()
    # SQLite cannot drop a column that a foreign key uses: the batch copies the table (no table refers to it).
    with op.batch_alter_table("delegation_decisions") as batch_op:
        batch_op.drop_index(op.f("ix_delegation_decisions_reported_in_id"))
        if bind.dialect.name != "sqlite":
            batch_op.drop_constraint(op.f("fk_delegation_decisions_reported_in_id_meetings"), type_="foreignkey")
        batch_op.drop_column("reported_in_id")
