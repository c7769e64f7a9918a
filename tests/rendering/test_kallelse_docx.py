"""The kallelse as Word, read back with python-docx: header fields, title, Tid and Plats, the items table in
order with diarienummer and the Sekretessärenden row, the closing; members' and public version."""

from __future__ import annotations

import io

import docx

from app.demo import data
from tasks.rendering.kallelse_docx import build_kallelse_docx, kallelse_filename
from tests.rendering.meeting_sample import demo_snapshots
from tests.rendering.sample import LONG_TITLE, SPECIAL

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(snapshot: dict, public: bool = False) -> docx.Document:
    return docx.Document(io.BytesIO(build_kallelse_docx(snapshot, public=public)))


def instructions(element) -> list[str]:
    return [f.get(f"{W}instr").split()[0] for f in element.iter(f"{W}fldSimple")]


def rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def test_header_title_time_place_and_closing():
    members, _public = demo_snapshots()
    document = read(members)
    for section in document.sections:
        for header in (section.header, section.first_page_header):  # the same on the first page and after
            assert not header.is_linked_to_previous
            text = " ".join(c.text for t in header.tables for r in t.rows for c in r.cells)
            assert text.split() == ["SOCIALNÄMNDEN", "KALLELSE", "SIDA", "()"]  # the numbers are fields:
            assert instructions(header._element) == ["PAGE", "NUMPAGES"]
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Kallelse till Socialnämnden"
    assert document.paragraphs[0].style.name == "Heading 1"
    assert "Tid\tTorsdag den 23 februari 2017, klockan 18:00" in paragraphs
    assert "Plats\tPlenum, Gymnasietorget 1" in paragraphs
    # the closing: place and date, then the chair and the secretary side by side (a tab between them)
    assert paragraphs[-3:] == [
        "Huddinge den 2 februari 2017",
        "Gunnel Hedberg\tSara Lindqvist",
        "Ordförande\tSekreterare",
    ]
    assert len(document.tables) == 1
    props = document.core_properties
    assert props.language == "sv-SE" and props.title == "Kallelse till Socialnämnden 2017-02-23"
    assert props.author == "Sara Lindqvist"
    assert kallelse_filename(members, "docx", public=False) == "kallelse-SN-2017-02-23.docx"


def test_items_table_in_order_with_diarienummer_and_the_confidential_section():
    members, public = demo_snapshots()
    table = rows(read(members))
    assert table[0] == ["Nr", "Ärenden", "Diarienummer"]
    numbers = [r[0] for r in table[1:] if r[0] != r[1]]
    assert numbers == [str(n) for n in range(1, 22)]
    by_number = {r[0]: r for r in table[1:]}
    assert by_number["4"][1] == "Verksamhetsberättelse 2016 för Socialnämnden"
    assert by_number["4"][2] == "SN-2016/3342.181"
    assert by_number["3"][1].splitlines() == [
        "Information",
        "Socialnämndens hälso- och sjukvårdsansvar – Lena Ås, medicinskt ansvarig sjuksköterska",
        "Ekonomisk rapport – Omar Berg, ekonomichef",
    ]
    assert by_number["10"][1].endswith("Extern referens: KSL/12/0177-37")
    assert "Remisshandlingar: http://www.huddinge.se/krakvik_langsjoskolan (hämtad 2017-01-12)" in by_number["12"][1]
    # the section row (a merged row: one cell repeated) comes right before item 18, once
    section_rows = [i for i, r in enumerate(table) if set(r) == {"Sekretessärenden"}]
    assert len(section_rows) == 1 and table[section_rows[0] + 1][0] == "18"
    # a confidential matter is listed by its public title and no diarienummer, in the members' version too
    # (as the real kallelse: the names belong in its handlingar only)
    assert by_number["18"][1:] == [data.CONFIDENTIAL_CASES[0][2], ""]
    members_text = "\n".join("\t".join(r) for r in table)
    for _number, title, _public_title, _registered in data.CONFIDENTIAL_CASES:
        assert title not in members_text and _number not in members_text
    assert "punkt 3.4.1: Placering" in by_number["21"][1]  # a delegated decision in a confidential case
    # the header row repeats on every page
    first_row = read(members).tables[0].rows[0]._tr
    assert first_row.find(f"{W}trPr/{W}tblHeader") is not None

    public_table = rows(read(public, public=True))
    public_text = "\n".join("\t".join(r) for r in public_table)
    for _number, title, public_title, _registered in data.CONFIDENTIAL_CASES:
        assert title not in public_text
        assert public_title in public_text
    for secret in ("Elin Testsson", "Noah Provsson", "Alva Exempelsson", "SN-2017/12.754"):
        assert secret not in public_text
    assert {r[0] for r in public_table[1:]} >= {str(n) for n in range(1, 22)}


