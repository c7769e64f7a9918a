"""Expediering end to end: the chair and the justerare approve the demo meeting's protokoll, the render of the
justerat revision starts by itself, and the secretary's Expediera (the API) sends each paragraph's sealed extract:
by e-mail to an address (read back from a real SMTP server, the PDF attached and its seal verified), in the product
to a user who reads the protokoll, never by e-mail for a sekretessärende, and lists a recipient without an address
as failed; each sending is an outgoing handling in the case's diarium, the report becomes decided, a refused e-mail
is sent again, and nothing goes twice. SQLite only, as the other render tests (LibreOffice is the slow part)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from agenda.minutes import adjustment as adj
from agenda.minutes import dispatch as expediering
from agenda.minutes import operations as minutes_ops
from agenda.minutes.models import Minutes
from agenda.minutes.seats import seat_of_user
from app.clock import local_today
from app.extensions import db
from app.notifications import MessageState, OutboxMessage
from app.registry.models import Case, Direction, RegisteredDocument
from tasks.models import Job, JobState
from tasks.notifications import send_message
from tasks.protocol_documents import render_protocol_documents
from tasks.protocol_jobs import PROTOCOL_DOCUMENTS, seal_credentials
from tasks.rendering.seal import verify_seal
from tests.factories import approve_as_chair_and_justerare, body_of, csrf_token, person
from tests.mail_server import running_smtp_server
from tests.rendering.protocol_minutes import demo_minutes
from workflows import operations as report_ops
from workflows.models import ReportState

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

SEKRETERARE = {"Authorization": "Bearer nf_demo_sekreterare_5Qm2Lr8Tz1"}
LEDAMOT = {"Authorization": "Bearer nf_demo_ledamot_4Xc9Dp7Ht3"}
KS_HANDLAGGARE = {"Authorization": "Bearer nf_demo_kshandlaggare_5Lq2Ze7Rd4"}
EXTERNAL = "info@curanova.example"
BOUNCING = "diarium@kommunstyrelsen.example"
SECRET_ADDRESS = "familjeratt@huddinge.example"


@pytest.fixture
def mail(app):
    with running_smtp_server() as inbox:
        app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=inbox.port,
            MAIL_USE_TLS=False,
            MAIL_USERNAME=None,
            MAIL_FROM="Nämndflöde <noreply@huddinge.example>",
        )
        yield inbox


def send_queued() -> None:
    """What the worker does with each queued message, in this process."""
    db.session.commit()
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == MessageState.queued)).all()
    db.session.commit()
    for message_id in ids:
        send_message.apply(args=[message_id])
    db.session.remove()


def _save(minutes, item_number: int, recipients: list[str]) -> int:
    paragraph = next(p for p in minutes.paragraphs if p.item.number == item_number)
    minutes_ops.save_paragraph(
        paragraph,
        user=person("sekreterare"),
        based_on=minutes.current_revision,
        raw={"outcome": "decided", "recipients": recipients},
    )
    return paragraph.number


def test_after_justering_the_sealed_extracts_go_to_each_recipient_and_are_registered(
    app, demo, converter, client, mail
):
    minutes = demo_minutes(unadjusted=True)
    meeting_id = minutes.meeting_id
    chair, officer = person("ordforande"), person("handlaggare")
    public = _save(
        minutes,
        4,
        [
            f"CuraNova Omsorg AB <{EXTERNAL}>",
            "Kommunstyrelsen",  # no address: listed as failed, to be sent by hand
            chair.name,  # a member: a message in the product
            f"Kommunstyrelsens diarium {BOUNCING}",  # refused by the server, then sent again
            officer.email,  # a user who does not read the protokoll: by e-mail, to their address
        ],
    )
    secret = _save(minutes, 18, [f"Familjerätten <{SECRET_ADDRESS}>", chair.email])
    adjuster = seat_of_user(minutes.committee_id, person("ledamot"))
    minutes_ops.save_header(
        minutes, user=person("sekreterare"), based_on=minutes.current_revision, raw={"adjusters": [adjuster.id]}
    )
    db.session.commit()
    item4 = next(p for p in minutes.paragraphs if p.number == public).item
    report = report_ops.report_for(item4.case)
    assert report.state is ReportState.on_agenda
    case_id, minutes_id, paragraphs = item4.case_id, minutes.id, len(minutes.paragraphs)
    chair_id, chair_name, chair_email = chair.id, chair.name, chair.email
    officer_email = officer.email

    # Nothing to send before justering; a member and another committee's officer are refused.
    path = f"/api/v1/meetings/{meeting_id}/minutes/expediering"
    answer = client.post(path, headers=SEKRETERARE)
    assert answer.status_code == 409 and answer.get_json()["error"]["message"] == expediering.NOT_ADJUSTED
    assert client.get(path, headers=LEDAMOT).status_code == 403
    assert client.post(path, headers=LEDAMOT).status_code == 403
    assert client.get(path, headers=KS_HANDLAGGARE).status_code == 404
    assert client.post(path, headers=KS_HANDLAGGARE).status_code == 404

    # The chair and the justerare approve: the justering's completion starts the render of the justerat revision.
    document = adj.ReviewedDocument(revision=minutes.current_revision, pdf=b"%PDF-1.7 the protokoll approved")
    approve_as_chair_and_justerare(minutes, document)
    job = db.session.scalar(select(Job).where(Job.kind == PROTOCOL_DOCUMENTS).order_by(Job.id.desc()))
    assert job is not None and job.params["is_adjusted"] and job.params["adjustment_id"]
    job_id = job.id
    answer = client.post(path, headers=SEKRETERARE)  # the extracts are not made yet
    assert answer.status_code == 409 and answer.get_json()["error"]["message"] == expediering.NOT_READY
    db.session.commit()
    db.session.remove()
    render_protocol_documents.apply(args=[job_id])
    done = db.session.get(Job, job_id)
    assert done.state is JobState.done, done.error
    minutes = db.session.get(Minutes, minutes_id)

    state = client.get(path, headers=SEKRETERARE).get_json()
    by_number = {p["number"]: p for p in state["paragraphs"]}
    assert state["waiting"] == sum(len(p["recipients"]) for p in state["paragraphs"]) >= 6
    assert len(state["paragraphs"]) == paragraphs
    assert by_number[public]["extract"] is not None and by_number[secret]["is_confidential"]
    assert [r["status"] for r in by_number[public]["recipients"]] == ["waiting"] * 5

    mail.refuse.add(BOUNCING)
    messages_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    answer = client.post(path, headers=SEKRETERARE)
    assert answer.status_code == 200, answer.get_json()
    send_queued()
    state = client.get(path, headers=SEKRETERARE).get_json()
    recipients = {r["recipient"]: r for r in {p["number"]: p for p in state["paragraphs"]}[public]["recipients"]}
    external, no_address, member, bouncing = (
        recipients[f"CuraNova Omsorg AB <{EXTERNAL}>"],
        recipients["Kommunstyrelsen"],
        recipients[chair_name],
        recipients[f"Kommunstyrelsens diarium {BOUNCING}"],
    )
    assert (external["status"], external["attempts"][0]["channel"], external["attempts"][0]["to_address"]) == (
        "sent",
        "email",
        EXTERNAL,
    )
    assert external["attempts"][0]["sent_at"] and external["attempts"][0]["diarium_document"]
    assert (no_address["status"], no_address["attempts"][0]["channel"]) == ("failed", "manual")
    assert no_address["attempts"][0]["error"] == expediering.NO_ADDRESS
    assert (member["status"], member["attempts"][0]["channel"], member["attempts"][0]["user_id"]) == (
        "sent",
        "in_app",
        chair_id,
    )
    assert bouncing["status"] == "failed" and bouncing["attempts"][0]["may_resend"]
    assert "550" in bouncing["attempts"][0]["error"]
    confidential = {r["recipient"]: r for r in {p["number"]: p for p in state["paragraphs"]}[secret]["recipients"]}
    refused = confidential[f"Familjerätten <{SECRET_ADDRESS}>"]["attempts"][0]
    assert (refused["channel"], refused["error"], refused["may_resend"]) == ("manual", expediering.CONFIDENTIAL, False)
    assert confidential[chair_email]["attempts"][0]["channel"] == "in_app"

    # The e-mail read back: the extract attached, its seal verifies, the very PDF recorded.
    (sent,) = mail.to(EXTERNAL)
    assert sent["Subject"].startswith(f"Protokollsutdrag Socialnämnden 2017-02-23 § {public}")
    (attached,) = [part for part in sent.walk() if part.get_content_type() == "application/pdf"]
    pdf = attached.get_content()
    extract = by_number[public]["extract"]
    assert hashlib.sha256(pdf).hexdigest() == extract["pdf_sha256"]
    check = verify_seal(pdf, seal_credentials(db.session.get(Minutes, minutes_id)).certificate_pem)
    assert check.is_valid, check.problem
    assert not mail.to(SECRET_ADDRESS) and not mail.to(chair_email)  # nothing confidential by e-mail
    assert len(mail.to(officer_email)) == 1
    in_app = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == chair_id)).all()
    assert {m.state for m in in_app if m.subject.startswith("Protokollsutdrag")} == {MessageState.in_app}

    # The diarium: an outgoing handling per recipient reached, dated today; none for the one without an address.
    documents = db.session.scalars(
        select(RegisteredDocument).where(RegisteredDocument.case_id == case_id).order_by(RegisteredDocument.id)
    ).all()
    outgoing = [d for d in documents if d.description.startswith("Protokollsutdrag")]
    assert {d.counterparty for d in outgoing} == {
        f"CuraNova Omsorg AB <{EXTERNAL}>",
        chair_name,
        f"Kommunstyrelsens diarium {BOUNCING}",
        officer_email,
    }
    assert {(d.direction, d.document_date) for d in outgoing} == {(Direction.outgoing, local_today())}
    db.session.expire_all()
    assert report_ops.report_for(db.session.get(Case, case_id)).state is ReportState.decided

    # A repeated request sends nothing twice.
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert messages - messages_before == 5  # two e-mails that went, the refused one, two in the product
    answer = client.post(path, headers=SEKRETERARE)
    assert answer.status_code == 409 and answer.get_json()["error"]["message"] == expediering.NOTHING_TO_SEND
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == messages

    # Resending: a sent one is refused, a manual one cannot be sent from here, an unknown one is 404; the refused
    # e-mail goes again once the mailbox exists, on the same diarium handling.
    resend = f"{path}/{{}}/resend"
    assert client.post(resend.format(external["attempts"][0]["id"]), headers=SEKRETERARE).status_code == 409
    manual = client.post(resend.format(no_address["attempts"][0]["id"]), headers=SEKRETERARE)
    assert manual.status_code == 409 and expediering.NO_ADDRESS in manual.get_json()["error"]["message"]
    assert client.post(resend.format(999999), headers=SEKRETERARE).status_code == 404
    assert client.post(resend.format(bouncing["attempts"][0]["id"]), headers=LEDAMOT).status_code == 403
    mail.refuse.clear()
    answer = client.post(resend.format(bouncing["attempts"][0]["id"]), headers=SEKRETERARE)
    assert answer.status_code == 200, answer.get_json()
    send_queued()
    assert len(mail.to(BOUNCING)) == 1
    state = client.get(path, headers=SEKRETERARE).get_json()
    again = {r["recipient"]: r for r in {p["number"]: p for p in state["paragraphs"]}[public]["recipients"]}[
        f"Kommunstyrelsens diarium {BOUNCING}"
    ]
    assert [a["status"] for a in again["attempts"]] == ["failed", "sent"] and again["status"] == "sent"
    assert again["attempts"][0]["diarium_document"] == again["attempts"][1]["diarium_document"]
    assert client.post(resend.format(again["attempts"][0]["id"]), headers=SEKRETERARE).status_code == 409


def test_a_paragraph_justerad_at_once_is_expedierad_with_its_own_sealed_extract(
    app, demo, converter, client, mail, login_as
):
    minutes = demo_minutes(unadjusted=True)
    secretary = person("sekreterare")
    paragraph = next(p for p in minutes.paragraphs if p.item.number == 4)
    minutes_ops.save_paragraph(
        paragraph,
        user=secretary,
        based_on=minutes.current_revision,
        raw={"outcome": "decided", "immediately_adjusted": True, "recipients": [f"CuraNova <{EXTERNAL}>"]},
    )
    adjuster = seat_of_user(minutes.committee_id, person("ledamot"))
    minutes_ops.save_header(
        minutes, user=secretary, based_on=minutes.current_revision, raw={"adjusters": [adjuster.id]}
    )
    db.session.commit()
    number, minutes_id, meeting_id = paragraph.number, minutes.id, minutes.meeting_id
    document = adj.ReviewedDocument(revision=minutes.current_revision, pdf=b"%PDF-1.7 the paragraph approved")
    approve_as_chair_and_justerare(minutes, document, "immediate")
    assert not minutes.is_adjusted
    job = db.session.scalar(select(Job).where(Job.kind == PROTOCOL_DOCUMENTS).order_by(Job.id.desc()))
    job_id = job.id
    db.session.commit()
    db.session.remove()
    # the secretary follows the render the justering started (nobody asked for it)
    secretary_client = login_as("sekreterare")
    documents_page = body_of(secretary_client.get(f"/sammantraden/{meeting_id}/protokoll/dokument"))
    assert f"/sammantraden/{meeting_id}/protokoll/dokument/jobb/{job_id}" in documents_page
    assert secretary_client.get(f"/sammantraden/{meeting_id}/protokoll/dokument/jobb/{job_id}").status_code == 200
    chair = login_as("ordforande")  # a member who did not complete the justering: not theirs
    assert chair.get(f"/sammantraden/{meeting_id}/protokoll/dokument/jobb/{job_id}").status_code == 404
    render_protocol_documents.apply(args=[job_id])
    assert db.session.get(Job, job_id).state is JobState.done

    # Only that paragraph is expedierad, on the secretary's page; its extract is sealed, the rest stays a draft.
    page = f"/sammantraden/{meeting_id}/protokoll/expediering"
    assert login_as("ledamot").get(page).status_code == 403
    assert page in body_of(secretary_client.get(f"/sammantraden/{meeting_id}/protokoll/dokument"))
    shown = body_of(secretary_client.get(page))
    assert "Expediera</button>" in shown and "1 mottagare väntar" in shown and f"CuraNova &lt;{EXTERNAL}&gt;" in shown
    answer = secretary_client.post(page, data={"csrf_token": csrf_token(secretary_client, page)})
    assert answer.status_code == 303
    shown = body_of(secretary_client.get(page))
    assert "Besluten är expedierade: 1 utskick." in shown and "Expediera</button>" not in shown
    assert "E-post" in shown and "Handling " in shown
    path = f"/api/v1/meetings/{meeting_id}/minutes/expediering"
    (only,) = client.get(path, headers=SEKRETERARE).get_json()["paragraphs"]
    assert only["number"] == number and only["recipients"][0]["attempts"][0]["channel"] == "email"
    listed = client.get(f"/api/v1/meetings/{meeting_id}/minutes/documents", headers=SEKRETERARE).get_json()
    sealed = {d["paragraph_number"] for d in listed["documents"] if d["is_adjusted"]}
    assert sealed == {number}
    send_queued()
    (sent,) = mail.to(EXTERNAL)
    (attached,) = [part for part in sent.walk() if part.get_content_type() == "application/pdf"]
    check = verify_seal(attached.get_content(), seal_credentials(db.session.get(Minutes, minutes_id)).certificate_pem)
    assert check.is_valid, check.problem
    assert client.post(path, headers=SEKRETERARE).status_code == 409  # nothing twice
