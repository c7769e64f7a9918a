"""A bilaga without text to search: a scan marked "Skannad, ingen text att söka i", and a pathological file the
extraction's limits end marked as not read, with its reason, in the search's hits (page and API) and the bilaga
list. The extraction task runs here in the test's process, as the worker runs it (its child process and limits
for real); tests/tasks/test_search_extraction.py runs a real worker."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, update

from app.extensions import db, separate_transaction, sqlite_read_only
from app.registry.models import Case
from app.search.models import ExtractedText, ExtractionStatus
from app.search.queries import NOT_READ, SCANNED, SearchRequest, search
from tasks.extraction import extract_file_text
from tests.factories import body_of, person, searched_case
from tests.sample_files import make_docx_bomb, make_pdf, make_slow_pdf
from workflows import attachments
from workflows.models import CaseReport


def upload(case, data: bytes, filename: str, title: str):
    report = db.session.scalar(select(CaseReport).where(CaseReport.case_id == case.id))
    attachment = attachments.upload_attachment(
        report, user=person("handlaggare"), data=data, filename=filename, title=title
    )
    db.session.commit()
    extract_file_text.run(attachment.file_id)  # what the worker does with the file the commit handed over
    return attachment


def test_a_scan_is_marked_in_the_hits_and_the_bilaga_list(login_as, api_as, demo):
    case = searched_case()
    scan = upload(case, make_pdf("Skannad"), "Skanning.pdf", "Inskannat läkarintyg")
    text = db.session.get(ExtractedText, scan.file_id)
    assert text.status is ExtractionStatus.no_text and "skannad" in text.problem
    (hit,) = [h for h in search(person("controller"), SearchRequest(q="läkarintyg")).hits if h.object_id == scan.id]
    assert hit.text_note == SCANNED == "Skannad, ingen text att söka i"
    assert SCANNED in body_of(login_as("controller").get("/sok?q=läkarintyg"))
    client, headers = api_as("controller")
    items = client.get("/api/v1/search?q=läkarintyg", headers=headers).get_json()["items"]
    assert [i["text_note"] for i in items if i["kind"] == "bilaga"] == [SCANNED]
    html = body_of(login_as("handlaggare").get(f"/arenden/{case.id}/utlatande/bilagor"))
    row = html.split(f'data-attachment="{scan.id}"')[1].split("</tr>")[0]
    assert SCANNED in row
    # a bilaga with text is not marked
    assert "riksnormen" not in SCANNED and SCANNED not in body_of(login_as("controller").get("/sok?q=riksnormen"))


@pytest.mark.parametrize(
    ("make", "filename", "limits", "reason"),
    [
        (make_slow_pdf, "Tabeller.pdf", (1, 512), "Texten kunde inte läsas inom 1 sekund"),
        # under the upload's own checks (200 MB unpacked, 100:1), beyond the reader's memory (a Word file reads in 160 MB)
        (lambda: make_docx_bomb(100, varied=True), "Bilaga.docx", (20, 160), "Filen kunde inte läsas inom"),
    ],
)
def test_a_file_beyond_the_limits_is_marked_not_read_with_its_reason(app, demo, make, filename, limits, reason):
    app.config["EXTRACTION_SECONDS"], app.config["EXTRACTION_MEMORY_MB"] = limits
    case = searched_case()
    attachment = upload(case, make(), filename, "Underlag med statistik")
    text = db.session.get(ExtractedText, attachment.file_id)
    assert text.status is ExtractionStatus.failed and text.text == ""
    assert text.problem.startswith(reason), text.problem
    hits = search(person("controller"), SearchRequest(q="statistik")).hits
    assert [h.text_note for h in hits if h.object_id == attachment.id] == [NOT_READ]
    assert search(person("controller"), SearchRequest(q="riksnormen")).total == 1  # the report's, not the file's


def test_a_bilaga_s_text_is_found_by_another_form_of_its_word_and_not_marked(demo):
    from tests.sample_files import make_docx

    case = searched_case()
    attachment = upload(
        case, make_docx("Försörjningsstödet följer Skolverkets riktlinjer."), "Underlag.docx", "Underlag"
    )
    assert db.session.get(ExtractedText, attachment.file_id).status is ExtractionStatus.done
    hits = [
        h
        for h in search(person("controller"), SearchRequest(q="försörjningsstöd")).hits
        if h.object_id == attachment.id
    ]
    assert len(hits) == 1 and hits[0].text_note is None
    assert "<mark>Försörjningsstödet</mark>" in str(hits[0].snippet)
    assert search(person("controller"), SearchRequest(q="skolverket")).hits  # inflection in the file's text


def test_the_text_is_kept_though_another_process_wrote_while_it_was_read(app, demo):
    """The worker reads a file for seconds; a page saved meanwhile must not make its result fail to be written (on
    SQLite a reading transaction whose snapshot is older than that write can never become a writer)."""
    app.config["EXTRACTION_SECONDS"], app.config["EXTRACTION_MEMORY_MB"] = 1, 512
    case = searched_case()
    report = db.session.scalar(select(CaseReport).where(CaseReport.case_id == case.id))
    attachment = attachments.upload_attachment(
        report, user=person("handlaggare"), data=make_slow_pdf(), filename="Tabeller.pdf", title="Tabeller"
    )
    db.session.commit()
    file_id, other_id = attachment.file_id, case.id
    db.session.rollback()  # the task begins its own transaction, as in the worker

    def meanwhile() -> None:
        time.sleep(0.3)  # the task has read the file's record and is reading its text (at least a second)
        with app.app_context(), separate_transaction() as session:
            session.execute(update(Case).where(Case.id == other_id).values(external_reference="Ref 2026/1"))

    writer = threading.Thread(target=meanwhile)
    writer.start()
    with sqlite_read_only():  # as the worker runs its tasks
        extract_file_text.run(file_id)
    writer.join()
    db.session.rollback()
    assert db.session.get(ExtractedText, file_id).status is ExtractionStatus.failed
    assert db.session.get(Case, other_id).external_reference == "Ref 2026/1"
