"""The meeting package: one PDF with the kallelse, a table of contents, and each item's documents.

Pure apart from the converter it is given (DOCX → PDF, normally the warm LibreOffice) for the
bilagor it converts: no Flask, no database.

Order: the kallelse, then the table of contents ("Innehåll", with the package's page numbers and
a link to each document: drawn straight into PDF by tasks.rendering.contents_pdf once every
document's length is known), then for each item with documents its tjänsteutlåtande followed by
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
meeting_documents.Renderer).

Accessibility: a naive merge keeps the pages but drops each part's structure tree. Here the
parts' trees are grafted into one: the package's /StructTreeRoot holds a /Document element,
under it the kallelse and the contents as /Part elements and each item as a /Sect (titled like
its bookmark) holding its report and bilagor as /Part elements; each part's parent tree is
copied with its keys shifted past the previous parts', and the pages' /StructParents and the
annotations' /StructParent with them. MCIDs are per page and stay valid. A bilaga PDF that came
untagged stays untagged (nothing to graft); all other parts are tagged PDFs (from LibreOffice,
and the drawn contents).
Parts converted together (tasks.rendering.batch) carry the same font subsets: each embedded
font is kept once, found by its content. The catalog says /Lang sv-SE, /MarkInfo /Marked true
and shows the title, which the XMP metadata carries too.

Bilagor: PDFs go in as they are (after checking they open and are not password protected), but
without active content: JavaScript, launch and submit actions, attached files and the like are
removed first (tasks.rendering.pdf_clean; the stored original stays as it was uploaded). The PDFs
LibreOffice makes of the other bilagor are cleaned the same way;
DOCX, ODT, XLSX and ODS are converted by LibreOffice one by one; TXT and images (PNG, JPEG) are
first laid out as a Word document (the title as heading, the text or the picture with the title
as its alternative text) and converted the same way, so they are tagged too; the meeting
documents job converts those together with the reports (``laid_out_builder``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from typing import Callable, Protocol

import pikepdf
from docx.shared import Mm
from pikepdf import Array, Dictionary, Name, OutlineItem, String
from pypdf import PdfReader, PdfWriter

from tasks.rendering.contents_pdf import ContentsLayout, ContentsLine, resolve_links
from tasks.rendering.outline import headings, outline_items
from tasks.rendering.pdf_clean import CLEAN_VERSION, clean_pdf
from tasks.rendering.pdf_fonts import FontUse, face
from tasks.rendering.word import Target, clean, template_sha256
from tasks.rendering.word import WordBuilder as _Builder
from tasks.rendering.word import paragraph as _paragraph
from tasks.rendering.word import run as _run
from tasks.rendering.word import sub as _sub
from tasks.rendering.word import w as _w
from workflows.sniffing import DOCX, JPEG, ODS, ODT, PDF, PNG, TXT, XLSX  # the types a bilaga can have

log = logging.getLogger(__name__)

#: bump when the package's layout changes (the TOC, the stamps, the tree), so stored parts are remade
PACKAGE_VERSION = "1"
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
    """Where a render finds and keeps its parts by key (tasks.rendering.parts.StoredParts; MemoryCache)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> dict | None: ...


class MemoryCache(dict):
    """The simplest cache: a dict (tests, the benchmark)."""

    def put(self, key: str, data: bytes) -> None:
        self[key] = data


@dataclass
class PackageDocument:
    """One document of an item: its bookmark title and its PDF."""

    title: str
    pdf: bytes
    #: its number of pages (counted when not given)
    pages: int = 0
    #: what the caller stores it under (for filling it in later, see PackageMerge)
    key: str = ""

    def __post_init__(self) -> None:
        if not self.pages:
            self.pages = page_count(self.pdf)


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


def _unreadable(where: str) -> BadAttachment:
    return BadAttachment(f"{where} är inte en läsbar PDF: filen är skadad eller är inte den PDF den utger sig för "
                         "att vara. Ersätt bilagan och försök igen.")


