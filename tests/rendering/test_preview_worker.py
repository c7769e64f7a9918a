"""Förhandsgranska through a real Celery worker process, which starts and keeps its own LibreOffice.

Embedded (filesystem broker, SQLite) always runs; on Redis with SQLite and PostgreSQL when they answer.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from tasks.rendering import pdf
from tests.workers import wait_for, worker_app

HANDLAGGARE = {"Authorization": "Bearer nf_demo_handlaggare_3Kd8Vb6Qs4"}


@pytest.mark.slow
def test_preview_job_renders_word_and_pdf_in_a_real_worker(worker_env, worker, tmp_path):  # noqa: F811
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, queue = worker_env
    app = worker_app(env, queue)
    from app.registry.models import Case

    with app.app_context():
        cid = db.session.scalar(select(Case.id).where(Case.number == "SN-2017/104.183"))
        db.session.remove()
    client = app.test_client()
    created = client.post(f"/api/v1/cases/{cid}/report/preview", headers=HANDLAGGARE)
    assert created.status_code == 202, created.get_json()
    location = created.headers["Location"]

    def finished():
        body = client.get(location, headers=HANDLAGGARE).get_json()
        return body if body["job"]["state"] in ("done", "failed") else None

    # The worker starts LibreOffice on its first PDF (seconds), then keeps it.
    body = wait_for(finished, 120, "the preview job", tmp_path / "worker.log")
    assert body["job"]["state"] == "done", body
    reader = PdfReader(io.BytesIO(client.get(body["files"]["pdf"], headers=HANDLAGGARE).data))
    assert reader.trailer["/Root"]["/Lang"] == "sv-SE" and "/StructTreeRoot" in reader.trailer["/Root"]
    assert "CuraNova" in reader.metadata.title
    assert client.get(body["files"]["docx"], headers=HANDLAGGARE).data.startswith(b"PK")

    # A second preview of the same revision: the worker's stored files are reused.
    again = client.post(f"/api/v1/cases/{cid}/report/preview", headers=HANDLAGGARE)
    location = again.headers["Location"]
    second = wait_for(finished, 60, "the second preview job", tmp_path / "worker.log")
    assert second["job"]["state"] == "done"
    assert second["files"] != body["files"]  # its own addresses …
    assert (
        client.get(second["files"]["pdf"], headers=HANDLAGGARE).data
        == client.get(body["files"]["pdf"], headers=HANDLAGGARE).data
    )  # … for the same file
