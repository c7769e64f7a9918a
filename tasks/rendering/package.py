"""The meeting package: one PDF with the kallelse, a table of contents, and each item's documents.

The merge of parts already made: no Flask, no database, no converter. The parts are the kallelse,
the contents pages (tasks.rendering.package_contents, drawn by tasks.rendering.contents_pdf), the
reports and the bilagor (taken in by tasks.rendering.intake).

Order: the kallelse, then the table of contents ("Innehåll", with the package's page numbers and
a link to each document), then for each item with documents its tjänsteutlåtande followed by
its bilagor. Bookmarks: one per item ("4 Verksamhetsberättelse 2016 – SN-2016/3342.181") with the
report and each bilaga nested beneath, plus "Kallelse" and "Innehåll"; each document's own
bookmarks (its headings: "Förslag till beslut", "Sammanfattning" …) folded beneath its own. Page
labels run 1 … N through the whole file, and every page carries "Sida n (N)" at its foot (in
Liberation Sans, embedded), marked as a pagination artifact so it does not disturb the tagged
content.

The merge uses pikepdf (qpdf): it copies each part's pages and structure elements in C++, where
pypdf took seconds for a 200-page package. A package of 120 parts merges in about 0.2 s.
``PackageMerge`` can be started before every part is there: a part still being converted leaves
a gap that is filled at its place later, and the contents pages (which need every part's page
count) go in last; so the merge of what is stored overlaps LibreOffice's work (see
tasks.rendering.meeting_renderer).

Accessibility: the parts' structure trees are grafted into one and their fonts kept once
(tasks.rendering.structure). The catalog says /Lang sv-SE, /MarkInfo /Marked true and shows the
title, which the XMP metadata carries too.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from agenda.snapshot_json import MeetingJSON
from tasks.rendering.contents_pdf import resolve_links
from tasks.rendering.outline import Heading, headings, outline_items
from tasks.rendering.package_contents import PackageDocument, PackageItem, contents_pdf
from tasks.rendering.pdf_files import PdfData, open_pdf, page_count
from tasks.rendering.pdf_fonts import FontUse, face
from tasks.rendering.structure import SharedFonts, StructTree

if TYPE_CHECKING:  # the merge needs no database: the job rows' module only for its types
    from tasks.models import StoredEntryJSON

log = logging.getLogger(__name__)

#: bump when the package's layout changes (the TOC, the stamps, the tree), so stored parts are remade
PACKAGE_VERSION = "1"


class PartCache(Protocol):
    """Where a render finds and keeps its parts by key (tasks.rendering.parts.StoredParts; MemoryCache)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> StoredEntryJSON | None: ...

    def path(self, key: str) -> Path | None:
        """The part's file, for a big part read from disk (None: not stored, or only as bytes)."""
        ...

    def put_file(self, key: str, made: Path) -> StoredEntryJSON | None:
        """Keep a file as the part: one from ``temporary_file()`` is moved in, any other copied."""
        ...

    def temporary_file(self, suffix: str = "") -> AbstractContextManager[Path]:
        """A path to make a part's file at, removed on leaving unless ``put_file`` took it."""
        ...


class MemoryCache(dict[str, bytes]):
    """The simplest cache: a dict (tests, the benchmark); a file kept is read into it."""

    def put(self, key: str, data: bytes) -> None:
        self[key] = data

    def path(self, key: str) -> None:
        return None

    def put_file(self, key: str, made: Path) -> None:
        self[key] = made.read_bytes()

    @contextmanager
    def temporary_file(self, suffix: str = "") -> Iterator[Path]:
        fd, name = tempfile.mkstemp(prefix="namndflode-part-", suffix=suffix)
        os.close(fd)
        try:
            yield Path(name)
        finally:
            os.unlink(name)


def _stamp(
    pdf: pikepdf.Pdf, font: FontUse, embedded: pikepdf.Object, at: pikepdf.Page, number: int, total: int
) -> None:
    """ "Sida n (N)" at the page's foot, as a pagination artifact outside the tagged content."""
    page = at.obj
    if int(page.get("/Rotate", 0) or 0) % 360:
        return
    box = [float(v) for v in page.MediaBox]
    text = f"Sida {number} ({total})"
    size = 7
    x = max(box[0], box[2]) - 70.9 - font.face.width(text, size)  # 25 mm from the right edge
    y = min(box[1], box[3]) + 14.2  # 5 mm from the bottom
    resources = page.get("/Resources")
    if resources is None:
        resources = page.Resources = Dictionary()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = resources.Font = Dictionary()
    fonts[font.resource] = embedded
    before = pdf.make_stream(b"q\n")
    after = pdf.make_stream(
        (
            f"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq 0.25 g BT {font.resource} {size} Tf "
            f"{x:.1f} {y:.1f} Td "
        ).encode("ascii")
        + font.encode(text)
        + b" Tj ET Q\nEMC\n"
    )
    contents = page.get("/Contents")
    existing = [] if contents is None else list(contents) if isinstance(contents, Array) else [contents]
    page.Contents = Array([before, *existing, after])


