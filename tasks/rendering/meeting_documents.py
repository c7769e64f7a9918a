"""The "Skapa handlingar" job: a publication's kallelse (DOCX, PDF) and meeting package, members' and public.

The task gets a job id only; the job names the publication. Everything rendered comes from the
publication's immutable snapshots and what they name (the reports' signed revisions, the
bilagor by sha256), so the files are exactly what was published.

Every part is stored through app.storage under the sha256 of everything it is made from (its
input hash, recorded in ``rendered_parts``: tasks.rendering.parts; ``params["parts"]`` lists the
ones a job used). The parts not stored are converted in as few LibreOffice calls as can be (the
kallelser, reports and laid-out bilagor together, split again per part: tasks.rendering.batch)
on a thread of its own, while this one builds, splits and merges (see Renderer); the contents
pages are drawn without LibreOffice. A render after one report changed therefore converts that
report only, draws the contents pages again and re-merges. The job's progress counts documents:
the two kallelser, each distinct report, each bilaga, the two packages. A bilaga that cannot go
in (not the PDF it claims to be, password protected, missing) fails the job with a Swedish
message naming it, once everything else is made and kept (the kallelser can be sent all the
same). A converter that died twice in a row and a database that did not answer are retried with
back-off; the task is acknowledged late, so a worker killed mid-job leaves the message to be done
again (files are written atomically, a half-made part is never stored).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
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
from tasks.rendering.batch import Batch, SplitFailed
from tasks.rendering.kallelse_docx import (build_kallelse_docx, kallelse_filename, kallelse_input_hash, kallelse_maker,
                                             kallelse_title)
from tasks.rendering.contents_pdf import ContentsLayout
from tasks.rendering.package import (
    LAID_OUT_TYPES,
    PACKAGE_VERSION,
    PDF,
    BadAttachment,
    PartCache,
    PackageDocument,
    PackageItem,
    attachment_input_hash,
    attachment_label,
    checked_pdf,
    contents_layout,
    contents_pdf,
    converted_attachment,
    item_title,
    laid_out_builder,
    PackageMerge,
    package_merge,
    office_source,
    page_count,
)
from tasks.rendering.parts import StoredParts
from tasks.rendering.pdf import PDF_MIMETYPE, ConversionFailed, ConverterUnavailable, docx_to_pdf
from tasks.rendering.report_data import report_document
from tasks.rendering.report_docx import DOCX_MIMETYPE, AttachmentLine, ReportDocument, report_maker

log = logging.getLogger(__name__)

MEETING_DOCUMENTS = "meeting_documents"
TASK_NAME = "tasks.rendering.render_meeting_documents"
MAX_RETRIES = 3
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


_thread: ThreadPoolExecutor | None = None
_thread_lock = threading.Lock()


def _conversion_thread() -> ThreadPoolExecutor:
    """The process's one conversion thread, kept for the process's life like its warm LibreOffice: the
    server it starts gets its death signal (PR_SET_PDEATHSIG) when the starting *thread* ends."""
    global _thread
    with _thread_lock:
        if _thread is None:
            _thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="libreoffice")
        return _thread


def _forget_thread_after_fork() -> None:
    global _thread, _thread_lock
    _thread, _thread_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_thread_after_fork)


class Conversions:
    """LibreOffice's conversions of one render, one after another on the process's conversion thread.

    LibreOffice works in a process of its own and this one only waits on a socket meanwhile, so the
    next Word document can be built (or the last PDF split, or the package merged) while the
    previous one converts. Only ``convert`` runs on the thread; storage and the database stay on
    the caller's. Leaving the block waits for what was submitted (cancelling what has not started).
    """

    def __init__(self, convert: Callable[..., bytes]):
        self.convert = convert
        self.futures: list[Future] = []

    def submit(self, data: bytes, **kwargs) -> Future:
        future = _conversion_thread().submit(self.convert, data, **kwargs)
        self.futures.append(future)
        return future

    def __enter__(self) -> "Conversions":
        return self

    def __exit__(self, *exc_info) -> None:
        for future in self.futures:
            future.cancel()
        wait(self.futures)


@dataclass
class _Documents:
    """The reports and bilagor of a render converted together (tasks.rendering.batch), with their keys."""

    batch: Batch = field(default_factory=Batch)
    keys: list[str] = field(default_factory=list)
    wheres: list[str | None] = field(default_factory=list)  # how an error names a bilaga (None: a report)

    def add(self, key: str, make, title: str, where: str | None = None) -> None:
        self.batch.add(make, title)
        self.keys.append(key)
        self.wheres.append(where)


class Renderer:
    """Makes a plan's documents with a converter and a cache; shared by the task and the benchmark.

    What is not stored is converted in one LibreOffice call (tasks.rendering.batch: a call costs a
    tenth of a second or more whatever its size) on the conversion thread (``Conversions``): the
    kallelser, the reports and the TXT and picture bilagor together; office bilagor one call each, PDF
    bilagor only checked. Meanwhile this thread puts together what is stored already (PackageMerge,
    gaps left for the rest). Once the combined PDF is split and its parts stored, each document's
    length is known: the contents pages are drawn (tasks.rendering.contents_pdf, no LibreOffice) and
    the packages written.
    """

    def __init__(self, plan: Plan, parts: PartCache, *, convert=docx_to_pdf, read_attachment=_read_attachment,
                 progress=lambda done, total: None, variants: tuple[str, ...] = VARIANTS):
        self.plan, self.parts, self.convert = plan, parts, convert
        self.variants = variants
        self.read_attachment = read_attachment
        self.progress = progress
        self.done = 0
        self.total = plan.total()
        self.pdfs: dict[str, bytes] = {}  # input hash → PDF
        self.entries: dict[str, dict] = {}  # input hash → its stored PDF
        self.pages: dict[str, int] = {}
        self.kallelser = {variant: kallelse_input_hash(plan.snapshots[variant], public=variant == "public")
                          for variant in variants}
        self.outputs: dict = {variant: {} for variant in VARIANTS}
        #: bilagor that cannot go in: the job fails naming the first, once everything else is made
        self.refused: list[BadAttachment] = []

    def _step(self) -> None:
        self.done += 1
        self.progress(self.done, self.total)

    def _stored(self, key: str) -> tuple[bytes | None, dict]:
        data = self.parts.get(key)
        return data, (getattr(self.parts, "used", {}).get(key, {}) if data is not None else {})

    def _store(self, key: str, data: bytes) -> dict:
        return self.parts.put(key, data) or {}

    def _reuse(self, key: str) -> bool:
        pdf, entry = self._stored(f"{key}.pdf")
        if pdf is None:
            return False
        self.pdfs[key], self.entries[key] = pdf, entry
        self._step()
        return True

    def _made(self, key: str, pdf: bytes) -> None:
        self.entries[key] = self._store(f"{key}.pdf", pdf)
        self.pdfs[key] = pdf
        self._step()

    # 1. what is not stored, converted
    def _start(self, conversions: Conversions) -> tuple[_Documents, Future | None, list]:
        """Start making the kallelser, reports and bilagor not stored: the batch and the office bilagor submitted."""
        batch, singles = _Documents(), []
        for variant, key in self.kallelser.items():
            snapshot, public = self.plan.snapshots[variant], variant == "public"
            if not self._reuse(key):
                batch.add(key, kallelse_maker(snapshot, public=public), kallelse_title(snapshot["meeting"], public=public))
        for key, part in self.plan.reports().items():
            if not self._reuse(key):
                batch.add(key, report_maker(part.document), REPORT_TITLE)
        for key, part in self.plan.attachments().items():
            if self._reuse(key):
                continue
            try:
                data = self.read_attachment(part)
                if part.content_type == PDF:
                    self._made(key, checked_pdf(data, part.where))
                elif part.content_type in LAID_OUT_TYPES:
                    batch.add(key, laid_out_builder(part.title, data, part.content_type, part.where), part.title,
                              part.where)
                else:
                    source, export_filter = office_source(data, part.content_type, part.where)
                    singles.append((key, part, conversions.submit(source, export_filter=export_filter)))
            except BadAttachment as exc:
                self.refused.append(exc)
        converted = conversions.submit(batch.batch.docx(), options=batch.batch.options) if batch.keys else None
        return batch, converted, singles

    def _kallelse_docx(self) -> None:
        """The kallelser as Word files (made from the same builder as their PDFs)."""
        for variant, key in self.kallelser.items():
            snapshot, public = self.plan.snapshots[variant], variant == "public"
            docx, entry = self._stored(f"{key}.docx")
            if docx is None:
                entry = self._store(f"{key}.docx", build_kallelse_docx(snapshot, public=public))
            self.outputs[variant]["kallelse.docx"] = _output(entry, kallelse_filename(snapshot, "docx", public=public))

    def _finish(self, batch: _Documents, converted: Future | None, singles: list) -> None:
        """Wait for the documents and store them (each under its own input hash)."""
        for key, part, single in singles:
            self._refusing(lambda: self._made(key, converted_attachment(single.result, part.where)))
        if converted is None:
            return
        combined = self._combined(converted, batch)
        if combined is not None:
            self.pages.update(zip(batch.keys, combined.page_counts()))
            for key, pdf in zip(batch.keys, combined.parts()):
                self._made(key, pdf)

    def _combined(self, converted: Future, batch: _Documents):
        """The converted batch; should its conversion fail, each document converted alone instead (which names
        the one LibreOffice cannot read, or gets past what it could not do with the whole) and None."""
        if len(batch.keys) == 1:  # converted alone already: its failure is the document's
            where = batch.wheres[0]
            if where is None:
                return batch.batch.converted(converted.result())
            self._refusing(lambda: self._made(batch.keys[0], converted_attachment(converted.result, where)))
            return None
        try:
            return batch.batch.converted(converted.result())
        except (ConversionFailed, SplitFailed) as exc:
            log.warning("the combined conversion of %s documents failed (%s); converting them one by one",
                        len(batch.keys), exc)
        for key, make, where in zip(batch.keys, batch.batch.makers, batch.wheres):
            docx = make().build()
            if where is None:
                self._made(key, self.convert(docx))
            else:
                self._refusing(lambda: self._made(key, converted_attachment(lambda: self.convert(docx), where)))
        return None

    def _refusing(self, make: Callable[[], None]) -> None:
        """Make a bilaga; if it cannot go in, note why and go on with the others."""
        try:
            make()
        except BadAttachment as exc:
            self.refused.append(exc)

    # 2. the packages
    def _items(self, variant: str) -> list[PackageItem]:
        """The variant's items with their documents (a document's PDF is empty until it is made)."""
        items = []
        for planned in self.plan.items[variant]:
            documents = []
            if planned.report:
                documents.append(self._document(REPORT_TITLE, planned.report.key))
            documents += [self._document(a.title, a.key) for a in planned.attachments]
            items.append(PackageItem(planned.number, planned.title, documents, planned.notes))
        return items

    def _page_count(self, key: str) -> int:
        """The made document's page count (counted once); 1 while it is still converting."""
        if key not in self.pages and key in self.pdfs:
            self.pages[key] = page_count(self.pdfs[key])
        return self.pages.get(key, 0) or 1

    def _document(self, title: str, key: str) -> PackageDocument:
        """A document of the package (its PDF empty while it converts; its page count then comes later)."""
        return PackageDocument(title, self.pdfs.get(key, b""), self._page_count(key), key)

    def _merge(self, variant: str) -> PackageMerge:
        snapshot = self.plan.snapshots[variant]
        return package_merge(snapshot["meeting"], self.pdfs.get(self.kallelser[variant], b""), self._items(variant),
                             public=variant == "public")

    def _kallelse_outputs(self) -> None:
        for variant, key in self.kallelser.items():
            snapshot = self.plan.snapshots[variant]
            self.outputs[variant]["kallelse.pdf"] = _output(
                self.entries[key], kallelse_filename(snapshot, "pdf", public=variant == "public"))

    def _layouts(self) -> dict[str, ContentsLayout]:
        return {variant: contents_layout(self.plan.snapshots[variant]["meeting"], self._items(variant),
                                         public=variant == "public") for variant in self.variants}

    def packages(self, merges: dict | None = None, layouts: dict | None = None) -> None:
        """Draw the contents pages; merge each package not stored (``merges``, ``layouts``: those begun already)."""
        merges, layouts = merges or {}, layouts or {}
        for variant in self.variants:
            snapshot, public = self.plan.snapshots[variant], variant == "public"
            meeting, kallelse = snapshot["meeting"], self.pdfs[self.kallelser[variant]]
            items = self._items(variant)
            contents = contents_pdf(meeting, self._page_count(self.kallelser[variant]), items, public=public,
                                    layout=layouts.get(variant))
            basis = [PACKAGE_VERSION, public, sorted(meeting.items()), hashlib.sha256(kallelse).hexdigest(),
                     hashlib.sha256(contents).hexdigest()] + [
                [i.title, i.notes, [(d.title, hashlib.sha256(d.pdf).hexdigest()) for d in i.documents]] for i in items]
            key = "paket/" + hashlib.sha256(repr(basis).encode()).hexdigest()
            pdf, entry = self._stored(key)
            if pdf is None:
                merge = merges.get(variant) or package_merge(meeting, kallelse, items, public=public)
                if not merge.slots[0].filled:
                    merge.insert_kallelse(kallelse)
                for document in merge.missing():
                    merge.fill(document, self.pdfs[document.key])
                merge.insert_contents(contents)
                entry = self._store(key, merge.write())
            name = kallelse_filename(snapshot, "pdf", public=public).replace("kallelse-", "motespaket-", 1)
            self.outputs[variant]["motespaket.pdf"] = _output(entry, name)
            self._step()

    def run(self) -> dict:
        merges: dict[str, PackageMerge] = {}
        layouts: dict[str, ContentsLayout] = {}
        with Conversions(self.convert) as conversions:
            started = self._start(conversions)
            # while LibreOffice converts: the Word kallelser, and what new packages need of what is known
            self._kallelse_docx()
            if (started[1] is not None or started[2]) and not self.refused:
                merges = {variant: self._merge(variant) for variant in self.variants}
                layouts = self._layouts()
            self._finish(*started)
        self._kallelse_outputs()
        if self.refused:
            raise self.refused[0]  # the kallelser and every other document are made and stored
        self.packages(merges, layouts)
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
        parts = StoredParts()
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
        jobs.retry_later(self, job_id, exc, "Databasen svarade inte" if isinstance(exc, OperationalError)
                         else "LibreOffice avbröts")
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
