"""a job names what it renders by a column: jobs.report_id, jobs.publication_id

A report preview refers to its report, a meeting's documents job to its publication, by a
foreign key instead of an id in its JSON params (which the pages scanned, 200 rows at a time).
Existing jobs get theirs from their params; an id whose row is gone is left out. The ids leave
the params of new jobs; the downgrade puts them back.

Revision ID: 0009_job_subjects
Revises: 0008_session_version
Create Date: 2026-12-04 17:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_job_subjects"
down_revision = "0008_session_version"
branch_labels = None
depends_on = None

#: column → (the table it refers to, the kind of job that names one, its key in the job's params)
SUBJECTS = {
    "report_id": ("case_reports", "report_preview", "report_id"),
    "publication_id": ("publications", "meeting_documents", "publication_id"),
}


def _jobs_table():
    return sa.table(
        "jobs",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("params", sa.JSON),
        *(sa.column(c, sa.Integer) for c in SUBJECTS),
    )


def upgrade():
    bind = op.get_bind()
    for column, (target, _kind, _key) in SUBJECTS.items():
        if bind.dialect.name == "sqlite":
            # Plain ADD COLUMN with its REFERENCES clause (SQLite has no ALTER … ADD CONSTRAINT): no batch copy.
            op.execute(f"ALTER TABLE jobs ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
        else:
            op.add_column("jobs", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f"fk_jobs_{column}_{target}"), "jobs", target, [column], ["id"])
        op.create_index(op.f(f"ix_jobs_{column}"), "jobs", [column], unique=False)

    jobs = _jobs_table()
    for column, (target, kind, key) in SUBJECTS.items():
        existing = set(bind.execute(sa.select(sa.table(target, sa.column("id", sa.Integer)).c.id)).scalars())
        rows = []
        for job_id, params in bind.execute(sa.select(jobs.c.id, jobs.c.params).where(jobs.c.kind == kind)):
            subject = (params or {}).get(key)
            if isinstance(subject, int) and subject in existing:
                rows.append({"job_id": job_id, "subject": subject})
        if rows:
            bind.execute(
                jobs.update().where(jobs.c.id == sa.bindparam("job_id")).values({column: sa.bindparam("subject")}), rows
            )


def downgrade():
    bind = op.get_bind()
    jobs = _jobs_table()
    for column, (_target, kind, key) in SUBJECTS.items():
        rows = []
        for job_id, params, subject in bind.execute(
            sa.select(jobs.c.id, jobs.c.params, jobs.c[column]).where(jobs.c.kind == kind, jobs.c[column].is_not(None))
        ):
            if (params or {}).get(key) != subject:
                rows.append({"job_id": job_id, "new_params": {**(params or {}), key: subject}})
        if rows:
            bind.execute(
                jobs.update()
                .where(jobs.c.id == sa.bindparam("job_id"))
                .values(params=sa.bindparam("new_params", type_=sa.JSON)),
                rows,
            )
    # SQLite cannot drop a column that a foreign key uses: the batch copies jobs (no table refers to it).
    with op.batch_alter_table("jobs") as batch_op:
        for column, (target, _kind, _key) in SUBJECTS.items():
            batch_op.drop_index(op.f(f"ix_jobs_{column}"))
            if bind.dialect.name != "sqlite":
                batch_op.drop_constraint(op.f(f"fk_jobs_{column}_{target}"), type_="foreignkey")
            batch_op.drop_column(column)
