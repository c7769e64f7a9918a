"""The "Skapa handlingar" job: a publication's kallelse (DOCX, PDF) and meeting package, members' and public.

The task gets a job id only; the job names the publication. Everything rendered comes from the
publication's immutable snapshots and what they name (the reports' signed revisions, the
bilagor by sha256), so the files are exactly what was published.

Every part is stored through app.storage under the sha256 of everything it is made from (its
input hash; ``params["parts"]`` maps input hash → stored file, and the next job of this kind
starts from the parts of the recent ones). A render after one report changed therefore
converts that report only, makes the contents pages again and re-merges. The job's
progress counts documents: the two kallelser, each distinct report, each bilaga, the two
packages. A bilaga that cannot go in (not the PDF it claims to be, password protected,
missing) fails the job with a Swedish message naming it; what was made is kept. A converter
that died twice in a row and a database that did not answer are retried with back-off; the
task is acknowledged late, so a worker killed mid-job leaves the message to be done again
(files are written atomically, a half-made part is never stored).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace

from celery import shared_task
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from agenda.models import Meeting, Publication
from app.auth.models import User
from app.extensions import db, separate_transaction
from app.permissions import Action, can
from app.storage import StorageError, StoredFile, get_storage
from tasks import jobs
from tasks.models import Job, JobState
from tasks.rendering.kallelse_docx import build_kallelse_docx, kallelse_filename, kallelse_input_hash
from tasks.rendering.package import (
    PACKAGE_VERSION,
    BadAttachment,
    PackageDocument,
    PackageItem,
    contents_for,
    merge_with_contents,
    attachment_input_hash,
    attachment_label,
    attachment_pdf,
    item_title,
)
from tasks.rendering.pdf import PDF_MIMETYPE, ConversionFailed, ConverterUnavailable, docx_to_pdf
from tasks.rendering.report_data import report_document
from tasks.rendering.report_docx import DOCX_MIMETYPE, AttachmentLine, ReportDocument, build_report_docx

log = logging.getLogger(__name__)

MEETING_DOCUMENTS = "meeting_documents"
TASK_NAME = "tasks.rendering.render_meeting_documents"
MAX_RETRIES = 3
#: how many earlier jobs' parts are looked at for stored renders
CACHE_LOOKBACK = 20
VARIANTS = ("members", "public")
#: the files of each variant: name (in URLs) → (label, mimetype)
FILES = {
    "kallelse.pdf": ("Kallelse (PDF)", PDF_MIMETYPE),
    "kallelse.docx": ("Kallelse (Word)", DOCX_MIMETYPE),
    "motespaket.pdf": ("Mötespaket med alla handlingar (PDF)", PDF_MIMETYPE),
}
REPORT_TITLE = "Tjänsteutlåtande"


# --- what a publication's documents are made of -------------------------------------------


@dataclass
class ReportPart:
    document: ReportDocument
    key: str  # input hash


@dataclass
class AttachmentPart:
    sha256: str
    content_type: str
    title: str  # "Bilaga 1 Verksamhetsberättelse 2016"
    where: str  # how an error message names it
    key: str


@dataclass
class PlannedItem:
    number: int
    title: str
    report: ReportPart | None = None
    attachments: list[AttachmentPart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    snapshots: dict  # variant → snapshot
    items: dict  # variant → [PlannedItem]

    def reports(self) -> dict[str, ReportPart]:
        return {i.report.key: i.report for items in self.items.values() for i in items if i.report}

    def attachments(self) -> dict[str, AttachmentPart]:
        return {a.key: a for items in self.items.values() for i in items for a in i.attachments}

    def total(self) -> int:
        """Documents to make: the two kallelser, each distinct report and bilaga, the two packages."""
        return 2 + len(self.reports()) + len(self.attachments()) + 2


def _where(attachment: dict, item: dict) -> str:
    text = f"Bilaga {attachment['number']} ”{attachment.get('title') or ''}” till punkt {item['number']}"
    return text + (f" ({item['case_number']})" if item.get("case_number") else "")


def _report_part(item: dict, members_item: dict, public: bool) -> ReportPart | None:
    from workflows.models import CaseReport

    ref = item.get("report")
    if not ref:
        return None
    report = db.session.get(CaseReport, ref["id"])
    if report is None:
        raise BadAttachment(f"Tjänsteutlåtandet till punkt {item['number']} finns inte längre.")
    attachments = [AttachmentLine(a["number"], a.get("title") or "", bool(a.get("is_confidential")))
                   for a in members_item.get("attachments") or []]
    # The public version differs only where a bilaga is confidential; else both share one render.
    public = public and any(a.is_confidential for a in attachments)
    document = report_document(report, ref["revision"], public=public)
    # The bilagor as published (the snapshot), not as they are now.
    document = replace(document, attachments=attachments)
    return ReportPart(document, document.input_hash())


def plan_documents(publication: Publication) -> Plan:
    """Read what the publication's documents are made of (reports and bilagor as its snapshots name them)."""
    snapshots = {"members": publication.members_snapshot, "public": publication.public_snapshot}
    members_by_number = {i["number"]: i for i in publication.members_snapshot["items"]}
    items: dict = {}
    for variant, snapshot in snapshots.items():
        planned = []
        for item in snapshot["items"]:
            members_item = members_by_number.get(item["number"], item)
            entry = PlannedItem(item["number"], item_title(item))
            entry.report = _report_part(item, members_item, public=variant == "public")
            for a in item.get("attachments") or []:
                if variant == "public" and a.get("is_confidential"):
                    continue  # never in public (the public snapshot has none; this is belt and braces)
                label = attachment_label(a)
                if not a.get("sha256"):
                    entry.notes.append(f"{label} (handling i diariet, ingår inte i paketet)")
                    continue
                entry.attachments.append(AttachmentPart(
                    a["sha256"], a.get("content_type") or "", label, _where(a, item),
                    attachment_input_hash(a["sha256"], a.get("content_type") or "", label)))
            planned.append(entry)
        items[variant] = planned
    return Plan(snapshots, items)


