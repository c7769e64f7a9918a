"""What the Word document builders share: the template, text cleaning, paragraphs and runs, the builder base.

The builders (the tjänsteutlåtande in report_docx, the kallelse in kallelse_docx, the bilagor laid
out as Word in intake) write on the project's lean template (templates/documents/kommunmall.docx,
see make_template.py). Paragraphs are made with python-docx's oxml layer directly, referring to
styles by id, because looking styles up by name is most of python-docx's time. All text is set as
text: nothing in a field can become markup.

A builder (``WordBuilder``) writes into a ``Target``: a document of its own made from the template,
or one section of a combined document (tasks.rendering.batch). It fills the target's header and
footer, returns its body's elements, and sets the document's properties.

The template is the one in use (``using_template``): the project's own by default, or the one a
municipality uploaded (tasks.rendering.letterhead prepares it; tasks.rendering.document_templates
picks it for a committee). Its identity (``template_sha256``) is part of every Word-made part's input
hash, so a new template makes them again. What the template's first page holds in its header and
footer (its letterhead: a logo, the municipality's name) stays there, above the builder's header and
below its footer (``Target.letterhead``).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from typing import TypedDict

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.section import Section, _BaseHeaderFooter
from lxml import etree

from tasks.rendering.make_template import ABSTRACT_ORDERED, TEMPLATE_PATH, TEMPLATE_REVISION

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    """The qualified name of a WordprocessingML element or attribute: ``w("p")``."""
    return f"{{{W_NS}}}{tag}"


P, PPR, PSTYLE, R, RPR, T, BR, B, BCS, I, ICS, SZ, SZCS, RFONTS = (
    w(t) for t in ("p", "pPr", "pStyle", "r", "rPr", "t", "br", "b", "bCs", "i", "iCs", "sz", "szCs", "rFonts")
)
NUMPR, ILVL, NUMID, RSTYLE, HYPERLINK, SPACING, IND, KEEPNEXT, VAL = (
    w(t) for t in ("numPr", "ilvl", "numId", "rStyle", "hyperlink", "spacing", "ind", "keepNext", "val")
)
R_ID = f"{{{R_NS}}}id"

#: characters XML 1.0 cannot carry (python-docx would refuse the whole document)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str | None) -> str:
    """Return ``text`` without the characters XML cannot hold."""
    return _NOT_XML.sub("", text or "")


# --- the template --------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentTemplate:
    """A Word template the builders write on: its bytes, its identity in input hashes, its revision line."""

    data: bytes = field(repr=False)
    #: what input hashes name it by (the project's template: the sha256 of its file)
    sha256: str
    #: printed small on a document's first page, e.g. "Mall rev. 2026-11-29"
    revision: str


@lru_cache(maxsize=1)
def default_template() -> DocumentTemplate:
    """The project's own template (templates/documents/kommunmall.docx, made by make_template)."""
    data = TEMPLATE_PATH.read_bytes()
    return DocumentTemplate(data, hashlib.sha256(data).hexdigest(), TEMPLATE_REVISION)


_current: ContextVar[DocumentTemplate | None] = ContextVar("document_template", default=None)


def current_template() -> DocumentTemplate:
    """The template in use here (``using_template``), else the project's own."""
    return _current.get() or default_template()


@contextmanager
def using_template(template: DocumentTemplate | None) -> Iterator[DocumentTemplate]:
    """Build (and hash) documents on ``template`` inside the block; None: the project's own."""
    token = _current.set(template)
    try:
        yield current_template()
    finally:
        _current.reset(token)


def template_bytes() -> bytes:
    return current_template().data


def template_document() -> Document:
    """A new document on the template in use, every page of it under the builder's header and footer.

    A municipality's template may ask for "different odd and even pages" (Word's settings); its even pages would
    then show the template's even header and footer, never the builder's: no page number, no committee, no
    "Utkast" on a draft's even pages. The builders write one header for all pages, so the setting is turned off.
    """
    document = docx.Document(BytesIO(template_bytes()))
    document.settings.odd_and_even_pages_header_footer = False
    return document


def template_sha256() -> str:
    """Part of every Word-made part's input hash: a new template makes them again."""
    return current_template().sha256


def template_revision() -> str:
    return current_template().revision


# --- paragraphs and runs -------------------------------------------------------------------


def sub(parent: etree._Element, tag: str, val: str | None = None) -> etree._Element:
    """A child element ``tag`` of ``parent``, with ``w:val`` when given."""
    el = etree.SubElement(parent, tag)
    if val is not None:
        el.set(VAL, val)
    return el