def checked_pdf(data: bytes, where: str) -> bytes:
    """Return a bilaga's PDF, without active content (pdf_clean), if it opens, has pages and needs no password;
    else BadAttachment naming ``where``."""
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
        raise _unreadable(where) from exc
    if pages == 0:
        raise BadAttachment(f"{where} är en PDF utan sidor. Ersätt bilagan och försök igen.")
    if reader.is_encrypted:  # opened with the empty password: write it out unprotected
        writer = PdfWriter(clone_from=reader)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    try:
        return clean_pdf(data)
    except Exception as exc:  # noqa: BLE001 - pikepdf (qpdf) cannot read what pypdf could
        raise _unreadable(where) from exc


class _LaidOut(_Builder):
    """A bilaga laid out as Word: the title as heading, then the text or the picture."""

    def __init__(self, title: str, target: Target | None = None):
        self.title = title
        super().__init__(None, target)  # type: ignore[arg-type]

    def header(self) -> None:
        self._fill(self.target.header, '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>')

    def footer(self) -> None:
        self._fill(self.target.footer, '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>')

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
    def __init__(self, title: str, text: str, target: Target | None = None):
        self.text = text
        super().__init__(title, target)

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


class _ImageAttachment(_LaidOut):
    """A picture on its own page(s), scaled to fit the text area, with the title as alternative text."""

    def __init__(self, title: str, data: bytes, target: Target | None = None):
        from docx.image.image import Image

        image = Image.from_blob(data)  # raises when python-docx cannot read the picture
        natural_w = image.px_width / (image.horz_dpi or 96) * 25.4
        natural_h = image.px_height / (image.vert_dpi or 96) * 25.4
        width_mm, height_mm = 160.0, 215.0
        scale = min(width_mm / natural_w, height_mm / natural_h, 1.0 if natural_w > 40 else width_mm / natural_w)
        self.image, self.size = data, (Mm(natural_w * scale), Mm(natural_h * scale))
        super().__init__(title, target)

    def body(self) -> list:
        inline = self.part.new_pic_inline(io.BytesIO(self.image), *self.size)
        inline.docPr.set("descr", clean(self.title))
        inline.docPr.set("name", clean(self.title)[:200] or "Bild")
        picture = _paragraph()
        _sub(_sub(picture, _w("r")), _w("drawing")).append(inline)
        return [self.heading(), picture]


