"""The justerat state in the rendered protokoll. A rättelse end to end: the justerat protokoll is opened for a rättelse, its corrected revision rendered as a
draft, approved by the chair and the justerare, and the render that the justering starts seals that same revision:
the full protokoll and the public version are new, sealed documents (not the draft's rows), their seal verifies,
and the public reads the corrected text. An omedelbart justerad paragraph's extract carries its own justering date.
SQLite only, as the other render tests (LibreOffice is the slow part)."""

from __future__ import annotations

import difflib
import hashlib
import io
from datetime import timedelta

import docx
import pytest
from sqlalchemy import select

from agenda.minutes import adjustment as adj
from agenda.minutes import announcements as anslag
from agenda.minutes import operations as minutes_ops
from agenda.minutes.adjustment_models import AdjustmentKind, Announcement
from agenda.minutes.appeal import announcement_dates
from agenda.minutes.documents import DocumentKind, latest_adjusted_public, read_pdf, revision_documents
from agenda.minutes.models import Minutes
from agenda.minutes.seats import seat_of_user
from app.audit import AuditEntry
from app.clock import local_today, to_local
from app.extensions import db, sqlite_read_only
from app.storage import get_storage
from app.swedish_dates import long_date
from app.validation import ConflictError
from tasks.adjustment_documents import review_pdf
from tasks.models import Job, JobState
from tasks.protocol_data import protocol_data
from tasks.protocol_documents import render_protocol_documents
from tasks.protocol_jobs import PROTOCOL_DOCUMENTS, seal_credentials, start_protocol_documents
from tasks.rendering.pdf import docx_to_pdf
from tasks.rendering.protocol_docx import build_extract_docx
from tasks.rendering.seal import verify_seal
from tests.factories import approve_as_chair_and_justerare, person
from tests.rendering.pdf_checks import reader, text
from tests.rendering.protocol_minutes import demo_minutes, write_in_decision

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

LEDAMOT = {"Authorization": "Bearer nf_demo_ledamot_4Xc9Dp7Ht3"}
CORRECTED = "Beslutet delges även revisorerna."


def _run(job_id: int) -> Job:
    db.session.commit()
    db.session.remove()
    render_protocol_documents.apply(args=[job_id])
    job = db.session.get(Job, job_id)
    assert job.state is JobState.done, job.error
    return job


def _one_line(data: bytes) -> str:
    return " ".join(text(reader(data)).split())


def test_a_rattelse_rendered_as_a_draft_is_sealed_once_justerad(app, demo, converter, client):
    minutes = demo_minutes()
    secretary = person("sekreterare")
    adj.start_correction(minutes, user=secretary, description="§ 4: en mottagare saknades.")
    adjuster = seat_of_user(minutes.committee_id, person("ledamot"))
    minutes_ops.save_header(
        minutes, user=secretary, based_on=minutes.current_revision, raw={"adjusters": [adjuster.id]}
    )
    db.session.commit()
    write_in_decision(minutes, 4, CORRECTED)
    minutes_id, meeting_id, revision = minutes.id, minutes.meeting_id, minutes.current_revision
    number = next(p.number for p in minutes.paragraphs if p.item.number == 4)

    # The corrected revision rendered while the rättelse is open: drafts, nothing sealed, the public sees no change.
    _run(start_protocol_documents(secretary, minutes).id)
    minutes = db.session.get(Minutes, minutes_id)
    drafts = revision_documents(minutes)
    assert {d.revision for d in drafts} == {revision} and not any(d.is_adjusted for d in drafts)
    assert latest_adjusted_public(minutes) is None or latest_adjusted_public(minutes).revision < revision

    # The chair and the justerare approve the very PDF they are shown (the draft's full protokoll).
    document = review_pdf(minutes, ())
    assert document.revision == revision and document.sha256 == drafts[0].pdf_sha256
    draft_ids = {d.id for d in drafts}
    approve_as_chair_and_justerare(minutes, document, "correction")
    job = db.session.scalar(select(Job).where(Job.kind == PROTOCOL_DOCUMENTS).order_by(Job.id.desc()))
    assert job.params["adjustment_id"] and job.params["is_adjusted"] and job.params["revision"] == revision
    done = _run(job.id)
    assert done.params["made"] == 0  # the draft's converted PDFs are sealed, not converted again

    # The same revision now has sealed documents beside its drafts, and they are the current ones.
    minutes = db.session.get(Minutes, minutes_id)
    current = revision_documents(minutes)
    assert {d.revision for d in current} == {revision} and all(d.is_adjusted for d in current)
    assert not {d.id for d in current} & draft_ids
    certificate = seal_credentials(minutes).certificate_pem
    full = current[0]
    assert full.kind is DocumentKind.full
    listed = client.get(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=LEDAMOT).get_json()
    assert listed["documents"][0]["id"] == full.id and listed["documents"][0]["seal"]["is_valid"]
    protokoll = client.get(listed["documents"][0]["pdf_url"], headers=LEDAMOT)
    assert protokoll.status_code == 200, protokoll.data[:200]
    check = verify_seal(protokoll.data, certificate)
    assert check.is_valid and check.covers_whole_file, check.problem
    read = _one_line(protokoll.data)
    assert CORRECTED in read and "Rättelse – version 2" in read and f"Rättade paragrafer: § {number}." in read
    word = docx.Document(io.BytesIO(client.get(listed["documents"][0]["docx_url"], headers=LEDAMOT).data))
    assert any(CORRECTED in p.text for p in word.paragraphs)

    public = latest_adjusted_public(minutes)
    assert public is not None and public.revision == revision
    published = client.get(f"/offentligt/sammantraden/{meeting_id}/protokoll.pdf")
    assert published.status_code == 200 and published.headers["ETag"].strip('"') == public.pdf_sha256
    assert verify_seal(published.data, certificate).is_valid
    assert CORRECTED in _one_line(published.data)


