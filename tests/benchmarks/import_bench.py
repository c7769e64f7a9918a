"""`make bench`'s import figure: 50,000 cases taken over from a CSV file, against a bulk INSERT of the same rows.

The subject is the whole import as the page and the API run it: decode the file, read the CSV, check every row
(numbers parsed by the diarium's format, dates, officers, duplicates in the file and against the diarium), raise
the counters, one Core INSERT of the rows and the audit row. The yardstick is that INSERT alone, of the very rows
the import inserts, in the same database. Each run is rolled back, so both start from the same empty diarium.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

ROWS = 50_000


def csv_of_cases(count: int = ROWS, *, year: int = 2015, officer: str = "") -> bytes:
    """A diarium's cases as a municipality's export writes them (semicolons, UTF-8)."""
    lines = ["diarienummer;ärendemening;registreringsdatum;handläggare;status"]
    for n in range(1, count + 1):
        status = "avslutat" if n % 3 else "pågående"
        lines.append(
            f"BN-{year}/{n}.181;Bygglov för tillbyggnad av enbostadshus på fastigheten Åby {n}:{n % 97};"
            f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d};{officer if n % 2 else ''};{status}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def prepare() -> tuple[Callable[[], object], Callable[[], object]]:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app import create_app
    from app.auth import operations as auth_ops
    from app.auth.models import Role
    from app.extensions import db
    from app.organisation.models import Administration, Committee, Municipality
    from app.registry import diaria, importing
    from app.registry.models import ClassificationCode

    tmp = Path(tempfile.mkdtemp(prefix="namndflode-bench-import-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite'}",
            "SECRET_KEY": "bench-" + "x" * 40,
            "STORAGE_PATH": str(tmp / "files"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
        environ={"INSTANCE_PATH": str(tmp / "instance")},
    )
    context = app.app_context()
    context.push()
    atexit.register(context.pop)
    upgrade()
    municipality = Municipality(name="Bänkby kommun")
    db.session.add(municipality)
    db.session.add(Administration(municipality=municipality, name="Samhällsbyggnadsförvaltningen"))
    db.session.add(ClassificationCode(municipality=municipality, code="181", name="Bygglov"))
    db.session.flush()
    committee = Committee(
        municipality=municipality,
        administration=municipality.administrations[0],
        name="Byggnadsnämnden",
        registry_prefix="BN",
    )
    db.session.add(committee)
    db.session.flush()
    diarium = diaria.create_diarium(
        municipality,
        user=None,
        name="Byggnadsnämndens diarium",
        series="BN",
        number_format="{prefix}-{year}/{serial}.{class}",
    )
    committee.diarium_id = diarium.id
    officer = auth_ops.create_user(email="handlaggare@bankby.example", name="Bo Bänk", password="bench-password-1")
    auth_ops.grant_role(officer, committee, Role.case_officer)
    db.session.commit()

    data = csv_of_cases(officer=officer.email)
    plan = importing.check_cases(diarium, importing.read_case_csv(data))
    if not plan.ok or len(plan.rows) != ROWS:
        raise SystemExit(f"Importens testfil godtogs inte: {plan.problems[:3]}")
    rows = plan.rows
    table = db.metadata.tables["cases"]

    def subject() -> None:
        importing.import_cases(diarium, importing.read_case_csv(data), user=None, source_name="bench.csv")
        db.session.rollback()

    def yardstick() -> None:
        db.session.execute(insert(table), rows)
        db.session.rollback()

    print(f"  ({ROWS} ärenden, {len(data) / 1e6:.1f} MB CSV, SQLite; tiderna per 1 000 rader)")
    return subject, yardstick
