"""The package's contents pages, drawn straight into PDF (tasks.rendering.contents_pdf), read back with pypdf:
text and page numbers, the header and footer, fonts embedded with a text map, the tagged table, page breaks
that repeat the heading row and never split a row, long titles wrapped inside their column, characters the
font lacks; and the links of the contents in a whole package. No LibreOffice needed: only the fonts."""

from __future__ import annotations

import re

import pytest

from tasks.rendering import pdf_fonts
from tasks.rendering.contents_pdf import COLUMNS, LEFT
from tasks.rendering.package import merge_package
from tasks.rendering.package_contents import PackageDocument, PackageItem, contents_layout, contents_pdf
from tasks.rendering.pdf_fonts import face, missing_fonts_reason
from tests.rendering.meeting_sample import demo_snapshots
from tests.rendering.pdf_checks import blank_pdf, outline, reader, structure_problems
from tests.rendering.sample import LONG_TITLE, SPECIAL

pytestmark = pytest.mark.skipif(missing_fonts_reason() is not None, reason=str(missing_fonts_reason()))


@pytest.fixture(scope="module")
def meeting() -> dict:
    return demo_snapshots()[0]["meeting"]


def _items(count: int, documents: int = 2, pages: int = 3) -> list[PackageItem]:
    return [
        PackageItem(
            n,
            f"{n} Ärende nummer {n} om verksamheten – SN-2017/{n}.100",
            [
                PackageDocument("Tjänsteutlåtande" if d == 0 else f"Bilaga {d} Underlag {n}", b"", pages)
                for d in range(documents)
            ],
        )
        for n in range(1, count + 1)
    ]


def _words(r) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in r.pages).split())


def _struct(element) -> list:
    """(type, [children …]) of a structure element, MCIDs and annotations left out."""
    element = element.get_object()
    kids = element.get("/K")
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    return [
        (k.get_object()["/S"], _struct(k))
        for k in kids
        if hasattr(k.get_object(), "get") and k.get_object().get("/Type") != "/OBJR" and "/S" in k.get_object()
    ]


def test_one_page_of_contents_read_back(meeting):
    items = _items(3) + [
        PackageItem(4, "4 Information", [], ["Bilaga 1 Protokoll (handling i diariet, ingår inte i paketet)"])
    ]
    r = reader(contents_pdf(meeting, 2, items, public=False))
    assert len(r.pages) == 1
    words = _words(r)
    assert words.startswith(
        "SOCIALNÄMNDEN MÖTESHANDLINGAR 2017-02-23 Innehåll Kallelse till Socialnämnden den "
        "23 februari 2017: kallelsen, tjänsteutlåtandena och deras bilagor. Nr Handling Sida"
    )
    # kallelse 2 pages, contents 1: the first document starts on page 4, each 3 pages long
    assert "1 Ärende nummer 1 om verksamheten – SN-2017/1.100 4 Tjänsteutlåtande 4 Bilaga 1 Underlag 1 7" in words
    assert "3 Ärende nummer 3 om verksamheten – SN-2017/3.100 16 Tjänsteutlåtande 16 Bilaga 1 Underlag 3 19" in words
    assert "4 Information Bilaga 1 Protokoll (handling i diariet, ingår inte i paketet)" in words
    assert "Huddinge kommun · Social- och äldreomsorgsförvaltningen" in words and "offentlig" not in words
    catalog = r.trailer["/Root"]
    assert catalog["/Lang"] == "sv-SE" and catalog["/MarkInfo"]["/Marked"]
    assert r.metadata.title == "Innehåll – Kallelse till Socialnämnden"
    # fonts: embedded subsets with a text map
    fonts = r.pages[0]["/Resources"]["/Font"]
    assert len(fonts) == 4
    for font in fonts.values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
        assert re.fullmatch(r"/[A-Z]{6}\+Liberation(Serif|Sans)(-Bold)?", descendant["/BaseFont"])
        assert len(descendant["/FontDescriptor"]["/FontFile2"].get_data()) > 1000
    # tags: a heading, the introduction, a table of rows whose heading cells have a column scope
    document = catalog["/StructTreeRoot"]["/K"][0].get_object()
    tree = _struct(document)
    assert [kind for kind, _ in tree] == ["/H1", "/P", "/Table"]
    rows = tree[2][1]
    assert len(rows) == 1 + len(items) + sum(len(i.documents) + len(i.notes) for i in items)
    assert rows[0] == ("/TR", [("/TH", []), ("/TH", []), ("/TH", [])])
    assert rows[2] == ("/TR", [("/TD", []), ("/TD", [("/Link", [])]), ("/TD", [])])  # a document: a link
    heading = document["/K"][2].get_object()["/K"][0].get_object()["/K"][0].get_object()
    assert heading["/A"]["/Scope"] == "/Column"
    assert structure_problems(r) == []


def test_the_public_contents_say_so(meeting):
    words = _words(reader(contents_pdf(meeting, 1, _items(1), public=True)))
    assert "(offentlig version, utan sekretessärenden och sekretessbelagda bilagor)." in words
    assert "Offentlig version · Mall rev." in words