def test_the_extract_of_a_paragraph_justerad_at_once_carries_its_own_justering_date(app, demo, converter):
    minutes = demo_minutes()  # § 15 (item 4) justerad at the meeting, the whole protokoll on 2 March 2017
    at_once = next(p.number for p in minutes.paragraphs if p.item.number == 4)
    later = next(p.number for p in minutes.paragraphs if p.item.number == 5)
    data = protocol_data(minutes)
    by_number = {p["number"]: p for p in data["paragraphs"]}
    assert (by_number[at_once]["adjusted_on"], by_number[later]["adjusted_on"]) == ("2017-02-23", None)
    assert data["adjustment"]["adjusted_on"] == "2017-03-02"

    def facts(number: int) -> tuple[list[str], str]:
        built = build_extract_docx(data, number)
        lines = [p.text for p in docx.Document(io.BytesIO(built)).paragraphs]
        return lines, _one_line(docx_to_pdf(built))

    lines, pdf = facts(at_once)
    assert "Justerat\t23 februari 2017" in lines and "Paragrafen förklaras omedelbart justerad." in lines
    assert "Justerat 23 februari 2017" in pdf and "Rätt utdraget intygar" in pdf
    lines, pdf = facts(later)
    assert "Justerat\t2 mars 2017" in lines and "Justerat 2 mars 2017" in pdf


def _lines(pdf: bytes) -> list[str]:
    return [" ".join(line.split()) for line in text(reader(pdf)).splitlines() if line.strip()]


