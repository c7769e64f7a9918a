"""A render is not queued behind notifications (issue 19, item 5): renders have a queue of their own.

A real worker as `make run` starts it (both queues, two pool children) on the embedded filesystem broker; 100
e-mails are queued (real ``send_message`` tasks, sent by SMTP to a server of the test's own, so each has its
sending time), then the secretary asks for the meeting's documents. The render starts promptly, and before the
last of the notifications is sent: it did not wait its turn behind them. `make bench` measures the start time
(tests/benchmarks/queue_bench.py, target one second).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agenda.models import Meeting
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db, sqlite_read_only
from app.notifications import MessageState, OutboxMessage, queue_message
from tasks.models import Job, JobState
from tests.tasks.test_review_chain import smtp_server  # noqa: F401 - the fixture, by name
from tests.workers import wait_for, worker_app

SEKRETERARE = {"Authorization": "Bearer nf_demo_sekreterare_5Qm2Lr8Tz1"}
NOTIFICATIONS = 100
#: generous for a shared, loaded machine: the figure's target is one second (tests/benchmarks/queue_bench.py)
START_BOUND = timedelta(seconds=5)


def _job(job_id: int) -> Job:
    """The job as the worker left it, read without taking SQLite's write lock (the worker writes meanwhile)."""
    db.session.remove()
    with sqlite_read_only():
        job = db.session.get(Job, job_id)
        db.session.rollback()
    return job


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["filesystem-sqlite"], indirect=True)
def test_a_render_starts_before_the_notifications_queued_ahead_of_it(worker_env, start_worker, tmp_path, request):
    env, queue = worker_env
    inbox = request.getfixturevalue("smtp_server")
    start_worker({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(inbox.port)}, pool="prefork", concurrency=2)
    app = worker_app(env, queue)
    client = app.test_client()
    log = tmp_path / "worker.log"

    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id).join(Meeting.publications).order_by(Meeting.id))
        users = db.session.scalars(select(User).order_by(User.id)).all()
        for n in range(NOTIFICATIONS):
            queue_message(users[n % len(users)], f"Att granska ({n + 1})", "Ett tjänsteutlåtande väntar.")
        db.session.commit()  # each message handed to the worker as a task on the default queue
        requested = utcnow()
        created = client.post(f"/api/v1/meetings/{meeting_id}/documents", headers=SEKRETERARE)
        assert created.status_code == 202, created.get_json()
        job_id = created.get_json()["job"]["id"]

        started = wait_for(lambda: _job(job_id).started_dt, 60, "the render to start", log)
        assert started - requested < START_BOUND, f"the render started after {started - requested}"

        def all_sent():
            db.session.remove()
            with sqlite_read_only():
                sent = db.session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == MessageState.sent)
                )
                last = db.session.scalar(select(func.max(OutboxMessage.sent_dt)))
                db.session.rollback()
            return sent == NOTIFICATIONS and last

        last_sent = wait_for(all_sent, 120, "every notification to be sent", log)
        assert len(inbox.mails) == NOTIFICATIONS
        # The render did not wait behind the notifications queued before it.
        assert started < last_sent, f"render started {started}, the last notification was sent {last_sent}"
        # The worker finishes the job before it is stopped (done, or failed where LibreOffice is missing).
        wait_for(lambda: _job(job_id).state in (JobState.done, JobState.failed), 300, "the render to end", log)
        db.session.remove()
