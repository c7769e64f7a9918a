"""Skapa protokoll from the pages and the API: the job renders the protokoll's current revision in this process
(its Celery ``apply``, on the session's warm LibreOffice), records the documents, refuses a public version holding
a personnummer by naming where, and the documents are read by the committee's members and, once justerat and
sealed, its public version by anyone; test_protocol_documents_worker.py runs a real worker. SQLite only: the
database work is the minutes', tested on both backends there."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from agenda.minutes import adjustment
from agenda.minutes.documents import DocumentKind, MinutesDocument, revision_documents
from app.audit import AuditEntry
from app.clock import utcnow
from app.extensions import db
from app.storage import get_storage
from tasks.models import Job, JobState
from tasks.protocol_documents import render_protocol_documents
from tasks.protocol_jobs import PROTOCOL_DOCUMENTS
from tests.factories import body_of, csrf_token, person
from tests.rendering.pdf_checks import reader, text
from tests.rendering.protocol_minutes import (
    IDENTITY_NUMBER,
    SECRET_TITLES,
    demo_minutes,
    write_in_decision,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

SEKRETERARE = {"Authorization": "Bearer nf_demo_sekreterare_5Qm2Lr8Tz1"}
LEDAMOT = {"Authorization": "Bearer nf_demo_ledamot_4Xc9Dp7Ht3"}
HANDLAGGARE = {"Authorization": "Bearer nf_demo_handlaggare_3Kd8Vb6Qs4"}
KS_HANDLAGGARE = {"Authorization": "Bearer nf_demo_kshandlaggare_5Lq2Ze7Rd4"}


def run_job(job_id: int) -> Job:
    db.session.commit()
    render_protocol_documents.apply(args=[job_id])
    db.session.expire_all()
    return db.session.get(Job, job_id)


def latest_job() -> Job:
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.kind == PROTOCOL_DOCUMENTS).order_by(Job.id.desc()))


def test_a_personnummer_in_a_public_text_refuses_the_public_version_by_naming_where(app, demo, converter, client):
    minutes = demo_minutes(unadjusted=True)
    write_in_decision(minutes, 4, f"Beslutet delges sökanden {IDENTITY_NUMBER}.")
    meeting_id, paragraph = minutes.meeting_id, next(p.number for p in minutes.paragraphs if p.item.number == 4)
    started = client.post(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=SEKRETERARE)
    assert started.status_code == 202, started.get_json()
    job = run_job(latest_job().id)
    assert job.state is JobState.failed
    assert job.error.startswith("Den offentliga versionen av protokollet skapades inte: ")
    assert f"§ {paragraph}, Beslut: innehåller ett personnummer (19121212-****)." in job.error
    assert IDENTITY_NUMBER not in job.error
    db.session.refresh(minutes)
    kinds = [d.kind for d in revision_documents(minutes)]
    assert DocumentKind.public not in kinds and kinds.count(DocumentKind.full) == 1
    assert kinds.count(DocumentKind.extract) == len(minutes.paragraphs)  # the justering can go on
    listed = client.get(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=LEDAMOT).get_json()
    assert listed["job"] is None or listed["job"]["error"]  # (the member did not start it: the latest job is shown)
    assert [d["kind"] for d in listed["documents"]][:2] == ["full", "extract"]


def test_the_secretary_renders_members_read_and_the_public_reads_only_the_justerat_public_version(
    app, demo, converter, client, login_as
):
    minutes = demo_minutes(unadjusted=True)
    meeting_id = minutes.meeting_id
    # another committee's officer does not know the meeting; this one's sees it but not its protokoll; a member
    # reads it but may not render it
    url = f"/api/v1/meetings/{meeting_id}/minutes/documents"
    assert client.get(url, headers=KS_HANDLAGGARE).status_code == 404
    assert client.get(url, headers=HANDLAGGARE).status_code == 403
    assert client.post(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=LEDAMOT).status_code == 403
    assert client.get(f"/offentligt/sammantraden/{meeting_id}/protokoll.pdf").status_code == 404

    secretary = login_as("sekreterare")
    assert f"/sammantraden/{meeting_id}/protokoll/dokument" in body_of(secretary.get(f"/sammantraden/{meeting_id}"))
    page = body_of(secretary.get(f"/sammantraden/{meeting_id}/protokoll/dokument"))
    assert "Skapa protokoll" in page and "har inte skapats som dokument ännu" in page
    token = csrf_token(secretary, f"/sammantraden/{meeting_id}/protokoll/dokument")
    response = secretary.post(f"/sammantraden/{meeting_id}/protokoll/dokument", data={"csrf_token": token})
    assert response.status_code == 303
    job = latest_job()
    status = body_of(secretary.get(response.headers["Location"]))
    assert "I kö" in status and f'data-status-url="/api/v1/jobs/{job.id}"' in status
    job = run_job(job.id)
    assert job.state is JobState.done, job.error
    assert job.progress_done == job.progress_total == len(minutes.paragraphs) + 2

    listed = client.get(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=LEDAMOT).get_json()
    full, public, *extracts = listed["documents"]
    assert (full["kind"], public["kind"], full["is_adjusted"], full["seal"]) == ("full", "public", False, None)
    assert len(extracts) == len(minutes.paragraphs)
    member_pdf = client.get(full["pdf_url"], headers=LEDAMOT)
    assert member_pdf.status_code == 200 and member_pdf.headers["Content-Disposition"].startswith("inline")
    assert all(title.split()[0] in text(reader(member_pdf.data)) for title in SECRET_TITLES)
    docx_file = client.get(extracts[0]["docx_url"], headers=LEDAMOT)
    assert docx_file.status_code == 200 and docx_file.headers["Content-Disposition"].startswith("attachment")
    assert client.get(full["pdf_url"], headers=KS_HANDLAGGARE).status_code == 404
    assert client.get(full["pdf_url"], headers=HANDLAGGARE).status_code == 403
    assert client.get(full["pdf_url"], headers={"Range": "bytes=0-3", **LEDAMOT}).data == b"%PDF"
    # a draft: nothing for the public
    assert client.get(f"/offentligt/sammantraden/{meeting_id}/protokoll.pdf").status_code == 404

    # the same revision again: nothing made, no new rows
    rows = db.session.scalar(select(func.count()).select_from(MinutesDocument))
    again = client.post(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=SEKRETERARE).get_json()
    job = run_job(again["job"]["id"])
    assert job.state is JobState.done and (job.params["made"], job.params["reused"]) == (0, rows)
    assert db.session.scalar(select(func.count()).select_from(MinutesDocument)) == rows
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "minutes.rendered")) == 1

    # justerat (the model's own state, which justering sets): rendered again, sealed, the public version public
    minutes.adjusted_dt = utcnow()
    db.session.commit()
    job = run_job(
        client.post(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=SEKRETERARE).get_json()["job"]["id"]
    )
    assert job.state is JobState.done, job.error
    listed = client.get(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=LEDAMOT).get_json()
    full, public = listed["documents"][:2]
    assert full["is_adjusted"] and full["seal"] == {"is_valid": True, "signer": full["seal"]["signer"], "problem": ""}
    answered = client.get(f"/offentligt/sammantraden/{meeting_id}/protokoll.pdf")
    assert answered.status_code == 200 and answered.headers["Cache-Control"] == "public, max-age=300"
    assert answered.headers["ETag"].strip('"') == public["pdf_sha256"]
    public_text = " ".join(text(reader(answered.data)).split())
    assert "Sekretess" in public_text and not [t for t in SECRET_TITLES if t in public_text]
    page = body_of(login_as("ledamot").get(f"/sammantraden/{meeting_id}/protokoll/dokument"))
    assert "Giltigt sigill" in page and "Skapa protokoll" not in page
    # a sealed file changed in storage: its seal no longer checks out, and it is not sent
    extract = listed["documents"][2]
    document = db.session.get(MinutesDocument, extract["id"])
    get_storage().local_path(document.pdf_key).write_bytes(b"%PDF-1.7 changed")
    listed = client.get(url, headers=LEDAMOT).get_json()
    assert listed["documents"][2]["seal"]["problem"] == "PDF-filen saknas eller har ändrats sedan den sparades."
    assert client.get(extract["pdf_url"], headers=LEDAMOT).status_code == 500

    # a rättelse opened: its revisions are drafts, neither sealed nor public, until approved again
    adjustment.start_correction(minutes, user=person("sekreterare"), description="§ 4: fel mottagare.")
    db.session.commit()
    write_in_decision(minutes, 4, "Beslutet delges även revisorerna.")
    job = run_job(client.post(url, headers=SEKRETERARE).get_json()["job"]["id"])
    assert job.state is JobState.done and job.params["is_adjusted"] is False, job.error
    corrected = client.get(url, headers=LEDAMOT).get_json()["documents"][0]
    assert (corrected["is_adjusted"], corrected["seal"]) == (False, None)
    again = client.get(f"/offentligt/sammantraden/{meeting_id}/protokoll.pdf")
    assert again.headers["ETag"] == answered.headers["ETag"]  # still the justerat public version


def test_a_confidential_cases_title_or_number_in_an_open_paragraph_refuses_the_public_version(app, demo):
    """As the kallelse's publication check: the public version is refused when an open paragraph names a
    sekretessärende by its real title or its diarienummer (its public title is what the public reads); a
    confidential bilaga of an open case is listed in the members' Beslutsunderlag only."""
    from app.demo import data
    from tasks.protocol_data import protocol_data
    from tasks.protocol_documents import public_problems
    from tasks.rendering.protocol_docx import public_protocol

    minutes = demo_minutes(unadjusted=True)
    assert public_problems(minutes, protocol_data(minutes)) == []  # the demo's protokoll as justerat
    number, title, public_title, _day = data.CONFIDENTIAL_CASES[0]
    bilaga = data.CONFIDENTIAL_ATTACHMENT[1]
    at = {p.item.number: p.number for p in minutes.paragraphs}
    members = next(p for p in protocol_data(minutes)["paragraphs"] if p["item_number"] == 4)
    public = next(p for p in public_protocol(protocol_data(minutes))["paragraphs"] if p["item_number"] == 4)
    assert any(bilaga in line for line in members["decision_basis"])
    assert not any(bilaga in line for line in public["decision_basis"]) and public["decision_basis"]

    write_in_decision(minutes, 5, f"Ärendet hänger samman med {number}.")
    write_in_decision(minutes, 6, f"Jämför {title.lower()}.")
    write_in_decision(minutes, 7, f"Jämför {public_title}.")  # the public title may be named
    problems = public_problems(minutes, protocol_data(minutes))
    assert f"§ {at[5]}, Beslut: innehåller diarienumret för ett sekretessärende." in problems
    assert f"§ {at[6]}, Beslut: innehåller rubriken på ett sekretessärende." in problems
    assert not [p for p in problems if p.startswith(f"§ {at[7]},")]
    assert not [p for p in problems if number in p or title in p]
