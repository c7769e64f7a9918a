"""The meeting package's contents pages ("Innehåll"), drawn straight into a tagged PDF.

The contents list the package's page numbers, which are known only once every document is
converted; drawing them here rather than converting a Word document costs milliseconds instead of
one more LibreOffice call (a tenth of a second or more, whatever the size). They look like the
municipality's other pages: the Word template's page (A4, its margins), header and footer, its
fonts as LibreOffice shows them (pdf_fonts: Liberation Serif and Sans), the "Heading 1" title and a
table Nr | Handling | Sida whose heading row repeats on every page; an item in bold, each document
of it indented beneath with the page it starts on; no line is split across pages, nor an item's line
parted from its first document's.

Tagged like LibreOffice's PDFs: a /Document holding the /H1, the introduction /P and a /Table of
/TR rows (/TH with a column scope, then /TD); the header, the footer, the repeated heading row and
the rules are artifacts. Each line with a page number (an item's, a document's) is a link to that
page: a /Link annotation in a /Link element of its cell. Its destination names the package's page
by number (its index, from 0), since this PDF is only a part: PackageMerge points it at the page
when the package is put together (``resolve_links``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from agenda.snapshot_json import MeetingJSON
from app.swedish_dates import long_date
from tasks.rendering.kallelse_docx import PUBLIC_MARK
from tasks.rendering.pdf_fonts import FontUse, face
from tasks.rendering.word import clean, template_revision

# The template's page in points (twips / 20): A4, margins 2268/1417/1701/1417, header and footer 567 from the edge.
PAGE_WIDTH, PAGE_HEIGHT = 595.3, 841.9
LEFT = RIGHT = 70.85
TOP, BOTTOM = 113.4, 85.05
HEADER_TOP = FOOTER_BOTTOM = 28.35
#: the table's columns (Nr, Handling, Sida) and each cell's right margin
COLUMNS = (36.85, 360.0, 56.7)
CELL_RIGHT = 2.85
INDENT = 14.2
#: the "Normal" style's line spacing (w:line 264 = 110 %) and spacing after
NORMAL, AFTER = 1.1, 6.0
RULE = 0.75


@dataclass
class ContentsLine:
    """A line of the contents: an item (level 0) or a document of it (level 1); ``page`` is the package's page
    number it starts on (1-based; None: nothing to point at)."""

    level: int
    number: str
    text: str
    page: int | None


@dataclass
class _Element:
    """A structure element being built: its kind, its children (elements or (page, mcid) marks)."""

    kind: str
    kids: list[_Element | tuple[int, int]] = field(default_factory=list)
    attributes: Dictionary | None = None
    annotation: tuple[Dictionary, int] | None = None  # a /Link's annotation (dictionary) and its page
    title: str = ""


class _Pages:
    """The pages being drawn: content streams, marked-content ids per page, the fonts used."""

    def __init__(self, header: str, footer: tuple[str, str]):
        self.header, self.footer = header, footer
        self.streams: list[list[bytes]] = []
        self.marks: list[list[_Element]] = []  # per page: the element owning each MCID
        self.fonts: dict[str, FontUse] = {}
        self.page_open = False

    @property
    def index(self) -> int:
        return len(self.streams) - 1

    def new_page(self) -> None:
        """Start a page with its header (the last one gets its footer)."""
        self.close()
        self.streams.append([])
        self.marks.append([])
        self.page_open = True
        header_face = face("sans-bold")
        self.artifact_text(
            "/Pagination /Subtype /Header",
            "sans-bold",
            9,
            LEFT,
            HEADER_TOP + (header_face.ascent + header_face.line_gap) * 9,
            self.header,
        )

    def close(self) -> None:
        """End the page being drawn with its footer (last, as it is read)."""
        if not self.page_open:
            return
        left, right = self.footer
        baseline = PAGE_HEIGHT - FOOTER_BOTTOM - face("sans").descent * 8 - 0.6
        if left:
            self.artifact_text("/Pagination /Subtype /Footer", "sans", 8, LEFT, baseline, left)
        if right:
            self.artifact_text(
                "/Pagination /Subtype /Footer",
                "sans",
                8,
                PAGE_WIDTH - RIGHT - face("sans").width(right, 8),
                baseline,
                right,
            )
        self.page_open = False

    def artifact(self, data: bytes) -> None:
        self.streams[-1].append(data)

    def artifact_text(self, kind: str, style: str, size: float, x: float, top_baseline: float, text: str) -> None:
        """Text outside the tagged content (an artifact of ``kind``: "/Pagination /Subtype /Header" …)."""
        self.artifact(
            f"/Artifact <</Type {kind}>> BDC\n".encode() + self._text(style, size, x, top_baseline, text) + b"EMC\n"
        )

    def _font(self, style: str) -> FontUse:
        if style not in self.fonts:
            self.fonts[style] = FontUse(face(style), f"F{len(self.fonts) + 1}")
        return self.fonts[style]

    def _text(self, style: str, size: float, x: float, top_baseline: float, text: str) -> bytes:
        """The operators showing ``text`` with its baseline ``top_baseline`` below the page's top edge."""
        use = self._font(style)
        return (
            f"BT {use.resource} {size:g} Tf {x:.2f} {PAGE_HEIGHT - top_baseline:.2f} Td ".encode()
            + use.encode(text)
            + b" Tj ET\n"
        )

    def text(self, owner: _Element, style: str, size: float, x: float, top_baseline: float, text: str) -> None:
        """Tagged text: a marked-content sequence belonging to ``owner``."""
        mcid = len(self.marks[-1])
        self.marks[-1].append(owner)
        owner.kids.append((self.index, mcid))
        tag = "Span" if owner.kind == "Link" else owner.kind
        self.streams[-1].append(
            f"/{tag} <</MCID {mcid}>> BDC\n".encode() + self._text(style, size, x, top_baseline, text) + b"EMC\n"
        )

    def rule(self, top: float, width: float = RULE) -> None:
        y = PAGE_HEIGHT - top
        self.artifact(
            f"/Artifact <</Type /Layout>> BDC\nq {width:g} w 0 G {LEFT:.2f} {y:.2f} m "
            f"{LEFT + sum(COLUMNS):.2f} {y:.2f} l S Q\nEMC\n".encode()
        )

    def link(self, owner: _Element, rect: tuple[float, float, float, float], target_page: int) -> None:
        """A link over ``rect`` (left, top, right, bottom from the page's top) to the package's page ``target_page``
        (0-based; resolved by the merge)."""
        left, top, right, bottom = rect
        annotation = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Border=Array([0, 0, 0]),
            Rect=Array([round(left, 2), round(PAGE_HEIGHT - bottom, 2), round(right, 2), round(PAGE_HEIGHT - top, 2)]),
            Dest=Array([target_page, Name.Fit]),
            Contents=String(owner.title),
        )
        owner.annotation = (annotation, self.index)


