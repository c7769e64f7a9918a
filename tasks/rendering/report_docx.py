"""The tjänsteutlåtande (case report) as a Word document. Pure: no Flask, no database.

``build_report_docx(ReportDocument) -> bytes`` lays the report out as the municipality's real
one (DOMAIN.md, "Anatomy of a tjänsteutlåtande"): on every page a header table with the
förvaltning, TJÄNSTEUTLÅTANDE, DATUM, DIARIENR and SIDA n (N) from Word's PAGE and NUMPAGES
fields, and a footer with the address block; on the first page HANDLÄGGARE, the committee
addressed and the title; the decision proposals as a real numbered list; the sections as
Heading 2 with their rich text as Word paragraphs, subheadings (Heading 3), bold, italic, lists and
links; signatures, Bilagor and Beslutet delges.

The document is written with python-docx on the project's lean template, with the Word helpers
the builders share (tasks.rendering.word). All text is set as text: nothing in a field can become
markup, and the section HTML is read by a parser that gives formatting to p, h3, br, strong, b, em,
i, ul, ol, li and a (http, https, mailto) only; anything else becomes plain text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from xml.sax.saxutils import escape

from lxml import etree

from tasks.rendering.batch import Maker
from tasks.rendering.blocks import AddressBlock, address_footer, signature_paragraphs
from tasks.rendering.make_template import NUM_BULLETS, NUM_PROPOSALS, TEMPLATE_REVISION
from tasks.rendering.word import (
    BR,
    HYPERLINK,
    IND,
    R_ID,
    R,
    Target,
    WordBuilder,
    clean,
    numbered,
    paragraph,
    ppr,
    run,
    spacing,
    sub,
    template_sha256,
    w,
)

#: bump when the layout changes, so stored renders of the same input are made again
BUILDER_VERSION = "5"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: the style of a subheading (h3) within a section: Word's "heading 3", "Rubrik 3" in a Swedish Word
SUBHEADING_STYLE = "Heading3"
ADJUSTED_TEXT = "Paragrafen förklaras omedelbart justerad."
CONFIDENTIAL_MARK = "(sekretess)"
#: the marking at the head of every page of a confidential handling, with its provision in OSL
SECRECY_MARKING = "Sekretess enligt {}"
#: the marking when no provision is recorded (a bilaga marked confidential on a public case)
SECRECY_MARKING_WITHOUT_PROVISION = "Sekretessbelagd handling"
#: the link targets that become hyperlinks; any other href leaves its text as plain text
LINK_SCHEMES = ("http://", "https://", "mailto:")
#: HTML white space (ASCII only: a non-breaking space, as in "1 000 kr", is text)
#: (only the runs that change: a lone space is left alone, which is most of the time saved)
_SPACE = re.compile(r" ?[\t\n\r\f][ \t\n\r\f]*| {2,}[\t\n\r\f ]*")


# --- the input -------------------------------------------------------------------------------


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
    #: the municipality's name, in the first page's footer beside the förvaltning's
    municipality: str = ""
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
    #: "Sekretess enligt 26 kap. 1 § OSL" at the head of every page: the report of a confidential case
    secrecy_marking: str = ""

    def attachment_label(self, a: AttachmentLine) -> str:
        if a.is_confidential and self.omit_confidential_titles:
            return f"Bilaga {a.position} {CONFIDENTIAL_MARK}"
        suffix = f" {CONFIDENTIAL_MARK}" if a.is_confidential else ""
        return f"Bilaga {a.position} {a.title}{suffix}"

    def input_hash(self) -> str:
        """The sha256 of everything the document is made from: this data, the builder and the template."""
        data = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(
            b"tjansteutlatande/" + BUILDER_VERSION.encode() + b"/" + template_sha256().encode() + b"/" + data
        ).hexdigest()


# --- section HTML to Word -----------------------------------------------------------------


class _HtmlToWord(HTMLParser):
    """Turn sanitised section HTML into Word paragraphs; only the allowed tags format anything."""

    def __init__(self, builder: _ReportBuilder):
        super().__init__(convert_charrefs=True)
        self.builder = builder
        self.out: list[etree._Element] = []
        #: the paragraph open, and the hyperlink open in it (where runs go then)
        self.p: etree._Element | None = None
        self.link: etree._Element | None = None
        self.bold = 0
        self.italic = 0
        self.links: list[str | None] = []
        self.lists: list[tuple[str, int]] = []  # (tag, numId)
        self.in_item = False
        #: the subheading paragraph open (its runs are the heading's text)
        self.heading: etree._Element | None = None

    # paragraphs
    def _open(self, style: str | None = None) -> etree._Element:
        """Open a paragraph (of ``style``), inside the link still open if any; return it."""
        p = paragraph(style)
        self.out.append(p)
        self.p = p
        self.link = self._link_in(p, self.links[-1]) if self.links and self.links[-1] else None
        return p

    def _close(self) -> None:
        if self.heading is not None:
            if len(self.heading) <= 1 and self.heading in self.out:  # nothing but pPr: no empty heading
                self.out.remove(self.heading)
            self.heading = None
        self.p = self.link = None
        self.in_item = False

    @staticmethod
    def _link_in(p: etree._Element, r_id: str) -> etree._Element:
        """A hyperlink to relationship ``r_id`` at the end of ``p``."""
        link = sub(p, HYPERLINK)
        link.set(R_ID, r_id)
        return link

    def _runs_in(self, p: etree._Element) -> etree._Element:
        """Where runs go in the open paragraph ``p``: the hyperlink open in it, else ``p`` itself."""
        return self.link if self.link is not None else p

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            if self.in_item and self.p is not None:
                if len(self.p) > 1:  # text already in the list item: continue on a new line
                    sub(sub(self._runs_in(self.p), R), BR)
                return
            self._close()
        elif tag == "h3":
            if self.in_item and self.p is not None and len(self.p) <= 1:  # a heading as a list item's start
                self.out.remove(self.p)
            self._close()
            self.heading = self._open(SUBHEADING_STYLE)
        elif tag == "br":
            p = self.p if self.p is not None else self._open()
            sub(sub(self._runs_in(p), R), BR)
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
            item = self._open("ListNumber" if kind == "ol" else "ListBullet")
            numbered(item, num_id, min(max(len(self.lists) - 1, 0), 2))
            self.in_item = True
        elif tag == "a":
            href = clean(dict(attrs).get("href") or "").strip()
            r_id = self.builder.link(href) if href.lower().startswith(LINK_SCHEMES) else None
            self.links.append(r_id)
            if r_id and self.p is not None:
                self.link = self._link_in(self.p, r_id)
        # any other tag: its markup is dropped, its text stays text

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            if not self.in_item:
                self._close()
        elif tag == "h3":
            if self.heading is not None:
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
            self.link = None  # runs go into the paragraph again

    def handle_data(self, data: str) -> None:
        text = _SPACE.sub(" ", clean(data))
        if self.p is None:
            text = text.lstrip(" ")
            if not text:
                return
            p = self._open()
        else:
            p = self.p
            if len(p) <= 1 and self.link is None:  # nothing but pPr yet
                text = text.lstrip(" ")
                if not text:
                    return
        in_link = bool(self.links and self.links[-1])
        run(self._runs_in(p), text, bold=self.bold > 0, italic=self.italic > 0, style="Hyperlink" if in_link else None)


# --- the builder ----------------------------------------------------------------------------


class _ReportBuilder(WordBuilder):
    """The tjänsteutlåtande: its header and footer tables, its body and its properties."""

    def __init__(self, data: ReportDocument, target: Target | None = None) -> None:
        self.data = data
        super().__init__(target)

    # the page header and footer, on every page
    def header(self) -> None:
        d = self.data
        row = "<w:tr>{}</w:tr>"

        def cell(width: int, content: str, span: int = 1) -> str:
            grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}</w:tcPr>{content}</w:tc>'

        def par(text: str, *, bold: bool = False, size: int = 18, fields: str = "") -> str:
            rpr = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
            text_run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r>' if text else ""
            return f'<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>{text_run}{fields}</w:p>'

        def field(instr: str, shown: str) -> str:
            return (
                f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="18"/></w:rPr>'
                f"<w:t>{shown}</w:t></w:r></w:fldSimple>"
            )

        widths = (4536, 1701, 1985, 849)
        page = (
            field("PAGE", "1")
            + '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> (</w:t></w:r>'
            + field("NUMPAGES", "1")
            + '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>)</w:t></w:r>'
        )
        rows = [
            row.format(
                cell(widths[0], par(d.administration.upper(), bold=True))
                + cell(sum(widths[1:]), par("TJÄNSTEUTLÅTANDE", bold=True, size=22), span=3)
            ),
            row.format(
                cell(widths[0], par(""))
                + cell(widths[1], par("DATUM", size=14))
                + cell(widths[2], par("DIARIENR", size=14))
                + cell(widths[3], par("SIDA", size=14))
            ),
            row.format(
                cell(widths[0], par(""))
                + cell(widths[1], par(d.report_date))
                + cell(widths[2], par(d.registration_number))
                + cell(widths[3], par("", fields=page))
            ),
        ]
        table = self._table(widths, rows, rule="bottom")
        marking = (
            f'<w:r><w:rPr><w:b/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(clean(d.secrecy_marking))}</w:t></w:r>'
            if d.secrecy_marking
            else ""
        )
        xml = table + f'<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/></w:pPr>{marking}</w:p>'
        self._fill(self.target.header, xml)
        self._fill_first_header(xml)

    def footer(self) -> None:
        """The address block, the municipality and förvaltning, and the template's revision on the first page only,
        as the original; later pages have nothing at their foot (their number is in the header)."""
        d = self.data
        sender = " · ".join(part for part in (d.municipality, d.administration) if part)
        self._fill_first_footer(address_footer(d.address, d.template_revision, sender))
        self._fill(self.target.footer, '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>')

    # the body
    def body(self) -> list[etree._Element]:
        d = self.data
        out: list[etree._Element] = []

        officer = paragraph()
        spacing(officer, after=240)
        run(officer, "HANDLÄGGARE", size=14, sans=True)
        for line in (d.officer_name, d.officer_phone, d.officer_email):
            if line:
                sub(sub(officer, R), BR)
                run(officer, clean(line), size=20, sans=True)
        out.append(officer)

        committee = paragraph()
        spacing(committee, before=240, after=240)
        run(committee, clean(d.committee), bold=True)
        out.append(committee)

        title = paragraph("Heading1")
        run(title, clean(d.title) or "Tjänsteutlåtande")
        out.append(title)

        if d.proposals:
            out.append(self._heading("Förslag till beslut"))
            single = len(d.proposals) == 1  # one point stands unnumbered, as the original writes it
            for proposal in d.proposals:
                if single:
                    p = paragraph()
                    spacing(p, after=80)
                else:
                    p = paragraph("ListNumber")
                    numbered(p, NUM_PROPOSALS)
                run(p, clean(proposal.text))
                out.append(p)
                if proposal.immediately_adjusted:
                    adjusted = paragraph()
                    if not single:
                        sub(ppr(adjusted), IND).set(w("left"), "360")
                    run(adjusted, ADJUSTED_TEXT)
                    out.append(adjusted)

        for section in d.sections:
            if not section.html or not section.html.strip():
                continue
            out.append(self._heading(section.heading))
            parser = _HtmlToWord(self)
            parser.feed(section.html)
            parser.close()
            out.extend(parser.out)

        if d.signatories:
            out.extend(signature_paragraphs([(s.name, s.title) for s in d.signatories]))

        if d.attachments:
            out.append(self._heading("Bilagor"))
            for a in sorted(d.attachments, key=lambda a: a.position):
                p = paragraph()
                spacing(p, after=40)
                run(p, clean(d.attachment_label(a)))
                out.append(p)

        if d.recipients:
            out.append(self._heading("Beslutet delges"))
            for recipient in d.recipients:
                p = paragraph()
                spacing(p, after=40)
                run(p, clean(recipient))
                out.append(p)
        return out

    @staticmethod
    def _heading(text: str) -> etree._Element:
        p = paragraph("Heading2")
        run(p, clean(text))
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


def _report_datetime(value: str) -> datetime | None:
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return datetime(d.year, d.month, d.day)


def secrecy_marking(provision: str | None) -> str:
    """ "Sekretess enligt 26 kap. 1 § OSL": how a confidential handling is marked on each of its pages."""
    provision = clean(provision or "").strip()
    return SECRECY_MARKING.format(provision) if provision else SECRECY_MARKING_WITHOUT_PROVISION


def report_maker(doc: ReportDocument) -> Maker:
    """A builder factory for a combined document (tasks.rendering.batch): the report into the target given."""
    return lambda target=None: _ReportBuilder(doc, target)


def build_report_docx(doc: ReportDocument) -> bytes:
    """Return the tjänsteutlåtande as DOCX bytes."""
    return _ReportBuilder(doc).build()


def report_filename(doc: ReportDocument, extension: str, *, public: bool = False) -> str:
    """A download name such as "tjansteutlatande-SN-2016-3342.181.pdf" (ASCII, no path)."""
    number = re.sub(r"[^A-Za-z0-9.]+", "-", doc.registration_number).strip("-") or "utkast"
    return f"tjansteutlatande-{number}{'-offentlig' if public else ''}.{extension}"