def text_of(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def laid_out_builder(title: str, data: bytes, content_type: str, where: str):
    """A function making the builder of a TXT or picture bilaga in a target (tasks.rendering.batch);
    BadAttachment naming ``where`` when the picture cannot be read."""
    if content_type == TXT:
        text = text_of(data)
        return lambda target=None: _TextAttachment(title, text, target)
    try:
        _ImageAttachment(title, data)  # read the picture now, so a broken one is refused by name
    except Exception as exc:  # noqa: BLE001 - python-docx cannot read the picture
        raise BadAttachment(f"{where} kunde inte läsas: bilden är skadad eller är inte den filtyp den utger "
                            "sig för att vara.") from exc
    return lambda target=None: _ImageAttachment(title, data, target)


def office_source(data: bytes, content_type: str, where: str) -> tuple[bytes, str]:
    """What LibreOffice converts for a bilaga that is not laid out by us: the file and its export filter."""
    if content_type not in OFFICE_TYPES:
        raise BadAttachment(f"{where} har en filtyp ({content_type}) som inte kan läggas i mötespaketet.")
    return data, OFFICE_TYPES[content_type]


def converted_attachment(convert_it: Callable[[], bytes], where: str) -> bytes:
    """The PDF of a converted bilaga, checked; BadAttachment naming ``where`` when LibreOffice could not."""
    from tasks.rendering.pdf import ConversionFailed

    try:
        pdf = convert_it()
    except ConversionFailed as exc:
        raise BadAttachment(f"{where} kunde inte göras om till PDF: LibreOffice kunde inte läsa filen "
                            f"(den är skadad, lösenordsskyddad eller saknar program på servern).") from exc
    return checked_pdf(pdf, where)


def attachment_pdf(data: bytes, content_type: str, title: str, where: str, convert: Converter) -> bytes:
    """A bilaga as PDF on its own: checked as it is, or converted; BadAttachment naming ``where`` when it cannot be.

    (The meeting documents job converts the TXT and picture bilagor together with the reports instead.)"""
    if content_type == PDF:
        return checked_pdf(data, where)
    if content_type in LAID_OUT_TYPES:
        make = laid_out_builder(title, data, content_type, where)
        return converted_attachment(lambda: convert(make().build(), export_filter="writer_pdf_Export"), where)
    source, export_filter = office_source(data, content_type, where)
    return converted_attachment(lambda: convert(source, export_filter=export_filter), where)


def attachment_input_hash(sha256: str, content_type: str, title: str) -> str:
    """What a converted bilaga is made from: the file, its type, its title (the heading), the layout and what
    cleaning removes from it (pdf_clean.CLEAN_VERSION: a part cleaned less than now is made again)."""
    basis = f"bilaga/{PACKAGE_VERSION}/clean-{CLEAN_VERSION}/{template_sha256()}/{content_type}/{sha256}/{title}"
    return hashlib.sha256(basis.encode()).hexdigest()


# --- the table of contents ------------------------------------------------------------------


def contents_lines(items: list[PackageItem], first_page: int) -> list[ContentsLine]:
    """The contents with the page each document starts on, the first item's first page being ``first_page``."""
    lines, page = [], first_page
    for item in items:
        lines.append(ContentsLine(0, str(item.number), item.title.split(" ", 1)[1] if " " in item.title else item.title,
                                  page if item.documents else None))
        for document in item.documents:
            lines.append(ContentsLine(1, "", document.title, page))
            page += document.pages
        for note in item.notes:
            lines.append(ContentsLine(1, "", note, None))
    return lines


def contents_layout(meeting: dict, items: list[PackageItem], *, public: bool) -> ContentsLayout:
    """The contents pages laid out (tasks.rendering.contents_pdf); the documents' lengths need not be known yet."""
    return ContentsLayout(meeting, contents_lines(items, 1), public=public)


def contents_pdf(meeting: dict, kallelse_pages: int, items: list[PackageItem], *, public: bool,
                 layout: ContentsLayout | None = None) -> bytes:
    """The contents pages of a package as a tagged PDF: the kallelse has ``kallelse_pages`` pages, the items'
    documents have the page counts given (their PDFs are not needed). ``layout``: theirs, made beforehand."""
    layout = layout or contents_layout(meeting, items, public=public)
    layout.number(contents_lines(items, kallelse_pages + layout.page_count() + 1))
    return layout.pdf(f"Innehåll – {clean(meeting.get('title') or '')}")


def page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


# --- the merge ------------------------------------------------------------------------------


def _copied(pdf: pikepdf.Pdf, value, source: pikepdf.Pdf):
    """``value`` of ``source`` as an object of ``pdf``, what it refers to copied (once: qpdf remembers); a direct
    array or dictionary is made indirect in the source first (qpdf copies only indirect objects)."""
    if isinstance(value, (Array, Dictionary)):
        return pdf.copy_foreign(value if value.is_indirect else source.make_indirect(value))
    return value


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _number_tree(node):
    """(key, value) pairs of a PDF number tree, in order."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids") or []:
        yield from _number_tree(kid)


class _Tree:
    """The package's structure tree, grafted together from the parts' trees."""

    def __init__(self, pdf: pikepdf.Pdf, title: str, lang: str):
        self.pdf = pdf
        self.root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = pdf.make_indirect(Dictionary(
            Type=Name.StructElem, S=Name.Document, P=self.root, T=String(title), Lang=String(lang), K=Array()))
        self.root.K = Array([self.document])
        self.nums = Array()
        self.next_key = 0
        self.role_map = Dictionary()
        self.tagged_parts = 0
        self.untagged_parts = 0

    def _element(self, kind: Name, parent, title: str, position: int | None = None):
        element = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=kind, P=parent, T=String(title),
                                                    K=Array()))
        if position is None:
            parent.K.append(element)
        else:
            parent.K.insert(position, element)
        return element

    def section(self, title: str):
        """A /Sect under the document for one item."""
        return self._element(Name.Sect, self.document, title)

    def graft(self, source: pikepdf.Pdf, pages: list, title: str, parent=None, position: int | None = None) -> bool:
        """Hang ``source``'s tree under ``parent`` (default the document; at ``position`` among its children,
        default last) as a /Part; ``pages`` are its pages as copied into the package. False: it had none."""
        root = source.Root.get("/StructTreeRoot")
        if root is None:
            self.untagged_parts += 1
            return False
        part = self._element(Name.Part, parent if parent is not None else self.document, title, position)
        kids = []
        for kid in _kids(root):
            if isinstance(kid, Dictionary):
                if "/P" in kid:
                    del kid["/P"]  # the source's root: not copied; the part is the new parent
                kids.append(kid)
        entries = list(_number_tree(root.get("/ParentTree")))
        # one copy of everything (qpdf copies what is reachable, each object once)
        copied = self.pdf.copy_foreign(source.make_indirect(Array([
            Array(kids), Array([value for _key, value in entries]), root.get("/RoleMap") or Dictionary()])))
        for element in copied[0]:
            if element.get("/S") == Name.Document:
                element.S = Name.Div  # one /Document per file: the package's
            element.P = part
        part.K = copied[0]
        offset = self.next_key
        highest = -1
        for (key, _value), value in zip(entries, copied[1]):
            self.nums.append(key + offset)
            self.nums.append(value)
            highest = max(highest, key)
        next_key = int(root.get("/ParentTreeNextKey", highest + 1))
        self.next_key = offset + max(next_key, highest + 1)
        for name, value in copied[2].items():
            if name not in self.role_map:
                self.role_map[name] = value
        if offset:
            for page in pages:
                page = page.obj
                if "/StructParents" in page:
                    page.StructParents = int(page.StructParents) + offset
                for annotation in page.get("/Annots") or ():
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + offset
        self.tagged_parts += 1
        return True

    def finish(self) -> None:
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=self.nums))
        self.root.ParentTreeNextKey = self.next_key
        if len(self.role_map):
            self.root.RoleMap = self.role_map
        self.pdf.Root.StructTreeRoot = self.root


_REFERENCE = re.compile(rb"(\d+) (\d+) R\b")


def _fingerprint(pdf: pikepdf.Pdf, value: pikepdf.Object, memo: dict) -> bytes:
    """A digest of an indirect object's content with what it refers to (for finding a font embedded twice):
    its text as qpdf writes it, each reference replaced by the digest of the object referred to, and a
    stream's raw data."""
    key = value.objgen
    if key in memo:
        return memo[key]
    memo[key] = b"cycle"
    digest = hashlib.sha1()
    if isinstance(value, pikepdf.Stream):
        digest.update(value.read_raw_bytes())
        text = bytes(value.stream_dict.unparse())
    else:
        text = bytes(value.unparse(resolved=True))
    position = 0
    for match in _REFERENCE.finditer(text):
        digest.update(text[position:match.start()])
        position = match.end()
        try:
            referred = pdf.get_object((int(match[1]), int(match[2])))
        except Exception:  # noqa: BLE001 - text that only looks like a reference
            referred = None
        digest.update(_fingerprint(pdf, referred, memo) if isinstance(referred, pikepdf.Object) and referred.is_indirect
                      else match[0])
    digest.update(text[position:])
    memo[key] = digest.digest()
    return memo[key]