def paragraph(style: str | None = None) -> etree._Element:
    """A new paragraph (not yet placed), of the style with id ``style`` if given."""
    p = etree.Element(P)
    if style:
        sub(sub(p, PPR), PSTYLE, style)
    return p


def ppr(p: etree._Element) -> etree._Element:
    """The paragraph's properties (w:pPr), made when it has none."""
    properties = p.find(PPR)
    if properties is None:
        properties = etree.Element(PPR)
        p.insert(0, properties)
    return properties


class RunFormatting(TypedDict, total=False):
    """The formatting ``run`` takes by keyword (for helpers that pass it on)."""

    bold: bool
    italic: bool
    size: int | None
    sans: bool
    style: str | None


def run(
    parent: etree._Element,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int | None = None,
    sans: bool = False,
    style: str | None = None,
) -> etree._Element:
    """A run of ``text`` at the end of ``parent`` (a paragraph or a hyperlink); ``size`` in half-points."""
    r = sub(parent, R)
    if bold or italic or size or sans or style:
        rpr = sub(r, RPR)
        if style:
            sub(rpr, RSTYLE, style)
        if sans:
            f = sub(rpr, RFONTS)
            for k in ("ascii", "hAnsi", "cs", "eastAsia"):
                f.set(w(k), "Arial")
        if bold:
            sub(rpr, B)
            sub(rpr, BCS)
        if italic:
            sub(rpr, I)
            sub(rpr, ICS)
        if size:
            sub(rpr, SZ, str(size))
            sub(rpr, SZCS, str(size))
    t = sub(r, T)
    t.text = text
    if text[:1].isspace() or text[-1:].isspace():
        t.set(XML_SPACE, "preserve")
    return r


def numbered(p: etree._Element, num_id: int, ilvl: int = 0) -> None:
    """Make ``p`` an item of the list ``num_id`` at level ``ilvl``."""
    numpr = sub(ppr(p), NUMPR)
    sub(numpr, ILVL, str(ilvl))
    sub(numpr, NUMID, str(num_id))


def spacing(p: etree._Element, before: int | None = None, after: int | None = None) -> None:
    """Space before and after ``p``, in twips."""
    s = sub(ppr(p), SPACING)
    if before is not None:
        s.set(w("before"), str(before))
    if after is not None:
        s.set(w("after"), str(after))


# --- the builder ----------------------------------------------------------------------------

#: a header's and a footer's element (w:hdr, w:ftr)
HeaderFooter = tuple[etree._Element, etree._Element]
#: what a letterhead puts in the first page's header and footer: their elements (copies)
Letterhead = tuple[list[etree._Element], list[etree._Element]]


def _story_element(story: _BaseHeaderFooter) -> etree._Element:
    """The w:hdr or w:ftr element of a python-docx header or footer (made when the section has none)."""
    element: etree._Element = story._element  # python-docx leaves this property unannotated
    return element


@dataclass
class Target:
    """Where a builder writes: a python-docx document, and the header and footer (XML elements) it fills.

    Normally a document of its own made from the template (``Target.new()``); tasks.rendering.batch
    gives several builders one document, each its own section with its own header and footer.
    A builder whose first page has a header or footer of its own (Word's "different first page",
    as the municipality's letterhead: the address block on the first page only) asks for them with
    ``first_page()``; ``add_first_page`` makes them when asked.
    """

    document: Document
    #: the w:hdr and w:ftr elements the builder fills
    header: etree._Element
    footer: etree._Element
    add_first_page: Callable[[], HeaderFooter] | None = None
    #: the template's first-page header and footer content (copies; their relationships hold in the first page's
    #: parts): kept above the builder's first-page header and below its footer
    letterhead: Letterhead = ([], [])
    _first: HeaderFooter | None = field(default=None, init=False, repr=False)

    @classmethod
    def new(cls) -> Target:
        document = template_document()
        section = document.sections[0]
        letterhead = first_page_letterhead(section)

        def first_page() -> HeaderFooter:
            section.different_first_page_header_footer = True
            return _story_element(section.first_page_header), _story_element(section.first_page_footer)

        return cls(document, _story_element(section.header), _story_element(section.footer), first_page, letterhead)

    def first_page(self) -> HeaderFooter:
        """The first page's own header and footer (made on the first call; the same ones after)."""
        if self._first is None:
            if self.add_first_page is None:
                raise RuntimeError("this target has no first page of its own")
            self._first = self.add_first_page()
        return self._first

    @property
    def has_first_page(self) -> bool:
        return self._first is not None


