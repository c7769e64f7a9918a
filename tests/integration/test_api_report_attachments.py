"""The bilagor of a case report through the API: upload, download, bad files, links, replace, move, remove."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry
from app.registry.models import Case, RegisteredDocument
from tests.api_helpers import (
    CASE_NUMBER,
    FORBIDDEN,
    NOT_FOUND,
    SPEC_URL,
    conforms,
    scalar,
    snapshot,
    stored_report,
    transition,
    url,
)
from tests.factories import fresh_session
from tests.sample_files import ELF, PE, make_pdf, make_png, make_zip_bomb
from workflows.models import ReportAttachment, ReportState, StoredFileRecord

S = ReportState


def files_stored(app) -> list[Path]:
    root = Path(app.config["STORAGE_PATH"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored_state(app, case_id: int) -> tuple:
    """What a refused upload must leave unchanged: the report, bilagor, file records, files, audit rows."""
    return (
        snapshot(case_id),
        scalar(select(func.count()).select_from(ReportAttachment)),
        scalar(select(func.count()).select_from(StoredFileRecord)),
        files_stored(app),
    )


def upload(client, headers, case_id: int, data: bytes, filename: str, **form):
    return client.post(
        url(case_id, "/attachments"),
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (BytesIO(data), filename), **form},
    )


def test_upload_a_pdf_and_download_it_back(api_as, report_in, client):
    case_id = report_in(S.draft)
    officer, headers = api_as("controller")
    pdf = make_pdf("Verksamhetsberättelse")
    created = upload(
        officer, headers, case_id, pdf, "Verksamhetsberättelse 2016.pdf", title="Verksamhetsberättelse 2016"
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    attachment = body["attachment"]
    assert created.headers["Location"] == (f"http://localhost{url(case_id)}/attachments/{attachment['id']}")
    assert (attachment["position"], attachment["label"], attachment["content_type"], attachment["size"]) == (
        1,
        "Bilaga 1 Verksamhetsberättelse 2016",
        "application/pdf",
        len(pdf),
    )
    assert attachment["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert attachment["filename"] == "Verksamhetsberättelse 2016.pdf" and attachment["is_confidential"] is False
    assert body["report"]["attachments"] == [attachment]
    spec = client.get(SPEC_URL).get_json()
    conforms(spec, "Attachment", attachment)
    conforms(spec, "Report", body["report"])

    download = officer.get(attachment["download_url"].removeprefix("http://localhost"), headers=headers)
    assert download.status_code == 200
    assert download.data == pdf
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("inline;")  # a PDF: the browser shows it
    assert "filename*=UTF-8''Verksamhetsber%C3%A4ttelse%202016.pdf" in download.headers["Content-Disposition"]
    with fresh_session() as session:
        row = session.get(ReportAttachment, attachment["id"])
        assert (row.report.case.number, row.file.sha256, row.added_by.name) == (
            CASE_NUMBER,
            attachment["sha256"],
            "Maria Holm",
        )


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("Verksamhetsberättelse.pdf", PE, "är ett program, inte en PDF"),
        ("Verksamhetsberättelse.pdf", ELF, "är ett program, inte en PDF"),
        ("Tom.pdf", b"", "är tom"),
        ("Diagram.pdf", make_png(), "innehållet är en PNG-bild"),
        ("rapport.pdf\x00.exe", make_pdf(), "NUL"),
        ("program.exe", PE, ""),
        ("Yttrande.docx", make_zip_bomb(), "misstänkt zip-bomb"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(app, api_as, report_in, filename, data, message):
    case_id = report_in(S.draft)
    before = stored_state(app, case_id)
    officer, headers = api_as("controller")
    refused = upload(officer, headers, case_id, data, filename)
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert message in error["message"] and "file" in error["fields"]
    assert stored_state(app, case_id) == before


def test_a_file_over_the_limit_is_refused(app, api_as, report_in):
    case_id = report_in(S.draft)
    before = stored_state(app, case_id)
    officer, headers = api_as("controller")
    app.config["MAX_ATTACHMENT_BYTES"] = 1024 * 1024
    over = upload(officer, headers, case_id, make_pdf() + b"%" * (1024 * 1024), "Stor.pdf")
    assert over.status_code == 422
    assert over.get_json()["error"]["fields"]["file"] == "Filen ”Stor.pdf” är för stor. En bilaga får vara högst 1 MB."
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    request_too_large = upload(officer, headers, case_id, make_pdf() + b"%" * (3 * 1024 * 1024), "Större.pdf")
    assert request_too_large.status_code == 413 and request_too_large.get_json()["error"]["status"] == 413
    assert stored_state(app, case_id) == before


def test_a_path_in_the_file_name_is_dropped(api_as, report_in):
    case_id = report_in(S.draft)
    officer, headers = api_as("controller")
    created = upload(officer, headers, case_id, make_pdf(), "../../../etc/Yttrande.pdf")
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["attachment"]["filename"] == "Yttrande.pdf"


def a_file(name: str = "a.txt") -> tuple:
    return BytesIO(b"Text"), name


@pytest.mark.parametrize(
    "form, status, field",
    [
        (lambda: {"title": "Utan fil"}, 400, "file"),
        (lambda: {"file": a_file(), "titel": "x"}, 400, "titel"),
        (lambda: {"file": a_file(), "is_confidential": "kanske"}, 400, "is_confidential"),
        (lambda: {"file": a_file(), "title": "a\x00b"}, 400, "title"),
        (lambda: {"file": [a_file(), a_file("b.txt")]}, 400, "file"),
    ],
    ids=["no file", "unknown field", "is_confidential text", "NUL in title", "two files"],
)
def test_bad_upload_forms_are_refused(app, api_as, report_in, form, status, field):
    case_id = report_in(S.draft)
    before = stored_state(app, case_id)
    officer, headers = api_as("controller")
    response = officer.post(
        url(case_id, "/attachments"), headers=headers, content_type="multipart/form-data", data=form()
    )
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert stored_state(app, case_id) == before


def test_the_upload_forms_name_each_bad_field_in_swedish(app, api_as, report_in):
    """The two multipart endpoints (upload, replace): the messages of each field, as the description says."""
    case_id = report_in(S.draft)
    officer, headers = api_as("controller")
    first = upload(officer, headers, case_id, make_pdf("Ett"), "Ett.pdf").get_json()["attachment"]
    before = stored_state(app, case_id)

    def fields(method, path: str, form: dict) -> dict:
        response = getattr(officer, method)(path, headers=headers, content_type="multipart/form-data", data=form)
        assert response.status_code == 400, response.get_json()
        return response.get_json()["error"]["fields"]

    uploads, replace = url(case_id, "/attachments"), url(case_id, f"/attachments/{first['id']}")
    assert fields("post", uploads, {"titel": "x", "is_confidential": "kanske", "title": "a\x01b"}) == {
        "titel": "Okänt fält ”titel”; tillåtna: file, title, is_confidential.",
        "is_confidential": "Sekretess måste vara true eller false.",
        "title": "Rubrik innehåller otillåtna tecken.",
        "file": "Välj en fil (fältet file).",
    }
    assert fields("post", uploads, {"file": "inte en fil"}) == {"file": "Välj en fil (fältet file)."}
    assert fields("post", uploads, {"file": a_file(), "title": ["a", "b"]}) == {
        "title": "title får bara anges en gång."
    }
    assert fields("put", replace, {"file": a_file(), "title": "Ny"}) == {"title": "Okänt fält ”title”; tillåtna: file."}
    assert fields("put", replace, {}) == {"file": "Välj en fil (fältet file)."}
    assert stored_state(app, case_id) == before
    marked = upload(officer, headers, case_id, make_pdf("Två"), "Två.pdf", title=" ", is_confidential=" TRUE ")
    assert marked.status_code == 201, marked.get_json()
    assert (marked.get_json()["attachment"]["is_confidential"], marked.get_json()["attachment"]["title"]) == (
        True,
        "Två",
    )


def test_an_upload_must_be_multipart(app, api_as, report_in):
    case_id = report_in(S.draft)
    before = stored_state(app, case_id)
    officer, headers = api_as("controller")
    response = officer.post(url(case_id, "/attachments"), headers=headers, json={"file": "JVBERi0="})
    assert response.status_code == 415
    assert stored_state(app, case_id) == before


def test_who_may_change_bilagor(app, api_as, report_in):
    case_id = report_in(S.in_review)
    before = stored_state(app, case_id)
    reviewer, reviewer_h = api_as("enhetschef")
    assert upload(reviewer, reviewer_h, case_id, make_pdf(), "a.pdf").status_code == 403
    officer, officer_h = api_as("controller")
    in_review = upload(officer, officer_h, case_id, make_pdf(), "a.pdf")
    assert in_review.status_code == 409
    assert in_review.get_json()["error"]["message"].startswith("Utlåtandets status är ”Under granskning”")
    member, member_h = api_as("ledamot")
    assert upload(member, member_h, case_id, make_pdf(), "a.pdf").get_json() == FORBIDDEN
    assert stored_state(app, case_id) == before


def test_a_new_bilaga_on_a_signed_report_takes_it_back_to_draft(api_as, report_in):
    case_id = report_in(S.signed)
    officer, headers = api_as("controller")
    created = upload(officer, headers, case_id, make_pdf(), "Tillägg.pdf")
    assert created.status_code == 201, created.get_json()
    report = created.get_json()["report"]
    assert (report["state"], report["signature"]) == ("draft", None)
    with fresh_session() as session:
        stored = stored_report(session, case_id)
        assert stored.state is S.draft and stored.signed_hash is None


def test_confidential_bilagor_are_downloaded_only_by_those_who_may_see_secrets(api_as, report_in):
    case_id = report_in(S.draft)
    officer, officer_h = api_as("controller")
    pdf = make_pdf("Utredning")
    created = upload(officer, officer_h, case_id, pdf, "Utredning om Elin.pdf", is_confidential="true")
    assert created.status_code == 201, created.get_json()
    attachment = created.get_json()["attachment"]
    assert attachment["is_confidential"] is True and attachment["download_url"]
    file_url = f"{url(case_id)}/attachments/{attachment['id']}/file"
    reviewer, reviewer_h = api_as("enhetschef")
    assert reviewer.get(file_url, headers=reviewer_h).data == pdf
    colleague, colleague_h = api_as("handlaggare")  # a case officer of the committee, not an editor
    listed = colleague.get(url(case_id), headers=colleague_h).get_json()["report"]["attachments"]
    assert [(a["id"], a["label"], a["title"], a["filename"], a["sha256"], a["download_url"]) for a in listed] == [
        (attachment["id"], "Bilaga 1", None, None, None, None)
    ]
    assert reviewer.get(url(case_id), headers=reviewer_h).get_json()["report"]["attachments"] == [attachment]
    refused = colleague.get(file_url, headers=colleague_h)
    assert refused.status_code == 403 and "sekretessmarkerad" in refused.get_json()["error"]["message"]


def test_link_a_registered_document_of_the_case(api_as, report_in):
    case_id = report_in(S.draft)
    document = scalar(select(RegisteredDocument.id).where(RegisteredDocument.case_id == case_id))
    other_case = scalar(select(Case.id).where(Case.number == "SN-2017/90.728"))
    foreign = scalar(select(RegisteredDocument.id).where(RegisteredDocument.case_id == other_case))
    officer, headers = api_as("controller")
    link = f"{url(case_id)}/attachments/link"
    for body, field in (
        ({"registered_document_id": foreign}, "registered_document_id"),
        ({"registered_document_id": 999_999}, "registered_document_id"),
        ({"registered_document_id": "1"}, "registered_document_id"),
        ({"document": document}, "document"),
    ):
        refused = officer.post(link, json=body, headers=headers)
        assert refused.status_code in (400, 422) and field in refused.get_json()["error"]["fields"], body
    created = officer.post(link, json={"registered_document_id": document, "title": "Underlag"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    attachment = created.get_json()["attachment"]
    assert (
        attachment["label"],
        attachment["registered_document_number"],
        attachment["download_url"],
        attachment["sha256"],
    ) == ("Bilaga 1 Underlag", 1, None, None)
    again = officer.post(link, json={"registered_document_id": document}, headers=headers)
    assert again.status_code == 422 and "redan bifogad" in again.get_json()["error"]["fields"]["registered_document_id"]
    no_file = officer.get(f"{url(case_id)}/attachments/{attachment['id']}/file", headers=headers)
    assert no_file.status_code == 404


def test_replace_move_mark_and_remove(api_as, report_in):
    case_id = report_in(S.draft)
    officer, headers = api_as("controller")
    first = upload(officer, headers, case_id, make_pdf("Ett"), "Ett.pdf").get_json()["attachment"]
    second = upload(officer, headers, case_id, make_png(), "Diagram.png").get_json()["attachment"]
    base = f"{url(case_id)}/attachments"

    new_pdf = make_pdf("Ett, version två")
    replaced = officer.put(
        f"{base}/{first['id']}",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (BytesIO(new_pdf), "Ett v2.pdf")},
    )
    assert replaced.status_code == 200, replaced.get_json()
    new = replaced.get_json()["attachment"]
    assert (new["position"], new["title"], new["sha256"]) == (1, "Ett", hashlib.sha256(new_pdf).hexdigest())
    assert officer.get(f"{base}/{first['id']}/file", headers=headers).data == make_pdf("Ett")  # the old one is kept
    stale = officer.put(
        f"{base}/{first['id']}",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (BytesIO(new_pdf), "Ett v3.pdf")},
    )
    assert stale.status_code == 409

    moved = officer.patch(f"{base}/{second['id']}", json={"position": 1, "is_confidential": True}, headers=headers)
    assert moved.status_code == 200, moved.get_json()
    assert [(a["id"], a["position"], a["is_confidential"]) for a in moved.get_json()["report"]["attachments"]] == [
        (second["id"], 1, True),
        (new["id"], 2, False),
    ]
    for body, status in (({"position": 3}, 422), ({"position": "1"}, 400), ({}, 422), ({"titel": "x"}, 400)):
        assert officer.patch(f"{base}/{second['id']}", json=body, headers=headers).status_code == status, body

    removed = officer.delete(f"{base}/{second['id']}", headers=headers)
    assert removed.status_code == 204
    report = officer.get(url(case_id), headers=headers).get_json()["report"]
    assert [(a["id"], a["label"]) for a in report["attachments"]] == [(new["id"], "Bilaga 1 Ett")]
    with fresh_session() as session:
        rows = session.scalars(
            select(ReportAttachment)
            .where(ReportAttachment.report_id == stored_report(session, case_id).id)
            .order_by(ReportAttachment.id)
        ).all()
        assert [(r.id, r.is_current) for r in rows] == [(first["id"], False), (second["id"], False), (new["id"], True)]
        assert rows[2].replaces_id == first["id"]
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.case_id == case_id, AuditEntry.action.like("report.attachment%"))
        ).all()
        assert {
            "report.attachment_added",
            "report.attachment_replaced",
            "report.attachment_moved",
            "report.attachment_confidential",
            "report.attachment_removed",
        } <= set(actions)

    other = scalar(select(Case.id).where(Case.number == "SN-2016/3342.181"))  # a demo report of the same officer
    assert officer.get(f"{url(other)}/attachments/{new['id']}", headers=headers).get_json() == NOT_FOUND
    assert officer.get(f"{base}/{new['id']}", headers=headers).status_code == 200


def test_a_refused_change_of_a_signed_report_keeps_the_signature(api_as, report_in):
    case_id = report_in(S.draft)
    officer, headers = api_as("controller")
    attachment = upload(officer, headers, case_id, make_pdf(), "Ett.pdf").get_json()["attachment"]
    for name, key in (("submit", "controller"), ("approve", "enhetschef"), ("sign", "direktor")):
        client, client_h = api_as(key)
        assert transition(client, client_h, case_id, name).status_code == 200
    before = snapshot(case_id)
    refused = officer.patch(f"{url(case_id)}/attachments/{attachment['id']}", json={"position": 2}, headers=headers)
    assert refused.status_code == 422
    assert snapshot(case_id) == before
