"""Diarium tasks: the diarium extract (diarieutdrag) as CSV."""

from __future__ import annotations

import logging

from celery import shared_task

from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, can
from app.registry.export import case_row, registry_csv
from app.registry.queries import CaseFilter, search_cases
from app.storage import get_storage
from app.validation import ForbiddenError
from tasks import jobs
from tasks.models import Job

log = logging.getLogger(__name__)
REGISTRY_EXPORT = "registry_export"
PROGRESS_EVERY = 50
MAX_RETRIES = 3


def start_registry_export(user: User, committee: Committee, flt: CaseFilter) -> Job:
    """Check the filter and add the queued job of the committee's extract (the caller commits, then enqueues
    ``export_registry``)."""
    if not can(user, Action.export_registry, committee):
        raise ForbiddenError("Du får inte ta ut diarieutdrag för nämnden.")
    flt.committee_id = committee.id
    flt.validate()
    return jobs.create_job(REGISTRY_EXPORT, user=user, committee_id=committee.id, params=flt.to_params())


@shared_task(bind=True, name="tasks.registry.export_registry", max_retries=MAX_RETRIES)
def export_registry(self, job_id: int) -> None:
    """Write the cases the requesting user may see, matching the job's filter, to a CSV file."""
    job = jobs.start(job_id)
    if job is None:
        return
    try:
        user = db.session.get(User, job.created_by_id)
        committee = db.session.get(Committee, job.committee_id)
        if user is None or committee is None or not can(user, Action.export_registry, committee):
            jobs.fail(job_id, "Du har inte längre behörighet att ta ut diarieutdrag för nämnden.")
            return
        stmt = search_cases(user, CaseFilter.from_params(job.params))
        cases = db.session.scalars(stmt).all()
        rows = []
        for i, case in enumerate(cases, start=1):
            rows.append(case_row(case))
            if i % PROGRESS_EVERY == 0:
                jobs.report_progress(job, i, len(cases))
        jobs.report_progress(job, len(cases), len(cases))
        stored = get_storage().save(registry_csv(rows))
        name = f"diarieutdrag-{committee.registry_prefix}-{local_today().isoformat()}.csv"
        jobs.finish(job, stored, name, "text/csv")
    except Exception as exc:  # noqa: BLE001 - every other failure on the job, for the user to see
        jobs.fail_or_retry(
            self, job_id, exc, "Diarieutdraget kunde inte skapas på grund av ett internt fel. Försök igen."
        )