# --- stored parts ---------------------------------------------------------------------------


class StoredParts:
    """Parts by input hash: those of recent jobs (still in storage) and those made now; a PartCache."""

    def __init__(self, known: dict):
        self.storage = get_storage()
        self.known = dict(known)
        self.used: dict = {}

    @classmethod
    def recent(cls) -> "StoredParts":
        rows = db.session.scalars(select(Job.params).where(Job.kind == MEETING_DOCUMENTS)
                                  .order_by(Job.id.desc()).limit(CACHE_LOOKBACK))
        known: dict = {}
        for params in rows:
            for key, stored in ((params or {}).get("parts") or {}).items():
                known.setdefault(key, stored)
        return cls(known)

    def get(self, key: str) -> bytes | None:
        stored = self.known.get(key)
        if stored is None:
            return None
        try:
            data = self.storage.read(stored["key"])
        except StorageError:
            self.known.pop(key, None)
            return None
        self.used[key] = stored
        return data

    def put(self, key: str, data: bytes) -> dict:
        stored = self.storage.save(data)
        entry = {"key": stored.key, "sha256": stored.sha256, "size": stored.size}
        self.known[key] = self.used[key] = entry
        return entry


def _output(entry: dict, name: str) -> dict:
    return {**entry, "name": name}


# --- the task -------------------------------------------------------------------------------


def _save_params(job_id: int, params: dict) -> None:
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(params=params))


def _read_attachment(part: AttachmentPart) -> bytes:
    from workflows.models import StoredFileRecord

    record = db.session.scalar(select(StoredFileRecord).where(StoredFileRecord.sha256 == part.sha256))
    try:
        if record is None:
            raise StorageError(part.sha256)
        data = get_storage().read(record.storage_key)
    except StorageError:
        raise BadAttachment(f"{part.where} saknas i fillagringen. Ladda upp bilagan igen och publicera en rättelse.")
    if hashlib.sha256(data).hexdigest() != part.sha256:
        raise BadAttachment(f"{part.where} stämmer inte med den publicerade filen (kontrollsumman skiljer sig).")
    return data


