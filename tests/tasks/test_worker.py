"""The diarium export through a real Celery worker process.

Embedded (filesystem broker, SQLite) always runs: it needs no server. Redis runs when
Redis answers at 127.0.0.1:6379, on SQLite and, when it answers, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io

import pytest

from app import create_app
from app.extensions import db
from tests.workers import wait_for as _wait_for


@pytest.mark.slow
def test_registry_export_runs_in_a_real_worker(worker_env, worker, tmp_path):
    env, queue = worker_env
    app = create_app({"CELERY": {**create_app(environ=env).config["CELERY"], "task_default_queue": queue}}, environ=env)
    from tasks.models import Job, JobState

    client = app.test_client()
    headers = {"Authorization": "Bearer nf_demo_registrator_7Hx4Nc2Wp9"}
    with app.app_context():
        from sqlalchemy import select

        from app.organisation.models import Committee

        sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
        sn_id = sn.id
    response = client.post(
        f"/api/v1/committees/{sn_id}/registry-exports", json={"registered_to": "2017-12-31"}, headers=headers
    )
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job"]["id"]

    def finished():
        with app.app_context():
            job = db.session.get(Job, job_id)
            state = job.state
            db.session.remove()
            return state if state in (JobState.done, JobState.failed) else None

    state = _wait_for(finished, 60, "the export job", tmp_path / "worker.log")
    body = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()["job"]
    assert state is JobState.done, body
    assert body["percent"] == 100 and body["progress_total"] == body["progress_done"] == 17

    download = client.get(body["download_url"], headers=headers)
    assert download.status_code == 200
    text = download.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Diarienummer"
    numbers = {r[0] for r in rows[1:]}
    assert len(numbers) == 17  # 14 open cases + 3 confidential ones the registrar may see
    assert "SN-2016/3342.181" in numbers and "SN-2017/12.754" in numbers
    assert not any(n.startswith("KS-") for n in numbers)
    titles = {r[0]: r[1] for r in rows[1:]}
    assert titles["SN-2016/3693.103"].startswith("Rekommendation: Överenskommelse")

    # Another user cannot follow or download the job.
    other = {"Authorization": "Bearer nf_demo_sekreterare_5Qm2Lr8Tz1"}
    assert client.get(f"/api/v1/jobs/{job_id}", headers=other).status_code == 404
    assert client.get(body["download_url"], headers=other).status_code == 404


def test_export_request_is_validated_before_anything_is_queued(app, api_as):
    from sqlalchemy import func, select

    from app.organisation.models import Committee
    from tasks.models import Job

    client, headers = api_as("registrator")
    sn = db.session.scalar(select(Committee).where(Committee.registry_prefix == "SN"))
    url = f"/api/v1/committees/{sn.id}/registry-exports"
    cases = [
        ({"json": {"registered_to": "31/12/2017"}}, 400, "registered_to"),
        ({"json": {"status": "archived"}}, 400, "status"),
        ({"json": {"colour": "red"}}, 400, "colour"),
        ({"data": "registered_to=2017-12-31"}, 415, None),
        ({"json": {"registered_from": "2018-01-01", "registered_to": "2017-01-01"}}, 422, "registered_to"),
    ]
    for kwargs, status, field in cases:
        response = client.post(url, headers=headers, **kwargs)
        assert response.status_code == status, (kwargs, response.get_json())
        if field:
            assert field in response.get_json()["error"]["fields"]
    assert client.post("/api/v1/committees/999/registry-exports", json={}, headers=headers).status_code == 404
    member, member_headers = api_as("ledamot")
    assert member.post(url, json={}, headers=member_headers).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
