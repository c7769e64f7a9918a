"""The orchestrator of a publication's documents: kallelser (DOCX, PDF) and meeting packages, from a plan.

Every part is stored under the sha256 of everything it is made from (its input hash, through a
PartCache: tasks.rendering.parts), so a render after one report changed converts that report only,
draws the contents pages again and re-merges. The parts not stored are converted in as few
LibreOffice calls as can be (the kallelser, reports and laid-out bilagor together, split again per
part: tasks.rendering.batch) on a thread of its own, while this one builds, splits and merges; the
contents pages are drawn without LibreOffice. A bilaga that cannot go in is noted and raised once
everything else is made and kept. Used by the task (tasks.rendering.meeting_documents) and the benchmark.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Required, TypedDict

from tasks.models import StoredEntryJSON
from tasks.rendering.batch import Batch, ConvertedBatch, Converter, Maker, SplitFailed
from tasks.rendering.contents_pdf import ContentsLayout
from tasks.rendering.conversion_errors import ConversionFailed
from tasks.rendering.intake import (
    LAID_OUT_TYPES,
    BadAttachment,
    checked_pdf,
    checked_pdf_file,
    converted_attachment,
    laid_out_builder,
    office_source,
)
from tasks.rendering.kallelse_docx import (
    build_kallelse_docx,
    kallelse_filename,
    kallelse_input_hash,
    kallelse_maker,
    kallelse_title,
)
from tasks.rendering.meeting_plan import VARIANTS, AttachmentPart, Plan, read_attachment
from tasks.rendering.package import PACKAGE_VERSION, PackageMerge, PartCache, package_merge
from tasks.rendering.package_contents import PackageDocument, PackageItem, contents_layout, contents_pdf
from tasks.rendering.pdf import PDF_MIMETYPE, docx_to_pdf
from tasks.rendering.pdf_files import PdfData, page_count, sha256_of
from tasks.rendering.report_docx import DOCX_MIMETYPE, report_maker
from workflows.sniffing import PDF

log = logging.getLogger(__name__)

#: the files of each variant: name (in URLs) → (label, mimetype)
FILES = {
    "kallelse.pdf": ("Kallelse (PDF)", PDF_MIMETYPE),
    "kallelse.docx": ("Kallelse (Word)", DOCX_MIMETYPE),
    "motespaket.pdf": ("Mötespaket med alla handlingar (PDF)", PDF_MIMETYPE),
}
#: what a report is called in the package's contents and outline
REPORT_TITLE = "Tjänsteutlåtande"


class RenderedOutput(TypedDict, total=False):
    """A file of the render as a job names it (tasks.models.OutputJSON): its stored file and the name it is
    downloaded under; only the name when the cache records no stored files (MemoryCache: tests, the benchmark)."""

    key: str
    sha256: str
    size: int
    name: Required[str]


def _output(entry: StoredEntryJSON | None, name: str) -> RenderedOutput:
    """A stored file as a job names it: its storage entry and the name it is downloaded under."""
    return {**entry, "name": name} if entry else {"name": name}


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

    def __init__(self, convert: Converter) -> None:
        self.convert = convert
        self.futures: list[Future[bytes]] = []

    def submit(self, data: bytes, **kwargs: object) -> Future[bytes]:
        future = _conversion_thread().submit(self.convert, data, **kwargs)
        self.futures.append(future)
        return future

    def __enter__(self) -> Conversions:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for future in self.futures:
            future.cancel()
        wait(self.futures)


@dataclass
class _ConversionBatch:
    """The reports and bilagor of a render converted together (tasks.rendering.batch), with their keys."""

    batch: Batch = field(default_factory=Batch)
    keys: list[str] = field(default_factory=list)
    wheres: list[str | None] = field(default_factory=list)  # how an error names a bilaga (None: a report)

    def add(self, key: str, make: Maker, title: str, where: str | None = None) -> None:
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

    def __init__(
        self,
        plan: Plan,
        parts: PartCache,
        *,
        convert: Converter = docx_to_pdf,
        read_attachment: Callable[[AttachmentPart], bytes | Path] = read_attachment,
        progress: Callable[[int, int], None] = lambda done, total: None,
        variants: tuple[str, ...] = VARIANTS,
    ) -> None:
        self.plan, self.parts, self.convert = plan, parts, convert
        self.variants = variants
        self.read_attachment = read_attachment
        self.progress = progress
        self.done = 0
        self.total = plan.total()
        self.pdfs: dict[str, PdfData] = {}  # input hash → PDF (a big one as its stored file's path)
        self.entries: dict[str, StoredEntryJSON | None] = {}  # input hash → its stored PDF
        self.pages: dict[str, int] = {}
        self.kallelser = {
            variant: kallelse_input_hash(plan.snapshots[variant], public=variant == "public") for variant in variants
        }
        self.outputs: dict[str, dict[str, RenderedOutput]] = {variant: {} for variant in VARIANTS}
        #: bilagor that cannot go in: the job fails naming the first, once everything else is made
        self.refused: list[BadAttachment] = []

    def _count_done(self) -> None:
        self.done += 1
        self.progress(self.done, self.total)

    def _stored_part(self, key: str) -> tuple[bytes | None, StoredEntryJSON | None]:
        data = self.parts.get(key)
        used: dict[str, StoredEntryJSON] = getattr(self.parts, "used", {})  # (StoredParts records them)
        return data, (used.get(key) if data is not None else None)

    def _store_part(self, key: str, data: bytes) -> StoredEntryJSON | None:
        return self.parts.put(key, data)

    def _reuse_stored_pdf(self, key: str, big: bool = False) -> bool:
        """Take a part made before; a ``big`` one (a PDF bilaga) as its file, when the cache keeps files."""
        path = self.parts.path(f"{key}.pdf") if big else None
        if path is not None:
            pdf: PdfData | None = path
            entry = getattr(self.parts, "used", {}).get(f"{key}.pdf")
        else:
            pdf, entry = self._stored_part(f"{key}.pdf")
        if pdf is None:
            return False
        self.pdfs[key], self.entries[key] = pdf, entry
        self._count_done()
        return True

    def _keep_made_pdf(self, key: str, pdf: bytes) -> None:
        self.entries[key] = self._store_part(f"{key}.pdf", pdf)
        self.pdfs[key] = pdf
        self._count_done()

    def _keep_pdf_file(self, key: str, source: Path, where: str) -> None:
        """A PDF bilaga checked and cleaned from its file into a file (tasks.rendering.intake.checked_pdf_file),
        kept as the part and used from there: never whole in memory."""
        with self.parts.temporary_file(".pdf") as made:
            checked = checked_pdf_file(source, where, made)
            self.entries[key] = self.parts.put_file(f"{key}.pdf", checked)
        self.pdfs[key] = self.parts.path(f"{key}.pdf") or self.parts.get(f"{key}.pdf") or b""
        self._count_done()

    def _sha256(self, key: str) -> str:
        """The sha256 of a made document (from its stored entry when it has one: a big file is not read again)."""
        entry = self.entries.get(key)
        return entry["sha256"] if entry else sha256_of(self.pdfs[key])

    # 1. what is not stored, converted
    def _start_conversions(
        self, conversions: Conversions
    ) -> tuple[_ConversionBatch, Future[bytes] | None, list[tuple[str, AttachmentPart, Future[bytes]]]]:
        """Start making the kallelser, reports and bilagor not stored: the batch and the office bilagor submitted."""
        batch = _ConversionBatch()
        singles: list[tuple[str, AttachmentPart, Future[bytes]]] = []
        for variant, key in self.kallelser.items():
            snapshot, public = self.plan.snapshots[variant], variant == "public"
            if not self._reuse_stored_pdf(key):
                batch.add(
                    key, kallelse_maker(snapshot, public=public), kallelse_title(snapshot["meeting"], public=public)
                )
        for key, report in self.plan.reports().items():
            if not self._reuse_stored_pdf(key):
                batch.add(key, report_maker(report.document), REPORT_TITLE)
        for key, part in self.plan.attachments().items():
            if self._reuse_stored_pdf(key, big=part.content_type == PDF):
                continue
            try:
                data = self.read_attachment(part)
                if isinstance(data, Path):
                    self._keep_pdf_file(key, data, part.where)
                elif part.content_type == PDF:
                    self._keep_made_pdf(key, checked_pdf(data, part.where))
                elif part.content_type in LAID_OUT_TYPES:
                    batch.add(
                        key, laid_out_builder(part.title, data, part.content_type, part.where), part.title, part.where
                    )
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
            docx, entry = self._stored_part(f"{key}.docx")
            if docx is None:
                entry = self._store_part(f"{key}.docx", build_kallelse_docx(snapshot, public=public))
            self.outputs[variant]["kallelse.docx"] = _output(entry, kallelse_filename(snapshot, "docx", public=public))

    def _finish_conversions(
        self,
        batch: _ConversionBatch,
        converted: Future[bytes] | None,
        singles: list[tuple[str, AttachmentPart, Future[bytes]]],
    ) -> None:
        """Wait for the documents and store them (each under its own input hash)."""
        for key, part, single in singles:
            self._unless_refused(lambda: self._keep_made_pdf(key, converted_attachment(single.result, part.where)))
        if converted is None:
            return
        combined = self._converted_batch(converted, batch)
        if combined is not None:
            self.pages.update(zip(batch.keys, combined.page_counts()))
            for key, pdf in zip(batch.keys, combined.parts()):
                self._keep_made_pdf(key, pdf)

    def _converted_batch(self, converted: Future[bytes], batch: _ConversionBatch) -> ConvertedBatch | None:
        """The converted batch; should its conversion fail, each document converted alone instead (which names
        the one LibreOffice cannot read, or gets past what it could not do with the whole) and None."""
        if len(batch.keys) == 1:  # converted alone already: its failure is the document's
            only_where = batch.wheres[0]
            if only_where is None:
                return batch.batch.converted(converted.result())
            self._unless_refused(
                lambda: self._keep_made_pdf(batch.keys[0], converted_attachment(converted.result, only_where))
            )
            return None
        try:
            return batch.batch.converted(converted.result())
        except (ConversionFailed, SplitFailed) as exc:
            log.warning(
                "the combined conversion of %s documents failed (%s); converting them one by one", len(batch.keys), exc
            )
        for key, make, where in zip(batch.keys, batch.batch.makers, batch.wheres):
            docx = make().build()
            if where is None:
                self._keep_made_pdf(key, self.convert(docx))
            else:
                self._unless_refused(
                    lambda: self._keep_made_pdf(key, converted_attachment(lambda: self.convert(docx), where))
                )
        return None

    def _unless_refused(self, make: Callable[[], None]) -> None:
        """Make a bilaga; if it cannot go in, note why and go on with the others."""
        try:
            make()
        except BadAttachment as exc:
            self.refused.append(exc)

    # 2. the packages
    def _package_items(self, variant: str, files_later: bool = False) -> list[PackageItem]:
        """The variant's items with their documents (a document's PDF is empty until it is made; with
        ``files_later`` also one that is a file, a big bilaga: see ``run``)."""
        items = []
        for planned in self.plan.items[variant]:
            documents = []
            if planned.report:
                documents.append(self._package_document(REPORT_TITLE, planned.report.key))
            documents += [self._package_document(a.title, a.key, a.marking, files_later) for a in planned.attachments]
            items.append(PackageItem(planned.number, planned.title, documents, planned.notes))
        return items

    def _page_count(self, key: str) -> int:
        """The made document's page count (counted once); 1 while it is still converting."""
        if key not in self.pages and key in self.pdfs:
            self.pages[key] = page_count(self.pdfs[key])
        return self.pages.get(key, 0) or 1

    def _package_document(self, title: str, key: str, marking: str = "", files_later: bool = False) -> PackageDocument:
        """A document of the package (its PDF empty while it converts; its page count then comes later)."""
        pdf = self.pdfs.get(key, b"")
        return PackageDocument(
            title, b"" if files_later and isinstance(pdf, Path) else pdf, self._page_count(key), key, marking
        )

    def _begin_merge(self, variant: str) -> PackageMerge:
        snapshot = self.plan.snapshots[variant]
        return package_merge(
            snapshot["meeting"],
            self.pdfs.get(self.kallelser[variant], b""),
            self._package_items(variant, files_later=True),
            public=variant == "public",
        )

    def _kallelse_outputs(self) -> None:
        for variant, key in self.kallelser.items():
            snapshot = self.plan.snapshots[variant]
            self.outputs[variant]["kallelse.pdf"] = _output(
                self.entries[key], kallelse_filename(snapshot, "pdf", public=variant == "public")
            )

    def _layouts(self) -> dict[str, ContentsLayout]:
        return {
            variant: contents_layout(
                self.plan.snapshots[variant]["meeting"], self._package_items(variant), public=variant == "public"
            )
            for variant in self.variants
        }

    def packages(
        self, merges: dict[str, PackageMerge] | None = None, layouts: dict[str, ContentsLayout] | None = None
    ) -> None:
        """Draw the contents pages; merge each package not stored (``merges``, ``layouts``: those begun already)."""
        merges, layouts = merges or {}, layouts or {}
        for variant in self.variants:
            snapshot, public = self.plan.snapshots[variant], variant == "public"
            meeting, kallelse = snapshot["meeting"], self.pdfs[self.kallelser[variant]]
            items = self._package_items(variant)
            contents = contents_pdf(
                meeting, self._page_count(self.kallelser[variant]), items, public=public, layout=layouts.get(variant)
            )
            basis = [
                PACKAGE_VERSION,
                public,
                sorted(meeting.items()),
                self._sha256(self.kallelser[variant]),
                hashlib.sha256(contents).hexdigest(),
            ] + [[i.title, i.notes, [(d.title, self._sha256(d.key), d.marking) for d in i.documents]] for i in items]
            key = "paket/" + hashlib.sha256(repr(basis).encode()).hexdigest()
            stored = self.parts.path(key) is not None or self.parts.get(key) is not None  # (a file: not read)
            entry = getattr(self.parts, "used", {}).get(key) if stored else None
            if not stored:
                merge = merges.get(variant) or package_merge(meeting, kallelse, items, public=public)
                if not merge.slots[0].filled:
                    merge.insert_kallelse(kallelse)
                for document in merge.missing():
                    merge.fill(document, self.pdfs[document.key])
                merge.insert_contents(contents)
                with self.parts.temporary_file(".pdf") as made:
                    merge.write_to(made)  # written to disk as it is made: a package of scans is never in memory
                    entry = self.parts.put_file(key, made)
                merges.pop(variant, None)
                del merge  # (pikepdf copies a part's streams into the package in memory: one package at a time)
            name = kallelse_filename(snapshot, "pdf", public=public).replace("kallelse-", "motespaket-", 1)
            self.outputs[variant]["motespaket.pdf"] = _output(entry, name)
            self._count_done()

    def run(self) -> dict[str, dict[str, RenderedOutput]]:
        merges: dict[str, PackageMerge] = {}
        layouts: dict[str, ContentsLayout] = {}
        with Conversions(self.convert) as conversions:
            started = self._start_conversions(conversions)
            # while LibreOffice converts: the Word kallelser, and what new packages need of what is known (a
            # bilaga that is a file goes in later, one package at a time: pikepdf copies its streams into memory)
            self._kallelse_docx()
            if (started[1] is not None or started[2]) and not self.refused:
                merges = {variant: self._begin_merge(variant) for variant in self.variants}
                layouts = self._layouts()
            self._finish_conversions(*started)
        self._kallelse_outputs()
        if self.refused:
            raise self.refused[0]  # the kallelser and every other document are made and stored
        self.packages(merges, layouts)
        return self.outputs
