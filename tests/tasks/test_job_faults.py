"""A real worker killed mid-render, and its database connections terminated mid-render.

* The pool child killed (SIGKILL): the task is delivered again at once and the job done, taken over from the dead
  child; no LibreOffice profile folder of the dead child is left.
* The whole worker killed (SIGKILL of its process group: the parent and its pool child) and a new worker started:
  the message comes back after the broker's visibility timeout (Redis), the new worker takes the job over from the
  dead one and does it; the LibreOffice processes and profile folder the killed worker left are removed when the
  new one starts.
* PostgreSQL terminates the worker's connections (pg_terminate_backend) while the job runs: the job ends done
  (its bookkeeping retried on fresh connections, the task retried) or failed with the true reason, never stuck.
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import db
from app.registry.models import Case
from tasks.models import Job, JobState
from tasks.rendering import pdf
from tests.services import PG_BASE_URL, terminate_connections
from tests.workers import wait_for, worker_app

HANDLAGGARE = {"Authorization": "Bearer nf_demo_handlaggare_3Kd8Vb6Qs4"}
CASE_NUMBER = "SN-2017/104.183"


@pytest.fixture(autouse=True)
def _converter():
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")


def request_preview(app) -> int:
    """Ask for the preview of a report through the API, as the case officer; return the job's id."""
    with app.app_context():
        cid = db.session.scalar(select(Case.id).where(Case.number == CASE_NUMBER))
        db.session.remove()
    created = app.test_client().post(f"/api/v1/cases/{cid}/report/preview", headers=HANDLAGGARE)
    assert created.status_code == 202, created.get_json()
    return created.get_json()["job"]["id"]


def job_row(app, job_id: int) -> Job:
    with app.app_context():
        row = db.session.get(Job, job_id)
        db.session.remove()
        return row


def unfinished_jobs(app) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Job.id, Job.state).where(Job.state.in_([JobState.queued, JobState.running]))
        ).all()
        db.session.remove()
        return [(i, s.value) for i, s in rows]


def wait_running(app, job_id: int, log: Path) -> Job:
    return wait_for(
        lambda: (j := job_row(app, job_id)).worker and j.state is JobState.running and j, 60, "the render", log
    )


def wait_finished(app, job_id: int, timeout: float, log: Path) -> Job:
    return wait_for(
        lambda: (j := job_row(app, job_id)).state in (JobState.done, JobState.failed) and j, timeout, "the job", log
    )


def processes_naming(marker: str) -> list[int]:
    """The live processes whose command line names ``marker`` (a profile folder)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_bytes().split(b") ", 1)[1][:1]
            except (OSError, IndexError):
                continue
            if marker.encode() in cmdline and state != b"Z":
                pids.append(int(entry.name))
    return pids


def profiles_of(folder: Path, owner: str) -> list[Path]:
    return [f for f in folder.glob(pdf.PROFILE_PREFIX + "*") if _owner(f) == owner]


def _owner(profile) -> str:
    """The process a LibreOffice profile folder belongs to; "" for a folder being made (its owner file comes right
    after it) or being removed by a converter closing as the test looks."""
    try:
        return (profile / pdf.OWNER_FILE).read_text().strip()
    except FileNotFoundError:
        return ""


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["filesystem-sqlite"], indirect=True)
def test_a_pool_child_killed_mid_render_has_its_job_done_again(worker_env, start_worker, tmp_path):
    env, queue = worker_env
    profiles = tmp_path / "tmp"
    profiles.mkdir()
    start_worker({"TMPDIR": str(profiles)}, pool="prefork", concurrency=1)
    app = worker_app(env, queue)
    job_id = request_preview(app)

    running = wait_running(app, job_id, tmp_path / "worker.log")
    child = int(running.worker.rpartition(":")[2])
    os.kill(child, signal.SIGKILL)  # mid-render: while its LibreOffice starts or converts

    done = wait_finished(app, job_id, 180, tmp_path / "worker.log")
    assert done.state is JobState.done, done.error
    assert done.attempts == 2 and done.worker is None
    owners = [_owner(f) for f in profiles.glob(pdf.PROFILE_PREFIX + "*")]
    assert running.worker not in owners  # the dead child's folder went when the next converter started


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["redis-sqlite"], indirect=True)
def test_a_whole_worker_killed_mid_render_has_its_job_done_by_the_next(worker_env, start_worker, own_redis, tmp_path):
    env, queue = worker_env
    env = {**env, "REDIS_URL": own_redis.url}  # a Redis of the test's own: its unacked messages are this test's
    profiles = tmp_path / "tmp"
    profiles.mkdir()
    # the visibility timeout fits the longest render (JOB_TIME_LIMIT, here a test's 40 s, plus 5 min by default)
    worker_settings = {
        **env,
        "TMPDIR": str(profiles),
        "JOB_TIME_LIMIT": "40",
        "CONVERSION_TIMEOUT": "30",
        "BROKER_VISIBILITY_TIMEOUT": "15",
    }
    first = start_worker(worker_settings, pool="prefork", concurrency=1)
    app = worker_app(env, queue)
    job_id = request_preview(app)
    log = tmp_path / "worker.log"

    # killed when its LibreOffice is up: the render is under way and the converter's processes exist
    running = wait_running(app, job_id, log)
    left = wait_for(lambda: profiles_of(profiles, running.worker), 60, "the converter's profile", log)
    wait_for(lambda: len(processes_naming(str(left[0]))) >= 2, 60, "LibreOffice to run", log)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert job_row(app, job_id).state is JobState.running  # as the dead worker left it

    start_worker(worker_settings, pool="prefork", concurrency=1)
    done = wait_finished(app, job_id, 120, log)
    assert done.state is JobState.done, done.error
    assert done.attempts == 2 and done.worker is None
    assert unfinished_jobs(app) == []
    # the killed worker's LibreOffice and its profile folder were removed when the new worker started
    assert not left[0].exists()
    assert processes_naming(str(left[0])) == []
    assert "removed the LibreOffice profile" in log.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["redis-postgresql"], indirect=True)
def test_database_connections_terminated_mid_render_leave_no_job_stuck(worker_env, start_worker, tmp_path):
    env, queue = worker_env
    name = f"worker-{uuid.uuid4().hex[:10]}"  # the worker's connections carry this name, the test's do not
    worker_url = sa.engine.make_url(env["DATABASE_URL"]).update_query_dict({"application_name": name})
    start_worker({"DATABASE_URL": worker_url.render_as_string(hide_password=False)}, pool="prefork")
    app = worker_app(env, queue)
    admin = sa.create_engine(PG_BASE_URL)
    log = tmp_path / "worker.log"

    def terminate() -> int:
        return terminate_connections(admin, name)

    job_ids = [request_preview(app)]
    wait_running(app, job_ids[0], log)
    terminated = 0
    stop = threading.Event()
    # rounds of terminations while the job runs: its reading, its progress, its heartbeat and its end
    for _ in range(6):
        terminated += terminate()
        if stop.wait(0.7) or job_row(app, job_ids[0]).state is not JobState.running:
            break
    assert terminated >= 1, "the worker's connections were terminated"
    finished = wait_finished(app, job_ids[0], 120, log)
    assert finished.state is JobState.done or "Databasen svarade inte" in (finished.error or ""), finished.error
    # and the worker goes on: a job asked for after the storm is done
    job_ids.append(request_preview(app))
    assert wait_finished(app, job_ids[1], 90, log).state is JobState.done
    assert unfinished_jobs(app) == []
    admin.dispose()
