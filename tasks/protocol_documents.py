"""The "Skapa protokoll" task: a protokoll revision as DOCX and tagged PDF, the full protokoll, the public version
and a protokollsutdrag per paragraph.

The task gets a job id only; the job names the protokoll (``Job.minutes_id``). It reads the current revision
(tasks.protocol_data), checks the public version (``public_problems``: a personnummer or samordningsnummer in
any text it prints, or anything of a confidential case of the committee — its title, diarienummer or a party's name
— in an open paragraph or anywhere else it prints, refuses it, naming where), has the ProtocolRenderer make the documents (tasks.rendering.protocol_renderer: one
LibreOffice call, parts reused by input hash, the PDFs of a justerat protokoll sealed) and records each as a
``MinutesDocument`` of that revision: a document already recorded for the revision is not recorded again. The
job's progress counts documents. A refused public version fails the job with the places named once the full
protokoll and the extracts are made and recorded (the justering can go on). A converter that died twice in a row
and a database that did not answer are retried with back-off; the task is acknowledged late, so a worker killed
mid-job leaves the message to be done again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from celery import Task, shared_task
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from agenda.minutes.adjustment_models import (
    AdjustmentKind,
    MinutesAdjustment,
    open_correction,
    record_sealed,
    record_sealed_extracts,
)
from agenda.minutes.documents import DocumentKind, MinutesDocument, recorded_hash
from agenda.minutes.models import Minutes
from agenda.secrecy import confidential_marks, secrecy_problems
from app import audit
from app.auth.models import User
from app.clock import to_local
from app.extensions import db, separate_transaction
from app.storage import StoredFile
from tasks import jobs
from tasks.models import Job
from tasks.protocol_data import protocol_data
from tasks.protocol_jobs import may_render, renders_as_adjusted, sealing_for
from tasks.rendering.conversion_errors import ConversionFailed, ConverterUnavailable
from tasks.rendering.document_templates import template_for
from tasks.rendering.parts import StoredParts
from tasks.rendering.pdf import PDF_MIMETYPE
from tasks.rendering.protocol_docx import protocol_texts, public_protocol
from tasks.rendering.protocol_json import ProtocolJSON
from tasks.rendering.protocol_renderer import (
    PlannedDocument,
    ProtocolRenderer,
    RenderedDocument,
    plan_protocol,
    public_version_problems,
)
from tasks.rendering.word import using_template

log = logging.getLogger(__name__)

#: the Celery task's name (tasks.jobs.TASK_NAMES): never to change, messages in a queue carry it
TASK_NAME = "tasks.protocol_documents.render_protocol_documents"
MAX_RETRIES = 3
PUBLIC_REFUSED = "Den offentliga versionen av protokollet skapades inte: {}"
PUBLIC_REFUSED_HINT = " Ta bort uppgiften ur protokollet och skapa protokollet igen."


def _save_params(job_id: int, params: dict[str, Any]) -> None:
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(params=params))


@shared_task(bind=True, name=TASK_NAME, max_retries=MAX_RETRIES, acks_late=True, reject_on_worker_lost=True)
def render_protocol_documents(self: Task[[int], None], job_id: int) -> None:
    """Render the protokoll's current revision: the full protokoll, the public version and the extracts."""
    job = jobs.start(job_id)
    if job is None:
        return
    params = dict(job.params or {})
    try:
        minutes = db.session.get(Minutes, job.minutes_id) if job.minutes_id else None
        user = db.session.get(User, job.created_by_id)
        # a render started by a justering's completion (tasks.protocol_jobs.start_after_adjustment) was not asked
        # for by the secretary: the justerare who completed it may not render otherwise
        allowed = (
            user is not None and minutes is not None and (may_render(user, minutes) or params.get("adjustment_id"))
        )
        if minutes is None or user is None or not allowed:
            jobs.fail(job_id, "Du har inte längre behörighet att skapa protokollet som dokument.")
            return
        with using_template(template_for(minutes.meeting.committee)):
            _render(job, job_id, params, minutes, user)
    except (OperationalError, ConversionFailed) as exc:
        jobs.retry_later(
            self, job_id, exc, "Databasen svarade inte" if isinstance(exc, OperationalError) else str(exc).rstrip(".")
        )
    except ConverterUnavailable as exc:
        jobs.fail(job_id, f"{exc}")
    except Exception as exc:  # noqa: BLE001 - every other failure on the job, for the user to see
        jobs.fail_or_retry(self, job_id, exc, "Protokollet kunde inte skapas på grund av ett internt fel. Försök igen.")