class _Fonts:
    """One copy of each embedded font: parts converted together carry the same font subsets."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.kept: dict[bytes, pikepdf.Object] = {}

    def share(self, pages: list) -> None:
        memo: dict = {}
        for page in pages:
            resources = page.obj.get("/Resources")
            fonts = resources.get("/Font") if resources is not None else None
            if not isinstance(fonts, Dictionary):
                continue
            for name, font in list(fonts.items()):
                if not font.is_indirect:
                    continue
                kept = self.kept.setdefault(_fingerprint(self.pdf, font, memo), font)
                if kept.objgen != font.objgen:
                    fonts[name] = kept


def _stamp(pdf: pikepdf.Pdf, font: FontUse, embedded, page, number: int, total: int) -> None:
    """"Sida n (N)" at the page's foot, as a pagination artifact outside the tagged content."""
    page = page.obj
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
        (f"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq 0.25 g BT {font.resource} {size} Tf "
         f"{x:.1f} {y:.1f} Td ").encode("ascii") + font.encode(text) + b" Tj ET Q\nEMC\n")
    contents = page.get("/Contents")
    existing = [] if contents is None else list(contents) if isinstance(contents, Array) else [contents]
    page.Contents = Array([before, *existing, after])


@dataclass(eq=False)
class _Slot:
    """A document's place in the package: its pages from ``page`` on (once it is in), its part of the tree."""

    title: str
    page: int
    section: object | None  # its item's /Sect (None: directly under the /Document)
    document: PackageDocument | None = None
    filled: bool = False
    tagged: bool = False
    pages: int = 0
    headings: list = field(default_factory=list)  # its own outline (outline.Heading), kept beneath its bookmark


