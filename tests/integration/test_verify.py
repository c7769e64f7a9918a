"""``flask verify``: a clean database passes; a changed, a missing and an orphan file and a changed signed report
are each reported, and the exit code says so."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from app.extensions import db
from app.storage import get_storage
from workflows.models import CaseReport, ReportRevision, StoredFileRecord


def _verify(app):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify"])
    db.session.rollback()
    return result


def test_a_clean_database_passes(app, demo):
    result = _verify(app)
    assert result.exit_code == 0, result.stderr
    assert "Allt stämmer" in result.stdout and "filer i lagringen" in result.stdout


def test_changed_missing_and_orphan_files_and_a_changed_signed_report_are_reported(app, demo):
    files = db.session.scalars(select(StoredFileRecord).order_by(StoredFileRecord.id)).all()
    assert len(files) >= 2, "the demo stores bilagor"
    changed, missing = files[0], files[1]
    with app.app_context():
        storage = get_storage()
        Path(storage.local_path(changed.storage_key)).write_bytes(b"%PDF-1.4 manipulerad")
        Path(storage.local_path(missing.storage_key)).unlink()
        orphan = storage.save("en fil som ingen rad nämner".encode())
    signed = db.session.scalars(select(CaseReport).where(CaseReport.signed_hash.is_not(None))).first()
    assert signed is not None, "the demo has a signed report"
    revision = signed.current()
    content = {
        **revision.content,
        "sections": {**revision.content.get("sections", {}), "summary": "Ändrad i efterhand."},
    }
    db.session.execute(update(ReportRevision).where(ReportRevision.id == revision.id).values(content=content))
    db.session.commit()

    result = _verify(app)
    assert result.exit_code != 0
    errors = result.stderr
    assert f"Filen {changed.storage_key} är ändrad eller skadad" in errors
    assert f"Filen {missing.storage_key} saknas i lagringen" in errors
    assert f"Föräldralös fil: {orphan.key}" in errors
    assert f"Tjänsteutlåtande {signed.id} " in errors and "det signerade innehållet har ändrats" in errors
    # the published kallelse whose bilaga is gone says so too
    assert f"bilagan med sha256 {missing.sha256} saknas i lagringen" in errors
    assert errors.count("FEL:") == 5, errors
