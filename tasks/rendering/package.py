"""The meeting package: one PDF with the kallelse, a table of contents, and each item's documents.

Pure apart from the converter it is given (DOCX → PDF, normally the warm LibreOffice) and the
cache it may be given (input hash → PDF bytes): no Flask, no database.

Order: the kallelse, then the table of contents ("Innehåll", with the package's page numbers),
then for each item with documents its tjänsteutlåtande followed by its bilagor. Bookmarks: one
per item ("4 Verksamhetsberättelse 2016 – SN-2016/3342.181") with the report and each bilaga
nested beneath, plus "Kallelse" and "Innehåll". Page labels run 1 … N through the whole file,
and every page carries "Sida n (N)" at its foot, marked as a pagination artifact so it does
not disturb the tagged content.

Accessibility: a naive merge keeps the pages but drops each part's structure tree (pypdf's
``add_page`` even removes /StructParents). Here the parts' trees are grafted into one: the
package's /StructTreeRoot holds a /Document element, under it the kallelse and the contents
as /Part elements and each item as a /Sect (titled like its bookmark) holding its report and
bilagor as /Part elements; each part's parent tree is copied with its keys shifted past the
previous parts', and the pages' /StructParents and the annotations' /StructParent with them.
MCIDs are per page and stay valid. A bilaga PDF that came untagged stays untagged (nothing
to graft); all other parts are tagged PDFs from LibreOffice. The catalog says /Lang sv-SE,
/MarkInfo /Marked true and shows the title.

Bilagor: PDFs go in as they are (after checking they open and are not password protected);
DOCX, ODT, XLSX and ODS are converted by LibreOffice; TXT and images (PNG, JPEG) are first
laid out as a one-page-or-more Word document (the title as heading, the text or the picture
with the title as its alternative text) and converted the same way, so they are tagged too.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Callable, Protocol

from docx.shared import Mm
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from tasks.rendering.kallelse_docx import ITEM_WIDTHS, _KallelseBuilder, _w
from tasks.rendering.report_docx import _Builder, _paragraph, _run, _spacing, _sub, clean, template_sha256

log = logging.getLogger(__name__)

#: bump when the package's layout changes (the TOC, the stamps, the tree), so stored parts are remade
PACKAGE_VERSION = "1"
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
#: types LibreOffice converts directly, with the export filter for each
OFFICE_TYPES = {DOCX: "writer_pdf_Export", ODT: "writer_pdf_Export", XLSX: "calc_pdf_Export",
                ODS: "calc_pdf_Export"}
#: types laid out as a Word document first
LAID_OUT_TYPES = {TXT, PNG, JPEG}
SUPPORTED_TYPES = {PDF, *OFFICE_TYPES, *LAID_OUT_TYPES}

Converter = Callable[..., bytes]


class BadAttachment(ValueError):
    """A bilaga cannot go into the package; the message (Swedish) names it and says why."""


class PartCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


class MemoryCache(dict):
    """The simplest cache: a dict (tests, the benchmark)."""

    def put(self, key: str, data: bytes) -> None:
        self[key] = data


@dataclass
class PackageDocument:
    """One document of an item: its bookmark title and its PDF."""

    title: str
    pdf: bytes


@dataclass
class PackageItem:
    """An item of the package: its bookmark title ("4 Titel – SN-…") and its documents in order."""

    number: int
    title: str
    documents: list[PackageDocument] = field(default_factory=list)
    #: lines for the contents without a document of their own (e.g. a bilaga that is a paper in the diarium)
    notes: list[str] = field(default_factory=list)


def item_title(item: dict) -> str:
    """The bookmark of an item: "4 Verksamhetsberättelse 2016 – SN-2016/3342.181"."""
    text = f"{item['number']} {clean(item.get('title') or '')}".strip()
    if item.get("case_number"):
        text += f" – {item['case_number']}"
    return text


def attachment_label(attachment: dict) -> str:
    return f"Bilaga {attachment['number']} {clean(attachment.get('title') or '')}".strip()


# --- bilagor -------------------------------------------------------------------------------


def checked_pdf(data: bytes, where: str) -> bytes:
    """Return a bilaga's PDF if it opens, has pages and needs no password; else BadAttachment naming ``where``."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - an unknown cipher counts as protected
                opened = 0
            if not opened:
                raise BadAttachment(f"{where} är lösenordsskyddad och kan inte läggas i mötespaketet. "
                                    "Ersätt den med en PDF utan lösenord.")
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
    except BadAttachment:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken file
        raise BadAttachment(f"{where} är inte en läsbar PDF: filen är skadad eller är inte den PDF den "
                            "utger sig för att vara. Ersätt bilagan och försök igen.") from exc
    if pages == 0:
        raise BadAttachment(f"{where} är en PDF utan sidor. Ersätt bilagan och försök igen.")
    if reader.is_encrypted:  # opened with the empty password: write it out unprotected
        writer = PdfWriter(clone_from=reader)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    return data


