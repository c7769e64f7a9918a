"""Signing through the API leads, by a real Celery worker process, to the signed tjänsteutlåtande's stored PDF on
its registered handling.

Embedded (filesystem broker, SQLite) always runs; on Redis with SQLite and PostgreSQL when they answer.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registry.models import Case, RegisteredDocument
from app.storage import get_storage
from tasks.rendering import pdf
from tests.rendering.pdf_checks import reader, text
from tests.workers import wait_for, worker_app

CASE_NUMBER = "SN-2016/2624.719"  # a demo case without a report
TOKENS = {
    "controller": "nf_demo_controller_9Pf1Jx5Rg7",
    "enhetschef": "nf_demo_enhetschef_2Tw7Ym3Lc8",
    "direktor": "nf_demo_direktor_6Gn4Hs9Bv2",
}
CONTENT = {
    "title": "Uppföljning av Familjerådgivningen City Mentea",
    "sections": {"description": "<p>Förvaltningen har följt upp verksamheten under 2016.</p>"},
    "proposals": ["Socialnämnden godkänner uppföljningen."],
}


def _headers(who: str) -> dict:
    return {"Authorization": f"Bearer {TOKENS[who]}"}


@pytest.mark.slow
def test_signing_leads_to_the_stored_pdf_in_a_real_worker(worker_env, worker, tmp_path):
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, queue = worker_env
    app = worker_app(env, queue)
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.number == CASE_NUMBER))
        db.session.remove()
    client = app.test_client()
    created = client.post(f"/api/v1/cases/{case_id}/report", headers=_headers("controller"), json={"content": CONTENT})
    assert created.status_code == 201, created.get_json()
    for who, name in (("controller", "submit"), ("enhetschef", "approve"), ("direktor", "sign")):
        moved = client.post(f"/api/v1/cases/{case_id}/report/transitions", headers=_headers(who), json={"name": name})
        assert moved.status_code == 200, moved.get_json()

    def stored():
        with app.app_context():
            document = db.session.scalar(
                select(RegisteredDocument).where(
                    RegisteredDocument.case_id == case_id, RegisteredDocument.source.like("report:%")
                )
            )
            found = (document.id, document.storage_key, document.sha256) if document and document.storage_key else None
            db.session.remove()
            return found

    # The worker starts LibreOffice on its first PDF (seconds).
    document_id, key, sha256 = wait_for(stored, 120, "the signed report's PDF", tmp_path / "worker.log")
    with app.app_context():
        data = get_storage().read(key)
    assert hashlib.sha256(data).hexdigest() == sha256
    printed = text(reader(data))
    assert "Förvaltningen har följt upp verksamheten under 2016." in printed and CASE_NUMBER in printed
