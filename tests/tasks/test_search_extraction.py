"""A new bilaga's text read by a real worker and found by the search, inside the secrecy rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.search.models import ExtractedText, ExtractionStatus
from app.search.queries import SearchRequest, search
from tests.factories import person, searched_case
from tests.sample_files import make_docx, make_pdf
from tests.workers import wait_for, worker_app
from workflows import attachments
from workflows.models import CaseReport


@pytest.mark.slow
def test_a_bilaga_s_text_is_read_by_the_worker_and_found(worker_env, worker, tmp_path):
    env, queue = worker_env
    app = worker_app(env, queue)
    with app.app_context():
        case = searched_case()
        report = db.session.scalar(select(CaseReport).where(CaseReport.case_id == case.id))
        officer = person("handlaggare")
        open_file = attachments.upload_attachment(
            report, user=officer, data=make_docx("Försörjningsstödet följer riksnormen."), filename="Underlag.docx"
        )
        secret_file = attachments.upload_attachment(
            report,
            user=officer,
            data=make_docx("Familjen Lönnqvist har skulder hos Kronofogden."),
            filename="Utredning.docx",
            is_confidential=True,
        )
        scan = attachments.upload_attachment(report, user=officer, data=make_pdf("Skannad"), filename="Skanning.pdf")
        db.session.commit()  # the commit hands the three files to the worker
        file_ids = [open_file.file_id, secret_file.file_id, scan.file_id]
        db.session.remove()

    def all_read():
        with app.app_context():
            found = db.session.scalars(select(ExtractedText).where(ExtractedText.file_id.in_(file_ids))).all()
            statuses = {t.file_id: t.status for t in found}
            db.session.remove()
            return statuses if len(statuses) == 3 else None

    statuses = wait_for(all_read, 90, "the bilagor's texts", tmp_path / "worker.log")
    assert statuses == {
        file_ids[0]: ExtractionStatus.done,
        file_ids[1]: ExtractionStatus.done,
        file_ids[2]: ExtractionStatus.no_text,
    }
    with app.app_context():
        hit = next(h for h in search(person("controller"), SearchRequest(q="försörjningsstödet")).hits)
        assert "<mark>Försörjningsstödet</mark>" in str(hit.snippet)
        # the confidential bilaga's text: its editor finds it, a colleague without the right finds nothing of it
        assert search(person("handlaggare"), SearchRequest(q="Lönnqvist")).total == 1
        nothing = search(person("controller"), SearchRequest(q="Lönnqvist"))
        assert nothing.total == 0 and nothing.suggestion is None
        assert search(person("controller"), SearchRequest(q="kronofogden")).total == 0