class Renderer:
    """Makes a plan's documents with a converter and a cache; shared by the task and the benchmark."""

    def __init__(self, plan: Plan, parts, *, convert=docx_to_pdf, read_attachment=_read_attachment,
                 progress=lambda done, total: None, variants: tuple[str, ...] = VARIANTS):
        self.plan, self.parts, self.convert = plan, parts, convert
        self.variants = variants
        self.read_attachment = read_attachment
        self.progress = progress
        self.done = 0
        self.total = plan.total()
        self.pdfs: dict[str, bytes] = {}
        self.outputs: dict = {variant: {} for variant in VARIANTS}

    def _step(self) -> None:
        self.done += 1
        self.progress(self.done, self.total)

    def _cached(self, key: str, make) -> tuple[bytes, dict]:
        data = self.parts.get(key)
        if data is None:
            data = make()
            entry = self.parts.put(key, data) or {}
        else:
            entry = getattr(self.parts, "used", {}).get(key, {})
        return data, entry

    def kallelser(self) -> None:
        for variant in self.variants:
            snapshot = self.plan.snapshots[variant]
            public = variant == "public"
            key = kallelse_input_hash(snapshot, public=public)
            docx, docx_entry = self._cached(f"{key}.docx", lambda: build_kallelse_docx(snapshot, public=public))
            self.outputs[variant]["kallelse.docx"] = _output(docx_entry, kallelse_filename(snapshot, "docx", public=public))
            pdf, pdf_entry = self._cached(f"{key}.pdf", lambda: self.convert(docx))
            self.outputs[variant]["kallelse.pdf"] = _output(pdf_entry, kallelse_filename(snapshot, "pdf", public=public))
            self.pdfs[f"kallelse/{variant}"] = pdf
            self._step()

    def reports(self) -> None:
        for key, part in self.plan.reports().items():
            self.pdfs[key], _ = self._cached(f"{key}.pdf", lambda: self.convert(build_report_docx(part.document)))
            self._step()

    def attachments(self) -> None:
        for key, part in self.plan.attachments().items():
            def make():
                return attachment_pdf(self.read_attachment(part), part.content_type, part.title, part.where,
                                      self.convert)
            self.pdfs[key], _ = self._cached(f"{key}.pdf", make)
            self._step()

    def packages(self) -> None:
        for variant in self.variants:
            snapshot = self.plan.snapshots[variant]
            public = variant == "public"
            items = []
            for planned in self.plan.items[variant]:
                documents = []
                if planned.report:
                    documents.append(PackageDocument(REPORT_TITLE, self.pdfs[planned.report.key]))
                documents += [PackageDocument(a.title, self.pdfs[a.key]) for a in planned.attachments]
                items.append(PackageItem(planned.number, planned.title, documents, planned.notes))
            kallelse = self.pdfs[f"kallelse/{variant}"]
            meeting = snapshot["meeting"]
            contents = contents_for(meeting, kallelse, items, public=public, convert=self.convert, cache=self.parts)
            basis = [PACKAGE_VERSION, public, sorted(meeting.items()), hashlib.sha256(kallelse).hexdigest(),
                     hashlib.sha256(contents).hexdigest()] + [
                [i.title, i.notes, [(d.title, hashlib.sha256(d.pdf).hexdigest()) for d in i.documents]] for i in items]
            key = "paket/" + hashlib.sha256(repr(basis).encode()).hexdigest()
            _pdf, entry = self._cached(key, lambda: merge_with_contents(meeting, kallelse, contents, items,
                                                                        public=public))
            name = kallelse_filename(snapshot, "pdf", public=public).replace("kallelse-", "motespaket-", 1)
            self.outputs[variant]["motespaket.pdf"] = _output(entry, name)
            self._step()

    def run(self) -> dict:
        self.kallelser()
        self.reports()
        self.attachments()
        self.packages()
        return self.outputs


def _fail_keeping(job_id: int, params: dict, message: str) -> None:
    """Fail the job with ``message``, keeping the files made so far on it."""
    db.session.rollback()
    with separate_transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(params=params))
    jobs.fail(job_id, message)


