"""Each task's start and end in the log, under the id of the request that queued it.

* Sending a task (``before_task_publish``, in the web process) adds the current request id (app.logs) to the
  message's headers, so the worker's lines carry the id the request's own line carries.
* A worker logs one line when a task starts and one when it ends (logger ``tasks.job_log``): the task's name
  and id, the job row's id for a job task (a task whose first argument is ``job_id``), the request id, and at
  the end the duration in ms and the outcome — the job's own ("done", "failed", "retry", "skipped" when
  another delivery holds it or it was finished) when the task recorded one through tasks.jobs, else Celery's
  state ("success", "failure", "retry").
* A worker logs through the app's handler and format (LOG_FORMAT), not Celery's own (``setup_logging``).
"""

from __future__ import annotations

import inspect
import logging
import threading
import time

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from app.logs import bind_request_id, current_request_id, unbind_request_id

log = logging.getLogger(__name__)
HEADER = "request_id"

_running = threading.local()


@setup_logging.connect
def _log_as_the_app_does(loglevel=None, **_kwargs) -> None:
    """Keep the handler and format create_app installed (app.logs.configure); only the level is the worker's."""
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@before_task_publish.connect
def _send_request_id(headers=None, **_kwargs) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def _job_id(task, args, kwargs) -> int | None:
    if kwargs and "job_id" in kwargs:
        return kwargs["job_id"]
    try:
        parameters = list(inspect.signature(task.run).parameters)
    except (TypeError, ValueError):
        return None
    return args[0] if args and parameters[:1] == ["job_id"] else None


def note_outcome(job_id: int, outcome: str) -> None:
    """Record what became of the job the running task does (tasks.jobs calls it); other jobs are not noted."""
    running = getattr(_running, "task", None)
    if running is not None and running["job_id"] == job_id:
        running["outcome"] = outcome


@task_prerun.connect
def _task_started(task_id=None, task=None, args=None, kwargs=None, **_kwargs) -> None:
    request_id = getattr(task.request, HEADER, None)
    running = {
        "task_id": task_id,
        "task": task.name,
        "job_id": _job_id(task, args, kwargs),
        "request_id": request_id,
        "started": time.perf_counter(),
        "outcome": None,
        "token": bind_request_id(request_id),
    }
    _running.task = running
    log.info("job started: %s", task.name, extra=_fields(running, event="job.start"))


@task_postrun.connect
def _task_ended(task_id=None, task=None, state=None, **_kwargs) -> None:
    running = getattr(_running, "task", None)
    if running is None or running["task_id"] != task_id:
        return
    _running.task = None
    duration_ms = round((time.perf_counter() - running["started"]) * 1000, 1)
    outcome = running["outcome"] or (state or "unknown").lower()
    log.info(
        "job ended: %s %s in %.1f ms",
        running["task"],
        outcome,
        duration_ms,
        extra=_fields(running, event="job.end", duration_ms=duration_ms, outcome=outcome),
    )
    unbind_request_id(running["token"])


def _fields(running: dict, **more) -> dict:
    return {
        "task": running["task"],
        "task_id": running["task_id"],
        "job_id": running["job_id"],
        "request_id": running["request_id"],
        **more,
    }