class _LaidOut(_Builder):
    """A bilaga laid out as Word: the title as heading, then the text or the picture."""

    def __init__(self, title: str):
        self.title = title
        super().__init__(None)  # type: ignore[arg-type]

    def header(self) -> None:
        self._fill(self.document.sections[0].header._element, '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>')

    def footer(self) -> None:
        self._fill(self.document.sections[0].footer._element, '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>')

    def properties(self) -> None:
        props = self.document.core_properties
        props._element.get_or_add_title().text = clean(self.title)
        props.language = "sv-SE"
        props.subject = props.comments = ""

    def heading(self):
        p = _paragraph("Heading1")
        _run(p, clean(self.title))
        return p


class _TextAttachment(_LaidOut):
    def __init__(self, title: str, text: str):
        self.text = text
        super().__init__(title)

    def body(self) -> list:
        out = [self.heading()]
        for block in self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
            lines = [clean(line) for line in block.split("\n")]
            if not any(line.strip() for line in lines):
                continue
            p = _paragraph()
            for i, line in enumerate(lines):
                if i:
                    _sub(_sub(p, _w("r")), _w("br"))
                if line:
                    _run(p, line)
            out.append(p)
        return out


def text_of(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def text_attachment_docx(title: str, data: bytes) -> bytes:
    return _TextAttachment(title, text_of(data)).build()


def image_attachment_docx(title: str, data: bytes) -> bytes:
    """A picture on its own page(s), scaled to fit the text area, with the title as alternative text."""
    from docx.image.image import Image

    image = Image.from_blob(data)
    width_mm, height_mm = 160.0, 215.0
    natural_w = image.px_width / (image.horz_dpi or 96) * 25.4
    natural_h = image.px_height / (image.vert_dpi or 96) * 25.4
    scale = min(width_mm / natural_w, height_mm / natural_h, 1.0 if natural_w > 40 else width_mm / natural_w)
    builder = _LaidOut(title)
    document = builder.document
    body = document.element.body
    sect_pr = body[-1]
    builder.header()
    builder.footer()
    sect_pr.addprevious(builder.heading())
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    inline = run.add_picture(io.BytesIO(data), width=Mm(natural_w * scale), height=Mm(natural_h * scale))
    doc_pr = inline._inline.docPr
    doc_pr.set("descr", clean(title))
    doc_pr.set("name", clean(title)[:200] or "Bild")
    builder.properties()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def attachment_pdf(data: bytes, content_type: str, title: str, where: str, convert: Converter) -> bytes:
    """A bilaga as PDF: checked as it is, or converted; BadAttachment naming ``where`` when it cannot be."""
    if content_type == PDF:
        return checked_pdf(data, where)
    if content_type not in SUPPORTED_TYPES:
        raise BadAttachment(f"{where} har en filtyp ({content_type}) som inte kan läggas i mötespaketet.")
    try:
        if content_type == TXT:
            source, export_filter = text_attachment_docx(title, data), "writer_pdf_Export"
        elif content_type in (PNG, JPEG):
            source, export_filter = image_attachment_docx(title, data), "writer_pdf_Export"
        else:
            source, export_filter = data, OFFICE_TYPES[content_type]
    except Exception as exc:  # noqa: BLE001 - python-docx cannot read the picture
        raise BadAttachment(f"{where} kunde inte läsas: bilden är skadad eller är inte den filtyp den utger "
                            "sig för att vara.") from exc
    from tasks.rendering.pdf import ConversionFailed

    try:
        pdf = convert(source, export_filter=export_filter)
    except ConversionFailed as exc:
        raise BadAttachment(f"{where} kunde inte göras om till PDF: LibreOffice kunde inte läsa filen "
                            f"(den är skadad, lösenordsskyddad eller saknar program på servern).") from exc
    return checked_pdf(pdf, where)


def attachment_input_hash(sha256: str, content_type: str, title: str) -> str:
    """What a converted bilaga is made from: the file, its type, its title (the heading) and the layout."""
    basis = f"bilaga/{PACKAGE_VERSION}/{template_sha256()}/{content_type}/{sha256}/{title}"
    return hashlib.sha256(basis.encode()).hexdigest()


# --- the table of contents ------------------------------------------------------------------


@dataclass
class TocLine:
    level: int  # 0: an item, 1: a document of it
    number: str
    text: str
    page: int | None


class _Contents(_KallelseBuilder):
    """The "Innehåll" pages: a table Nr | Handling | Sida."""

    def __init__(self, meeting: dict, lines: list[TocLine], public: bool):
        self.lines = lines
        super().__init__({"meeting": meeting, "items": []}, public)

    def header(self) -> None:
        text = f"{clean(self.meeting.get('committee') or '').upper()}  MÖTESHANDLINGAR  {self.meeting['start'][:10]}"
        self._fill(self.document.sections[0].header._element,
                   f'<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
                   f'<w:t xml:space="preserve">{_xml(text)}</w:t></w:r></w:p>')

    def body(self) -> list:
        title = _paragraph("Heading1")
        _run(title, "Innehåll")
        intro = _paragraph()
        _run(intro, f"{self.meeting.get('title') or 'Kallelse'} den {self.meeting['start'][:10]}: kallelsen, "
                    "tjänsteutlåtandena och deras bilagor"
                    + (" (offentlig version, utan sekretessärenden och sekretessbelagda bilagor)." if self.public
                       else "."), size=20)
        widths = ITEM_WIDTHS[0], ITEM_WIDTHS[1] + ITEM_WIDTHS[2] - 1134, 1134
        tbl = self._contents_table(widths)
        return [title, intro, tbl]

    def _contents_table(self, widths):
        from lxml import etree

        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        tbl = etree.fromstring(
            f'<w:tbl xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:tblPr>'
            f'<w:tblStyle w:val="Sidhuvudtabell"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0020" w:firstRow="1"/>'
            '<w:tblCaption w:val="Mötespaketets innehåll med sidnummer"/></w:tblPr>'
            f'<w:tblGrid>{grid}</w:tblGrid></w:tbl>')
        header = self._row(tbl, header=True)
        for width, text in zip(widths, ("Nr", "Handling", "Sida")):
            p = _paragraph()
            _run(p, text, bold=True, sans=True, size=20)
            self._cell(header, width, [p], bottom_rule=True)
        for line in self.lines:
            row = self._row(tbl, cant_split=True)
            number, text, page = _paragraph(), _paragraph(), _paragraph()
            for p in (number, text, page):
                _spacing(p, before=120 if line.level == 0 else 0, after=20)
            if line.number:
                _run(number, line.number, bold=line.level == 0)
            if line.level:
                _sub(_sub(text, _w("pPr")) if text.find(_w("pPr")) is None else text.find(_w("pPr")),
                     _w("ind")).set(_w("left"), "284")
            _run(text, clean(line.text), bold=line.level == 0, size=22 if line.level == 0 else 20)
            _sub(page.find(_w("pPr")), _w("jc"), "right")
            if line.page is not None:
                _run(page, str(line.page), size=20)
            self._cell(row, widths[0], [number])
            self._cell(row, widths[1], [text])
            self._cell(row, widths[2], [page])
        return tbl

    def properties(self) -> None:
        props = self.document.core_properties
        props._element.get_or_add_title().text = f"Innehåll – {clean(self.meeting.get('title') or '')}"
        props.language = "sv-SE"
        props.subject = props.comments = ""


def _xml(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(clean(text))


def build_contents_docx(meeting: dict, lines: list[TocLine], *, public: bool) -> bytes:
    return _Contents(meeting, lines, public).build()


def contents_lines(items: list[PackageItem], first_page: int) -> list[TocLine]:
    """The contents with the page each document starts on, the first item's first page being ``first_page``."""
    lines, page = [], first_page
    for item in items:
        lines.append(TocLine(0, str(item.number), item.title.split(" ", 1)[1] if " " in item.title else item.title,
                             page if item.documents else None))
        for document in item.documents:
            lines.append(TocLine(1, "", document.title, page))
            page += _page_count(document.pdf)
        for note in item.notes:
            lines.append(TocLine(1, "", note, None))
    return lines


def _page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- the merge ------------------------------------------------------------------------------


class _Tree:
    """The package's structure tree, grafted together from the parts' trees."""

    def __init__(self, writer: PdfWriter, title: str, lang: str):
        self.writer = writer
        self.root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self.root_ref = writer._add_object(self.root)
        self.document = DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): self.root_ref, NameObject("/T"): TextStringObject(title),
            NameObject("/Lang"): TextStringObject(lang), NameObject("/K"): ArrayObject()})
        self.document_ref = writer._add_object(self.document)
        self.root[NameObject("/K")] = ArrayObject([self.document_ref])
        self.nums = ArrayObject()
        self.next_key = 0
        self.role_map = DictionaryObject()
        self.tagged_parts = 0
        self.untagged_parts = 0

    def section(self, title: str):
        """A /Sect under the document for one item; returns (dict, ref)."""
        sect = DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Sect"),
            NameObject("/P"): self.document_ref, NameObject("/T"): TextStringObject(title),
            NameObject("/K"): ArrayObject()})
        ref = self.writer._add_object(sect)
        self.document["/K"].append(ref)
        return sect, ref

    def graft(self, reader: PdfReader, first_page: int, title: str, parent=None) -> None:
        """Hang ``reader``'s tree under ``parent`` (a (dict, ref) pair; default the document) as a /Part."""
        parent_dict, parent_ref = parent or (self.document, self.document_ref)
        catalog = reader.trailer["/Root"]
        source = catalog.get("/StructTreeRoot")
        if source is None:
            self.untagged_parts += 1
            return
        source_ref = catalog.raw_get("/StructTreeRoot")
        source = source.get_object()
        part = DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Part"),
            NameObject("/P"): parent_ref, NameObject("/T"): TextStringObject(title), NameObject("/K"): ArrayObject()})
        part_ref = self.writer._add_object(part)
        parent_dict["/K"].append(part_ref)
        # The source's root is the new part: references to it (the kids' /P) are cloned as references to the part.
        if hasattr(source_ref, "idnum"):
            translated = self.writer._id_translated.setdefault(id(reader), {"PreventGC": reader})
            translated[source_ref.idnum] = part_ref.idnum
        kids = source.get("/K")
        kids = [] if kids is None else (list(kids) if isinstance(kids.get_object(), ArrayObject) else [kids])
        for kid in kids:
            cloned = kid.clone(self.writer) if hasattr(kid, "clone") else kid
            element = cloned.get_object()
            if isinstance(element, DictionaryObject) and element.get("/S") == "/Document":
                element[NameObject("/S")] = NameObject("/Div")  # one /Document per file: the package's
            part["/K"].append(cloned)
        offset = self.next_key
        highest = -1
        for key, value in _number_tree(source.get("/ParentTree")):
            self.nums.append(NumberObject(key + offset))
            self.nums.append(value.clone(self.writer))
            highest = max(highest, key)
        next_key = int(source.get("/ParentTreeNextKey", highest + 1))
        self.next_key = offset + max(next_key, highest + 1)
        for name, value in (source.get("/RoleMap") or {}).items():
            if name not in self.role_map:
                self.role_map[NameObject(name)] = value.clone(self.writer)
        # pypdf's add_page drops /StructParents: put them back, shifted, and shift the annotations' too.
        for index, page in enumerate(reader.pages):
            target = self.writer.pages[first_page + index]
            if "/StructParents" in page:
                target[NameObject("/StructParents")] = NumberObject(int(page["/StructParents"]) + offset)
            for annotation in target.get("/Annots") or []:
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(int(annotation["/StructParent"]) + offset)
        self.tagged_parts += 1

    def finish(self) -> None:
        self.root[NameObject("/ParentTree")] = self.writer._add_object(
            DictionaryObject({NameObject("/Nums"): self.nums}))
        self.root[NameObject("/ParentTreeNextKey")] = NumberObject(self.next_key)
        if self.role_map:
            self.root[NameObject("/RoleMap")] = self.role_map
        self.writer._root_object[NameObject("/StructTreeRoot")] = self.root_ref


