"""The documents of one protokoll revision: the full protokoll, the public version and a protokollsutdrag per
paragraph, each as DOCX and tagged PDF, made in one LibreOffice call.

``plan_protocol`` lists the documents with their input hashes (tasks.rendering.protocol_docx's
``protocol_input_hash``: data, variant, builder version, template); ``ProtocolRenderer`` makes them with a part
cache (tasks.rendering.parts.StoredParts in the task, a MemoryCache in tests and the benchmark): a document whose
parts are stored is taken as it is, so a render of an unchanged revision builds and converts nothing. The others
go into one combined Word document (tasks.rendering.batch), converted on the process's conversion thread while
this thread builds each document's own Word file, then split into one PDF per document. The PDFs of a justerat
protokoll are sealed (``seal``, a function PDF → sealed PDF: tasks.rendering.seal.seal_pdf with the
organisation's credentials); a sealed PDF is kept under its input hash and the certificate's, so the same
justerat revision is not sealed twice. Used by the task (tasks.protocol_documents) and the benchmark.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Literal

from app.registry.identity_numbers import find_identity_numbers, masked
from tasks.models import StoredEntryJSON
from tasks.rendering.batch import Batch, ConvertedBatch, Converter, Maker, SplitFailed
from tasks.rendering.conversion_errors import ConversionFailed
from tasks.rendering.meeting_renderer import Conversions
from tasks.rendering.package import PartCache
from tasks.rendering.pdf import docx_to_pdf
from tasks.rendering.protocol_docx import (
    protocol_filename,
    protocol_input_hash,
    protocol_maker,
    protocol_texts,
    protocol_title,
    public_protocol,
)
from tasks.rendering.protocol_json import ProtocolJSON

log = logging.getLogger(__name__)

DocumentKind = Literal["full", "public", "extract"]


@dataclass(frozen=True)
class PlannedDocument:
    """A document of the render: what it is, its input hash and how it is built."""

    kind: DocumentKind
    #: the § of an extract (None for the full protokoll and the public version)
    paragraph: int | None
    #: the input hash (protocol_input_hash): the key its parts are kept under
    key: str
    title: str
    docx_name: str
    pdf_name: str
    make: Maker


def public_version_problems(protocol: ProtocolJSON) -> list[str]:
    """Why the public version may not be made (empty when it may), each naming where: a personnummer or
    samordningsnummer in any text it prints (as the kallelse's publication check finds them)."""
    return [
        f"{where}: innehåller ett {number.kind} ({masked(number.text)})."
        for where, text in protocol_texts(public_protocol(protocol))
        for number in find_identity_numbers(text)
    ]


def plan_protocol(protocol: ProtocolJSON, *, public: bool = True) -> list[PlannedDocument]:
    """The full protokoll, the public version (unless ``public`` is False: refused) and one extract per §."""

    def planned(kind: DocumentKind, is_public: bool, extract: int | None) -> PlannedDocument:
        return PlannedDocument(
            kind=kind,
            paragraph=extract,
            key=protocol_input_hash(protocol, public=is_public, extract=extract),
            title=protocol_title(protocol, public=is_public, extract=extract),
            docx_name=protocol_filename(protocol, "docx", public=is_public, extract=extract),
            pdf_name=protocol_filename(protocol, "pdf", public=is_public, extract=extract),
            make=protocol_maker(protocol, public=is_public, extract=extract),
        )

    documents = [planned("full", False, None)]
    if public:
        documents.append(planned("public", True, None))
    documents += [planned("extract", False, p["number"]) for p in protocol["paragraphs"]]
    return documents


@dataclass
class RenderedDocument:
    """A made (or reused) document: its stored Word file and PDF (None with a cache that records no files)."""

    planned: PlannedDocument
    docx: StoredEntryJSON | None = None
    pdf: StoredEntryJSON | None = None
    #: its PDF came from the cache rather than from LibreOffice
    reused: bool = False


@dataclass(frozen=True)
class Sealing:
    """How a justerat protokoll's PDFs are sealed: the function, and what names the certificate in part keys."""

    seal: Callable[[bytes], bytes]
    #: a short hash of the certificate: a PDF sealed with another certificate is sealed again
    certificate_id: str
    #: the documents sealed by their input hash (None: every document of the render, a justerat protokoll's);
    #: the extracts of paragraphs justerade at once while the rest of the protokoll is a draft
    only: frozenset[str] | None = None

    def applies_to(self, document: PlannedDocument) -> bool:
        return self.only is None or document.key in self.only


@dataclass
class _Pending:
    batch: Batch = field(default_factory=Batch)
    documents: list[PlannedDocument] = field(default_factory=list)


class ProtocolRenderer:
    """Makes a plan's documents with a converter and a part cache; shared by the task and the benchmark."""

    def __init__(
        self,
        documents: list[PlannedDocument],
        parts: PartCache,
        *,
        convert: Converter = docx_to_pdf,
        sealing: Sealing | None = None,
        progress: Callable[[int, int], None] = lambda done, total: None,
    ) -> None:
        self.documents, self.parts, self.convert, self.sealing = documents, parts, convert, sealing
        self.progress = progress
        self.done = 0
        self.rendered: dict[str, RenderedDocument] = {d.key: RenderedDocument(d) for d in documents}

    @property
    def total(self) -> int:
        return len(self.documents)

    @property
    def reused(self) -> int:
        return sum(1 for r in self.rendered.values() if r.reused)

    def _sealing_of(self, document: PlannedDocument) -> Sealing | None:
        return self.sealing if self.sealing is not None and self.sealing.applies_to(document) else None

    def _pdf_key(self, document: PlannedDocument) -> str:
        if self.sealing is None or not self.sealing.applies_to(document):
            return f"{document.key}.pdf"
        return f"{document.key}.sigill-{self.sealing.certificate_id}.pdf"

    def _stored(self, key: str) -> tuple[bytes | None, StoredEntryJSON | None]:
        data = self.parts.get(key)
        used: dict[str, StoredEntryJSON] = getattr(self.parts, "used", {})  # (StoredParts records them)
        return data, (used.get(key) if data is not None else None)

    def _count_done(self) -> None:
        self.done += 1
        self.progress(self.done, self.total)

    def _keep_pdf(self, document: PlannedDocument, pdf: bytes) -> None:
        """Store a converted PDF, and its sealed copy for a justerat protokoll (the one offered)."""
        entry = self.parts.put(f"{document.key}.pdf", pdf)
        sealing = self._sealing_of(document)
        if sealing is not None:
            entry = self.parts.put(self._pdf_key(document), sealing.seal(pdf))
        self.rendered[document.key].pdf = entry
        self._count_done()

    def _start(self, conversions: Conversions) -> tuple[_Pending, Future[bytes] | None]:
        """Take what is stored; put the rest into one batch and submit its conversion."""
        pending = _Pending()
        for document in self.documents:
            pdf, entry = self._stored(self._pdf_key(document))
            if pdf is not None:
                self.rendered[document.key].pdf, self.rendered[document.key].reused = entry, True
                self._count_done()
                continue
            if self._sealing_of(document) is not None:
                plain, _entry = self._stored(f"{document.key}.pdf")
                if plain is not None:  # converted before (as the draft it was approved as): seal it only
                    self.rendered[document.key].reused = True
                    self._keep_pdf(document, plain)
                    continue
            pending.batch.add(document.make, document.title)
            pending.documents.append(document)
        converted = (
            conversions.submit(pending.batch.docx(), options=pending.batch.options) if pending.documents else None
        )
        return pending, converted

    def _word_files(self) -> None:
        """Each document's own Word file, built unless stored (while LibreOffice converts the batch)."""
        for document in self.documents:
            docx, entry = self._stored(f"{document.key}.docx")
            if docx is None:
                entry = self.parts.put(f"{document.key}.docx", document.make().build())
            self.rendered[document.key].docx = entry

    def _finish(self, pending: _Pending, converted: Future[bytes] | None) -> None:
        if converted is None:
            return
        try:
            split: ConvertedBatch | None = pending.batch.converted(converted.result())
        except (ConversionFailed, SplitFailed) as exc:
            if len(pending.documents) == 1:
                raise
            log.warning("the combined protokoll of %s documents failed (%s); one by one", len(pending.documents), exc)
            split = None
        if split is not None:
            for document, pdf in zip(pending.documents, split.parts()):
                self._keep_pdf(document, pdf)
            return
        for document in pending.documents:
            self._keep_pdf(document, self.convert(document.make().build()))

    def run(self) -> list[RenderedDocument]:
        """Make (or take) every document; returned in the plan's order."""
        self.progress(0, self.total)
        with Conversions(self.convert) as conversions:
            pending, converted = self._start(conversions)
            self._word_files()
            self._finish(pending, converted)
        return [self.rendered[d.key] for d in self.documents]
