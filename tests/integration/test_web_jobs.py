"""The diarium extract in the browser: ask, follow, download, retry.

The task runs in this process here (``apply``); tests/tasks runs it in a real worker.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from app.auth.models import CommitteeRole, Role, User
from app.extensions import db
from tasks.models import Job, JobState
from tasks.registry import export_registry
from tests.factories import csrf_token, request_export, run_export


def test_registrar_asks_follows_and_downloads_an_extract(login_as):
    client = login_as("registrator")
    job_id = request_export(client, registered_from="2017-01-01", status="open")
    queued = client.get(f"/jobb/{job_id}").get_data(as_text=True)
    assert "I kö" in queued and 'http-equiv="refresh"' in queued  # follows itself without JavaScript

    job = run_export(job_id)
    assert job.state is JobState.done and job.progress_done == job.progress_total
    page = client.get(f"/jobb/{job_id}").get_data(as_text=True)
    assert "Klart" in page and 'http-equiv="refresh"' not in page

    download = client.get(f"/jobb/{job_id}/fil")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig")), delimiter=";"))
    numbers = [r[0] for r in rows[1:]]
    assert numbers and all(n.startswith("SN-2017/") for n in numbers)
    assert "SN-2016/3342.181" not in numbers  # registered 2016: outside the filter
    assert len(numbers) == job.progress_total


def test_someone_else_cannot_see_or_download_the_job(login_as):
    job_id = request_export(login_as("registrator"))
    run_export(job_id)
    other = login_as("sekreterare")
    assert other.get(f"/jobb/{job_id}").status_code == 404
    assert other.get(f"/jobb/{job_id}/fil").status_code == 404


def test_a_member_cannot_ask_for_an_extract(login_as):
    assert login_as("ledamot").get("/diarium/utdrag").status_code == 403


def test_a_failed_job_says_why_and_can_be_retried(login_as, demo):
    client = login_as("sekreterare")
    job_id = request_export(client)
    # The secretary loses the role before the worker gets to the job.
    secretary_id = db.session.scalar(select(User.id).where(User.email == demo["sekreterare"]["email"]))
    grant = db.session.scalar(
        select(CommitteeRole).where(CommitteeRole.user_id == secretary_id, CommitteeRole.role == Role.secretary)
    )
    db.session.delete(grant)
    job = run_export(job_id)
    assert job.state is JobState.failed
    assert job.error == "Du har inte längre behörighet att ta ut diarieutdrag för nämnden."
    page = client.get(f"/jobb/{job_id}").get_data(as_text=True)
    assert job.error in page and "Försök igen" in page

    db.session.add(CommitteeRole(user_id=secretary_id, committee_id=job.committee_id, role=Role.secretary))
    db.session.commit()
    response = client.post(f"/jobb/{job_id}/kor-om", data={"csrf_token": csrf_token(client, f"/jobb/{job_id}")})
    assert response.status_code == 302
    assert db.session.get(Job, job_id).state is JobState.queued
    assert run_export(job_id).state is JobState.done
    # A job that is not failed is not run again.
    again = client.post(f"/jobb/{job_id}/kor-om", data={"csrf_token": csrf_token(client, f"/jobb/{job_id}")})
    assert again.status_code == 303


def test_a_transient_database_error_is_retried_and_then_given_up(login_as, monkeypatch):
    """The database answering OperationalError: the job goes back to the queue and is retried (in this
    process, eagerly, without the back-off's wait); once the database answers the job is done, and if it
    never does the job fails after the task's retries with a message that says so."""
    import sqlalchemy.exc

    import tasks.registry

    real = tasks.registry.search_cases
    failures = {"left": 1}

    def flaky(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks.registry, "search_cases", flaky)
    client = login_as("registrator")
    job = run_export(request_export(client))
    assert job.state is JobState.done and job.error is None and failures["left"] == 0

    failures["left"] = 10**6
    job = run_export(request_export(client))
    assert job.state is JobState.failed
    assert job.error == "Databasen svarade inte; försök igen senare."
    assert failures["left"] == 10**6 - (export_registry.max_retries + 1)  # the first run and each retry
    page = client.get(f"/jobb/{job.id}").get_data(as_text=True)
    assert "Databasen svarade inte; försök igen senare." in page
