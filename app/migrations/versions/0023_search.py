"""search: the index of searchable texts, with each database's full-text machinery

A new table, filled by `flask search reindex` (the app keeps it up to date from then on). PostgreSQL: a GIN
index on the `swedish` tsvector and, when the pg_trgm extension is there or may be created, a trigram GIN index
on the folded text (partial words, compounds, numbers); without it the search works, scanning. SQLite: two FTS5
tables over the same rows (Snowball stems; trigrams of the folded text), kept by triggers.

Revision ID: 0023_search
Revises: 0022_expediering
Create Date: 2026-12-05 09:00:00.000000

"""

import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_search"
down_revision = "0022_expediering"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts_words USING fts5(document, content='search_entries', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE search_fts_plain USING fts5(plain, content='search_entries', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts_words(rowid, document) VALUES (new.id, new.document); "
    "INSERT INTO search_fts_plain(rowid, plain) VALUES (new.id, new.plain); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts_words(search_fts_words, rowid, document) VALUES ('delete', old.id, old.document); "
    "INSERT INTO search_fts_plain(search_fts_plain, rowid, plain) VALUES ('delete', old.id, old.plain); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts_words(search_fts_words, rowid, document) VALUES ('delete', old.id, old.document); "
    "INSERT INTO search_fts_plain(search_fts_plain, rowid, plain) VALUES ('delete', old.id, old.plain); "
    "INSERT INTO search_fts_words(rowid, document) VALUES (new.id, new.document); "
    "INSERT INTO search_fts_plain(rowid, plain) VALUES (new.id, new.plain); END",
]


def _trigram_schema(conn) -> str | None:
    """The schema pg_trgm lives in, creating it in `public` when it is missing and may be created."""
    find = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    )
    schema = conn.scalar(find)
    if schema is not None:
        return schema
    home = "public" if conn.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")) else None
    try:
        with conn.begin_nested():
            conn.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{' SCHEMA public' if home else ''}"))
    except sa.exc.DBAPIError as exc:  # no right to create extensions: search without the trigram index
        log.warning("pg_trgm is not installed and could not be created (%s); partial words are found by scanning", exc)
        return None
    return conn.scalar(find)


def upgrade():
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "case",
                "document",
                "report",
                "bilaga",
                "kallelse",
                "protokoll",
                name="entrykind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "case",
                "case_secrets",
                "report",
                "report_secrets",
                "meetings",
                "minutes",
                name="audience",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=600), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("plain", sa.Text(), nullable=False),
        sa.Column("document", sa.Text().with_variant(sa.dialects.postgresql.TSVECTOR(), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_search_entries_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["case_reports.id"],
            name=op.f("fk_search_entries_report_id_case_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_search_entries_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint("kind", "object_id", "part", name=op.f("uq_search_entries_kind_object_id_part")),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_entries_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_search_entries_committee_year", ["committee_id", "year"], unique=False)

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.create_index("ix_search_entries_document", "search_entries", ["document"], postgresql_using="gin")
        schema = _trigram_schema(conn)
        if schema is not None:
            op.execute(
                f'CREATE INDEX ix_search_entries_plain_trgm ON search_entries USING gin (plain "{schema}".gin_trgm_ops)'
            )
    elif conn.dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for name in ("search_fts_insert", "search_fts_delete", "search_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts_words")
        op.execute("DROP TABLE IF EXISTS search_fts_plain")
    op.drop_table("search_entries")
