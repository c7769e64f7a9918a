"""Background work: the Celery app's tasks and the job rows the UI follows.

Tasks receive ids only, load what they need, call a pure function, store the result and
move their job row queued → running → done | failed.
"""

from tasks import job_log  # noqa: E402, F401 - connects the signals that log each task under its request's id
