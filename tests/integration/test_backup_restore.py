"""Backup and restore as README's Production section says: pg_dump plus the storage folder, restored into an empty
database, passes ``flask verify`` with every row and file there."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.registry.models import Case
from tests.services import FAST_HASH, PG_BASE_URL, base_overrides, postgres_unavailable_reason
from workflows.models import CaseReport, StoredFileRecord

pytestmark = pytest.mark.postgres


def _tools_missing() -> str | None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not installed" if missing else None


@pytest.fixture
def databases():
    """Two new databases (a source and an empty target) on the test server, dropped afterwards."""
    if reason := postgres_unavailable_reason() or _tools_missing():
        pytest.skip(reason)
    names = [f"nf_backup_{uuid.uuid4().hex[:10]}", f"nf_restore_{uuid.uuid4().hex[:10]}"]
    admin = sa.create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = sa.engine.make_url(PG_BASE_URL)
    try:
        yield [base.set(database=name) for name in names]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _app(url, storage, tmp_path):
    return create_app(
        {
            **base_overrides(tmp_path),
            "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
            "STORAGE_PATH": str(storage),
        },
        environ={"INSTANCE_PATH": str(tmp_path / "instance")},
    )


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _counts() -> dict:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Case, CaseReport, StoredFileRecord)
    }


def test_a_dump_and_the_files_restored_into_an_empty_database_pass_verify(databases, tmp_path):
    from app.demo.loader import load

    source_url, target_url = databases
    source = _app(source_url, tmp_path / "files", tmp_path)
    with source.app_context():
        upgrade()
        load(with_tokens=True, password_method=FAST_HASH)
        db.session.commit()
        before = _counts()
        signed = db.session.scalar(sa.select(CaseReport.signed_hash).where(CaseReport.signed_hash.is_not(None)))
        db.engine.dispose()
    assert before["StoredFileRecord"] > 0 and signed

    dump = tmp_path / "namndflode.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", _libpq(source_url)], check=True, timeout=120)
    shutil.copytree(tmp_path / "files", tmp_path / "backup-files")
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={_libpq(target_url)}", str(dump)], check=True, timeout=120)

    restored = _app(target_url, tmp_path / "backup-files", tmp_path)
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["verify"])
        assert result.exit_code == 0, result.output
        assert "Allt stämmer" in result.output
        assert _counts() == before
        assert db.session.scalar(sa.select(CaseReport.signed_hash).where(CaseReport.signed_hash == signed))
        db.engine.dispose()

    # and a restore without the files is caught
    shutil.rmtree(tmp_path / "backup-files")
    (tmp_path / "backup-files").mkdir()
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["verify"])
        assert result.exit_code != 0 and "saknas i lagringen" in result.output
        db.engine.dispose()
