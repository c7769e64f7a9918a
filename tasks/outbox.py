"""The task outbox: a task the broker cannot take now is kept in the database and sent when it answers again.

``send(task, *args)`` hands the task to the broker; when the broker refuses (Redis down), the task is kept as a
``KeptTask`` row, in a transaction of its own, and the caller goes on as if it had been sent: a job stays queued,
a message stays in the outbox. Celery beat runs ``sweep`` every OUTBOX_SWEEP_SECONDS (config.py): beat's own
sending, and the sweep, work again as soon as the broker does, and the sweep sends what was kept, oldest first.
A task sent twice (kept, then the first sending turns out to have arrived) does no harm: every task here
claims its job or message before it acts on it.
"""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app
from sqlalchemy import delete, select, update

from app.extensions import db, separate_transaction
from tasks.models import KeptTask

log = logging.getLogger(__name__)

#: the most kept tasks one sweep sends
SWEEP_BATCH = 500


def _publish(task_name: str, args: list) -> None:
    current_app.extensions["celery"].send_task(task_name, args=args)


def send(task, *args) -> bool:
    """Send ``task`` with ``args``; if the broker cannot take it, keep it for the sweep. Say if it was sent."""
    try:
        task.delay(*args)
    except Exception as exc:  # noqa: BLE001 - any broker failure: keep the task and say so in the log
        log.warning("broker refused %s%s (%s): kept in the task outbox", task.name, args, exc)
        with separate_transaction() as session:
            session.add(KeptTask(task_name=task.name, args=list(args), error=f"{exc.__class__.__name__}: {exc}"[:2000]))
        return False
    return True


@shared_task(name="tasks.outbox.sweep", ignore_result=True)
def sweep() -> int:
    """Send the kept tasks, oldest first; stop at the first the broker refuses. Return how many were sent."""
    db.session.rollback()
    kept = db.session.execute(
        select(KeptTask.id, KeptTask.task_name, KeptTask.args).order_by(KeptTask.id).limit(SWEEP_BATCH)
    ).all()
    db.session.rollback()
    sent = 0
    for kept_id, task_name, args in kept:
        try:
            _publish(task_name, list(args or []))
        except Exception as exc:  # noqa: BLE001 - still down: keep it (and the rest) for the next sweep
            with separate_transaction() as session:
                session.execute(
                    update(KeptTask)
                    .where(KeptTask.id == kept_id)
                    .values(attempts=KeptTask.attempts + 1, error=f"{exc.__class__.__name__}: {exc}"[:2000])
                )
            log.warning("task outbox: the broker still refuses (%s); %s tasks wait", exc, len(kept) - sent)
            break
        with separate_transaction() as session:
            session.execute(delete(KeptTask).where(KeptTask.id == kept_id))
        sent += 1
    if sent:
        log.info("task outbox: sent %s kept tasks", sent)
    return sent