def test_the_sealed_protokoll_is_the_approved_one_with_the_justering_and_the_anslag_dates(app, demo, converter):
    """The chair and the justerare approve the draft's PDF; the render the justering starts seals that version with
    only the justering's facts added: the ANSLAG/BEVIS box's dates (computed by the appeal rule from the day of the
    justering). The justering keeps both sha256, the seal verifies, and the Word file carries the same dates."""
    minutes = demo_minutes(unadjusted=True)
    minutes_id = minutes.id
    _run(start_protocol_documents(person("sekreterare"), minutes).id)
    minutes = db.session.get(Minutes, minutes_id)
    approved = review_pdf(minutes, ())
    approve_as_chair_and_justerare(minutes, approved, "full")
    job = db.session.scalar(select(Job).where(Job.kind == PROTOCOL_DOCUMENTS).order_by(Job.id.desc()))
    _run(job.id)

    minutes = db.session.get(Minutes, minutes_id)
    sealed = revision_documents(minutes)[0]
    assert sealed.kind is DocumentKind.full and sealed.is_adjusted
    justering = next(a for a in adj.adjustments_of(minutes) if a.kind.value == "full")
    assert justering.pdf_sha256 == approved.sha256 and justering.sealed_pdf_sha256 == sealed.pdf_sha256
    assert justering.sealed_pdf_sha256 != justering.pdf_sha256
    sealed_pdf = read_pdf(sealed)
    check = verify_seal(sealed_pdf, seal_credentials(minutes).certificate_pem)
    assert check.is_valid and check.covers_whole_file, check.problem

    dates = announcement_dates(to_local(justering.adjusted_dt).date())
    up, down = long_date(dates.put_up_on.isoformat()), long_date(dates.taken_down_on.isoformat())
    changed = [
        line
        for line in difflib.unified_diff(_lines(approved.pdf), _lines(sealed_pdf), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-Datum då anslaget sätts upp",
        "-Datum då anslaget tas ned",
        f"+Datum då anslaget sätts upp {up}",
        f"+Datum då anslaget tas ned {down}",
    ]
    announcement = adj.announcements_of(minutes)[-1]
    assert (announcement.put_up_on, announcement.taken_down_on) == (dates.put_up_on, dates.taken_down_on)
    word = docx.Document(io.BytesIO(get_storage().read(sealed.docx_key)))
    cells = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert ["Datum då anslaget sätts upp", up] in cells and ["Datum då anslaget tas ned", down] in cells


def test_an_omedelbar_justering_keeps_its_sealed_extracts_and_fixes_the_anslags_day(
    app, demo, converter, login_as, api_as
):
    """The paragraph justerad at the meeting (the demo's item 4) is approved as its own PDF; the render that justering
    starts seals its protokollsutdrag, and the justering keeps the sealed extract's sha256 beside the approved PDF's
    (shown on the justering page and in the API). The extract read back carries a valid seal and that very sha256.
    The anslag's put-up day printed in it is then fixed."""
    minutes = demo_minutes(unadjusted=True)
    minutes_id, meeting_id = minutes.id, minutes.meeting_id
    at_once = next(p.number for p in minutes.paragraphs if p.item.number == 4)
    assert adj.rounds_to_adjust(minutes)[0] == (AdjustmentKind.immediate, (at_once,))
    db.session.commit()
    with sqlite_read_only():  # as the justering page reads it: the PDF is made and stored outside a write lock
        approved = review_pdf(minutes, (at_once,))
    db.session.commit()
    approve_as_chair_and_justerare(minutes, approved, "immediate")
    job = db.session.scalar(select(Job).where(Job.kind == PROTOCOL_DOCUMENTS).order_by(Job.id.desc()))
    assert job.params["adjustment_id"] and not job.params["is_adjusted"]
    _run(job.id)

    minutes = db.session.get(Minutes, minutes_id)
    (justering,) = adj.adjustments_of(minutes)
    assert justering.kind is AdjustmentKind.immediate and justering.pdf_sha256 == approved.sha256
    assert justering.sealed_pdf_sha256 is None  # no whole protokoll is sealed by it
    sealed = [d for d in revision_documents(minutes) if d.is_adjusted]
    (extract,) = sealed
    assert (extract.kind, extract.paragraph_number) == (DocumentKind.extract, at_once)
    assert justering.sealed_extracts == [{"paragraph": at_once, "sha256": extract.pdf_sha256}]
    pdf = get_storage().read(extract.pdf_key)
    assert hashlib.sha256(pdf).hexdigest() == extract.pdf_sha256 != approved.sha256
    check = verify_seal(pdf, seal_credentials(minutes).certificate_pem)
    assert check.is_valid and check.covers_whole_file, check.problem
    assert "Rätt utdraget intygar" in _one_line(pdf)
    (logged,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "minutes.sealed", AuditEntry.object_id == minutes_id)
    ).all()
    assert logged.data["after"]["sealed_extracts"] == justering.sealed_extracts

    client = login_as("sekreterare")
    api, headers = api_as("ledamot")
    answer = api.get(f"/api/v1/meetings/{meeting_id}/minutes/justering", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    state = answer.get_json()
    assert state["justering"]["adjustments"][0]["sealed_extracts"] == [
        {"paragraph": at_once, "sha256": extract.pdf_sha256}
    ]
    page = client.get(f"/sammantraden/{meeting_id}/justering").get_data(as_text=True)
    assert f"förseglade protokollsutdrag: § {at_once} kontrollsumma <code>{extract.pdf_sha256[:12]}…</code>" in page

    # The sealed extract prints the anslag's put-up day: it can no longer be moved, and the page says why.
    (announcement,) = adj.announcements_of(minutes)
    assert anslag.sealed_documents(announcement) == [extract]
    assert anslag.SEALED in page
    with pytest.raises(ConflictError) as exc:
        anslag.move_put_up_date(
            announcement,
            user=person("sekreterare"),
            put_up_on=announcement.put_up_on + timedelta(days=1),
            sealing=False,
        )
    assert exc.value.message == anslag.SEALED
    db.session.rollback()
    assert db.session.get(Announcement, announcement.id).put_up_on == local_today()