def test_swedish_characters_and_long_titles_are_kept_whole():
    members, _public = demo_snapshots()
    members["items"][3]["title"] = LONG_TITLE
    members["items"][4]["title"] = SPECIAL
    members["items"][2]["parts"][0]["presenter"] = SPECIAL
    members["meeting"]["place"] = "Sammanträdesrum Ärlan § 3 – Åsa"
    document = read(members)
    by_number = {r[0]: r for r in rows(document)}
    assert by_number["4"][1] == LONG_TITLE and len(LONG_TITLE) == 300
    assert by_number["5"][1] == SPECIAL
    assert SPECIAL in by_number["3"][1]
    assert "Plats\tSammanträdesrum Ärlan § 3 – Åsa" in [p.text for p in document.paragraphs]


def test_forty_items_and_a_closing_without_date():
    members, _public = demo_snapshots()
    extra = [
        dict(
            members["items"][4],
            id=100 + n,
            number=22 + n,
            title=f"Ärende {n} – § {n}",
            case_number=f"SN-2017/{200 + n}.100",
        )
        for n in range(19)
    ]
    members["items"] += extra
    members["meeting"]["notice_date"] = None
    table = rows(read(members))
    numbers = [r[0] for r in table[1:] if r[0] != r[1]]
    assert numbers == [str(n) for n in range(1, 41)]
    assert table[-1] == ["40", "Ärende 18 – § 18", "SN-2017/218.100"]
    assert "Huddinge" in [p.text for p in read(members).paragraphs]


def test_the_footer_with_the_template_revision_is_on_the_first_page_only():
    for snapshot, public in zip(demo_snapshots(), (False, True)):
        section = read(snapshot, public).sections[0]
        assert section.different_first_page_header_footer
        first = " ".join(p.text for p in section.first_page_footer.paragraphs)
        assert first.startswith("Huddinge kommun · Social- och äldreomsorgsförvaltningen\t") and "Mall rev." in first
        assert ("Offentlig version" in first) is public
        assert [p.text for p in section.footer.paragraphs] == [""]  # later pages: nothing at their foot


def test_dates_and_diarienummer_in_notes_do_not_break_and_the_columns_have_a_gap():
    members, _public = demo_snapshots()
    document = read(members)
    table = document.tables[0]
    cells = {row.cells[0].text: row.cells for row in table.rows[1:]}
    note = cells["12"][1].paragraphs[-1]
    assert note.text == "Remisshandlingar: http://www.huddinge.se/krakvik_langsjoskolan (hämtad 2017-01-12)"
    # the date's hyphens are Word's non-breaking hyphen (python-docx reads them as "-")
    assert [t.text for t in note._p.iter(f"{W}t")][-2:] == ["01", "12)"]
    assert len(list(note._p.iter(f"{W}noBreakHyphen"))) == 2
    delegation = "\n".join(p.text for p in cells["21"][1].paragraphs)
    assert "2017-01-19 · Eva Strand, socialdirektör · punkt 3.4.1: Placering" in delegation
    dnr = cells["4"][2].paragraphs[0]
    assert dnr.text == "SN-2016/3342.181" and len(list(dnr._p.iter(f"{W}noBreakHyphen"))) == 1
    # a right cell margin: the title column's text never runs up against the diarienummer
    margin = table._tbl.tblPr.find(f"{W}tblCellMar/{W}right")
    assert int(margin.get(f"{W}w")) >= 170


def test_the_closing_keeps_together():
    members, _public = demo_snapshots()
    paragraphs = read(members).paragraphs[-3:]
    assert [p.paragraph_format.keep_with_next for p in paragraphs] == [True, True, None]
    assert not [p for p in paragraphs if p.paragraph_format.page_break_before]
