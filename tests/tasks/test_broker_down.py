"""Redis down under a real worker and Celery beat: a render and a message asked for through the web app while the
broker is down are kept in the task outbox (the job queued, not failed), and sent and done when Redis is back;
log-in works meanwhile.

The Redis server is the test's own (tests.services.RedisServer): stopped as in a crash, started again empty.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.notifications import MessageState, OutboxMessage
from app.registry.models import Case
from tasks.models import Job, JobState, KeptTask
from tasks.rendering import pdf
from tests.factories import login, submit_report
from tests.workers import wait_for, worker_app
from workflows.models import ReportState
from workflows.operations import report_for

CASE_NUMBER = "SN-2016/2624.719"
CONTROLLER = "controller@huddinge.example"
ENHETSCHEF = {"Authorization": "Bearer nf_demo_enhetschef_2Tw7Ym3Lc8"}
HANDLAGGARE = {"Authorization": "Bearer nf_demo_handlaggare_3Kd8Vb6Qs4"}
PREVIEW_CASE = "SN-2017/104.183"


def _scalar(app, statement):
    with app.app_context():
        value = db.session.scalar(statement)
        db.session.remove()
        return value


@pytest.mark.slow
@pytest.mark.parametrize("worker_env", ["redis-sqlite"], indirect=True)
def test_a_render_and_a_message_asked_for_while_redis_is_down_are_done_when_it_is_back(
    worker_env, start_worker, own_redis, tmp_path
):
    if reason := pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {reason}")
    env, queue = worker_env
    env = {**env, "REDIS_URL": own_redis.url}  # broker and rate limits on the test's own Redis
    start_worker(env, beat=True)
    app = worker_app(env, queue)
    log = tmp_path / "worker.log"
    from app.auth.models import User

    # a report in review, its message to the reviewer taken by the worker while Redis runs
    with app.test_request_context():
        officer = db.session.scalar(select(User).where(User.email == CONTROLLER))
        case = db.session.scalar(select(Case).where(Case.number == CASE_NUMBER))
        submit_report(case, officer)
        db.session.commit()
        case_id = case.id
        db.session.remove()
    preview_case_id = _scalar(app, select(Case.id).where(Case.number == PREVIEW_CASE))

    def messages() -> list[tuple[str, MessageState]]:
        with app.app_context():
            rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.state)).all()
            db.session.remove()
            return [tuple(r) for r in rows]

    wait_for(lambda: messages() and all(s is MessageState.kept for _, s in messages()), 30, "the first message", log)

    own_redis.stop()
    try:
        client = app.test_client()
        approved = client.post(
            f"/api/v1/cases/{case_id}/report/transitions", json={"name": "approve"}, headers=ENHETSCHEF
        )
        assert approved.status_code == 200, approved.get_json()
        created = client.post(f"/api/v1/cases/{preview_case_id}/report/preview", headers=HANDLAGGARE)
        assert created.status_code == 202, created.get_json()
        job_id = created.get_json()["job"]["id"]
        # both are kept, the job queued (not failed), the message to the signer waiting
        assert _scalar(app, select(func.count()).select_from(KeptTask)) == 2
        assert _scalar(app, select(Job.state).where(Job.id == job_id)) is JobState.queued
        assert ("direktor@huddinge.example", MessageState.queued) in messages()
        # log-in works meanwhile (the rate limit counted in memory)
        assert login(app.test_client(), CONTROLLER, "demo-controller").status_code == 302
    finally:
        own_redis.start()
        limiter._storage_dead = False  # the limiter object is shared by every app of the test process

    job = wait_for(
        lambda: _scalar(app, select(Job).where(Job.id == job_id, Job.state.in_([JobState.done, JobState.failed]))),
        90,
        "the render after Redis came back",
        log,
    )
    assert job.state is JobState.done, job.error
    wait_for(lambda: all(s is MessageState.kept for _, s in messages()), 30, "the message after Redis came back", log)
    assert sorted(messages()) == [
        ("direktor@huddinge.example", MessageState.kept),
        ("enhetschef@huddinge.example", MessageState.kept),
    ]
    assert _scalar(app, select(func.count()).select_from(KeptTask)) == 0
    assert (
        _scalar(app, select(func.count()).select_from(Job).where(Job.state.in_([JobState.queued, JobState.running])))
        == 0
    )
    with app.app_context():
        assert report_for(db.session.get(Case, case_id)).state is ReportState.approved