class PackageMerge:
    """A package being put together: the kallelse, the contents pages, then the items.

    A document whose PDF is not there yet (the kallelse or a ``PackageDocument`` with an empty ``pdf``, and
    the contents pages, drawn once every document's length is known) leaves a gap that ``insert_kallelse``,
    ``fill`` and ``insert_contents`` fill later, at its place: so the package can be put together while
    LibreOffice still converts those documents. ``write`` once every gap is filled."""

    def __init__(self, kallelse_pdf: bytes, items: list[PackageItem], *, title: str, author: str = "",
                 subject: str = "", lang: str = "sv-SE"):
        self.title, self.author, self.subject, self.lang = title, author, subject, lang
        self.pdf = pikepdf.new()
        self.tree = _Tree(self.pdf, title, lang)
        self.fonts = _Fonts(self.pdf)
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
            for slot in slots:
                if slot.document.pdf:
                    self._fill(slot, slot.document.pdf)

    def _fill(self, slot: _Slot, data: bytes) -> None:
        """Put a document's pages at its place, graft its tree among its siblings, move the later ones on."""
        source = pikepdf.open(io.BytesIO(data))
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
        for later in self.slots[order + 1:]:
            later.page += count
        slot.filled, slot.pages = True, count
        slot.headings = headings(source)

    def missing(self) -> list[PackageDocument]:
        """The documents whose PDFs are still to come."""
        return [slot.document for slot in self.slots[2:] if not slot.filled]

    def fill(self, document: PackageDocument, pdf: bytes) -> None:
        self._fill(next(s for s in self.slots if s.document is document and not s.filled), pdf)

    def insert_kallelse(self, kallelse_pdf: bytes) -> None:
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
        pdf.docinfo = pdf.make_indirect(Dictionary(
            Title=String(self.title), Author=String(self.author), Subject=String(self.subject),
            Producer=String("Nämndflöde"), Creator=String("Nämndflöde (LibreOffice, pikepdf)")))
        with pdf.open_metadata(set_pikepdf_as_editor=False) as metadata:
            metadata.load_from_docinfo(pdf.docinfo)
            metadata["dc:language"] = {self.lang}
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        log.debug("package %r: %s pages, %s tagged parts, %s untagged", self.title, total, self.tree.tagged_parts,
                  self.tree.untagged_parts)
        for source in self.sources:
            source.close()
        return out.getvalue()


def merge_package(kallelse_pdf: bytes, contents_pdf: bytes | None, items: list[PackageItem], *, title: str,
                  author: str = "", subject: str = "", lang: str = "sv-SE") -> bytes:
    """Merge the parts into the package PDF (see the module's description)."""
    package = PackageMerge(kallelse_pdf, items, title=title, author=author, subject=subject, lang=lang)
    if contents_pdf is not None:
        package.insert_contents(contents_pdf)
    return package.write()


def package_title(meeting: dict, public: bool) -> str:
    title = f"Möteshandlingar – {meeting.get('title') or 'Kallelse'} {meeting['start'][:10]}"
    return title + (" (offentlig version)" if public else "")


def package_merge(meeting: dict, kallelse_pdf: bytes, items: list[PackageItem], *, public: bool) -> PackageMerge:
    """The package of a meeting put together but for its contents pages (``insert_contents``, then ``write``)."""
    return PackageMerge(kallelse_pdf, items, title=package_title(meeting, public),
                        author=meeting.get("secretary_name") or "",
                        subject=f"Kallelse, tjänsteutlåtanden och bilagor, {meeting.get('committee') or ''}")


def assemble_package(meeting: dict, kallelse_pdf: bytes, items: list[PackageItem], *, public: bool) -> bytes:
    """The contents pages and the merge: the whole package from its parts."""
    package = package_merge(meeting, kallelse_pdf, items, public=public)
    package.insert_contents(contents_pdf(meeting, page_count(kallelse_pdf), items, public=public))
    return package.write()
