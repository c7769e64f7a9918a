"""Skapa handlingar through a real Celery worker process on Redis (when Redis answers), which starts and keeps
its own LibreOffice: the API starts the job, the worker renders, the files come back through the pages."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from agenda.models import Meeting
from app.extensions import db
from tasks.rendering import pdf
from tests.rendering.pdf_checks import outline, structure_problems
from tests.workers import wait_for, worker_app

SEKRETERARE = {"Authorization": "Bearer nf_demo_sekreterare_5Qm2Lr8Tz1"}


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["redis-sqlite"], indirect=True)
def test_meeting_documents_through_a_real_worker_on_redis(worker_env, worker, tmp_path):  # noqa: F811
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, queue = worker_env
    app = worker_app(env, queue)
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).join(Meeting.publications).order_by(Meeting.id))
        db.session.remove()
    client = app.test_client()
    created = client.post(f"/api/v1/meetings/{meeting_id}/documents", headers=SEKRETERARE)
    assert created.status_code == 202, created.get_json()
    location = created.headers["Location"]

    def finished():
        body = client.get(location, headers=SEKRETERARE).get_json()
        return body if body["job"]["state"] in ("done", "failed") else None

    body = wait_for(finished, 180, "the meeting documents job", tmp_path / "worker.log")
    assert body["job"]["state"] == "done", body
    assert body["job"]["progress_done"] == body["job"]["progress_total"] == 15
    package = PdfReader(io.BytesIO(client.get(body["files"]["members"]["motespaket.pdf"], headers=SEKRETERARE).data))
    assert [e[0].split(" ", 1)[0] for e in outline(package)] == ["Kallelse", "Innehåll", "4", "5", "6", "7", "8", "9"]
    assert package.trailer["/Root"]["/Lang"] == "sv-SE" and structure_problems(package) == []
    public = client.get(f"/offentligt/sammantraden/{meeting_id}/version/1/handlingar/motespaket.pdf")
    assert public.status_code == 200
    public_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(public.data)).pages)
    assert "Kalle Hemligsson" not in public_text and "Elin Testsson" not in public_text
