"""The kallelse (notice of meeting) as a Word document. Pure: a publication snapshot in, DOCX bytes out.

``build_kallelse_docx(snapshot, public=...)`` lays out exactly what was published (a members' or
a public snapshot of ``agenda.snapshot``) as the municipality's printed kallelse (DOMAIN.md,
"Anatomy of a kallelse"), in the committee's conventions the snapshot keeps: on every page the header
"SOCIALNÄMNDEN  KALLELSE  SIDA n (N)" (the document's name) from Word's PAGE and NUMPAGES fields; the
title "Kallelse till Socialnämnden"; Tid and Plats; the
items as a table (number | ärende with presenters and notes | diarienummer) with the
Sekretessärenden section row; the closing with the place and date of the notice and the
chair's and secretary's names. Same lean template as the tjänsteutlåtande (sv-SE, A4).

``draft=True`` lays out an unpublished agenda (a draft snapshot, agenda.drafts) the same way, marked as a draft:
"Utkast – inte publicerad" framed in the header of every page (the first page's too), under the title, in the
document's title and its file name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from lxml import etree

from agenda.secrecy import public_decision, public_item
from agenda.snapshot_json import ItemJSON, MeetingJSON, SnapshotJSON
from app.swedish_dates import long_date, meeting_time
from tasks.rendering.batch import Maker
from tasks.rendering.blocks import AddressBlock, address_footer, footer_line, signature_paragraphs, whole_number_runs
from tasks.rendering.word import KEEPNEXT, Target, clean, template_revision, template_sha256
from tasks.rendering.word import WordBuilder as _Builder
from tasks.rendering.word import paragraph as _paragraph
from tasks.rendering.word import ppr as _ppr
from tasks.rendering.word import run as _run
from tasks.rendering.word import spacing as _spacing
from tasks.rendering.word import sub as _sub

#: bump when the layout changes, so stored renders of the same snapshot are made again
KALLELSE_BUILDER_VERSION = "5"

#: the wording for a later handling in a snapshot published before the committee's own was kept
HANDLING_LATER = "Handling kommer senare"
#: shown on an item whose signed tjänsteutlåtande proposes that the paragraph be justerad at once
IMMEDIATE_ADJUSTMENT = "Omedelbar justering"
PUBLIC_MARK = "Offentlig version"
#: on every page of a draft (the header) and under its title
DRAFT_MARK = "Utkast – inte publicerad"
DRAFT_NOTE = "Utkast: kallelsen är inte publicerad och kan ändras innan den publiceras."
#: table column widths in twips (A4 less 25 mm margins: 9071)
ITEM_WIDTHS = (737, 6067, 2267)
#: the space after each column's text (the right cell margin): the title never touches the diarienummer
ITEM_GAP = 227
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def notice_line(meeting: MeetingJSON) -> str:
    """ "Huddinge den 2 februari 2017" (either part may be missing)."""
    place, day = meeting.get("notice_place") or "", long_date(meeting.get("notice_date"))
    if place and day:
        return f"{place} den {day}"
    return place or day


def kallelse_input_hash(snapshot: SnapshotJSON, *, public: bool, draft: bool = False) -> str:
    """The sha256 of everything the kallelse is made from: the snapshot, the variant, builder and template."""
    data = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(
        b"kallelse/"
        + KALLELSE_BUILDER_VERSION.encode()
        + (b"/draft" if draft else b"")
        + (b"/public/" if public else b"/members/")
        + template_sha256().encode()
        + b"/"
        + data
    ).hexdigest()


def kallelse_filename(snapshot: SnapshotJSON, extension: str, *, public: bool, draft: bool = False) -> str:
    """E.g. "kallelse-SN-2017-02-23.pdf", "kallelse-SN-2017-02-23-offentlig.pdf" or "kallelse-SN-2017-02-23-utkast.pdf"
    (ASCII, no path)."""
    meeting = snapshot["meeting"]
    prefix = re.sub(r"[^A-Za-z0-9]+", "-", meeting.get("committee_prefix") or "").strip("-") or "namnd"
    suffix = ("-utkast" if draft else "") + ("-offentlig" if public else "")
    return f"kallelse-{prefix}-{meeting['start'][:10]}{suffix}.{extension}"


class _KallelseBuilder(_Builder):
    """The report builder's template handling and helpers, with the kallelse's header, footer and body."""

    def __init__(self, snapshot: SnapshotJSON, public: bool, target: Target | None = None, draft: bool = False) -> None:
        self.snapshot = snapshot
        self.meeting = snapshot["meeting"]
        self.public = public
        self.draft = draft
        super().__init__(target)

    def header(self) -> None:
        def par(text: str, *, bold: bool = False, fields: str = "", align: str = "left") -> str:
            rpr = f'<w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>'
            run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r>' if text else ""
            return f'<w:p><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="{align}"/></w:pPr>{run}{fields}</w:p>'

        def field(instr: str, shown: str) -> str:
            return (
                f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="20"/></w:rPr>'
                f"<w:t>{shown}</w:t></w:r></w:fldSimple>"
            )

        def cell(width: int, content: str) -> str:
            return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{content}</w:tc>'

        small = '<w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>'
        page = (
            small.format("SIDA ") + field("PAGE", "1") + small.format(" (") + field("NUMPAGES", "1") + small.format(")")
        )
        name = clean(self.meeting.get("document_name") or "Kallelse").upper()
        # A name longer than KALLELSE ("FÖREDRAGNINGSLISTA") gets the room a long word needs, never broken.
        widths = (4536, 2268, 2267) if len(name) <= len("KALLELSE") else (3969, 3402, 1700)
        row = (
            "<w:tr>"
            + cell(widths[0], par(clean(self.meeting.get("committee") or "").upper(), bold=True))
            + cell(widths[1], par(name, bold=True))
            + cell(widths[2], par("", fields=page, align="right"))
            + "</w:tr>"
        )
        xml = self._table(widths, [row], rule="bottom") + '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>'
        if self.draft:
            xml += _draft_stamp()
        self._fill(self.target.header, xml)
        self._fill_first_header(xml)

    def footer(self) -> None:
        """The letterhead on the first page only: the address block of the committee's förvaltning (as published),
        the municipality and the förvaltning, the template's revision; the later pages have nothing at their foot,
        as the original (their number is in the header)."""
        meeting = self.meeting
        sender = " · ".join(part for part in (meeting.get("municipality"), meeting.get("administration")) if part)
        revision = template_revision()
        right = f"{PUBLIC_MARK} · {revision}" if self.public else revision
        address = meeting.get("address")
        if address:
            xml = address_footer(AddressBlock(**address), right, sender)
        else:  # published before the address block was part of the snapshot
            xml = footer_line(sender, right)
        self._fill_first_footer(xml)
        self._fill(self.target.footer, '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>')

    # the body
    def body(self) -> list[etree._Element]:
        m = self.meeting
        out: list[etree._Element] = []
        title = _paragraph("Heading1")
        _run(title, clean(m.get("title") or f"Kallelse till {m.get('committee') or ''}"))
        out.append(title)
        if self.draft:
            note = _paragraph()
            _run(note, DRAFT_NOTE, bold=True, size=20)
            out.append(note)
        if self.public:
            note = _paragraph()
            _run(note, f"{PUBLIC_MARK}: sekretessärenden visas utan uppgifter om enskilda.", italic=True, size=20)
            out.append(note)

        for label, value in (("Tid", meeting_time(m["start"])), ("Plats", m.get("place") or "")):
            p = _paragraph()
            _sub(_sub(_ppr(p), _w("tabs")), _w("tab")).attrib.update({_w("val"): "left", _w("pos"): "1304"})
            _spacing(p, after=60)
            _run(p, label, bold=True)
            _sub(_sub(p, _w("r")), _w("tab"))
            _run(p, clean(value))
            out.append(p)
        open_text = (
            "Sammanträdet är öppet för allmänheten."
            if m.get("is_public")
            else "Sammanträdet är inte öppet för allmänheten."
        )
        p = _paragraph()
        _spacing(p, before=60, after=240)
        _run(p, open_text, size=20)
        out.append(p)

        out.append(self.items_table())
        out.extend(self.closing())
        return out

    def _headed_table(
        self,
        widths: Sequence[int],
        headings: Sequence[str],
        *,
        caption: str,
        margins: str,
        style: str = "",
        borders: str = "",
        heading_spacing_after: int | None = None,
    ) -> etree._Element:
        """A fixed-layout table (w:tblPr children in the schema's order) with its header row repeated per page."""
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        tbl = etree.fromstring(
            f'<w:tbl xmlns:w="{W_NS}"><w:tblPr>{style}<w:tblW w:w="{sum(widths)}" w:type="dxa"/>{borders}'
            f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>'
            f'<w:tblLook w:val="0020" w:firstRow="1"/><w:tblCaption w:val="{caption}"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid></w:tbl>"
        )
        header = self._row(tbl, header=True)
        for width, text in zip(widths, headings):
            p = _paragraph()
            if heading_spacing_after is not None:
                _spacing(p, after=heading_spacing_after)
            _run(p, text, bold=True, sans=True, size=20)
            self._cell(header, width, [p], bottom_rule=True)
        return tbl

    def items_table(self) -> etree._Element:
        widths = ITEM_WIDTHS
        tbl = self._headed_table(
            widths,
            ("Nr", "Ärenden", "Diarienummer"),
            caption="Föredragningslistans ärenden med diarienummer",
            style='<w:tblStyle w:val="Sidhuvudtabell"/>',
            borders='<w:tblBorders><w:insideH w:val="single" w:sz="2" w:space="0" w:color="BFBFBF"/>'
            '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>',
            margins='<w:top w:w="57" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/>'
            f'<w:right w:w="{ITEM_GAP}" w:type="dxa"/>',
        )
        previous_section = None
        for item in map(listed, self.snapshot["items"]):
            section = item.get("section")
            if section and section != previous_section:
                row = self._row(tbl)
                p = _paragraph()
                _sub(_ppr(p), KEEPNEXT)
                _spacing(p, before=120, after=0)
                _run(p, clean(section), bold=True)
                self._cell(row, sum(widths), [p], span=3)
            previous_section = section
            row = self._row(tbl, cant_split=True)
            number = _paragraph()
            _run(number, str(item["number"]))
            self._cell(row, widths[0], [number])
            self._cell(row, widths[1], self._item_paragraphs(item))
            dnr = _paragraph()
            if item.get("case_number"):
                whole_number_runs(dnr, clean(item["case_number"]))
            self._cell(row, widths[2], [dnr])
        return tbl

    def _item_paragraphs(self, item: ItemJSON) -> list[etree._Element]:
        out: list[etree._Element] = []
        title = _paragraph()
        _spacing(title, after=40)
        whole_number_runs(title, clean(item.get("title") or ""))
        for marker in item.get("markers") or []:
            _run(title, f" {clean(marker)}", bold=True)
        out.append(title)
        for part in item.get("parts") or []:
            p = _paragraph()
            _spacing(p, after=20)
            _sub(_ppr(p), _w("ind")).set(_w("left"), "284")
            text = clean(part.get("title") or "")
            if part.get("presenter"):
                text += f" – {clean(part['presenter'])}"
            _run(p, text, size=20)
            out.append(p)
        notes = []
        if item.get("note"):
            notes.append(clean(item["note"]))
        if item.get("external_reference"):
            notes.append(f"Extern referens: {clean(item['external_reference'])}")
        if item.get("immediate_adjustment"):
            notes.append(IMMEDIATE_ADJUSTMENT)
        if item.get("is_handling_later"):
            notes.append(clean(self.meeting.get("handling_later_text") or HANDLING_LATER))
        for decision in item.get("delegation_decisions") or []:
            line = (
                f"{decision.get('decided_on') or ''} · {decision.get('decision_maker') or ''} · punkt "
                f"{decision.get('delegation_point') or ''}"
            )
            if decision.get("case_number"):
                line += f" · {decision['case_number']}"
            notes.append(f"{clean(line)}: {clean(decision.get('summary') or '')}")
        for text in notes:
            p = _paragraph()
            _spacing(p, after=20)
            whole_number_runs(p, text, italic=True, size=18)
            out.append(p)
        return out

    @staticmethod
    def _row(tbl: etree._Element, *, header: bool = False, cant_split: bool = False) -> etree._Element:
        row = _sub(tbl, _w("tr"))
        if header or cant_split:
            trpr = _sub(row, _w("trPr"))
            if cant_split:
                _sub(trpr, _w("cantSplit"))
            if header:
                _sub(trpr, _w("tblHeader"))
        return row

    @staticmethod
    def _cell(
        row: etree._Element,
        width: int,
        paragraphs: list[etree._Element],
        *,
        span: int = 1,
        bottom_rule: bool = False,
    ) -> etree._Element:
        tc = _sub(row, _w("tc"))
        tcpr = _sub(tc, _w("tcPr"))
        tcw = _sub(tcpr, _w("tcW"))
        tcw.set(_w("w"), str(width))
        tcw.set(_w("type"), "dxa")
        if span > 1:
            _sub(tcpr, _w("gridSpan"), str(span))
        if bottom_rule:
            borders = _sub(tcpr, _w("tcBorders"))
            b = _sub(borders, _w("bottom"), "single")
            b.set(_w("sz"), "6")
            b.set(_w("color"), "auto")
        for p in paragraphs or [_paragraph()]:
            tc.append(p)
        return tc

    def closing(self) -> list[etree._Element]:
        """ "Huddinge den 2 februari 2017", then the chair and the secretary side by side: paragraphs that keep
        together, so the closing follows the last item on its page whenever it fits there."""
        m = self.meeting
        place = _paragraph()
        _sub(_ppr(place), KEEPNEXT)
        _spacing(place, before=360, after=0)
        _run(place, clean(notice_line(m)))
        people = [(m.get("chair_name") or "", "Ordförande"), (m.get("secretary_name") or "", "Sekreterare")]
        return [place, *signature_paragraphs(people, first_before=480, title_size=18)]

    def properties(self) -> None:
        m = self.meeting
        props = self.document.core_properties
        props._element.get_or_add_title().text = kallelse_title(m, public=self.public, draft=self.draft)
        props.author = clean(m.get("secretary_name") or m.get("committee") or "")[:255]
        props.last_modified_by = props.author
        props.subject = clean(f"Kallelse med föredragningslista, {m.get('committee') or ''}")[:255]
        props.keywords = clean(f"kallelse; föredragningslista; {m['start'][:10]}")[:255]
        props.language = "sv-SE"
        props.comments = ""
        notice_date = m.get("notice_date")
        if notice_date:
            day = date.fromisoformat(notice_date[:10])
            props.created = props.modified = datetime(day.year, day.month, day.day)


def listed(item: ItemJSON) -> ItemJSON:
    """An item as the kallelse lists it, in the members' version too: a confidential matter by its public
    title only, as the original (its names belong in its handlingar), and a delegated decision in a
    confidential case by its public title. Items of a public snapshot are that already."""
    if item.get("kind") == "confidential_case" and "public_title" in item:
        return public_item(item)
    decisions = item.get("delegation_decisions")
    if decisions and any(d.get("is_confidential") and "public_title" in d for d in decisions):
        shown = [public_decision(d) if "public_title" in d else d for d in decisions]
        return {**item, "delegation_decisions": shown}
    return item


def kallelse_title(meeting: MeetingJSON, *, public: bool, draft: bool = False) -> str:
    """The document title: "Kallelse till Socialnämnden 2017-02-23" (+ " (offentlig version)"; a draft's begins
    with "Utkast: ")."""
    title = f"{meeting.get('title') or 'Kallelse'} {meeting['start'][:10]}"
    return clean(("Utkast: " if draft else "") + title + (f" ({PUBLIC_MARK.lower()})" if public else ""))


def _draft_stamp() -> str:
    """The header's draft marker: "Utkast – inte publicerad", bold, dark red and framed like a stamp (a header
    paragraph, so it is on every page and read as text from each page of the PDF)."""
    border = '<w:{side} w:val="single" w:sz="12" w:space="2" w:color="A50E0E"/>'
    borders = "".join(border.format(side=side) for side in ("top", "left", "bottom", "right"))
    return (
        f'<w:p><w:pPr><w:pStyle w:val="Header"/><w:pBdr>{borders}</w:pBdr><w:jc w:val="center"/></w:pPr>'
        '<w:r><w:rPr><w:b/><w:color w:val="A50E0E"/><w:sz w:val="28"/><w:szCs w:val="28"/>'
        f'</w:rPr><w:t xml:space="preserve">{escape(DRAFT_MARK)}</w:t></w:r></w:p>'
    )


def kallelse_maker(snapshot: SnapshotJSON, *, public: bool = False) -> Maker:
    """A builder factory for a combined document (tasks.rendering.batch): the kallelse into the target given."""
    return lambda target=None: _KallelseBuilder(snapshot, public, target)


def build_kallelse_docx(snapshot: SnapshotJSON, *, public: bool = False, draft: bool = False) -> bytes:
    """Return the kallelse of a publication snapshot (members' or public) as DOCX bytes; ``draft``: of a draft
    snapshot, marked as such on every page."""
    return _KallelseBuilder(snapshot, public, draft=draft).build()
