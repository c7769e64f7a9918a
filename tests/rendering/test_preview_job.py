"""Förhandsgranska: from the report page and the API to the job, its two files, retries and stored renders.

The task runs in this process here (its Celery ``apply``), on the session's warm LibreOffice;
test_preview_worker.py runs it in a real worker process.
"""

from __future__ import annotations

import io
import re

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.registry.models import Case
from tasks.models import Job, JobState
from tasks.rendering import pdf
from tasks.rendering.tasks import REPORT_PREVIEW, render_report_preview
from tests.factories import csrf_token

NUMBER = "SN-2017/104.183"  # Johan Ek's (handlaggare) signed report on CuraNova's application
TITLE = "Ansökan om att utföra hemtjänst - CuraNova Omsorg AB"


def case_id(number: str = NUMBER) -> int:
    return db.session.scalar(select(Case.id).where(Case.number == number))


def run_job(job_id: int) -> Job:
    """Run the preview task here, as a worker would, and return the job as it ended."""
    db.session.commit()
    render_report_preview.apply(args=[job_id])
    db.session.expire_all()
    return db.session.get(Job, job_id)


def start_from_page(client, cid: int):
    page = client.get(f"/arenden/{cid}/utlatande")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Förhandsgranska" in html
    token = csrf_token(client, f"/arenden/{cid}/utlatande")
    return client.post(f"/arenden/{cid}/utlatande/forhandsgranska", data={"csrf_token": token})


def latest_job() -> Job:
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.kind == REPORT_PREVIEW).order_by(Job.id.desc()))


@pytest.fixture
def without_libreoffice(monkeypatch):
    """A worker process on a machine without LibreOffice: a converter of its own that cannot start."""
    monkeypatch.setenv("SOFFICE", "/nonexistent/soffice")
    monkeypatch.setattr(pdf, "_converter", pdf.WarmConverter())


def test_preview_from_the_report_page_gives_word_and_pdf(login_as, converter):
    client = login_as("handlaggare")
    cid = case_id()
    response = start_from_page(client, cid)
    assert response.status_code == 303
    job = latest_job()
    assert response.headers["Location"].endswith(f"/arenden/{cid}/utlatande/forhandsgranska/{job.id}")
    assert job.state is JobState.queued and job.progress_total == 2
    assert job.params["public"] is False  # the case officer may read the report's confidential bilagor

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "I kö" in page and 'data-status-url="/api/v1/jobs/' in page

    job = run_job(job.id)
    assert job.state is JobState.done, job.error
    assert job.percent == 100 and job.result_name == "tjansteutlatande-SN-2017-104.183.pdf"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    links = re.findall(r'href="([^"]+/forhandsgranska/\d+/(?:docx|pdf))"', page)
    assert [link.rsplit("/", 1)[1] for link in links] == ["docx", "pdf"]
    assert "Hämta Word (DOCX)" in page and "Hämta PDF" in page

    word = client.get(links[0])
    assert word.status_code == 200
    assert word.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "tjansteutlatande-SN-2017-104.183.docx" in word.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(word.data))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [TITLE]
    assert document.sections[0].header.tables[0].rows[2].cells[2].text == NUMBER
    assert "Johan Ek" in document.paragraphs[0].text

    printed = client.get(links[1])
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(printed.data))
    assert reader.trailer["/Root"]["/Lang"] == "sv-SE"
    assert reader.metadata.title == TITLE
    assert TITLE in " ".join(reader.pages[0].extract_text().split())

    # The generic job page offers the PDF as the job's result too.
    assert client.get(f"/jobb/{job.id}/fil").data == printed.data


def test_without_libreoffice_the_job_names_the_reason_and_keeps_the_word_file(login_as, without_libreoffice):
    client = login_as("handlaggare")
    cid = case_id()
    first = latest_job_after(client, cid)
    # This process has no LibreOffice now: the first job fails on its PDF step, the Word file is kept.
    assert first.state is JobState.failed
    assert "LibreOffice är inte installerat" in first.error and "Word-filen går att hämta" in first.error
    assert set(first.params["outputs"]) == {"docx"}


def latest_job_after(client, cid: int) -> Job:
    assert start_from_page(client, cid).status_code == 303
    return run_job(latest_job().id)


