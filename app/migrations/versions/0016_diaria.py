"""diaria: committees register in a diarium with its own series and format; counters and uniqueness per diarium

Each existing series (a committee's prefix, or a series its cases were numbered in) becomes a diarium of
its municipality with the municipality's current format; each committee points to the diarium of its
prefix and each case to the diarium of its series. No number changes. The counters are keyed by
(diarium, year) and start where the series stood; a case is unique by (diarium, year, serial) and by
(diarium, number) instead of globally, so two municipalities may both use "KS". A case needs no
classification code (a format without {class} registers without one), and a number may be 80 characters.

On SQLite the cases table is rebuilt, which the rows referring to it do not allow while foreign keys are
enforced: they are switched off for this migration (outside a transaction, as SQLite requires) and
checked with PRAGMA foreign_key_check before they are switched on again.

The downgrade puts the global constraints back; it fails if two municipalities share a series number
or a case has no classification code.

Revision ID: 0016_diaria
Revises: 0015_document_templates
Create Date: 2026-12-04 20:40:00.000000

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_diaria"
down_revision = "0015_document_templates"
branch_labels = None
depends_on = None

municipalities = sa.table(
    "municipalities", sa.column("id", sa.Integer), sa.column("registration_number_format", sa.String)
)
committees = sa.table(
    "committees",
    sa.column("id", sa.Integer),
    sa.column("municipality_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("registry_prefix", sa.String),
    sa.column("diarium_id", sa.Integer),
)
diaria = sa.table(
    "diaria",
    sa.column("id", sa.Integer),
    sa.column("municipality_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("series", sa.String),
    sa.column("number_format", sa.String),
    sa.column("created_dt", sa.DateTime(timezone=True)),
)
cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("committee_id", sa.Integer),
    sa.column("diarium_id", sa.Integer),
    sa.column("series", sa.String),
    sa.column("year", sa.Integer),
    sa.column("serial", sa.Integer),
)


def _foreign_keys(enforced: bool) -> None:
    """Switch SQLite's foreign key enforcement (only possible between transactions); PostgreSQL needs nothing."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if enforced:
        problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken by the migration: {problems[:5]}")
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
    bind.exec_driver_sql("BEGIN IMMEDIATE")


def _old_counters_table():
    return sa.table(
        "registration_counters",
        sa.column("series", sa.String),
        sa.column("year", sa.Integer),
        sa.column("last_serial", sa.Integer),
    )


def _new_counters_table():
    return sa.table(
        "registration_counters",
        sa.column("diarium_id", sa.Integer),
        sa.column("year", sa.Integer),
        sa.column("last_serial", sa.Integer),
    )


