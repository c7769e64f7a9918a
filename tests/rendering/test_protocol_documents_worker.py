"""Skapa protokoll through a real Celery worker process on Redis (when Redis answers), which starts and keeps its
own LibreOffice: the API starts the job, the worker renders and stores the full protokoll, the public version and
an extract per paragraph, read back here; the same revision again is not made again; once justerat the PDFs are
sealed and the seal verifies, and the public reads the public version."""

from __future__ import annotations

import io

import docx
import pytest
from pypdf import PdfReader

from app.clock import utcnow
from app.extensions import db
from tasks.protocol_jobs import seal_credentials
from tasks.rendering import pdf
from tasks.rendering.seal import verify_seal
from tests.rendering.pdf_checks import structure_problems
from tests.rendering.protocol_minutes import SECRET_TITLES, demo_minutes
from tests.workers import wait_for, worker_app

SEKRETERARE = {"Authorization": "Bearer nf_demo_sekreterare_5Qm2Lr8Tz1"}
LEDAMOT = {"Authorization": "Bearer nf_demo_ledamot_4Xc9Dp7Ht3"}


def _text(data: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["redis-sqlite"], indirect=True)
def test_the_protokoll_through_a_real_worker_on_redis(worker_env, worker, tmp_path):  # noqa: F811
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, queue = worker_env
    app = worker_app(env, queue)
    with app.app_context():
        minutes = demo_minutes(unadjusted=True)
        meeting_id, minutes_id = minutes.meeting_id, minutes.id
        numbers = [p.number for p in minutes.paragraphs]
        confidential = [p.number for p in minutes.paragraphs if p.item.is_confidential]
        db.session.remove()
    assert confidential, "the demo meeting has its sekretessärenden"
    client = app.test_client()
    url = f"/api/v1/meetings/{meeting_id}/minutes/documents"

    def render() -> dict:
        created = client.post(url, headers=SEKRETERARE)
        assert created.status_code == 202, created.get_json()
        location = created.headers["Location"]

        def finished():
            body = client.get(location, headers=SEKRETERARE).get_json()
            return body if body["job"]["state"] in ("done", "failed") else None

        body = wait_for(finished, 180, "the protokoll job", tmp_path / "worker.log")
        assert body["job"]["state"] == "done", body
        return body

    body = render()
    assert body["job"]["progress_done"] == body["job"]["progress_total"] == len(numbers) + 2
    full, public, *extracts = body["documents"]
    assert [e["paragraph_number"] for e in extracts] == numbers
    member = client.get(full["pdf_url"], headers=LEDAMOT)
    assert member.status_code == 200
    full_text = _text(member.data)
    assert all(f"§ {n} " in full_text for n in numbers)
    assert all(title in full_text for title in SECRET_TITLES)
    reader = PdfReader(io.BytesIO(member.data))
    assert reader.trailer["/Root"]["/Lang"] == "sv-SE" and structure_problems(reader) == []
    word = docx.Document(io.BytesIO(client.get(full["docx_url"], headers=LEDAMOT).data))
    assert f"§ {numbers[0]}" in "\n".join(p.text for p in word.paragraphs)
    extract = _text(client.get(extracts[5]["pdf_url"], headers=LEDAMOT).data)
    assert "Rätt utdraget intygar" in extract and f"§ {numbers[5]} " in extract
    public_text = _text(client.get(public["pdf_url"], headers=LEDAMOT).data)
    assert all(f"§ {n} " in public_text for n in confidential)  # the confidential §§ by their heading only
    assert not [title for title in SECRET_TITLES if title in public_text]
    assert client.get(f"/offentligt/sammantraden/{meeting_id}/protokoll.pdf").status_code == 404  # a draft

    again = render()  # the same revision: nothing made again, the same documents
    assert (again["job"]["id"] != body["job"]["id"]) and [d["id"] for d in again["documents"]] == [
        d["id"] for d in body["documents"]
    ]
    with app.app_context():
        from tasks.models import Job

        job = db.session.get(Job, again["job"]["id"])
        assert (job.params["made"], job.params["reused"]) == (0, len(numbers) + 2)
        # justerat (the model's state that justering sets): the next render seals
        from agenda.minutes.models import Minutes

        db.session.get(Minutes, minutes_id).adjusted_dt = utcnow()
        db.session.commit()
        certificate = seal_credentials(db.session.get(Minutes, minutes_id)).certificate_pem
        db.session.remove()

    sealed = render()
    full, public = sealed["documents"][:2]
    assert full["is_adjusted"] and full["seal"]["is_valid"], full["seal"]
    sealed_pdf = client.get(full["pdf_url"], headers=LEDAMOT).data
    check = verify_seal(sealed_pdf, certificate)
    assert check.is_valid and check.covers_whole_file, check.problem
    published = client.get(f"/offentligt/sammantraden/{meeting_id}/protokoll.pdf")
    assert published.status_code == 200 and published.data[:4] == b"%PDF"
    assert verify_seal(published.data, certificate).is_valid
    assert not [title for title in SECRET_TITLES if title in _text(published.data)]