def _mark(pdf: pikepdf.Pdf, font: FontUse, embedded: pikepdf.Object, at: pikepdf.Page, text: str) -> None:
    """A confidential handling's secrecy marking at the page's head (right, 6 mm from the top edge), drawn as
    its running header: a pagination artifact, as the page number at its foot."""
    page = at.obj
    if int(page.get("/Rotate", 0) or 0) % 360:
        return
    box = [float(v) for v in page.MediaBox]
    size = 9
    x = max(box[0], box[2]) - 70.9 - font.face.width(text, size)  # 25 mm from the right edge
    y = max(box[1], box[3]) - 17.0 - size  # its top 6 mm from the top edge
    resources = page.get("/Resources")
    if resources is None:
        resources = page.Resources = Dictionary()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = resources.Font = Dictionary()
    fonts[font.resource] = embedded
    before = pdf.make_stream(b"q\n")
    after = pdf.make_stream(
        (
            f"Q\n/Artifact <</Type /Pagination /Subtype /Header>> BDC\nq 0 g BT {font.resource} {size} Tf "
            f"{x:.1f} {y:.1f} Td "
        ).encode("ascii")
        + font.encode(text)
        + b" Tj ET Q\nEMC\n"
    )
    contents = page.get("/Contents")
    existing = [] if contents is None else list(contents) if isinstance(contents, Array) else [contents]
    page.Contents = Array([before, *existing, after])


@dataclass(eq=False)
class _Slot:
    """A document's place in the package: its pages from ``page`` on (once it is in), its part of the tree."""

    title: str
    page: int
    section: pikepdf.Object | None  # its item's /Sect (None: directly under the /Document)
    document: PackageDocument | None = None
    filled: bool = False
    tagged: bool = False
    pages: int = 0
    headings: list[Heading] = field(default_factory=list)  # its own outline, kept beneath its bookmark