def upgrade():
    _foreign_keys(False)
    bind = op.get_bind()
    op.create_table(
        "diaria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("number_format", sa.String(length=100), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipalities.id"], name=op.f("fk_diaria_municipality_id_municipalities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diaria")),
        sa.UniqueConstraint("municipality_id", "series", name=op.f("uq_diaria_municipality_id_series")),
    )
    with op.batch_alter_table("diaria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diaria_municipality_id"), ["municipality_id"], unique=False)

    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("diarium_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_committees_diarium_id"), ["diarium_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_committees_diarium_id_diaria"), "diaria", ["diarium_id"], ["id"])
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("diarium_id", sa.Integer(), nullable=True))

    # One diarium per series of each municipality: the committees' prefixes and the cases' series.
    formats = dict(bind.execute(sa.select(municipalities.c.id, municipalities.c.registration_number_format)).all())
    committee_rows = bind.execute(
        sa.select(
            committees.c.id, committees.c.municipality_id, committees.c.name, committees.c.registry_prefix
        ).order_by(committees.c.id)
    ).all()
    names: dict[tuple[int, str], str] = {}
    for _id, municipality_id, name, prefix in committee_rows:
        names.setdefault((municipality_id, prefix), name)
    case_series = bind.execute(
        sa.select(committees.c.municipality_id, cases.c.series)
        .select_from(cases.join(committees, cases.c.committee_id == committees.c.id))
        .distinct()
    ).all()
    for municipality_id, series in case_series:
        names.setdefault((municipality_id, series), f"Diarium {series}")
    now = datetime.now(UTC)
    for (municipality_id, series), name in names.items():  # in the order of the committees
        bind.execute(
            diaria.insert().values(
                municipality_id=municipality_id,
                name=name,
                series=series,
                number_format=formats[municipality_id],
                created_dt=now,
            )
        )
    ids = {
        (m, s): i for i, m, s in bind.execute(sa.select(diaria.c.id, diaria.c.municipality_id, diaria.c.series)).all()
    }
    for committee_id, municipality_id, _name, prefix in committee_rows:
        bind.execute(
            committees.update().where(committees.c.id == committee_id).values(diarium_id=ids[(municipality_id, prefix)])
        )
    committee_municipality = (
        sa.select(committees.c.municipality_id)
        .where(committees.c.id == cases.c.committee_id)
        .correlate(cases)
        .scalar_subquery()
    )
    bind.execute(
        cases.update().values(
            diarium_id=sa.select(diaria.c.id)
            .where(diaria.c.series == cases.c.series, diaria.c.municipality_id == committee_municipality)
            .correlate(cases)
            .scalar_subquery()
        )
    )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("diarium_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_cases_diarium_id"), ["diarium_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_cases_diarium_id_diaria"), "diaria", ["diarium_id"], ["id"])
        batch_op.drop_constraint("uq_cases_number", type_="unique")
        batch_op.drop_constraint("uq_cases_series_year_serial", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_cases_diarium_id_number"), ["diarium_id", "number"])
        batch_op.create_unique_constraint(
            batch_op.f("uq_cases_diarium_id_year_serial"), ["diarium_id", "year", "serial"]
        )
        batch_op.alter_column("classification_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column(
            "number", existing_type=sa.String(length=60), type_=sa.String(length=80), existing_nullable=False
        )

    # The counters continue where each series stood: its old counter where one municipality alone used
    # the series, and never below the highest serial of a case in the diarium and year.
    old = _old_counters_table()
    old_rows = bind.execute(sa.select(old.c.series, old.c.year, old.c.last_serial)).all()
    owners: dict[str, set[int]] = {}
    for municipality_id, series in ids:
        owners.setdefault(series, set()).add(municipality_id)
    counters: dict[tuple[int, int], int] = {}
    for series, year, last in old_rows:
        if len(owners.get(series, ())) == 1:
            (municipality_id,) = owners[series]
            counters[(ids[(municipality_id, series)], year)] = last
    for diarium_id, year, highest in bind.execute(
        sa.select(cases.c.diarium_id, cases.c.year, sa.func.max(cases.c.serial)).group_by(
            cases.c.diarium_id, cases.c.year
        )
    ).all():
        counters[(diarium_id, year)] = max(counters.get((diarium_id, year), 0), highest)
    op.drop_table("registration_counters")
    op.create_table(
        "registration_counters",
        sa.Column("diarium_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["diarium_id"], ["diaria.id"], name=op.f("fk_registration_counters_diarium_id_diaria")),
        sa.PrimaryKeyConstraint("diarium_id", "year", name=op.f("pk_registration_counters")),
    )
    if counters:
        bind.execute(
            _new_counters_table().insert(),
            [{"diarium_id": d, "year": y, "last_serial": n} for (d, y), n in sorted(counters.items())],
        )
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    bind = op.get_bind()
    new = _new_counters_table()
    rows = bind.execute(
        sa.select(diaria.c.series, new.c.year, sa.func.max(new.c.last_serial))
        .select_from(new.join(diaria, new.c.diarium_id == diaria.c.id))
        .group_by(diaria.c.series, new.c.year)
    ).all()
    op.drop_table("registration_counters")
    op.create_table(
        "registration_counters",
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_registration_counters")),
    )
    if rows:
        bind.execute(_old_counters_table().insert(), [{"series": s, "year": y, "last_serial": n} for s, y, n in rows])
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column(
            "number", existing_type=sa.String(length=80), type_=sa.String(length=60), existing_nullable=False
        )
        batch_op.alter_column("classification_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_cases_diarium_id_year_serial", type_="unique")
        batch_op.drop_constraint("uq_cases_diarium_id_number", type_="unique")
        batch_op.create_unique_constraint("uq_cases_series_year_serial", ["series", "year", "serial"])
        batch_op.create_unique_constraint("uq_cases_number", ["number"])
        batch_op.drop_constraint("fk_cases_diarium_id_diaria", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_diarium_id"))
        batch_op.drop_column("diarium_id")
    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.drop_constraint("fk_committees_diarium_id_diaria", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_committees_diarium_id"))
        batch_op.drop_column("diarium_id")
    with op.batch_alter_table("diaria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diaria_municipality_id"))
    op.drop_table("diaria")
    _foreign_keys(True)