@shared_task(bind=True, name=TASK_NAME, max_retries=MAX_RETRIES, acks_late=True, reject_on_worker_lost=True)
def render_meeting_documents(self, job_id: int) -> None:
    """Render a publication's kallelse and meeting package, members' and public."""
    job = jobs.start(job_id)
    if job is None:
        return
    params = dict(job.params or {})
    try:
        publication = db.session.get(Publication, params.get("publication_id"))
        user = db.session.get(User, job.created_by_id)
        if publication is None or user is None or not may_render(user, publication.meeting):
            jobs.fail(job_id, "Du har inte längre behörighet att skapa handlingarna till sammanträdet.")
            return
        plan = plan_documents(publication)
        parts = StoredParts.recent()
        params.update(outputs={}, parts={})
        jobs.report_progress(job, 0, plan.total())

        def progress(done: int, total: int) -> None:
            params["parts"] = dict(parts.used)
            params["outputs"] = renderer.outputs
            _save_params(job_id, params)
            jobs.report_progress(job, done, total)

        renderer = Renderer(plan, parts, progress=progress)
        try:
            renderer.run()
        except BadAttachment as exc:
            log.warning("meeting documents %s: %s", job_id, exc)
            params.update(parts=dict(parts.used), outputs=renderer.outputs)
            _fail_keeping(job_id, params, str(exc))
            return
        except ConverterUnavailable as exc:
            params.update(parts=dict(parts.used), outputs=renderer.outputs)
            _fail_keeping(job_id, params, f"{exc} Kallelsen som Word-fil går att hämta.")
            return
        params.update(parts=dict(parts.used), outputs=renderer.outputs)
        _save_params(job_id, params)
        package = renderer.outputs["members"]["motespaket.pdf"]
        jobs.finish(job, StoredFile(key=package["key"], sha256=package["sha256"], size=package["size"]),
                    package["name"], PDF_MIMETYPE)
    except (OperationalError, ConversionFailed) as exc:
        # The database went away or LibreOffice died twice in a row: try again later, with back-off.
        log.warning("meeting documents %s: transient failure: %s", job_id, exc)
        retries = self.request.retries or 0
        reason = "Databasen svarade inte" if isinstance(exc, OperationalError) else "LibreOffice avbröts"
        if retries >= MAX_RETRIES:
            jobs.fail(job_id, f"{reason}; försök igen senare.")
            return
        jobs.fail(job_id, f"{reason}; nytt försök görs.", final=False)
        raise self.retry(exc=exc, countdown=2 ** (retries + 1))
    except Exception:  # noqa: BLE001 - record every other failure on the job, for the user to see
        log.exception("meeting documents %s failed", job_id)
        jobs.fail(job_id, "Handlingarna kunde inte skapas på grund av ett internt fel. Försök igen.")


# --- shared with the pages and the API --------------------------------------------------------


def may_render(user: User, meeting: Meeting) -> bool:
    return can(user, Action.manage_meetings, meeting) or can(user, Action.publish_notice, meeting)


def create_render_job(publication: Publication, user: User) -> Job:
    """Add the queued job for a publication (the caller commits, then enqueues)."""
    meeting = publication.meeting
    params = {"meeting_id": meeting.id, "publication_id": publication.id, "version": publication.version}
    return jobs.create_job(MEETING_DOCUMENTS, user=user, committee_id=meeting.committee_id, params=params)


def rendered_job(publication: Publication) -> Job | None:
    """The latest finished job that rendered this publication's files (None when there is none)."""
    rows = db.session.scalars(
        select(Job).where(Job.kind == MEETING_DOCUMENTS, Job.state == JobState.done)
        .order_by(Job.id.desc()).limit(200))
    for job in rows:
        if (job.params or {}).get("publication_id") == publication.id:
            return job
    return None


def pending_job(publication: Publication) -> Job | None:
    """A queued or running job for this publication, if any."""
    rows = db.session.scalars(
        select(Job).where(Job.kind == MEETING_DOCUMENTS, Job.state.in_([JobState.queued, JobState.running]))
        .order_by(Job.id.desc()).limit(50))
    return next((j for j in rows if (j.params or {}).get("publication_id") == publication.id), None)


def job_outputs(job: Job) -> dict:
    """The job's files so far: variant → name → output."""
    outputs = (job.params or {}).get("outputs") or {}
    return {variant: {name: outputs[variant][name] for name in FILES if name in (outputs.get(variant) or {})}
            for variant in VARIANTS}