def _number_tree(node):
    """(key, value) pairs of a PDF number tree, in order."""
    if node is None:
        return
    node = node.get_object()
    nums = node.get("/Nums")
    if nums is not None:
        nums = nums.get_object()
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids") or []:
        yield from _number_tree(kid)


_FONT_NAME = "/NfPkgFont"


def _stamp(writer: PdfWriter, font_ref, page, number: int, total: int) -> None:
    """"Sida n (N)" at the page's foot, as a pagination artifact outside the tagged content."""
    if int(page.get("/Rotate", 0) or 0) % 360:
        return
    box = page.mediabox
    text = f"Sida {number} ({total})"
    size = 7
    width = len(text) * size * 0.55
    x = float(box.right) - 70.9 - width  # 25 mm from the right edge
    y = float(box.bottom) + 14.2  # 5 mm from the bottom
    resources = page.get("/Resources")
    if resources is None:
        resources = DictionaryObject()
        page[NameObject("/Resources")] = resources
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    fonts = fonts.get_object()
    fonts[NameObject(_FONT_NAME)] = font_ref
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    after = DecodedStreamObject()
    after.set_data(
        (f"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq 0.25 g BT {_FONT_NAME} {size} Tf "
         f"{x:.1f} {y:.1f} Td ({text}) Tj ET Q\nEMC\n").encode("ascii"))
    contents = page.get("/Contents")
    existing = []
    if contents is not None:
        raw = page.raw_get("/Contents")
        resolved = contents.get_object()
        existing = list(resolved) if isinstance(resolved, ArrayObject) else [raw]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *existing, writer._add_object(after)])


