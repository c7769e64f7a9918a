"""Blocks the Word builders share beyond paragraphs and runs: the letterhead's address footer, signatures
side by side, and numbers that must not break across lines.

* ``address_footer``: POSTADRESS, BESÖKSADRESS, TELEFON, E-POST OCH WEBB under a rule, as the
  municipality's letterhead prints it on a document's first page. The columns are wide enough for
  their usual contents at 8 pt, with a gap between them; a column whose line would break (a long
  e-mail address) is widened with room the others spare (text_width.fitted_widths); a postal address
  is split at its commas into lines
  ("Social- och äldreomsorgsförvaltningen" / "141 85 Huddinge"), and digit groups are joined by
  no-break spaces, so no part of the address is cut.
* ``signature_paragraphs``: the signatories two by two, side by side (a tab stop at the page's
  middle), name above title, kept together on one page.
* ``whole_number_runs``: a date, diarienummer or telephone number ("2017-01-12", "SN-2017/45.754",
  "08-535 300 00") kept on one line: its hyphens as Word's non-breaking hyphen (read back by
  python-docx and by PDF text extraction as "-"), its digit groups joined by no-break spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Unpack
from xml.sax.saxutils import escape

from lxml import etree

from tasks.rendering.text_width import fitted_widths
from tasks.rendering.word import KEEPNEXT, RunFormatting, clean, paragraph, ppr, run, spacing, sub, w

#: POSTADRESS, BESÖKSADRESS, TELEFON, E-POST OCH WEBB: twips, 9071 in all (A4 less 25 mm margins)
FOOTER_WIDTHS = (3118, 2268, 1588, 2097)
FOOTER_LABELS = ("POSTADRESS", "BESÖKSADRESS", "TELEFON", "E-POST OCH WEBB")
#: the gap between the footer's columns (3 mm), as each cell's right margin
FOOTER_GAP = 170
#: where the second signatory of a pair stands (the middle of the text width)
SIGNATURE_TAB = 4536

#: a hyphen with a digit on one side and no space on either: in a date, a diarienummer, a telephone number
_NUMBER_HYPHEN = re.compile(r"(?<=\d)-(?=\S)|(?<=\S)-(?=\d)")
#: a space between two digits: "141 85", "300 00"
_NUMBER_SPACE = re.compile(r"(?<=\d) (?=\d)")
NBSP = "\u00a0"


@dataclass
class AddressBlock:
    """The address block of the footer: the förvaltning's own, else the municipality's
    (app.organisation.models.Administration.address_block)."""

    postal_address: str = ""
    visiting_address: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""


def joined_digits(text: str) -> str:
    """``text`` with its digit groups joined by no-break spaces ("141 85 Huddinge" → "141\u00a085 Huddinge")."""
    return _NUMBER_SPACE.sub(NBSP, text)


def whole_number_runs(parent: etree._Element, text: str, **formatting: Unpack[RunFormatting]) -> None:
    """Runs of ``text`` at the end of ``parent`` in which no date, diarienummer or telephone number breaks."""
    pieces = _NUMBER_HYPHEN.split(joined_digits(text))
    r = run(parent, pieces[0], **formatting)
    for piece in pieces[1:]:
        sub(r, w("noBreakHyphen"))
        t = sub(r, w("t"))
        t.text = piece
        if piece[:1].isspace() or piece[-1:].isspace():
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _whole_number_xml(text: str, rpr: str) -> str:
    """The runs of ``whole_number_runs`` as XML text (for headers and footers written as XML)."""
    pieces = _NUMBER_HYPHEN.split(joined_digits(clean(text)))
    inner = "<w:noBreakHyphen/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in pieces)
    return f"<w:r>{rpr}{inner}</w:r>"


def address_lines(address: AddressBlock) -> list[list[str]]:
    """The footer's four columns of lines: the postal address split at its commas; e-mail and web."""
    postal = [part.strip() for part in (address.postal_address or "").split(",") if part.strip()]
    return [postal, [address.visiting_address], [address.phone], [address.email, address.web]]


def address_footer(address: AddressBlock, revision: str = "", sender: str = "") -> str:
    """The address block as footer XML, and below it, small, a line with the ``sender`` ("Borås stad ·
    Stadsledningskansliet") at its left and the template's ``revision`` at its right (when either is given)."""

    def par(lines: list[str], size: int) -> str:
        rpr = f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
        runs = "<w:r><w:br/></w:r>".join(_whole_number_xml(t, rpr) for t in lines if t)
        return f'<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{runs}</w:p>'

    lines = address_lines(address)
    widths = fitted_widths(
        [[(label, 6), *((joined_digits(t), 8) for t in column)] for label, column in zip(FOOTER_LABELS, lines)],
        FOOTER_WIDTHS,
        gap=FOOTER_GAP,
    )

    def cells(texts: Iterable[str]) -> str:
        return "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{t}</w:tc>' for width, t in zip(widths, texts)
        )

    rows = [
        f"<w:tr>{cells(par([label], 12) for label in FOOTER_LABELS)}</w:tr>",
        f"<w:tr>{cells(par(column, 16) for column in lines)}</w:tr>",
    ]
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    table = (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="Sidhuvudtabell"/><w:tblW w:w="{sum(FOOTER_WIDTHS)}" w:type="dxa"/>'
        '<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
        f'<w:right w:w="{FOOTER_GAP}" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>" + "".join(rows) + "</w:tbl>"
    )
    return table + footer_line(sender, revision, size=12)


def footer_line(left: str, right: str, *, size: int | None = None) -> str:
    """A footer paragraph: ``left`` at its left, ``right`` at the right margin (either may be empty)."""
    rpr = f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>' if size else ""

    def text(value: str) -> str:
        return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(clean(value))}</w:t></w:r>' if value else ""

    tab = f"<w:r>{rpr}<w:tab/></w:r>" if right else ""
    return (
        f'<w:p><w:pPr><w:pStyle w:val="Footer"/><w:tabs><w:tab w:val="right" w:pos="{sum(FOOTER_WIDTHS)}"/></w:tabs>'
        f"</w:pPr>{text(left)}{tab}{text(right)}</w:p>"
    )


def signature_paragraphs(
    people: list[tuple[str, str]], *, first_before: int = 600, title_size: int | None = None
) -> list[etree._Element]:
    """The signatories (name, title) two by two side by side: a paragraph of names, one of titles, per pair.

    Every paragraph but the last keeps with the next, so the signatures stay together on one page."""
    lines: list[tuple[list[str], bool, int]] = []  # (texts, is a line of titles, space before)
    for i in range(0, len(people), 2):
        pair = people[i : i + 2]
        lines.append(([clean(name) or "–" for name, _title in pair], False, first_before if i == 0 else 480))
        if any(title for _name, title in pair):
            lines.append(([clean(title) for _name, title in pair], True, 0))
    out = []
    for n, (texts, is_titles, before) in enumerate(lines):
        p = paragraph()
        properties = ppr(p)
        if n < len(lines) - 1:
            sub(properties, KEEPNEXT)
        sub(sub(properties, w("tabs")), w("tab"), "left").set(w("pos"), str(SIGNATURE_TAB))
        spacing(p, before=before, after=0 if not is_titles else None)
        for k, text in enumerate(texts):
            if k:
                sub(sub(p, w("r")), w("tab"))
            if text:
                if is_titles and title_size:
                    run(p, text, size=title_size, sans=True)
                else:
                    run(p, text)
        out.append(p)
    return out
