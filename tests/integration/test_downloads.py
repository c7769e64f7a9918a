"""Every download goes through one sender (app.storage.send_stored_file): the bytes checked against their sha256,
HTTP Range and conditional requests, a PDF inline and anything else as an attachment, a safe UTF-8 file name."""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.registry.models import Case
from tests.sample_files import make_pdf
from workflows import attachments as files
from workflows import operations as reports
from workflows.models import ReportAttachment

CASE_NUMBER = "SN-2017/30.909"  # a demo case without a report: the controller writes one here


def _user(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{key}@huddinge.example"))


def _word_file(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def bilagor(app, demo):
    """A draft report with a PDF and a Word bilaga: case id and, per kind, (download path, stored bytes, row)."""
    case = db.session.scalar(select(Case).where(Case.number == CASE_NUMBER))
    officer = _user("controller")
    report = reports.create_report(case, user=officer)
    pdf = files.upload_attachment(
        report, user=officer, data=make_pdf("Verksamhetsberättelse " * 40), filename="Verksamhetsberättelse 2016.pdf"
    )
    word = files.upload_attachment(
        report, user=officer, data=_word_file("Utredningen i sin helhet."), filename="Utredning om äldreomsorgen.docx"
    )
    db.session.commit()
    storage = Path(app.config["STORAGE_PATH"])
    return case.id, {
        kind: (f"/arenden/{case.id}/utlatande/bilagor/{a.id}/fil", (storage / a.file.storage_key).read_bytes(), a)
        for kind, a in (("pdf", pdf), ("docx", word))
    }


def test_a_pdf_is_shown_inline_and_a_word_file_saved_under_its_swedish_name(login_as, bilagor):
    officer = login_as("controller")
    _case_id, made = bilagor
    pdf_path, pdf, _row = made["pdf"]
    shown = officer.get(pdf_path)
    assert shown.status_code == 200 and shown.data == pdf and shown.mimetype == "application/pdf"
    assert shown.headers["Content-Disposition"] == (
        "inline; filename=\"Verksamhetsberattelse 2016.pdf\"; filename*=UTF-8''Verksamhetsber%C3%A4ttelse%202016.pdf"
    )
    assert shown.headers["Accept-Ranges"] == "bytes" and shown.headers["Content-Length"] == str(len(pdf))
    assert (
        shown.headers["Cache-Control"] == "private, no-store" and shown.headers["X-Content-Type-Options"] == "nosniff"
    )

    word_path, word, _row = made["docx"]
    saved = officer.get(word_path)
    assert saved.status_code == 200 and saved.data == word
    assert saved.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert saved.headers["Content-Disposition"] == (
        'attachment; filename="Utredning om aldreomsorgen.docx"; '
        "filename*=UTF-8''Utredning%20om%20%C3%A4ldreomsorgen.docx"
    )


def test_a_range_of_a_bilaga_is_sent_alone(login_as, bilagor):
    officer = login_as("controller")
    _case_id, made = bilagor
    path, pdf, _row = made["pdf"]
    part = officer.get(path, headers={"Range": "bytes=100-299"})
    assert part.status_code == 206 and part.data == pdf[100:300]
    assert part.headers["Content-Range"] == f"bytes 100-299/{len(pdf)}" and part.headers["Content-Length"] == "200"
    tail = officer.get(path, headers={"Range": "bytes=-32"})
    assert tail.status_code == 206 and tail.data == pdf[-32:]
    assert officer.get(path, headers={"Range": f"bytes={len(pdf) + 10}-"}).status_code == 416
    # only while the file is still the one asked for (If-Range with its ETag), else all of it
    etag = f'"{hashlib.sha256(pdf).hexdigest()}"'
    assert officer.get(path, headers={"Range": "bytes=0-9", "If-Range": etag}).data == pdf[:10]
    whole = officer.get(path, headers={"Range": "bytes=0-9", "If-Range": '"something-else"'})
    assert whole.status_code == 200 and whole.data == pdf


def test_a_file_the_browser_has_is_not_sent_again(login_as, bilagor):
    officer = login_as("controller")
    _case_id, made = bilagor
    path, word, row = made["docx"]
    first = officer.get(path)
    assert first.headers["ETag"] == f'"{row.file.sha256}"' == f'"{hashlib.sha256(word).hexdigest()}"'
    assert first.headers["Last-Modified"]
    again = officer.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert officer.get(path, headers={"If-None-Match": '"another"'}).data == word
    assert officer.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


def test_a_stored_file_whose_bytes_changed_is_not_sent(app, login_as, api_as, bilagor, caplog, monkeypatch):
    monkeypatch.setattr(app.logger, "disabled", False)  # the migrations' logging set-up disables existing loggers
    officer = login_as("controller")
    api, headers = api_as("controller")
    case_id, made = bilagor
    path, pdf, row = made["pdf"]
    stored = Path(app.config["STORAGE_PATH"]) / row.file.storage_key
    stored.write_bytes(pdf.replace(b"Verksamhet", b"Verksamhat", 1))
    with caplog.at_level(logging.ERROR):
        refused = officer.get(path)
        ranged = officer.get(path, headers={"Range": "bytes=0-99"})
        through_api = api.get(f"/api/v1/cases/{case_id}/report/attachments/{row.id}/file", headers=headers)
    for response in (refused, ranged, through_api):
        assert response.status_code == 500 and b"Verksamhat" not in response.data and b"%PDF" not in response.data
    assert f"stored file {row.file.storage_key} does not match its sha256" in caplog.text
    # a file that is gone is not found (and logged)
    stored.unlink()
    assert officer.get(path).status_code == 404
    assert api.get(f"/api/v1/cases/{case_id}/report/attachments/{row.id}/file", headers=headers).status_code == 404


def test_the_api_sends_a_bilaga_the_same_way(api_as, bilagor):
    api, headers = api_as("controller")
    case_id, made = bilagor
    _path, pdf, row = made["pdf"]
    url = f"/api/v1/cases/{case_id}/report/attachments/{row.id}/file"
    part = api.get(url, headers={**headers, "Range": "bytes=5-14"})
    assert part.status_code == 206 and part.data == pdf[5:15]
    assert part.headers["Content-Disposition"].startswith("inline;")
    assert api.get(url, headers={**headers, "If-None-Match": f'"{row.file.sha256}"'}).status_code == 304
    _path, _word, word_row = made["docx"]
    word = api.get(f"/api/v1/cases/{case_id}/report/attachments/{word_row.id}/file", headers=headers)
    assert word.status_code == 200 and word.headers["Content-Disposition"].startswith("attachment;")
    assert isinstance(db.session.get(ReportAttachment, word_row.id), ReportAttachment)