class PackageMerge:
    """A package being put together: the kallelse, the contents pages, then the items.

    A document whose PDF is not there yet (the kallelse or a ``PackageDocument`` with an empty ``pdf``, and
    the contents pages, drawn once every document's length is known) leaves a gap that ``insert_kallelse``,
    ``fill`` and ``insert_contents`` fill later, at its place: so the package can be put together while
    LibreOffice still converts those documents. ``write`` once every gap is filled."""

    def __init__(
        self,
        kallelse_pdf: PdfData,
        items: list[PackageItem],
        *,
        title: str,
        author: str = "",
        subject: str = "",
        lang: str = "sv-SE",
    ):
        self.title, self.author, self.subject, self.lang = title, author, subject, lang
        self.pdf = pikepdf.new()
        self.tree = StructTree(self.pdf, title, lang)
        self.fonts = SharedFonts(self.pdf)
        self.sources: list[pikepdf.Pdf] = []  # open until the package is written: qpdf copies streams lazily
        self.slots = [_Slot("Kallelse", 0, None), _Slot("Innehåll", 0, None)]
        self.items: list[tuple[str, list[_Slot]]] = []
        if kallelse_pdf:
            self._fill(self.slots[0], kallelse_pdf)
        for item in items:
            if not item.documents:
                continue
            section = self.tree.section(item.title)
            slots = [_Slot(d.title, len(self.pdf.pages), section, d) for d in item.documents]
            self.items.append((item.title, slots))
            self.slots += slots
            for slot, document in zip(slots, item.documents):
                if document.pdf:
                    self._fill(slot, document.pdf)

    def _fill(self, slot: _Slot, data: PdfData) -> None:
        """Put a document's pages at its place, graft its tree among its siblings, move the later ones on. A file
        is read from disk, but pikepdf copies its streams into the package in memory (qpdf's immediate copy, which
        pikepdf sets on every PDF it opens): a package holds its parts once until it is written and closed."""
        source = open_pdf(data)
        self.sources.append(source)
        at = slot.page
        if at == len(self.pdf.pages):
            self.pdf.pages.extend(source.pages)
        else:
            for offset, page in enumerate(source.pages):
                self.pdf.pages.insert(at + offset, page)
        count = len(source.pages)
        pages = [self.pdf.pages[n] for n in range(at, at + count)]
        order = self.slots.index(slot)
        position = sum(1 for other in self.slots[:order] if other.section is slot.section and other.tagged)
        slot.tagged = self.tree.graft(source, pages, slot.title, slot.section, position)
        self.fonts.share(pages)
        for later in self.slots[order + 1 :]:
            later.page += count
        slot.filled, slot.pages = True, count
        slot.headings = headings(source)

    def missing(self) -> list[PackageDocument]:
        """The documents whose PDFs are still to come."""
        return [slot.document for slot in self.slots[2:] if not slot.filled and slot.document is not None]

    def fill(self, document: PackageDocument, pdf: PdfData) -> None:
        self._fill(next(s for s in self.slots if s.document is document and not s.filled), pdf)

    def insert_kallelse(self, kallelse_pdf: PdfData) -> None:
        self._fill(self.slots[0], kallelse_pdf)

    def insert_contents(self, contents_pdf: bytes) -> None:
        """Put the contents pages after the kallelse."""
        self._fill(self.slots[1], contents_pdf)

    def _outline(self) -> list[OutlineItem]:
        def bookmark(title: str, slot: _Slot) -> OutlineItem:
            entry = OutlineItem(title, slot.page)
            own = outline_items(slot.headings, slot.page)  # its headings, folded beneath it
            if len(own) == 1:
                own = own[0].children  # its one title says what the bookmark says already
            entry.children.extend(own)
            entry.is_closed = bool(own)
            return entry

        outline = [bookmark(slot.title, slot) for slot in self.slots[:2] if slot.filled]
        for title, slots in self.items:
            entry = OutlineItem(title, slots[0].page)
            entry.children.extend(bookmark(slot.title, slot) for slot in slots)
            outline.append(entry)
        return outline

    def write(self) -> bytes:
        out = io.BytesIO()
        self.write_to(out)
        return out.getvalue()

    def write_to(self, target: Path | BinaryIO) -> None:
        """Write the package to a file (a package of big scans is not made a second time in memory as bytes) or a
        stream; the merge is closed afterwards, its memory let go."""
        if any(not slot.filled for slot in self.slots if slot is not self.slots[1]):
            raise ValueError("a document of the package is missing")
        self.tree.finish()
        pdf = self.pdf
        total = len(pdf.pages)
        font = FontUse(face("sans"), "NfPkgFont")
        font.encode("Sida 0123456789()")  # every glyph a stamp shows, before the subset is made
        embedded = font.embed(pdf)
        for index, page in enumerate(pdf.pages):
            _stamp(pdf, font, embedded, page, index + 1, total)
        marked = [
            (slot, slot.document.marking) for slot in self.slots if slot.document is not None and slot.document.marking
        ]
        if marked:
            bold = FontUse(face("sans-bold"), "NfPkgMark")
            for _slot, marking in marked:
                bold.encode(marking)  # every glyph, before the subset is made
            bold_embedded = bold.embed(pdf)
            for slot, marking in marked:
                for index in range(slot.page, slot.page + slot.pages):
                    _mark(pdf, bold, bold_embedded, pdf.pages[index], marking)
        contents = self.slots[1]
        if contents.filled:
            resolve_links(pdf, range(contents.page, contents.page + contents.pages))
        pdf.Root.PageLabels = pdf.make_indirect(Dictionary(Nums=Array([0, Dictionary(S=Name.D, St=1)])))
        with pdf.open_outline() as outline:
            outline.root.extend(self._outline())
        pdf.Root.Lang = String(self.lang)
        pdf.Root.MarkInfo = Dictionary(Marked=True)
        pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        pdf.Root.PageMode = Name.UseOutlines
        pdf.docinfo = pdf.make_indirect(
            Dictionary(
                Title=String(self.title),
                Author=String(self.author),
                Subject=String(self.subject),
                Producer=String("Nämndflöde"),
                Creator=String("Nämndflöde (LibreOffice, pikepdf)"),
            )
        )
        with pdf.open_metadata(set_pikepdf_as_editor=False) as metadata:
            metadata.load_from_docinfo(pdf.docinfo)
            metadata["dc:language"] = {self.lang}
        pdf.save(target, deterministic_id=True)
        log.debug(
            "package %r: %s pages, %s tagged parts, %s untagged",
            self.title,
            total,
            self.tree.tagged_parts,
            self.tree.untagged_parts,
        )
        for source in self.sources:
            source.close()
        self.sources = []
        pdf.close()  # what was copied from the parts is let go at once, before the next package is merged


def merge_package(
    kallelse_pdf: bytes,
    contents_pdf: bytes | None,
    items: list[PackageItem],
    *,
    title: str,
    author: str = "",
    subject: str = "",
    lang: str = "sv-SE",
) -> bytes:
    """Merge the parts into the package PDF (see the module's description)."""
    package = PackageMerge(kallelse_pdf, items, title=title, author=author, subject=subject, lang=lang)
    if contents_pdf is not None:
        package.insert_contents(contents_pdf)
    return package.write()


def package_title(meeting: MeetingJSON, public: bool) -> str:
    title = f"Möteshandlingar – {meeting.get('title') or 'Kallelse'} {meeting['start'][:10]}"
    return title + (" (offentlig version)" if public else "")


def package_merge(
    meeting: MeetingJSON, kallelse_pdf: PdfData, items: list[PackageItem], *, public: bool
) -> PackageMerge:
    """The package of a meeting put together but for its contents pages (``insert_contents``, then ``write``)."""
    return PackageMerge(
        kallelse_pdf,
        items,
        title=package_title(meeting, public),
        author=meeting.get("secretary_name") or "",
        subject=f"Kallelse, tjänsteutlåtanden och bilagor, {meeting.get('committee') or ''}",
    )


def assemble_package(meeting: MeetingJSON, kallelse_pdf: bytes, items: list[PackageItem], *, public: bool) -> bytes:
    """The contents pages and the merge: the whole package from its parts."""
    package = package_merge(meeting, kallelse_pdf, items, public=public)
    package.insert_contents(contents_pdf(meeting, page_count(kallelse_pdf), items, public=public))
    return package.write()