def test_stored_renders_are_reused_and_a_failed_pdf_can_be_retried(login_as, converter, monkeypatch):
    client = login_as("handlaggare")
    cid = case_id()
    done = latest_job_after(client, cid)
    assert done.state is JobState.done
    outputs = done.params["outputs"]

    # Without LibreOffice, a new job for the same revision still finishes: nothing is rendered again.
    with monkeypatch.context() as m:
        m.setenv("SOFFICE", "/nonexistent/soffice")
        m.setattr(pdf, "_converter", pdf.WarmConverter())
        again = latest_job_after(client, cid)
        assert again.id != done.id and again.state is JobState.done, again.error
        assert again.params["outputs"] == outputs and again.params["input_hash"] == done.params["input_hash"]

        # A change of what is printed (the officer's phone) is a new input: Word is made, the PDF step fails …
        officer = db.session.scalar(select(User).where(User.email == "handlaggare@huddinge.example"))
        officer.phone = "08-535 999 99"
        db.session.commit()
        failed = latest_job_after(client, cid)
        assert failed.state is JobState.failed
        assert failed.params["input_hash"] != done.params["input_hash"]
        status = f"/arenden/{cid}/utlatande/forhandsgranska/{failed.id}"
        page = client.get(status).get_data(as_text=True)
        assert "LibreOffice är inte installerat" in page and "Försök igen" in page
        assert "Hämta Word (DOCX)" in page and "Hämta PDF" not in page
        word = client.get(f"{status}/docx")
        assert word.status_code == 200
        assert "08-535 999 99" in docx.Document(io.BytesIO(word.data)).paragraphs[0].text
        assert client.get(f"{status}/pdf").status_code == 404
        assert client.get(f"/jobb/{failed.id}/fil").data == word.data  # the job's result is the Word file

    # … and once LibreOffice is back, "Försök igen" makes the PDF from the stored Word file.
    retry = client.post(f"{status}/kor-om", data={"csrf_token": csrf_token(client, status)})
    assert retry.status_code == 303
    retried = run_job(failed.id)
    assert retried.state is JobState.done, retried.error
    assert retried.params["outputs"]["docx"] == failed.params["outputs"]["docx"]
    assert client.get(f"{status}/pdf").data.startswith(b"%PDF")


def test_who_may_preview_and_follow_which_job(login_as, converter):
    cid = case_id()
    officer = login_as("handlaggare")
    assert start_from_page(officer, cid).status_code == 303
    job = latest_job()
    status = f"/arenden/{cid}/utlatande/forhandsgranska/{job.id}"

    # Members (politicians) do not read reports before publication: refused, nothing queued.
    member = login_as("ledamot")
    token = csrf_token(member, "/profil")
    assert member.post(f"/arenden/{cid}/utlatande/forhandsgranska", data={"csrf_token": token}).status_code == 403
    assert member.get(status).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == REPORT_PREVIEW)) == 1

    # Another member of staff may preview too, but not follow or download someone else's job.
    secretary = login_as("sekreterare")
    assert secretary.get(status).status_code == 404
    assert secretary.get(f"{status}/docx").status_code == 404
    # The job is found only under its own case.
    other = case_id("SN-2017/50.182")
    assert officer.get(f"/arenden/{other}/utlatande/forhandsgranska/{job.id}").status_code == 404
    assert officer.get(f"{status}/odt").status_code == 404
    # Without the CSRF token nothing is queued.
    assert officer.post(f"/arenden/{cid}/utlatande/forhandsgranska").status_code == 400


def test_public_version_for_staff_who_may_not_read_confidential_bilagor(login_as, converter):
    from workflows.models import ReportAttachment
    from workflows.operations import report_for

    report_case = db.session.get(Case, case_id())
    report = report_for(report_case)  # on the agenda already: the bilaga is set up directly
    position = len(report.current_attachments) + 1
    db.session.add(
        ReportAttachment(report=report, position=position, title="Utredning om Anna Andersson", is_confidential=True)
    )
    db.session.commit()

    def bilagor(client) -> list[str]:
        job = latest_job_after(client, report_case.id)
        assert job.state is JobState.done, job.error
        data = client.get(f"/arenden/{report_case.id}/utlatande/forhandsgranska/{job.id}/docx").data
        texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
        return [t for t in texts if t.startswith("Bilaga ")], job

    lines, job = bilagor(login_as("handlaggare"))
    assert f"Bilaga {position} Utredning om Anna Andersson (sekretess)" in lines and job.params["public"] is False
    # Maria Holm is a case officer of the committee but neither this report's editor nor allowed secrets.
    lines, job = bilagor(login_as("controller"))
    assert f"Bilaga {position} (sekretess)" in lines and job.params["public"] is True
    assert not any("Anna Andersson" in line for line in lines)


def test_preview_through_the_api(api_as, client, converter):
    from openapi_schema_validator import OAS31Validator

    spec = client.get("/api/v1/openapi.json").get_json()

    def conforms(name, instance):
        OAS31Validator({**spec, "$ref": f"#/components/schemas/{name}"}).validate(instance)

    api, headers = api_as("handlaggare")
    cid = case_id()
    created = api.post(f"/api/v1/cases/{cid}/report/preview", headers=headers)
    assert created.status_code == 202, created.get_json()
    body = created.get_json()
    conforms("ReportPreview", body)
    assert body["files"] == {"docx": None, "pdf": None} and body["job"]["kind"] == REPORT_PREVIEW
    location = created.headers["Location"]
    assert location.endswith(f"/api/v1/cases/{cid}/report/preview/{body['job']['id']}")

    run_job(body["job"]["id"])
    body = api.get(location, headers=headers).get_json()
    conforms("ReportPreview", body)
    assert body["job"]["state"] == "done"
    assert api.get(body["files"]["pdf"], headers=headers).data.startswith(b"%PDF")
    assert api.get(body["files"]["docx"], headers=headers).data.startswith(b"PK")
    assert api.get(body["job"]["download_url"], headers=headers).data.startswith(b"%PDF")

    other, other_headers = api_as("sekreterare")
    assert other.get(location, headers=other_headers).status_code == 404
    assert other.get(body["files"]["pdf"], headers=other_headers).status_code == 404
    member, member_headers = api_as("ledamot")
    assert member.post(f"/api/v1/cases/{cid}/report/preview", headers=member_headers).status_code == 403
    assert api.post("/api/v1/cases/999999/report/preview", headers=headers).status_code == 404
