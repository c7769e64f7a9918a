"""The yardstick's contents pages as Word (tests/benchmarks/package_bench.py).

The package draws its contents pages straight into PDF (tasks.rendering.contents_pdf); the bench's
yardstick converts the same pages as one Word document, so it needs them as Word: the same table
(Nr | Handling | Sida), fonts, sizes and spacing, written with the kallelse builder's helpers. Only
the bench uses this.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from tasks.rendering.contents_pdf import ContentsLine
from tasks.rendering.kallelse_docx import ITEM_WIDTHS, _KallelseBuilder
from tasks.rendering.word import Target, clean
from tasks.rendering.word import paragraph as _paragraph
from tasks.rendering.word import run as _run
from tasks.rendering.word import spacing as _spacing
from tasks.rendering.word import sub as _sub
from tasks.rendering.word import w as _w


class _Contents(_KallelseBuilder):
    """The "Innehåll" pages: a table Nr | Handling | Sida."""

    def __init__(self, meeting: dict, lines: list[ContentsLine], public: bool, target: Target | None = None):
        self.lines = lines
        super().__init__({"meeting": meeting, "items": []}, public, target)

    def header(self) -> None:
        text = f"{clean(self.meeting.get('committee') or '').upper()}  MÖTESHANDLINGAR  {self.meeting['start'][:10]}"
        self._fill(
            self.target.header,
            f'<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r></w:p>',
        )

    def body(self) -> list:
        title = _paragraph("Heading1")
        _run(title, "Innehåll")
        intro = _paragraph()
        _run(
            intro,
            f"{self.meeting.get('title') or 'Kallelse'} den {self.meeting['start'][:10]}: kallelsen, "
            "tjänsteutlåtandena och deras bilagor"
            + (" (offentlig version, utan sekretessärenden och sekretessbelagda bilagor)." if self.public else "."),
            size=20,
        )
        widths = ITEM_WIDTHS[0], ITEM_WIDTHS[1] + ITEM_WIDTHS[2] - 1134, 1134
        tbl = self._contents_table(widths)
        return [title, intro, tbl]

    def _contents_table(self, widths):
        # The template's table style (no spacing after, these cell margins) written out: LibreOffice
        # loads a long table twice as fast without a table style to apply to every cell.
        tbl = self._headed_table(
            widths,
            ("Nr", "Handling", "Sida"),
            caption="Mötespaketets innehåll med sidnummer",
            margins='<w:left w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>',
            heading_spacing_after=0,
        )
        for line in self.lines:
            row = self._row(tbl, cant_split=True)
            number, text, page = _paragraph(), _paragraph(), _paragraph()
            for p in (number, text, page):
                _spacing(p, before=120 if line.level == 0 else 0, after=20)
            if line.number:
                _run(number, line.number, bold=line.level == 0)
            if line.level:
                _sub(_sub(text, _w("pPr")) if text.find(_w("pPr")) is None else text.find(_w("pPr")), _w("ind")).set(
                    _w("left"), "284"
                )
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


def contents_maker(meeting: dict, lines: list[ContentsLine], public: bool):
    """A builder factory for a combined document (tasks.rendering.batch): the contents pages into the target."""
    return lambda target=None: _Contents(meeting, lines, public, target)
