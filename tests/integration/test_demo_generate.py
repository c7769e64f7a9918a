"""``flask demo generate --cases N --reports M``: Swedish-looking cases, documents, signed tjänsteutlåtanden with a
bilaga and meetings with agendas, inserted in bulk, numbered after the diarium's counters and found by the search (on
SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from agenda.models import AgendaItem, Meeting
from app.extensions import db
from app.registry.models import Case, RegisteredDocument
from app.registry.operations import register_case
from app.search.models import EntryKind, ExtractedText, ExtractionStatus
from app.search.queries import SearchRequest, search
from app.storage import get_storage
from tests.factories import committee, person
from workflows.models import CaseReport, ReportState
from workflows.operations import signature_hash


def test_generate_adds_cases_documents_and_meetings_and_numbering_goes_on(app, demo):
    before = db.session.scalar(select(func.count(Case.id)))
    result = app.test_cli_runner().invoke(
        args=["demo", "generate", "--cases", "300", "--years", "3", "--reports", "40"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(
        r"300 ärenden, \d+ handlingar, 40 tjänsteutlåtanden med bilaga, \d+ sammanträden, \d+ punkter och \d+ "
        r"sökposter på [\d.]+ s\.",
        result.output,
    )
    db.session.expire_all()
    cases = db.session.scalars(select(Case).order_by(Case.id).offset(before)).all()
    assert len(cases) == 300
    assert len({c.number for c in cases}) == 300 and len({c.year for c in cases}) >= 2
    assert 0 < sum(c.is_confidential for c in cases) < 60
    assert all("lorem" not in c.title.casefold() for c in cases)
    assert any("bistånd" in c.title for c in cases)
    for case in cases[:20]:
        numbers = db.session.scalars(select(RegisteredDocument.number).where(RegisteredDocument.case_id == case.id))
        assert sorted(numbers) == list(range(1, case.last_document_number + 1)) and case.last_document_number >= 2
    assert sum(c.case_officer_id is not None for c in cases) > 150
    assert db.session.scalar(select(func.count(AgendaItem.id)).where(AgendaItem.case_id.in_([c.id for c in cases])))
    assert db.session.scalar(select(func.count(Meeting.id))) > 10
    # the diarium's counter went past the generated numbers: a new case gets the next one
    latest = max((c for c in cases if c.diarium_id == committee("SN").diarium_id), key=lambda c: (c.year, c.serial))
    new = register_case(
        committee=committee("SN"), user=person("registrator"), title="Ny", classification_code="181",
        case_officer=person("handlaggare"),
    )  # fmt: skip
    if new.year == latest.year:
        assert new.serial == latest.serial + 1


def test_generated_reports_are_signed_with_a_stored_bilaga_and_found_by_the_search(app, demo):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--cases", "60", "--reports", "30"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    reports = db.session.scalars(
        select(CaseReport).where(CaseReport.signed_hash.is_not(None)).order_by(CaseReport.id)
    ).all()
    assert len(reports) >= 30
    for report in reports[-30:]:
        assert report.state is ReportState.signed and report.signed_revision == report.current_revision == 1
        assert report.signed_hash == signature_hash(report)
        (bilaga,) = report.current_attachments
        stored = get_storage().read(bilaga.file.storage_key)
        assert get_storage().sha256_of(bilaga.file.storage_key) == bilaga.file.sha256
        extracted = db.session.get(ExtractedText, bilaga.file_id)
        assert extracted.status is ExtractionStatus.done and extracted.text == stored.decode("utf-8")
        assert "lorem" not in extracted.text.casefold() and "Nyckeltal" in extracted.text
    # the index has the new rows: the registrar finds a generated case by its number, and the words of the reports
    # and bilagor (another form of a word too) as a staff member who may read them does
    case = reports[-1].case
    found = search(person("registrator"), SearchRequest(q=case.number))
    assert (EntryKind.case, case.id) in {(h.kind, h.object_id) for h in found.hits[:3]}
    kinds = {h.kind for h in search(person("sekreterare"), SearchRequest(q="nyckeltal")).hits}
    assert EntryKind.bilaga in kinds
    assert search(person("sekreterare"), SearchRequest(q="förvaltningens förslag")).total > 0