class WordBuilder:
    """A document written into a ``Target`` (a new one from the template by default).

    Subclasses keep what they print, fill the header and footer (``header``, ``footer``), return the body's
    elements (``body``) and set the document's properties (``properties``)."""

    def __init__(self, target: Target | None = None) -> None:
        self.target = target or Target.new()
        self.document = self.target.document
        self.part = self.document.part
        self._numbering: etree._Element = self.part.numbering_part.element
        self._next_num = (
            max(int(num_id) for n in self._numbering.findall(w("num")) if (num_id := n.get(w("numId"))) is not None) + 1
        )

    def new_ordered_list(self) -> int:
        """Add a numbering instance that restarts at 1, for one numbered list of the text."""
        num_id = self._next_num
        self._next_num += 1
        self._numbering.append(
            parse_xml(
                f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{ABSTRACT_ORDERED}"/>'
                '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
            )
        )
        return num_id

    def link(self, href: str) -> str:
        """The relationship id of an external hyperlink to ``href``."""
        return self.part.relate_to(href, RT.HYPERLINK, is_external=True)

    def header(self) -> None:
        raise NotImplementedError

    def footer(self) -> None:
        raise NotImplementedError

    def body(self) -> list[etree._Element]:
        raise NotImplementedError

    def properties(self) -> None:
        raise NotImplementedError

    @staticmethod
    def _table(widths: Sequence[int], rows: list[str], rule: str) -> str:
        """A header or footer table (the template's "Sidhuvudtabell") of ``rows`` (w:tr XML), ruled at ``rule``."""
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
        return (
            f'<w:tbl><w:tblPr><w:tblStyle w:val="Sidhuvudtabell"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:tblBorders><w:{rule} w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>'
            f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            + "".join(rows)
            + "</w:tbl>"
        )

    def _fill_first_header(self, xml: str) -> None:
        """Fill the first page's header with ``xml``, under the template's letterhead."""
        header = self.target.first_page()[0]
        self._fill(header, xml)
        for element in reversed(self.target.letterhead[0]):
            header.insert(0, copy.deepcopy(element))

    def _fill_first_footer(self, xml: str) -> None:
        """Fill the first page's footer with ``xml``, above the template's letterhead."""
        footer = self.target.first_page()[1]
        self._fill(footer, xml)
        for element in self.target.letterhead[1]:
            footer.append(copy.deepcopy(element))

    @staticmethod
    def _fill(container: etree._Element, xml: str) -> None:
        """Replace what a header or footer holds with ``xml`` (its children, with the w: prefix unbound)."""
        for child in list(container):
            container.remove(child)
        wrapper = parse_xml(f'<w:hdr xmlns:w="{W_NS}">{xml}</w:hdr>')
        for child in list(wrapper):
            container.append(child)

    def content(self) -> list[etree._Element]:
        """Fill the header and footer; return the body's elements (for the caller to place)."""
        self.header()
        self.footer()
        return self.body()

    def build(self) -> bytes:
        body = self.document.element.body
        sect_pr = body[-1]
        for el in self.content():
            sect_pr.addprevious(el)
        self.properties()
        out = BytesIO()
        self.document.save(out)
        return out.getvalue()


def first_page_letterhead(section: Section) -> Letterhead:
    """Copies of what the template's first page shows in its header and footer (nothing unless it has a first
    page of its own with something in it), for ``Target.letterhead``."""
    if not section.different_first_page_header_footer:
        return [], []

    def content(story: _BaseHeaderFooter) -> list[etree._Element]:
        if story.is_linked_to_previous:
            return []
        elements = [copy.deepcopy(child) for child in _story_element(story)]
        shown = any(_shows_something(element) for element in elements)
        return elements if shown else []

    return content(section.first_page_header), content(section.first_page_footer)


_DRAWN = (w("drawing"), w("pict"), "{urn:schemas-microsoft-com:vml}shape")


def _shows_something(element: etree._Element) -> bool:
    """Whether a header's or footer's element shows text or a picture."""
    if any((t.text or "").strip() for t in element.iter(T)):
        return True
    # (a comment's or processing instruction's tag is not a str)
    return any(isinstance(el.tag, str) and (el.tag in _DRAWN or el.tag.endswith("}drawing")) for el in element.iter())