def _render(job: Job, job_id: int, params: dict[str, Any], minutes: Minutes, user: User) -> None:
    """Read the revision, check the public version, make the documents, record them and finish the job."""
    revision, is_adjusted = minutes.current_revision, renders_as_adjusted(minutes)
    protocol = protocol_data(minutes)
    problems = public_problems(minutes, protocol)
    documents = plan_protocol(protocol, public=not problems)
    sealed = _sealed_extracts(minutes, documents, is_adjusted)
    params.update(revision=revision, is_adjusted=is_adjusted, public_problems=problems, documents=[])
    jobs.report_progress(job, 0, len(documents))

    def progress(done: int, total: int) -> None:
        jobs.report_progress(job, done, total)

    sealing = sealing_for(minutes) if is_adjusted or sealed else None
    if sealing is not None and not is_adjusted:
        sealing = replace(sealing, only=sealed)
    renderer = ProtocolRenderer(documents, StoredParts(), sealing=sealing, progress=progress)
    rendered = renderer.run()
    rows = _record(minutes, revision, is_adjusted, rendered, user, sealed)
    if params.get("adjustment_id"):
        if is_adjusted:
            _keep_sealed_hash(params["adjustment_id"], rows[0], user)
        else:
            _keep_sealed_extracts(params["adjustment_id"], rows, user)
    params.update(documents=[row.id for row in rows], reused=renderer.reused, made=len(rows) - renderer.reused)
    _save_params(job_id, params)
    if problems:
        jobs.fail(job_id, PUBLIC_REFUSED.format(" ".join(problems)) + PUBLIC_REFUSED_HINT)
        return
    full = rows[0]
    jobs.finish(
        job, StoredFile(key=full.pdf_key, sha256=full.pdf_sha256, size=full.pdf_size), full.pdf_name, PDF_MIMETYPE
    )


def _keep_sealed_hash(adjustment_id: int, full: MinutesDocument, user: User) -> None:
    """The justering that started this render keeps the sha256 of the sealed protokoll made from its approved
    version (beside the sha256 of the PDF its approvers saw); committed. An omedelbar justering keeps none: its
    paragraphs are sealed as protokollsutdrag, and this render is not of the justerat protokoll."""
    adjustment = db.session.get(MinutesAdjustment, adjustment_id)
    if adjustment is None or adjustment.kind is AdjustmentKind.immediate or full.kind is not DocumentKind.full:
        return
    if adjustment.revision != full.revision or not record_sealed(adjustment, full.pdf_sha256):
        return
    db.session.flush()
    audit.record(
        "minutes.sealed",
        adjustment.minutes,
        f"Det justerade protokollet {to_local(adjustment.minutes.meeting.start_dt):%Y-%m-%d}, version "
        f"{adjustment.revision}, förseglat: godkänd PDF {adjustment.pdf_sha256[:12]}…, förseglad PDF "
        f"{full.pdf_sha256[:12]}….",
        user=user,
        committee_id=adjustment.minutes.committee_id,
        after={"approved_pdf_sha256": adjustment.pdf_sha256, "sealed_pdf_sha256": full.pdf_sha256},
    )
    db.session.commit()


def _keep_sealed_extracts(adjustment_id: int, rows: list[MinutesDocument], user: User) -> None:
    """The omedelbar justering that started this render keeps the sha256 of each sealed protokollsutdrag of its
    paragraphs (beside the sha256 of the PDF its approvers saw); committed. Kept once, when every one of them was
    made sealed by this render."""
    adjustment = db.session.get(MinutesAdjustment, adjustment_id)
    if adjustment is None or adjustment.kind is not AdjustmentKind.immediate:
        return
    sealed = {
        row.paragraph_number: row.pdf_sha256
        for row in rows
        if row.kind is DocumentKind.extract and row.is_adjusted and row.paragraph_number in adjustment.paragraphs
    }
    if not record_sealed_extracts(adjustment, sealed):
        return
    db.session.flush()
    listed = ", ".join(f"§ {e['paragraph']} {e['sha256'][:12]}…" for e in adjustment.sealed_extracts or [])
    meeting_day = f"{to_local(adjustment.minutes.meeting.start_dt):%Y-%m-%d}"
    audit.record(
        "minutes.sealed",
        adjustment.minutes,
        f"Protokollsutdragen av de omedelbart justerade paragraferna {meeting_day} förseglade: godkänd PDF "
        f"{adjustment.pdf_sha256[:12]}…, förseglade utdrag {listed}.",
        user=user,
        committee_id=adjustment.minutes.committee_id,
        after={"approved_pdf_sha256": adjustment.pdf_sha256, "sealed_extracts": adjustment.sealed_extracts},
    )
    db.session.commit()


