"""No job stays stuck (in this process; tests/tasks/test_job_faults.py kills real workers).

A job is claimed by one worker process at a time; a job whose worker is gone is taken over or sent again by
the watchdog, and failed with the reason once it was lost too often; a stuck job can be retried by the user,
in the browser and through the API; a task the broker refuses is kept and sent later.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from sqlalchemy import func, select, update

from app.clock import utcnow
from app.extensions import db
from tasks import jobs, outbox
from tasks.models import Job, JobState, KeptTask
from tasks.registry import export_registry
from tests.factories import csrf_token, request_export, run_export


@pytest.fixture
def published(app):
    """The (task name, args) of each message sent to the broker from here on."""
    sent = []

    def record(sender=None, body=None, **_kwargs):
        sent.append((sender, list(body[0]) if body else None))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def _dead_pid() -> int:
    """The pid of a process of this machine that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _job(job_id: int) -> Job:
    """The job as it is now, read without keeping a transaction open (a task run here has a session of its own,
    which must not wait for this one's SQLite lock)."""
    db.session.remove()
    job = db.session.get(Job, job_id)
    db.session.expunge(job)
    db.session.rollback()
    return job


def _set(job_id: int, **values) -> Job:
    db.session.execute(update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()
    return _job(job_id)


@pytest.fixture
def export_job(login_as):
    """A queued diarium extract of the registrar's, and the registrar's client."""
    client = login_as("registrator")
    return request_export(client), client


def test_a_job_held_by_a_live_worker_is_not_run_again(export_job):
    job_id, _ = export_job
    holder = f"{socket.gethostname()}:{os.getppid()}"  # a live process of this machine (this one's parent)
    _set(job_id, state=JobState.running, worker=holder, heartbeat_dt=utcnow(), attempts=1)
    job = run_export(job_id)
    assert job.state is JobState.running and job.worker == holder and job.attempts == 1


def test_a_job_whose_worker_died_is_taken_over(export_job):
    job_id, _ = export_job
    _set(
        job_id,
        state=JobState.running,
        worker=f"{socket.gethostname()}:{_dead_pid()}",
        heartbeat_dt=utcnow(),
        attempts=1,
    )
    job = run_export(job_id)
    assert job.state is JobState.done and job.attempts == 2 and job.worker is None


def test_a_job_whose_worker_of_another_machine_is_silent_is_taken_over(export_job):
    job_id, _ = export_job
    silent = utcnow() - jobs.stale_after() - timedelta(seconds=1)
    _set(job_id, state=JobState.running, worker="annan-maskin:4242", heartbeat_dt=utcnow(), attempts=1)
    assert run_export(job_id).state is JobState.running  # its heartbeat is fresh: left alone
    _set(job_id, heartbeat_dt=silent)
    assert run_export(job_id).state is JobState.done


def test_a_job_lost_too_often_fails_with_the_reason(export_job):
    job_id, client = export_job
    _set(job_id, state=JobState.running, worker=f"{socket.gethostname()}:{_dead_pid()}", attempts=jobs.LOST_LIMIT)
    job = run_export(job_id)
    assert job.state is JobState.failed and job.error == jobs.LOST.format(n=jobs.LOST_LIMIT)
    page = client.get(f"/jobb/{job_id}").get_data(as_text=True)
    assert "arbetsprocessen som körde det stannade" in page and "Försök igen" in page


def test_a_finished_job_is_not_run_again_by_a_late_delivery(export_job):
    job_id, _ = export_job
    assert run_export(job_id).state is JobState.done
    _set(job_id, state=JobState.failed, error="Avbrutet.")
    assert run_export(job_id).state is JobState.failed  # the redelivery of a job failed meanwhile: left as it is


def test_the_watchdog_sends_again_a_running_job_with_a_silent_worker(export_job, published):
    job_id, client = export_job
    stale = utcnow() - jobs.stale_after() - timedelta(seconds=5)
    _set(job_id, state=JobState.running, worker="annan-maskin:4242", heartbeat_dt=stale, attempts=1)
    published.clear()
    assert client.get(f"/api/v1/jobs/{job_id}").get_json()["job"]["stuck"] is True
    assert jobs.watch() == 1
    job = _job(job_id)
    assert job.state is JobState.queued and job.worker is None and job.requeues == 1
    assert published == [("tasks.registry.export_registry", [job_id])]
    assert jobs.watch() == 0  # just sent: not stuck
    assert run_export(job_id).state is JobState.done


def test_the_watchdog_sends_again_a_job_queued_too_long_then_fails_it(export_job, published, app):
    job_id, client = export_job
    long_ago = utcnow() - jobs.queued_bound() - timedelta(seconds=5)
    for sent in range(1, jobs.LOST_LIMIT + 1):
        _set(job_id, heartbeat_dt=long_ago)
        published.clear()
        jobs.watch()
        job = _job(job_id)
        assert (job.state, job.requeues, len(published)) == (JobState.queued, sent, 1)
    _set(job_id, heartbeat_dt=long_ago)
    jobs.watch()
    job = _job(job_id)
    assert job.state is JobState.failed and job.error == jobs.NEVER_STARTED.format(n=jobs.LOST_LIMIT + 1)
    assert "Jobbet startade aldrig" in client.get(f"/api/v1/jobs/{job_id}").get_json()["job"]["error"]


def test_a_stuck_job_is_retried_in_the_browser(export_job, published):
    job_id, client = export_job
    queued = client.get(f"/jobb/{job_id}").get_data(as_text=True)
    assert "Försök igen" not in queued and "fastnat" not in queued
    refused = client.post(f"/jobb/{job_id}/kor-om", data={"csrf_token": csrf_token(client, f"/jobb/{job_id}")})
    assert refused.status_code == 303  # queued as it should be: nothing to retry
    stale = utcnow() - jobs.stale_after() - timedelta(seconds=5)
    _set(job_id, state=JobState.running, worker="annan-maskin:4242", heartbeat_dt=stale, attempts=2, progress_done=3)
    page = client.get(f"/jobb/{job_id}").get_data(as_text=True)
    assert "Jobbet verkar ha fastnat" in page and "Försök igen" in page and 'http-equiv="refresh"' not in page
    published.clear()
    response = client.post(f"/jobb/{job_id}/kor-om", data={"csrf_token": csrf_token(client, f"/jobb/{job_id}")})
    assert response.status_code == 302
    job = _job(job_id)
    assert job.state is JobState.queued and job.worker is None and job.attempts == 0
    assert published == [("tasks.registry.export_registry", [job_id])]
    assert run_export(job_id).state is JobState.done


def test_a_stuck_job_is_retried_through_the_api(login_as, api_as, published):
    job_id = request_export(login_as("registrator"))
    client, token = api_as("registrator")
    refused = client.post(f"/api/v1/jobs/{job_id}/retry", headers=token)
    assert refused.status_code == 409 and "fastnat" in refused.get_json()["error"]["message"]
    stale = utcnow() - jobs.stale_after() - timedelta(seconds=5)
    _set(job_id, state=JobState.running, worker="annan-maskin:4242", heartbeat_dt=stale, attempts=1)
    published.clear()
    response = client.post(f"/api/v1/jobs/{job_id}/retry", headers=token)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()["job"]
    assert body["state"] == "queued" and body["stuck"] is False
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{job_id}")
    assert published == [("tasks.registry.export_registry", [job_id])]
    other, other_token = api_as("sekreterare")
    assert other.post(f"/api/v1/jobs/{job_id}/retry", headers=other_token).status_code == 404  # not theirs


def test_a_task_the_broker_refuses_is_kept_and_sent_by_the_sweep(app, export_job, published, monkeypatch):
    from kombu.exceptions import OperationalError

    job_id, _ = export_job

    def refused(*_args, **_kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as broker_down:
        broker_down.setattr(export_registry, "delay", refused)
        broker_down.setattr(outbox, "_publish", refused)
        assert outbox.send(export_registry, job_id) is False
        kept = db.session.scalars(select(KeptTask)).all()
        assert [(k.task_name, k.args) for k in kept] == [("tasks.registry.export_registry", [job_id])]
        db.session.rollback()
        assert outbox.sweep() == 0  # still down: kept
        assert db.session.scalar(select(KeptTask.attempts)) == 1
        db.session.rollback()
    assert _job(job_id).state is JobState.queued  # never failed at once
    published.clear()
    assert outbox.sweep() == 1
    assert published == [("tasks.registry.export_registry", [job_id])]
    assert db.session.scalar(select(func.count()).select_from(KeptTask)) == 0