#: where a line may break (not at a no-break space)
_SPACES = re.compile(r"[ \t\r\n]+")


def _normal(text: str) -> str:
    """A line's text as shown: without what XML cannot hold, each run of spaces and line breaks one space."""
    return clean(_SPACES.sub(" ", text).strip())


def _words_in(text: str, width: float, style: str, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at spaces; a word too long for a line at any character)."""
    measure = face(style).width
    space = measure(" ", size)
    lines: list[str] = []
    current, used = "", 0.0
    for word in _SPACES.split(text.strip(" \t\r\n")):
        advance = measure(word, size)
        if current and used + space + advance <= width:
            current, used = f"{current} {word}", used + space + advance
            continue
        if current:
            lines.append(current)
        while advance > width:  # a word wider than the column: cut it where it fills the line
            cut = max([n for n in range(1, len(word)) if measure(word[:n], size) <= width] or [1])
            lines.append(word[:cut])
            word = word[cut:]
            advance = measure(word, size)
        current, used = word, advance
    if current or not lines:
        lines.append(current)
    return lines


def _line_height(style: str, size: float) -> float:
    return face(style).line_height(size, NORMAL)


def _baseline(style: str, size: float) -> float:
    """From a line's top to its baseline (LibreOffice puts a proportional spacing's extra below the text)."""
    f = face(style)
    return (f.ascent + f.line_gap) * size


@dataclass
class _Cell:
    style: str
    size: float
    lines: list[str]
    x: float
    align_right_at: float | None = None
    before: float = 0.0
    after: float = 1.0

    def height(self) -> float:
        # an empty cell still holds an empty paragraph in the template's 12 pt
        if not self.lines or self.lines == [""]:
            return self.before + _line_height("serif", 12) + self.after
        return self.before + len(self.lines) * _line_height(self.style, self.size) + self.after


class ContentsLayout:
    """The contents laid out: how many pages it takes, then drawn with the page numbers."""

    def __init__(self, meeting: MeetingJSON, lines: list[ContentsLine], *, public: bool) -> None:
        """``lines`` say what is listed; their page numbers may be placeholders (``number`` sets them later, as
        they change no line's length: the layout is made once)."""
        self.meeting, self.public = meeting, public
        committee = clean(meeting.get("committee") or "")
        self.header = f"{committee.upper()}  MÖTESHANDLINGAR  {meeting['start'][:10]}"
        left = " · ".join(part for part in (meeting.get("municipality"), meeting.get("administration")) if part)
        revision = template_revision()
        self.footer = (clean(left), f"{PUBLIC_MARK} · {revision}" if public else revision)
        self.intro = (
            f"{clean(meeting.get('title') or 'Kallelse')} den {long_date(meeting['start'])}: kallelsen, "
            "tjänsteutlåtandena och deras bilagor"
            + (" (offentlig version, utan sekretessärenden och sekretessbelagda bilagor)." if public else ".")
        )
        self.rows = self._rows(lines)
        self.count = self._lay_out(None)[0]

    def number(self, lines: list[ContentsLine]) -> None:
        """Set the page numbers: ``lines`` are those given at first, with the pages they start on."""
        for (line, cells), numbered in zip(self.rows, lines, strict=True):
            if (line.level, line.number, line.text, line.page is None) != (
                numbered.level,
                numbered.number,
                _normal(numbered.text),
                numbered.page is None,
            ):
                raise ValueError(f"the contents changed: {numbered.text!r}")
            line.page = numbered.page
            if numbered.page is not None:
                cells[2].lines = [str(numbered.page)]

    def _rows(self, lines: list[ContentsLine]) -> list[tuple[ContentsLine, list[_Cell]]]:
        x_number, x_text = LEFT, LEFT + COLUMNS[0]
        right = LEFT + sum(COLUMNS) - CELL_RIGHT
        rows = []
        for line in lines:
            line = ContentsLine(line.level, line.number, _normal(line.text), line.page)
            item = line.level == 0
            before = 6.0 if item else 0.0
            style, size = ("serif-bold", 11.0) if item else ("serif", 10.0)
            indent = 0.0 if item else INDENT
            text = line.text
            cells = [
                _Cell("serif-bold", 12.0, [line.number] if line.number else [], x_number, before=before),
                _Cell(
                    style,
                    size,
                    _words_in(text, COLUMNS[1] - CELL_RIGHT - indent, style, size),
                    x_text + indent,
                    before=before,
                ),
                _Cell("serif", 10.0, [str(line.page)] if line.page is not None else [], 0.0, right, before=before),
            ]
            rows.append((line, cells))
        return rows

    def _lay_out(self, pages: _Pages | None) -> tuple[int, _Element]:
        """Lay the contents out on pages, drawing them when ``pages`` is given: (number of pages, /Document)."""
        count = 1
        y = TOP
        document = _Element("Document")
        if pages is not None:
            pages.new_page()
        heading_style, intro_style = "sans-bold", "serif"
        y += 18.0  # Heading 1: spacing before
        if pages is not None:
            h1 = _Element("H1")
            document.kids.append(h1)
            pages.text(h1, heading_style, 16, LEFT, y + _baseline(heading_style, 16), "Innehåll")
        y += _line_height(heading_style, 16) + 8.0
        intro_lines = _words_in(self.intro, sum(COLUMNS), intro_style, 10)
        if pages is not None:
            p = _Element("P")
            document.kids.append(p)
        for text in intro_lines:
            if pages is not None:
                pages.text(p, intro_style, 10, LEFT, y + _baseline(intro_style, 10), text)
            y += _line_height(intro_style, 10)
        y += AFTER
        table = _Element("Table") if pages is not None else None
        if table is not None:
            document.kids.append(table)
        y = self._heading_row(pages, table, y)
        heights = [max(cell.height() for cell in cells) for _line, cells in self.rows]
        for index, (line, cells) in enumerate(self.rows):
            height = heights[index]
            # an item's line stays with its first document's
            kept = (
                heights[index + 1]
                if line.level == 0 and index + 1 < len(self.rows) and self.rows[index + 1][0].level == 1
                else 0.0
            )
            if y + height + kept > PAGE_HEIGHT - BOTTOM and y > TOP + self._heading_height() + 1:
                count += 1
                y = TOP
                if pages is not None:
                    pages.new_page()
                y = self._heading_row(pages, None, y)  # repeated: an artifact
            if pages is not None and table is not None:  # (the table is drawn with the pages)
                self._draw_row(pages, table, line, cells, y)
            y += height
        return count, document

    def _heading_height(self) -> float:
        return _line_height("sans-bold", 10) + RULE

    def _heading_row(self, pages: _Pages | None, table: _Element | None, y: float) -> float:
        """The heading row Nr | Handling | Sida at ``y``; tagged the first time (``table`` given), else an artifact."""
        if pages is not None:
            row = _Element("TR")
            x = LEFT
            for width, text in zip(COLUMNS, ("Nr", "Handling", "Sida")):
                baseline = y + _baseline("sans-bold", 10)
                if table is None:
                    pages.artifact_text("/Pagination", "sans-bold", 10, x, baseline, text)
                else:
                    cell = _Element("TH", attributes=Dictionary(O=Name.Table, Scope=Name.Column))
                    row.kids.append(cell)
                    pages.text(cell, "sans-bold", 10, x, baseline, text)
                x += width
            if table is not None:
                table.kids.append(row)
            pages.rule(y + _line_height("sans-bold", 10) + RULE / 2)
        return y + self._heading_height()

    def _draw_row(self, pages: _Pages, table: _Element, line: ContentsLine, cells: list[_Cell], y: float) -> None:
        row = _Element("TR")
        table.kids.append(row)
        link = None
        for index, cell in enumerate(cells):
            element = _Element("TD")
            row.kids.append(element)
            owner = element
            if index == 1 and line.page is not None:
                link = _Element("Link", title=f"{line.text}, sidan {line.page}")
                element.kids.append(link)
                owner = link
            top = y + cell.before
            for text in cell.lines:
                if text:
                    x = (
                        cell.x
                        if cell.align_right_at is None
                        else cell.align_right_at - face(cell.style).width(text, cell.size)
                    )
                    pages.text(owner, cell.style, cell.size, x, top + _baseline(cell.style, cell.size), text)
                top += _line_height(cell.style, cell.size)
        if link is not None and line.page is not None:  # (a line with a page has its link)
            text_cell = cells[1]
            bottom = y + text_cell.before + len(text_cell.lines) * _line_height(text_cell.style, text_cell.size)
            pages.link(link, (text_cell.x, y + text_cell.before, LEFT + sum(COLUMNS), bottom), line.page - 1)

    def page_count(self) -> int:
        return self.count

    def pdf(self, title: str, lang: str = "sv-SE") -> bytes:
        pages = _Pages(self.header, self.footer)
        return _write(pages, self._lay_out(pages)[1], title, lang)


def _write(pages: _Pages, document: _Element, title: str, lang: str) -> bytes:
    pages.close()
    pdf = pikepdf.new()
    fonts = Dictionary({use.resource: use.embed(pdf) for use in pages.fonts.values()})
    resources = Dictionary(Font=fonts)
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    page_objects = []
    for index, stream in enumerate(pages.streams):
        page = pikepdf.Page(
            pdf.make_indirect(
                Dictionary(
                    Type=Name.Page,
                    MediaBox=Array([0, 0, PAGE_WIDTH, PAGE_HEIGHT]),
                    Resources=resources,
                    Contents=pdf.make_stream(b"".join(stream)),
                    StructParents=index,
                    Tabs=Name.S,
                )
            )
        )
        pdf.pages.append(page)
        page_objects.append(pdf.pages[-1].obj)
    marks: list[list[pikepdf.Object | None]] = [[None] * len(owners) for owners in pages.marks]
    nums = Array()
    next_key = len(page_objects)

    def made(element: _Element, parent: pikepdf.Object) -> pikepdf.Object:
        nonlocal next_key
        obj = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + element.kind), P=parent))
        if element.attributes is not None:
            obj.A = element.attributes
        if element.title:
            obj.Alt = String(element.title)
        kids = Array()
        for kid in element.kids:
            if isinstance(kid, _Element):
                kids.append(made(kid, obj))
            else:
                page_index, mcid = kid
                marks[page_index][mcid] = obj
                kids.append(Dictionary(Type=Name.MCR, Pg=page_objects[page_index], MCID=mcid))
        if element.annotation is not None:
            annotation, page_index = element.annotation
            annotation = pdf.make_indirect(annotation)
            annotation.P = page_objects[page_index]
            annotation.StructParent = next_key
            nums.append(next_key)
            nums.append(obj)
            next_key += 1
            page = page_objects[page_index]
            if "/Annots" not in page:
                page.Annots = Array()
            page.Annots.append(annotation)
            kids.append(Dictionary(Type=Name.OBJR, Obj=annotation, Pg=page))
        obj.K = kids
        return obj

    top = made(document, root)
    root.K = Array([top])
    for index, owners in enumerate(marks):
        nums.append(index)
        nums.append(Array(owners))
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=_sorted_nums(nums)))
    root.ParentTreeNextKey = next_key
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.Lang = String(lang)
    pdf.docinfo = pdf.make_indirect(Dictionary(Title=String(title), Producer=String("Nämndflöde")))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _sorted_nums(nums: Array) -> Array:
    pairs = sorted(((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)), key=lambda pair: pair[0])
    return Array([value for pair in pairs for value in pair])


def resolve_links(pdf: pikepdf.Pdf, pages: range) -> None:
    """Point the contents' links (on ``pages`` of the package) at the package's pages they name by number."""
    for number in pages:
        for annotation in pdf.pages[number].obj.get("/Annots") or ():
            destination = annotation.get("/Dest")
            if isinstance(destination, Array) and len(destination) and isinstance(destination[0], int):
                target = int(destination[0])
                if 0 <= target < len(pdf.pages):
                    annotation.Dest = Array([pdf.pages[target].obj, Name.Fit])
                else:
                    del annotation["/Dest"]
