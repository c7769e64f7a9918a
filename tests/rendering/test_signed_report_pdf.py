"""The signed tjänsteutlåtande becomes a stored PDF of its registered handling: the job the signing queued renders
the signed revision (never a later draft), stores it and sets the handling's file and sha256; the case page and
its download serve it under the case's rules; ``flask verify`` checks it like every stored file.

The task runs in this process here (its Celery ``apply``, on the session's warm LibreOffice);
test_signed_report_worker.py runs it in a real worker process.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.registry.models import Case, RegisteredDocument
from app.storage import get_storage
from tasks.models import Job, JobState, KeptTask
from tasks.rendering import pdf, signed_report
from tasks.rendering.signed_report import SIGNED_REPORT_PDF, render_signed_report
from tests.factories import SECRET_BILAGA, body_of, csrf_token, person, signed_report_with_bilagor
from tests.rendering.pdf_checks import reader, text
from workflows import operations as report_ops
from workflows.models import CaseReport

SIGNED_TEXT = "Förvaltningen beskriver ärendet."
LATER_TEXT = "Förvaltningen har skrivit om allt efter underskriften."


def _report(case: Case) -> CaseReport:
    return db.session.scalar(select(CaseReport).where(CaseReport.case_id == case.id))


def _report_documents(case: Case) -> list[RegisteredDocument]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(RegisteredDocument)
            .where(RegisteredDocument.case_id == case.id, RegisteredDocument.source.like("report:%"))
            .order_by(RegisteredDocument.number)
        )
    )


def _jobs(case: Case) -> list[Job]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Job).where(Job.kind == SIGNED_REPORT_PDF, Job.report_id == _report(case).id).order_by(Job.id)
        )
    )


def run_job(job_id: int) -> Job:
    """Run the task here, as a worker would, and return the job as it ended."""
    db.session.commit()
    render_signed_report.apply(args=[job_id])
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _rewrite(report: CaseReport, text_html: str) -> None:
    """The officer saves a new version after the signature (the report is reopened)."""
    content = dict(report.current().content)
    content["sections"] = {"description": f"<p>{text_html}</p>"}
    report_ops.save_revision(report, user=person("handlaggare"), raw=content, based_on=report.current_revision)
    db.session.commit()


def _sign_again(report: CaseReport) -> None:
    for name, who in (("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")):
        report_ops.transition(report, user=person(who), name=name, notify=False)
    db.session.commit()


@pytest.fixture
def without_libreoffice(monkeypatch):
    """A worker process on a machine without LibreOffice: a converter of its own that cannot start."""
    monkeypatch.setenv("SOFFICE", "/nonexistent/soffice")
    monkeypatch.setattr(pdf, "_converter", pdf.WarmConverter())


def test_the_demo_signs_without_queueing_renders(demo):
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == SIGNED_REPORT_PDF)) == 0


def test_signing_queues_the_render_and_the_handling_gets_the_signed_version_as_pdf(new_case, login_as, converter):
    case, _bilagor = signed_report_with_bilagor(new_case, "Uppföljning av hemtjänstens kvalitet 2026")
    report = _report(case)
    signed_revision, signed_hash = report.signed_revision, report.signed_hash
    [document] = _report_documents(case)
    [job] = _jobs(case)
    # queued in the signing's transaction, with the revision and the bilagor the signature froze
    assert job.state is JobState.queued and job.created_by == person("direktor")
    assert job.params["document_id"] == document.id and job.params["revision"] == signed_revision
    assert [a["title"] for a in job.params["attachments"]] == ["Verksamhetsberättelse 2016", SECRET_BILAGA]
    assert (document.storage_key, document.sha256) == (None, signed_hash)

    registrar = login_as("registrator")
    page = body_of(registrar.get(f"/arenden/{case.id}"))
    assert "PDF skapas …" in page and f'href="/arenden/{case.id}/utlatande"' in page

    # The officer writes a new version before the worker gets to it: the PDF is still the signed one.
    _rewrite(report, LATER_TEXT)
    assert _report(case).signed_hash is None

    job = run_job(job.id)
    assert job.state is JobState.done, job.error
    [document] = _report_documents(case)
    assert document.storage_key is not None
    data = get_storage().read(document.storage_key)
    assert document.sha256 == hashlib.sha256(data).hexdigest() == document.storage_key[3:]
    assert document.source == f"report:{report.id}:{signed_hash}"  # the signature's hash stays its source
    printed = text(reader(data))
    assert SIGNED_TEXT in printed and LATER_TEXT not in printed
    assert case.number in printed and SECRET_BILAGA in printed  # the whole document, as signed
    assert job.result_key == document.storage_key
    assert (
        job.result_name
        == f"tjansteutlatande-{case.number.replace('/', '-')}-undertecknat-version-{signed_revision}.pdf"
    )

    # The case page links the handling to its PDF, which is sent inline (download on asking), with its ETag.
    page = body_of(registrar.get(f"/arenden/{case.id}"))
    address = f"/arenden/{case.id}/handlingar/{document.id}/fil"
    assert f'href="{address}"' in page and "PDF skapas" not in page and document.sha256[:16] in page
    sent = registrar.get(address)
    assert sent.status_code == 200 and sent.mimetype == "application/pdf" and sent.data == data
    assert sent.headers["Content-Disposition"].startswith("inline")
    assert sent.headers["ETag"] == f'"{document.sha256}"' and "no-store" in sent.headers["Cache-Control"]
    assert registrar.get(address, headers={"If-None-Match": f'"{document.sha256}"'}).status_code == 304
    assert registrar.get(f"{address}?nedladdning=1").headers["Content-Disposition"].startswith("attachment")

    # Signed again with the new text: a new handling with its own PDF; the first keeps its file.
    first_key = document.storage_key
    _sign_again(_report(case))
    first, second = _report_documents(case)
    assert first.storage_key == first_key
    second_job = _jobs(case)[-1]
    assert second_job.params["document_id"] == second.id and second_job.state is JobState.queued
    assert run_job(second_job.id).state is JobState.done
    first, second = _report_documents(case)
    assert first.storage_key == first_key and second.storage_key not in (None, first_key)
    assert LATER_TEXT in text(reader(get_storage().read(second.storage_key)))
    # a second delivery of a finished job changes nothing
    assert run_job(job.id).state is JobState.done
    assert _report_documents(case)[0].storage_key == first_key


def test_verify_checks_the_stored_pdf(app, new_case, converter):
    case, _bilagor = signed_report_with_bilagor(new_case, "Riktlinjer för bostadsanpassning 2027")
    assert run_job(_jobs(case)[0].id).state is JobState.done
    [document] = _report_documents(case)
    db.session.commit()
    clean = app.test_cli_runner().invoke(args=["verify"])
    assert clean.exit_code == 0, clean.stdout + clean.stderr

    Path(get_storage().local_path(document.storage_key)).write_bytes(b"%PDF-1.4 manipulerad")
    changed = app.test_cli_runner().invoke(args=["verify"])
    assert changed.exit_code != 0 and f"Filen {document.storage_key} är ändrad" in changed.stdout + changed.stderr


def test_the_pdf_only_to_those_who_may_read_the_report(new_case, login_as, app, converter):
    case, _bilagor = signed_report_with_bilagor(new_case, "Vårdnadsöverflyttning", confidential_case=True)
    assert run_job(_jobs(case)[0].id).state is JobState.done
    [document] = _report_documents(case)
    address = f"/arenden/{case.id}/handlingar/{document.id}/fil"

    for key in ("registrator", "handlaggare", "direktor"):
        assert login_as(key).get(address).status_code == 200, key
    # another committee's case officer, and a member who may not know of a confidential case: not found
    assert login_as("ks-handlaggare").get(address).status_code == 404
    assert login_as("ledamot").get(address).status_code == 404
    # nobody logged in: the log-in page, nothing of the file; the public diarium lists the case masked, no file
    anonymous = app.test_client()
    response = anonymous.get(address)
    assert response.status_code in (302, 401) and not response.data.startswith(b"%PDF")
    public = body_of(anonymous.get(f"/offentligt/diarium/{case.id}"))
    assert "Vårdnadsöverflyttning" not in public and address not in public and document.storage_key not in public
    # an unknown handling, or a handling of another case, is not found either
    assert login_as("registrator").get(f"/arenden/{case.id}/handlingar/{document.id + 999}/fil").status_code == 404
    other, _ = signed_report_with_bilagor(new_case, "Ett annat ärende")
    assert login_as("registrator").get(f"/arenden/{other.id}/handlingar/{document.id}/fil").status_code == 404


def test_a_pdf_naming_a_confidential_bilaga_only_to_those_who_may_see_it(new_case, login_as, app, converter):
    case, _bilagor = signed_report_with_bilagor(new_case, "Uppföljning av familjehemsvården 2026")
    assert run_job(_jobs(case)[0].id).state is JobState.done
    [document] = _report_documents(case)
    address = f"/arenden/{case.id}/handlingar/{document.id}/fil"
    # a member of the committee sees the public case but reads no tjänsteutlåtanden
    assert login_as("ledamot").get(address).status_code == 403
    # a case officer of the committee who is not the report's, nor may see its secrets: the PDF names the secret
    assert login_as("controller").get(address).status_code == 403
    assert login_as("handlaggare").get(address).status_code == 200
    # the public diarium lists the handling but offers no file of it
    public = body_of(app.test_client().get(f"/offentligt/diarium/{case.id}"))
    assert "Tjänsteutlåtande, undertecknat" in public and address not in public


def test_a_failed_render_says_why_keeps_the_link_to_the_report_and_can_be_retried(
    new_case, login_as, converter, monkeypatch
):
    with monkeypatch.context() as m:
        m.setenv("SOFFICE", "/nonexistent/soffice")
        m.setattr(pdf, "_converter", pdf.WarmConverter())
        case, _bilagor = signed_report_with_bilagor(new_case, "Avgifter inom äldreomsorgen 2027")
        [job] = _jobs(case)
        failed = run_job(job.id)
    assert failed.state is JobState.failed and "LibreOffice" in failed.error
    [document] = _report_documents(case)
    assert document.storage_key is None and document.sha256 == _report(case).signed_hash

    page = body_of(login_as("registrator").get(f"/arenden/{case.id}"))
    assert "PDF-filen kunde inte skapas." in page and "LibreOffice" in page
    assert f'href="/arenden/{case.id}/utlatande"' in page and f"/jobb/{job.id}" not in page
    assert login_as("registrator").get(f"/arenden/{case.id}/handlingar/{document.id}/fil").status_code == 404

    signer = login_as("direktor")  # the job is the signer's: they retry it as any job
    assert f'href="/jobb/{job.id}"' in body_of(signer.get(f"/arenden/{case.id}"))
    retry = signer.post(f"/jobb/{job.id}/kor-om", data={"csrf_token": csrf_token(signer, f"/jobb/{job.id}")})
    assert retry.status_code in (302, 303)
    assert run_job(job.id).state is JobState.done
    [document] = _report_documents(case)
    assert document.storage_key is not None
    assert SIGNED_TEXT in text(reader(get_storage().read(document.storage_key)))


def test_a_broker_that_is_down_keeps_the_render_in_the_task_outbox(new_case, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise ConnectionError("Redis svarar inte")

    monkeypatch.setattr(render_signed_report, "delay", refuse)
    case, _bilagor = signed_report_with_bilagor(new_case, "Riktlinjer för hemsjukvård 2027")
    [job] = _jobs(case)
    kept = db.session.scalars(select(KeptTask).where(KeptTask.task_name == render_signed_report.name)).all()
    assert [k.args for k in kept] == [[job.id]] and job.state is JobState.queued


def test_a_rolled_back_signature_queues_nothing(new_case):
    case = new_case("Ett utlåtande som aldrig undertecknas", state=None)
    officer = person("handlaggare")
    report = report_ops.create_report(
        case,
        user=officer,
        raw={
            "title": "Ett utlåtande",
            "sections": {"description": "<p>Text.</p>"},
            "proposals": [{"text": "Socialnämnden beslutar.", "immediately_adjusted": False}],
        },
    )
    for name, who in (("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")):
        report_ops.transition(report, user=person(who), name=name, notify=False)
    assert db.session.info.get(signed_report.PENDING)
    db.session.rollback()
    assert not db.session.info.get(signed_report.PENDING)
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == SIGNED_REPORT_PDF)) == 0
