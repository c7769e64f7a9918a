"""search years: a search with more hits than it counts takes the newest years' first, a year at a time, so each
year's hits must be found from an index: PostgreSQL's full-text and trigram GIN indexes get the year as their first
column (the btree_gin extension); and a btree index on the year (the newest and oldest year) and on the reference
(an exact diarienummer or paragraph, wherever it is)

Without btree_gin (it cannot be created) the GIN indexes stay as they were and a year's hits are read from them and
filtered; SQLite gets the two btree indexes only.

Revision ID: 0037_search_years
Revises: 0036_sealed_extracts
Create Date: 2026-12-06 03:30:00.000000

"""

import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0037_search_years"
down_revision = "0036_sealed_extracts"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

_FIND = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = :name"


def _extension_schema(conn, name: str, *, create: bool) -> str | None:
    """The schema the extension ``name`` lives in; created in `public` when missing and ``create``, if it may be
    (another migration creating it at the same moment is fine: it is looked for again)."""
    schema = conn.scalar(sa.text(_FIND), {"name": name})
    if schema is not None or not create:
        return schema
    home = "public" if conn.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")) else None
    try:
        with conn.begin_nested():
            conn.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS {name}{' SCHEMA public' if home else ''}"))
    except sa.exc.DBAPIError as exc:
        log.warning("%s is not installed and could not be created (%s)", name, exc)
    return conn.scalar(sa.text(_FIND), {"name": name})


def _gin_indexes(conn, *, with_year: bool) -> None:
    trigram = _extension_schema(conn, "pg_trgm", create=False)
    year = "year, " if with_year else ""
    op.execute("DROP INDEX IF EXISTS ix_search_entries_document")
    op.execute(f"CREATE INDEX ix_search_entries_document ON search_entries USING gin ({year}document)")
    if trigram is not None:
        op.execute("DROP INDEX IF EXISTS ix_search_entries_plain_trgm")
        op.execute(
            f"CREATE INDEX ix_search_entries_plain_trgm ON search_entries "
            f'USING gin ({year}plain "{trigram}".gin_trgm_ops)'
        )


def upgrade():
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index("ix_search_entries_year", ["year"], unique=False)
        batch_op.create_index("ix_search_entries_reference", ["reference"], unique=False)
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    if _extension_schema(conn, "btree_gin", create=True) is None:
        log.warning("btree_gin is missing: a year's search hits are read from the full-text indexes and filtered")
        return
    _gin_indexes(conn, with_year=True)


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _gin_indexes(conn, with_year=False)
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entries_reference")
        batch_op.drop_index("ix_search_entries_year")
