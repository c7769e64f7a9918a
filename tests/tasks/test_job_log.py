"""A job's start and end in a real worker's JSON log, under the request id of the request that queued it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.organisation.models import Committee
from tests.workers import wait_for, worker_app


@pytest.mark.slow
def test_a_job_logs_its_start_and_end_with_the_request_id(worker_env, start_worker, tmp_path):
    env, queue = worker_env
    start_worker({"LOG_FORMAT": "json"})
    app = worker_app(env, queue)
    with app.app_context():
        sn_id = db.session.scalar(select(Committee.id).where(Committee.registry_prefix == "SN"))
        db.session.remove()
    headers = {"Authorization": "Bearer nf_demo_registrator_7Hx4Nc2Wp9", "X-Request-ID": "begaran-4711"}
    response = app.test_client().post(f"/api/v1/committees/{sn_id}/registry-exports", json={}, headers=headers)
    assert response.status_code == 202 and response.headers["X-Request-ID"] == "begaran-4711"
    job_id = response.get_json()["job"]["id"]
    log_path = tmp_path / "worker.log"

    def ended():
        lines = [json.loads(t) for t in log_path.read_text().splitlines() if t.startswith("{")]
        return [line for line in lines if line.get("event") == "job.end" and line.get("job_id") == job_id] and lines

    lines = wait_for(ended, 60, "the job's end in the log", log_path)
    start = next(line for line in lines if line.get("event") == "job.start" and line.get("job_id") == job_id)
    end = next(line for line in lines if line.get("event") == "job.end" and line.get("job_id") == job_id)
    assert start["task"] == end["task"] == "tasks.registry.export_registry"
    assert start["request_id"] == end["request_id"] == "begaran-4711"
    assert end["outcome"] == "done" and end["duration_ms"] > 0 and end["task_id"] == start["task_id"]
    # the lines the task logs in between carry the request id too
    between = [line for line in lines if line.get("task_id") is None and line.get("request_id") == "begaran-4711"]
    assert all(line["level"] in ("INFO", "WARNING", "ERROR", "DEBUG") for line in between)