def public_problems(minutes: Minutes, protocol: ProtocolJSON) -> list[str]:
    """Why the public version may not be made, each naming where: a personnummer (``public_version_problems``), or
    anything of a confidential case of the committee in a text it prints — a title the case has or had, its
    diarienummer, a confidential document's party — as the kallelse's publication check finds them
    (agenda.secrecy). A confidential paragraph prints its public title only, which is meant to be shown. The
    passages of confidential reports are not looked for: a protokoll repeats the set phrases every report shares."""
    texts = [(where, text, True) for where, text in protocol_texts(public_protocol(protocol))]
    return public_version_problems(protocol) + secrecy_problems(texts, confidential_marks(minutes.meeting, []))


def _sealed_extracts(minutes: Minutes, documents: list[PlannedDocument], is_adjusted: bool) -> frozenset[str]:
    """While the protokoll is a draft, the extracts of paragraphs justerade at once are made as justerade: sealed
    and recorded as such (``recorded_hash``; the draft's extract of the same text stays as it was), so that they can
    be expedierade. Returns those extracts' input hashes (empty: none, or all justerat)."""
    if is_adjusted or open_correction(minutes) is not None:
        return frozenset()
    adjusted = {p.number for p in minutes.paragraphs if p.is_adjusted}
    return frozenset(d.key for d in documents if d.kind == "extract" and d.paragraph in adjusted)


def _record(
    minutes: Minutes,
    revision: int,
    is_adjusted: bool,
    rendered: list[RenderedDocument],
    user: User,
    sealed: frozenset[str] = frozenset(),
) -> list[MinutesDocument]:
    """A ``MinutesDocument`` per rendered document of the revision, unless the revision has it already in the same
    justerat state; committed."""
    # A new transaction: the render's parts were committed meanwhile on connections of their own, and SQLite
    # refuses a write from a transaction that began reading before those commits.
    db.session.rollback()
    existing = {
        d.input_hash: d
        for d in db.session.scalars(
            select(MinutesDocument).where(
                MinutesDocument.minutes_id == minutes.id, MinutesDocument.revision == revision
            )
        )
    }
    rows: list[MinutesDocument] = []
    added = 0
    for made in rendered:
        planned, docx, pdf = made.planned, made.docx, made.pdf
        is_sealed = is_adjusted or planned.key in sealed
        key = recorded_hash(planned.key, is_adjusted=is_sealed)
        if (known := existing.get(key)) is not None:
            rows.append(known)
            continue
        if docx is None or pdf is None:  # (StoredParts records every file)
            raise RuntimeError(f"{planned.title}: no stored file")
        row = MinutesDocument(
            minutes_id=minutes.id,
            revision=revision,
            kind=DocumentKind(planned.kind),
            paragraph_number=planned.paragraph,
            is_adjusted=is_sealed,
            input_hash=key,
            title=planned.title,
            docx_key=docx["key"],
            docx_sha256=docx["sha256"],
            docx_size=docx["size"],
            docx_name=planned.docx_name,
            pdf_key=pdf["key"],
            pdf_sha256=pdf["sha256"],
            pdf_size=pdf["size"],
            pdf_name=planned.pdf_name,
        )
        db.session.add(row)
        rows.append(row)
        added += 1
    if added:
        db.session.flush()
        meeting = minutes.meeting
        state = "justerade och förseglade" if is_adjusted else "utkast"
        audit.record(
            "minutes.rendered",
            minutes,
            f"Protokollet för {meeting.committee.name}s sammanträde {to_local(meeting.start_dt):%Y-%m-%d}, "
            f"version {revision}, skapat som dokument ({state}): {added} av {len(rendered)} nya.",
            user=user,
            committee_id=meeting.committee_id,
            after={"revision": revision, "is_adjusted": is_adjusted, "documents": [r.id for r in rows]},
        )
    db.session.commit()
    return rows
