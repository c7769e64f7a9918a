"""Expediering's rules on both backends, on stand-in PDFs (tests/rendering/test_expediering.py renders and seals
for real and reads the e-mail back): who may see and send (exact 403 and 404), a repeated request sends nothing
twice, each sending is one outgoing handling in the case's diarium, the report becomes decided, and a recipient
without an address is listed as failed and cannot be sent from here."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from agenda.minutes import adjustment as adj
from agenda.minutes import dispatch as expediering
from agenda.minutes import operations as minutes_ops
from agenda.minutes.dispatch_models import MinutesDispatch
from agenda.minutes.documents import DocumentKind, MinutesDocument
from agenda.minutes.seats import seat_of_user
from app.audit import AuditEntry
from app.extensions import db
from app.notifications import OutboxMessage
from app.registry.models import RegisteredDocument
from app.storage import get_storage
from tests.factories import approve_as_chair_and_justerare, person
from workflows import operations as report_ops
from workflows.models import ReportState

EXTERNAL = "info@curanova.example"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _justerat_with_extract() -> tuple[int, int, int]:
    """The demo meeting's protokoll justerat again, § of item 4 with two recipients and a stand-in sealed extract."""
    from tests.rendering.protocol_minutes import demo_minutes

    secretary = person("sekreterare")
    minutes = demo_minutes(unadjusted=True)
    meeting = minutes.meeting
    paragraph = next(p for p in minutes.paragraphs if p.item.number == 4)
    minutes_ops.save_paragraph(
        paragraph,
        user=secretary,
        based_on=minutes.current_revision,
        raw={"outcome": "decided", "recipients": [f"CuraNova Omsorg AB <{EXTERNAL}>", "Kommunstyrelsen"]},
    )
    adjuster = seat_of_user(meeting.committee_id, person("ledamot"))
    minutes_ops.save_header(
        minutes, user=secretary, based_on=minutes.current_revision, raw={"adjusters": [adjuster.id]}
    )
    db.session.commit()
    document = adj.ReviewedDocument(revision=minutes.current_revision, pdf=b"%PDF-1.7 approved")
    approve_as_chair_and_justerare(minutes, document)
    stored = get_storage().save(b"%PDF-1.7 sealed extract")
    extract = MinutesDocument(
        minutes_id=minutes.id,
        revision=minutes.current_revision,
        kind=DocumentKind.extract,
        paragraph_number=paragraph.number,
        is_adjusted=True,
        input_hash=hashlib.sha256(b"extract").hexdigest(),
        title="Protokollsutdrag",
        docx_key=stored.key,
        docx_sha256=stored.sha256,
        docx_size=stored.size,
        docx_name="utdrag.docx",
        pdf_key=stored.key,
        pdf_sha256=stored.sha256,
        pdf_size=stored.size,
        pdf_name="utdrag.pdf",
    )
    db.session.add(extract)
    db.session.commit()
    return minutes.meeting_id, paragraph.number, paragraph.item.case_id


def test_expediering_once_with_its_statuses_diarium_and_decided_report(api_as, demo):
    meeting_id, number, case_id = _justerat_with_extract()
    path = f"/api/v1/meetings/{meeting_id}/minutes/expediering"
    client, member = api_as("ledamot")
    assert client.get(path, headers=member).status_code == 403
    assert client.post(path, headers=member).status_code == 403
    client, outsider = api_as("ks-handlaggare")
    assert client.get(path, headers=outsider).status_code == 404
    assert client.post(path, headers=outsider).status_code == 404
    assert client.get("/api/v1/meetings/999999/minutes/expediering", headers=outsider).status_code == 404
    assert _count(MinutesDispatch) == 0

    client, secretary = api_as("sekreterare")
    before = {model: _count(model) for model in (OutboxMessage, RegisteredDocument)}
    answer = client.post(path, headers=secretary)
    assert answer.status_code == 200, answer.get_json()
    (paragraph,) = [p for p in answer.get_json()["paragraphs"] if p["number"] == number]
    email, manual = paragraph["recipients"]
    assert (email["status"], email["attempts"][0]["channel"]) == ("pending", "email")
    assert (manual["status"], manual["attempts"][0]["error"]) == ("failed", expediering.NO_ADDRESS)
    assert _count(OutboxMessage) == before[OutboxMessage] + 1
    assert _count(RegisteredDocument) == before[RegisteredDocument] + 1
    registered = db.session.scalars(
        select(RegisteredDocument).where(RegisteredDocument.case_id == case_id).order_by(RegisteredDocument.id.desc())
    ).first()
    assert registered.counterparty == f"CuraNova Omsorg AB <{EXTERNAL}>" and registered.direction.value == "outgoing"
    assert report_ops.report_for(registered.case).state is ReportState.decided
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "minutes.expedited")) == 1

    # Again: nothing sent twice; a recipient without an address cannot be sent from here; an unknown one is 404.
    again = client.post(path, headers=secretary)
    assert again.status_code == 409 and again.get_json()["error"]["message"] == expediering.NOTHING_TO_SEND
    manual_id = manual["attempts"][0]["id"]
    refused = client.post(f"{path}/{manual_id}/resend", headers=secretary)
    assert refused.status_code == 409 and expediering.NO_ADDRESS in refused.get_json()["error"]["message"]
    pending = client.post(f"{path}/{email['attempts'][0]['id']}/resend", headers=secretary)
    assert pending.status_code == 409  # not failed
    assert client.post(f"{path}/999999/resend", headers=secretary).status_code == 404
    assert client.post(f"{path}/{manual_id}/resend", headers=member).status_code == 403
    assert _count(MinutesDispatch) == 2 and _count(OutboxMessage) == before[OutboxMessage] + 1
