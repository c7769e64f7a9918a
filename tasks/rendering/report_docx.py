"""The tjänsteutlåtande (case report) as a Word document. Pure: no Flask, no database.

``build_report_docx(ReportDocument) -> bytes`` lays the report out as the municipality's real
one (DOMAIN.md, "Anatomy of a tjänsteutlåtande"): on every page a header table with the
förvaltning, TJÄNSTEUTLÅTANDE, DATUM, DIARIENR and SIDA n (N) from Word's PAGE and NUMPAGES
fields, and a footer with the address block; on the first page HANDLÄGGARE, the committee
addressed and the title; the decision proposals as a real numbered list; the sections as
Heading 2 with their rich text as Word paragraphs, bold, italic, lists and links; signatures,
Bilagor and Beslutet delges.

The document is written with python-docx on the project's lean template
(templates/documents/kommunmall.docx, see make_template.py); paragraphs are made with its
oxml layer directly, referring to styles by id, because looking styles up by name is most of
python-docx's time. All text is set as text: nothing in a field can become markup, and the
section HTML is read by a parser that gives formatting to p, br, strong, b, em, i, ul, ol, li
and a (http, https, mailto) only; anything else becomes plain text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from html.parser import HTMLParser
from io import BytesIO
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from lxml import etree

from tasks.rendering.make_template import ABSTRACT_ORDERED, NUM_BULLETS, NUM_PROPOSALS, TEMPLATE_PATH, TEMPLATE_REVISION

#: bump when the layout changes, so stored renders of the same input are made again
BUILDER_VERSION = "1"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
ADJUSTED_TEXT = "Paragrafen förklaras omedelbart justerad."
CONFIDENTIAL_MARK = "(sekretess)"
#: the link targets that become hyperlinks; any other href leaves its text as plain text
LINK_SCHEMES = ("http://", "https://", "mailto:")


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


P, PPR, PSTYLE, R, RPR, T, BR, B, BCS, I, ICS, SZ, SZCS, RFONTS = (
    _w(t) for t in ("p", "pPr", "pStyle", "r", "rPr", "t", "br", "b", "bCs", "i", "iCs", "sz", "szCs", "rFonts"))
NUMPR, ILVL, NUMID, RSTYLE, HYPERLINK, SPACING, IND, KEEPNEXT, VAL = (
    _w(t) for t in ("numPr", "ilvl", "numId", "rStyle", "hyperlink", "spacing", "ind", "keepNext", "val"))
R_ID = f"{{{R_NS}}}id"

#: characters XML 1.0 cannot carry (python-docx would refuse the whole document)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: HTML white space (ASCII only: a non-breaking space, as in "1 000 kr", is text)
#: (only the runs that change: a lone space is left alone, which is most of the time saved)
_SPACE = re.compile(r" ?[\t\n\r\f][ \t\n\r\f]*| {2,}[\t\n\r\f ]*")


def clean(text: str | None) -> str:
    """Return ``text`` without the characters XML cannot hold."""
    return _NOT_XML.sub("", text or "")


# --- the input -------------------------------------------------------------------------------


@dataclass
class AddressBlock:
    """The address block of the footer: the förvaltning's own, else the municipality's."""

    postal_address: str = ""
    visiting_address: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""


@dataclass
class ProposalLine:
    text: str
    immediately_adjusted: bool = False


@dataclass
class SignatoryLine:
    name: str
    title: str = ""


@dataclass
class SectionText:
    """One section: its heading and its sanitised rich text."""

    heading: str
    html: str


@dataclass
class AttachmentLine:
    """A bilaga as listed in the report: "Bilaga 1 Verksamhetsberättelse 2016"."""

    position: int
    title: str
    is_confidential: bool = False


@dataclass
class ReportDocument:
    """Everything a printed tjänsteutlåtande shows, as plain data."""

    administration: str
    committee: str
    registration_number: str
    title: str
    report_date: str = ""
    officer_name: str = ""
    officer_phone: str = ""
    officer_email: str = ""
    sections: list[SectionText] = field(default_factory=list)
    proposals: list[ProposalLine] = field(default_factory=list)
    signatories: list[SignatoryLine] = field(default_factory=list)
    attachments: list[AttachmentLine] = field(default_factory=list)
    #: the public version: confidential bilagor are listed by number only
    omit_confidential_titles: bool = False
    recipients: list[str] = field(default_factory=list)
    address: AddressBlock = field(default_factory=AddressBlock)
    template_revision: str = TEMPLATE_REVISION
    #: the document's author property; the case officer when empty
    author: str = ""

    def attachment_label(self, a: AttachmentLine) -> str:
        if a.is_confidential and self.omit_confidential_titles:
            return f"Bilaga {a.position} {CONFIDENTIAL_MARK}"
        suffix = f" {CONFIDENTIAL_MARK}" if a.is_confidential else ""
        return f"Bilaga {a.position} {a.title}{suffix}"

    def input_hash(self) -> str:
        """The sha256 of everything the document is made from: this data, the builder and the template."""
        data = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(b"tjansteutlatande/" + BUILDER_VERSION.encode() + b"/" + template_sha256().encode()
                              + b"/" + data).hexdigest()


# --- the template --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def template_bytes() -> bytes:
    return TEMPLATE_PATH.read_bytes()


@lru_cache(maxsize=1)
def template_sha256() -> str:
    return hashlib.sha256(template_bytes()).hexdigest()


# --- small XML helpers ---------------------------------------------------------------------


def _sub(parent, tag: str, val: str | None = None):
    el = etree.SubElement(parent, tag)
    if val is not None:
        el.set(VAL, val)
    return el


def _paragraph(style: str | None = None):
    p = etree.Element(P)
    if style:
        _sub(_sub(p, PPR), PSTYLE, style)
    return p


def _ppr(p):
    ppr = p.find(PPR)
    if ppr is None:
        ppr = etree.Element(PPR)
        p.insert(0, ppr)
    return ppr


def _run(parent, text: str, *, bold: bool = False, italic: bool = False, size: int | None = None,
         sans: bool = False, style: str | None = None):
    r = _sub(parent, R)
    if bold or italic or size or sans or style:
        rpr = _sub(r, RPR)
        if style:
            _sub(rpr, RSTYLE, style)
        if sans:
            f = _sub(rpr, RFONTS)
            for k in ("ascii", "hAnsi", "cs", "eastAsia"):
                f.set(_w(k), "Arial")
        if bold:
            _sub(rpr, B)
            _sub(rpr, BCS)
        if italic:
            _sub(rpr, I)
            _sub(rpr, ICS)
        if size:
            _sub(rpr, SZ, str(size))
            _sub(rpr, SZCS, str(size))
    t = _sub(r, T)
    t.text = text
    if text[:1].isspace() or text[-1:].isspace():
        t.set(XML_SPACE, "preserve")
    return r


def _numbered(p, num_id: int, ilvl: int = 0) -> None:
    numpr = _sub(_ppr(p), NUMPR)
    _sub(numpr, ILVL, str(ilvl))
    _sub(numpr, NUMID, str(num_id))


def _spacing(p, before: int | None = None, after: int | None = None) -> None:
    s = _sub(_ppr(p), SPACING)
    if before is not None:
        s.set(_w("before"), str(before))
    if after is not None:
        s.set(_w("after"), str(after))


# --- section HTML to Word -----------------------------------------------------------------


class _HtmlToWord(HTMLParser):
    """Turn sanitised section HTML into Word paragraphs; only the allowed tags format anything."""

    def __init__(self, builder: "_Builder"):
        super().__init__(convert_charrefs=True)
        self.builder = builder
        self.out: list = []
        self.p = None
        self.target = None  # where runs go: the paragraph or a hyperlink in it
        self.bold = 0
        self.italic = 0
        self.links: list[str | None] = []
        self.lists: list[tuple[str, int]] = []  # (tag, numId)
        self.in_item = False

    # paragraphs
    def _open(self, style: str | None = None):
        self.p = _paragraph(style)
        self.out.append(self.p)
        self.target = self.p
        if self.links and self.links[-1]:
            self._start_link(self.links[-1])
        return self.p

    def _close(self):
        self.p = self.target = None
        self.in_item = False

    def _start_link(self, r_id: str):
        link = _sub(self.p, HYPERLINK)
        link.set(R_ID, r_id)
        self.target = link

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            if self.in_item and self.p is not None:
                if len(self.p) > 1:  # text already in the list item: continue on a new line
                    _sub(_sub(self.target, R), BR)
                return
            self._close()
        elif tag == "br":
            if self.p is None:
                self._open()
            _sub(_sub(self.target, R), BR)
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag in ("ul", "ol"):
            self._close()
            num_id = self.builder.new_ordered_list() if tag == "ol" else NUM_BULLETS
            self.lists.append((tag, num_id))
        elif tag == "li":
            self._close()
            kind, num_id = self.lists[-1] if self.lists else ("ul", NUM_BULLETS)
            self._open("ListNumber" if kind == "ol" else "ListBullet")
            _numbered(self.p, num_id, min(max(len(self.lists) - 1, 0), 2))
            self.in_item = True
        elif tag == "a":
            href = clean(dict(attrs).get("href") or "").strip()
            r_id = self.builder.link(href) if href.lower().startswith(LINK_SCHEMES) else None
            self.links.append(r_id)
            if r_id and self.p is not None:
                self._start_link(r_id)
        # any other tag: its markup is dropped, its text stays text

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "p":
            if not self.in_item:
                self._close()
        elif tag in ("strong", "b"):
            self.bold = max(self.bold - 1, 0)
        elif tag in ("em", "i"):
            self.italic = max(self.italic - 1, 0)
        elif tag == "li":
            self._close()
        elif tag in ("ul", "ol"):
            self._close()
            if self.lists:
                self.lists.pop()
        elif tag == "a":
            if self.links:
                self.links.pop()
            if self.p is not None:
                self.target = self.p

    def handle_data(self, data):
        text = _SPACE.sub(" ", clean(data))
        if self.p is None:
            text = text.lstrip(" ")
            if not text:
                return
            self._open()
        elif len(self.p) <= 1 and self.target is self.p:  # nothing but pPr yet
            text = text.lstrip(" ")
            if not text:
                return
        in_link = bool(self.links and self.links[-1])
        _run(self.target, text, bold=self.bold > 0, italic=self.italic > 0,
             style="Hyperlink" if in_link else None)


# --- the builder ----------------------------------------------------------------------------


@dataclass
class Target:
    """Where a builder writes: a python-docx document, and the header and footer (XML elements) it fills.

    Normally a document of its own made from the template (``Target.new()``); tasks.rendering.batch
    gives several builders one document, each its own section with its own header and footer.
    """

    document: object  # docx.document.Document
    header: object
    footer: object

    @classmethod
    def new(cls) -> "Target":
        document = docx.Document(BytesIO(template_bytes()))
        section = document.sections[0]
        return cls(document, section.header._element, section.footer._element)


class _Builder:
    def __init__(self, doc: ReportDocument, target: Target | None = None):
        self.data = doc
        self.target = target or Target.new()
        self.document = self.target.document
        self.part = self.document.part
        self._numbering = self.part.numbering_part.element
        self._next_num = max(int(n.get(_w("numId"))) for n in self._numbering.findall(_w("num"))) + 1

    def new_ordered_list(self) -> int:
        """Add a numbering instance that restarts at 1, for one numbered list of the text."""
        num_id = self._next_num
        self._next_num += 1
        self._numbering.append(parse_xml(
            f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{ABSTRACT_ORDERED}"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
        return num_id

    def link(self, href: str) -> str:
        return self.part.relate_to(href, RT.HYPERLINK, is_external=True)

    # the page header and footer, on every page
    def header(self) -> None:
        d = self.data
        row = '<w:tr>{}</w:tr>'

        def cell(width: int, content: str, span: int = 1) -> str:
            grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}</w:tcPr>{content}</w:tc>'

        def par(text: str, *, bold: bool = False, size: int = 18, fields: str = "") -> str:
            rpr = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
            run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r>' if text else ""
            return f'<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>{run}{fields}</w:p>'

        def field(instr: str, shown: str) -> str:
            return (f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="18"/></w:rPr>'
                    f'<w:t>{shown}</w:t></w:r></w:fldSimple>')

        widths = (4536, 1701, 1985, 849)
        page = (field("PAGE", "1") + '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> (</w:t></w:r>'
                + field("NUMPAGES", "1") + '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>)</w:t></w:r>')
        rows = [
            row.format(cell(widths[0], par(d.administration.upper(), bold=True))
                       + cell(sum(widths[1:]), par("TJÄNSTEUTLÅTANDE", bold=True, size=22), span=3)),
            row.format(cell(widths[0], par("")) + cell(widths[1], par("DATUM", size=14))
                       + cell(widths[2], par("DIARIENR", size=14)) + cell(widths[3], par("SIDA", size=14))),
            row.format(cell(widths[0], par("")) + cell(widths[1], par(d.report_date))
                       + cell(widths[2], par(d.registration_number)) + cell(widths[3], par("", fields=page))),
        ]
        table = self._table(widths, rows, rule="bottom")
        self._fill(self.target.header, table + '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>')

    def footer(self) -> None:
        a = self.data.address
        widths = (2835, 2835, 1701, 1700)
        labels = ("POSTADRESS", "BESÖKSADRESS", "TELEFON", "E-POST OCH WEBB")
        values = ([a.postal_address], [a.visiting_address], [a.phone], [a.email, a.web])

        def par(lines: list[str], size: int) -> str:
            runs = '<w:r><w:br/></w:r>'.join(
                f'<w:r><w:rPr><w:sz w:val="{size}"/></w:rPr><w:t xml:space="preserve">{escape(clean(t))}</w:t></w:r>'
                for t in lines if t)
            return f'<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{runs}</w:p>'

        def cells(texts) -> str:
            return "".join(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{t}</w:tc>' for w, t in zip(widths, texts))

        rows = [f'<w:tr>{cells(par([label], 12) for label in labels)}</w:tr>',
                f'<w:tr>{cells(par(v, 16) for v in values)}</w:tr>']
        revision = (f'<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="right"/></w:pPr><w:r><w:rPr><w:sz w:val="12"/>'
                    f'</w:rPr><w:t>{escape(clean(self.data.template_revision))}</w:t></w:r></w:p>')
        self._fill(self.target.footer, self._table(widths, rows, rule="top") + revision)

    @staticmethod
    def _table(widths, rows: list[str], rule: str) -> str:
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        return (f'<w:tbl><w:tblPr><w:tblStyle w:val="Sidhuvudtabell"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
                f'<w:tblBorders><w:{rule} w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>'
                f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
                + "".join(rows) + "</w:tbl>")

    @staticmethod
    def _fill(container, xml: str) -> None:
        for child in list(container):
            container.remove(child)
        wrapper = parse_xml(f'<w:hdr xmlns:w="{W_NS}">{xml}</w:hdr>')
        for child in list(wrapper):
            container.append(child)

    # the body
    def body(self) -> list:
        d = self.data
        out = []

        officer = _paragraph()
        _spacing(officer, after=240)
        _run(officer, "HANDLÄGGARE", size=14, sans=True)
        for line in (d.officer_name, d.officer_phone, d.officer_email):
            if line:
                _sub(_sub(officer, R), BR)
                _run(officer, clean(line), size=20, sans=True)
        out.append(officer)

        committee = _paragraph()
        _spacing(committee, before=240, after=240)
        _run(committee, clean(d.committee), bold=True)
        out.append(committee)

        title = _paragraph("Heading1")
        _run(title, clean(d.title) or "Tjänsteutlåtande")
        out.append(title)

        if d.proposals:
            out.append(self._heading("Förslag till beslut"))
            for proposal in d.proposals:
                p = _paragraph("ListNumber")
                _numbered(p, NUM_PROPOSALS)
                _run(p, clean(proposal.text))
                out.append(p)
                if proposal.immediately_adjusted:
                    adjusted = _paragraph()
                    _sub(_ppr(adjusted), IND).set(_w("left"), "360")
                    _run(adjusted, ADJUSTED_TEXT)
                    out.append(adjusted)

        for section in d.sections:
            if not section.html or not section.html.strip():
                continue
            out.append(self._heading(section.heading))
            parser = _HtmlToWord(self)
            parser.feed(section.html)
            parser.close()
            out.extend(parser.out)

        for i, s in enumerate(d.signatories):
            name = _paragraph()
            _sub(_ppr(name), KEEPNEXT)
            _spacing(name, before=600 if i == 0 else 360, after=0)
            _run(name, clean(s.name))
            out.append(name)
            if s.title:
                t = _paragraph()
                _run(t, clean(s.title))
                out.append(t)

        if d.attachments:
            out.append(self._heading("Bilagor"))
            for a in sorted(d.attachments, key=lambda a: a.position):
                p = _paragraph()
                _spacing(p, after=40)
                _run(p, clean(d.attachment_label(a)))
                out.append(p)

        if d.recipients:
            out.append(self._heading("Beslutet delges"))
            for recipient in d.recipients:
                p = _paragraph()
                _spacing(p, after=40)
                _run(p, clean(recipient))
                out.append(p)
        return out

    @staticmethod
    def _heading(text: str):
        p = _paragraph("Heading2")
        _run(p, clean(text))
        return p

    def properties(self) -> None:
        d = self.data
        props = self.document.core_properties
        element = props._element
        element.get_or_add_title().text = clean(d.title)  # no 255-character cut: the title is kept whole
        props.author = clean(d.author or d.officer_name or d.administration)[:255]
        props.last_modified_by = props.author
        props.subject = clean(f"Tjänsteutlåtande {d.registration_number}, {d.committee}")[:255]
        props.keywords = clean(f"tjänsteutlåtande; {d.registration_number}")[:255]
        props.language = "sv-SE"
        props.comments = ""
        when = _report_datetime(d.report_date)
        if when:
            props.created = props.modified = when

    def content(self) -> list:
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


def _report_datetime(value: str) -> datetime | None:
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return datetime(d.year, d.month, d.day)


def report_maker(doc: ReportDocument):
    """A builder factory for a combined document (tasks.rendering.batch): the report into the target given."""
    return lambda target=None: _Builder(doc, target)


def build_report_docx(doc: ReportDocument) -> bytes:
    """Return the tjänsteutlåtande as DOCX bytes."""
    return _Builder(doc).build()


def report_filename(doc: ReportDocument, extension: str, *, public: bool = False) -> str:
    """A download name such as "tjansteutlatande-SN-2016-3342.181.pdf" (ASCII, no path)."""
    number = re.sub(r"[^A-Za-z0-9.]+", "-", doc.registration_number).strip("-") or "utkast"
    return f"tjansteutlatande-{number}{'-offentlig' if public else ''}.{extension}"