def test_long_contents_go_on_over_pages_with_the_heading_row_again(meeting):
    items = _items(40, documents=3, pages=2)
    pdf = contents_pdf(meeting, 2, items, public=False)
    r = reader(pdf)
    pages = len(r.pages)
    assert pages == contents_layout(meeting, items, public=False).page_count() >= 4
    first_document = 2 + pages + 1
    texts = [" ".join((page.extract_text() or "").split()) for page in r.pages]
    for text in texts:
        assert text.startswith("SOCIALNÄMNDEN MÖTESHANDLINGAR 2017-02-23")
        assert "Nr Handling Sida" in text
    # the numbers count on across pages; no line is split, nor an item's line parted from its first document
    for item in items:
        n = item.number
        start = first_document + (n - 1) * 6
        lines = [
            f"{n} Ärende nummer {n} om verksamheten – SN-2017/{n}.100 {start} Tjänsteutlåtande {start}",
            f"Bilaga 1 Underlag {n} {start + 2}",
            f"Bilaga 2 Underlag {n} {start + 4}",
        ]
        for line in lines:
            assert sum(line in text for text in texts) == 1, line
    # the repeated heading rows are artifacts: the table has one heading row
    document = r.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()
    rows = _struct(document)[2][1]
    assert [kind for kind, cells in rows if cells and cells[0][0] == "/TH"] == ["/TR"]
    assert len(rows) == 1 + 40 * 4
    assert structure_problems(r) == []


def _runs(r, page_index: int = 0) -> list[tuple[float, float, str]]:
    """(x, font size, text) of each text run on a page."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((tm[4], size * tm[0], text))

    r.pages[page_index].extract_text(visitor_text=visit)
    return runs


def test_long_titles_wrap_inside_their_column_and_special_characters_survive(meeting):
    word = "Överenskommelse" * 20  # 300 letters without a space
    items = [
        PackageItem(1, f"1 {LONG_TITLE} – SN-2016/3342.181", [PackageDocument(f"Bilaga 1 {SPECIAL}", b"", 2)]),
        PackageItem(2, f"2 {word}", [PackageDocument("Tjänsteutlåtande", b"", 1)]),
    ]
    r = reader(contents_pdf(meeting, 2, items, public=False))
    words = _words(r)
    assert " ".join(LONG_TITLE.split()) in words
    assert "Å ä ö § – “citat” 1 000 kr ≥ 5 % Ñ" in words
    assert "1\u00a0000 kr" in r.pages[0].extract_text()  # the no-break space kept (and not broken at)
    assert word in words.replace(" ", "")
    right = LEFT + COLUMNS[0] + COLUMNS[1]
    faces = {11: face("serif-bold"), 10: face("serif")}  # an item's line, a document's
    checked = 0
    for x, size, text in _runs(r):
        if LEFT + COLUMNS[0] <= x < right and round(size) in faces and "Handling" not in text:
            assert x + faces[round(size)].width(text.rstrip("\n"), size) <= right + 0.5, text
            checked += 1
    assert checked >= 8
    lines_of_word = [text for x, size, text in _runs(r) if re.fullmatch(r"[Överenskomml]{20,}", text.strip())]
    assert len(lines_of_word) >= 4  # the long word (about 1 700 points) was cut where each line was full


def test_a_character_the_font_lacks_is_shown_as_a_question_mark(meeting):
    items = [PackageItem(1, "1 Besök från 北京 – SN-2017/1.100", [PackageDocument("Tjänsteutlåtande", b"", 1)])]
    words = _words(reader(contents_pdf(meeting, 1, items, public=False)))
    assert "Besök från ?? – SN-2017/1.100" in words


def test_without_the_fonts_the_reason_names_the_debian_package(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_fonts, "FONT_DIRS", ())
    monkeypatch.setenv("NF_FONT_DIR", str(tmp_path))
    monkeypatch.setattr(pdf_fonts.shutil, "which", lambda name: None)
    reason = missing_fonts_reason()
    assert reason is not None and "LiberationSerif-Regular saknas" in reason and "fonts-liberation2" in reason
    with pytest.raises(pdf_fonts.FontMissing):
        pdf_fonts.font_path("LiberationSerif-Regular.ttf")


def test_the_contents_link_each_document_to_its_first_page(meeting):
    kallelse = blank_pdf(2)
    items = [
        PackageItem(
            n,
            f"{n} Ärende {n} – SN-2017/{n}.100",
            [PackageDocument("Tjänsteutlåtande", blank_pdf(2)), PackageDocument("Bilaga 1", blank_pdf(n))],
        )
        for n in (4, 5, 6)
    ]
    package = merge_package(kallelse, contents_pdf(meeting, 2, items, public=False), items, title="Paket")
    r = reader(package)
    starts = [page for entry in outline(r)[2:] for page in [entry[1]] + [child[1] for child in entry[2]]]
    assert starts == [4, 4, 6, 10, 10, 12, 17, 17, 19]  # each item, then its documents
    contents_page = r.pages[2]
    annotations = [a.get_object() for a in contents_page["/Annots"]]
    targets = [r.get_page_number(a["/Dest"][0].get_object()) + 1 for a in annotations]
    assert targets == starts
    assert [str(a["/Contents"]) for a in annotations][:3] == [
        "Ärende 4 – SN-2017/4.100, sidan 4",
        "Tjänsteutlåtande, sidan 4",
        "Bilaga 1, sidan 6",
    ]
    nums = r.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for annotation in annotations:
        assert tree[int(annotation["/StructParent"])].get_object()["/S"] == "/Link"
    assert structure_problems(r) == []