def merge_package(kallelse_pdf: bytes, contents_pdf: bytes | None, items: list[PackageItem], *, title: str,
                  author: str = "", subject: str = "", lang: str = "sv-SE") -> bytes:
    """Merge the parts into the package PDF (see the module's description)."""
    writer = PdfWriter()
    tree = _Tree(writer, title, lang)

    def add(pdf: bytes, part_title: str, parent=None) -> int:
        reader = PdfReader(io.BytesIO(pdf))
        first = len(writer.pages)
        for page in reader.pages:
            writer.add_page(page)
        tree.graft(reader, first, part_title, parent)
        return first

    first = add(kallelse_pdf, "Kallelse")
    writer.add_outline_item(title="Kallelse", page_number=first)
    if contents_pdf is not None:
        first = add(contents_pdf, "Innehåll")
        writer.add_outline_item(title="Innehåll", page_number=first)
    for item in items:
        if not item.documents:
            continue
        section = tree.section(item.title)
        firsts = [add(document.pdf, document.title, section) for document in item.documents]
        parent = writer.add_outline_item(title=item.title, page_number=firsts[0])
        for document, first in zip(item.documents, firsts):
            writer.add_outline_item(title=document.title, page_number=first, parent=parent)
    tree.finish()

    total = len(writer.pages)
    font_ref = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    for index, page in enumerate(writer.pages):
        _stamp(writer, font_ref, page, index + 1, total)
    writer.set_page_label(0, total - 1, style="/D", start=1)

    catalog = writer._root_object
    catalog[NameObject("/Lang")] = TextStringObject(lang)
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
    writer.add_metadata({"/Title": title, "/Author": author, "/Subject": subject, "/Producer": "Nämndflöde",
                         "/Creator": "Nämndflöde (LibreOffice, pypdf)"})
    out = io.BytesIO()
    writer.write(out)
    log.debug("package %r: %s pages, %s tagged parts, %s untagged", title, total, tree.tagged_parts,
              tree.untagged_parts)
    return out.getvalue()


