"""public diarium trigrams: PostgreSQL's trigram indexes on a case's number and stored search text, so the public
diarium's word search finds its cases from an index instead of reading every case's text

On SQLite, and on a PostgreSQL without pg_trgm, nothing: the search reads the texts as before.

Revision ID: 0035_public_diarium_trigrams
Revises: 0034_meeting_cancelled
Create Date: 2026-12-05 20:15:00.000000

"""

import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035_public_diarium_trigrams"
down_revision = "0034_meeting_cancelled"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

#: the indexes and what they index (app.registry.public_register._word_clause's two LIKEs)
INDEXES = {"ix_cases_trgm_number": "lower(number)", "ix_cases_trgm_search_text": "search_text"}


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    schema = conn.scalar(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    )
    if schema is None:  # 0023_search creates it where it may; without it the LIKE reads every case
        log.warning("pg_trgm is not installed; the public diarium's word search reads every case")
        return
    for name, expression in INDEXES.items():
        op.execute(f'CREATE INDEX {name} ON cases USING gin ({expression} "{schema}".gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