def contents_input_hash(meeting: dict, lines: list[TocLine], public: bool) -> str:
    basis = repr((PACKAGE_VERSION, template_sha256(), sorted(meeting.items()), public,
                  [(l.level, l.number, l.text, l.page) for l in lines]))
    return hashlib.sha256(("innehall/" + basis).encode()).hexdigest()


#: how many contents lines a page holds, roughly (titles of two lines count once): the first guess
CONTENTS_LINES_PER_PAGE = 28


def contents_for(meeting: dict, kallelse_pdf: bytes, items: list[PackageItem], *, public: bool,
                 convert: Converter, cache: PartCache) -> bytes:
    """The contents pages as PDF (converted, remade until their own length is right; cached by their input)."""
    kallelse_pages = _page_count(kallelse_pdf)
    # a first guess from the number of lines (about 28 fit on a page), corrected below when it is wrong
    contents_pages = 1 + max(len(contents_lines(items, 1)) - 1, 0) // CONTENTS_LINES_PER_PAGE
    contents_pdf = b""
    for _attempt in range(4):
        lines = contents_lines(items, kallelse_pages + contents_pages + 1)
        key = contents_input_hash(meeting, lines, public)
        contents_pdf = cache.get(key)
        if contents_pdf is None:
            contents_pdf = convert(build_contents_docx(meeting, lines, public=public))
            cache.put(key, contents_pdf)
        pages = _page_count(contents_pdf)
        if pages == contents_pages:
            break
        contents_pages = pages
    return contents_pdf


def package_title(meeting: dict, public: bool) -> str:
    title = f"Möteshandlingar – {meeting.get('title') or 'Kallelse'} {meeting['start'][:10]}"
    return title + (" (offentlig version)" if public else "")


def merge_with_contents(meeting: dict, kallelse_pdf: bytes, contents_pdf: bytes, items: list[PackageItem], *,
                        public: bool) -> bytes:
    return merge_package(kallelse_pdf, contents_pdf, items, title=package_title(meeting, public),
                         author=meeting.get("secretary_name") or "",
                         subject=f"Kallelse, tjänsteutlåtanden och bilagor, {meeting.get('committee') or ''}")


def assemble_package(meeting: dict, kallelse_pdf: bytes, items: list[PackageItem], *, public: bool,
                     convert: Converter, cache: PartCache | None = None) -> bytes:
    """The contents pages and the merge: the whole package from its parts."""
    cache = cache if cache is not None else MemoryCache()
    contents_pdf = contents_for(meeting, kallelse_pdf, items, public=public, convert=convert, cache=cache)
    return merge_with_contents(meeting, kallelse_pdf, contents_pdf, items, public=public)
