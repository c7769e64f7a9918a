"""The tjänsteutlåtande as DOCX, read back with python-docx: layout, fields, lists, text without loss."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import docx
import pytest
from docx.oxml.ns import qn

from tasks.rendering.blocks import FOOTER_WIDTHS
from tasks.rendering.make_template import TEMPLATE_PATH, build_template
from tasks.rendering.report_docx import (
    ADJUSTED_TEXT,
    AttachmentLine,
    ProposalLine,
    SectionText,
    SignatoryLine,
    build_report_docx,
    report_filename,
    secrecy_marking,
)
from tests.rendering.sample import LONG_TITLE, SPECIAL, demo_report


def read(document) -> docx.document.Document:
    return docx.Document(io.BytesIO(build_report_docx(document)))


def body_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def styled(doc, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def test_every_sections_header_holds_the_table_and_page_fields():
    doc = read(demo_report())
    assert doc.sections
    for section in doc.sections:
        header = section.header
        assert not header.is_linked_to_previous
        table = header.tables[0]
        cells = [" ".join(c.text for c in row.cells) for row in table.rows]
        assert cells[0].startswith("SOCIAL- OCH ÄLDREOMSORGSFÖRVALTNINGEN") and "TJÄNSTEUTLÅTANDE" in cells[0]
        assert [c.text for c in table.rows[1].cells[1:]] == ["DATUM", "DIARIENR", "SIDA"]
        assert [c.text for c in table.rows[2].cells[1:3]] == ["2017-02-01", "SN-2016/3342.181"]
        instructions = [f.get(qn("w:instr")).split()[0] for f in header._element.iter(qn("w:fldSimple"))]
        assert instructions == ["PAGE", "NUMPAGES"]
        # "SIDA n (N)": the page cell reads "1 (1)" until Word or LibreOffice updates the fields
        page_cell = table.rows[2].cells[3]._tc
        assert "".join(t.text for t in page_cell.iter(qn("w:t"))) == "1 (1)"


def test_the_address_block_and_template_revision_are_the_first_pages_footer_only():
    report = demo_report()
    doc = read(report)
    for section in doc.sections:
        # Word's "different first page": the address block at the foot of the first page, as the original;
        # the later pages have nothing there (their number is in the header, the same as the first page's)
        assert section.different_first_page_header_footer
        footer = section.first_page_footer
        assert not footer.is_linked_to_previous
        rows = footer.tables[0].rows
        assert [c.text for c in rows[0].cells] == ["POSTADRESS", "BESÖKSADRESS", "TELEFON", "E-POST OCH WEBB"]
        # the postal address a line per part, digit groups joined by no-break spaces: no part is cut
        assert [c.text for c in rows[1].cells] == [
            "Huddinge kommun\n141\u00a085 Huddinge",
            "Kommunalvägen 28",
            "08-535\u00a0300\u00a000",
            "huddinge@huddinge.example\nwww.huddinge.example",
        ]
        # the letterhead's sender (municipality, förvaltning) at the left, the template's revision at the right
        assert footer.paragraphs[-1].text == f"{report.administration}\t{report.template_revision}"
        # the e-mail's column widened for "huddinge@huddinge.example" with room the others spare
        widths = [c.width.twips for c in rows[1].cells]
        assert sum(widths) == sum(FOOTER_WIDTHS) and widths[3] > FOOTER_WIDTHS[3]
        assert all(w <= usual for w, usual in zip(widths[:3], FOOTER_WIDTHS[:3], strict=True))
        assert not section.footer.is_linked_to_previous
        assert not section.footer.tables and [p.text for p in section.footer.paragraphs] == [""]
        header_texts = [[c.text for c in r.cells] for r in section.header.tables[0].rows]
        assert [[c.text for c in r.cells] for r in section.first_page_header.tables[0].rows] == header_texts


def test_first_page_case_officer_committee_and_title_then_sections_in_order():
    doc = read(demo_report())
    texts = body_texts(doc)
    assert texts[0] == "HANDLÄGGARE\nJohan Ek\n08-535 378 17\njohan.ek@huddinge.example"
    assert texts[1] == "Socialnämnden"
    assert styled(doc, "Heading 1") == ["Verksamhetsberättelse 2016 för socialnämnden"]
    assert texts[2] == "Verksamhetsberättelse 2016 för socialnämnden"
    assert styled(doc, "Heading 2") == [
        "Förslag till beslut",
        "Sammanfattning",
        "Beskrivning av ärendet",
        "Förvaltningens synpunkter",
        "Bilagor",
        "Beslutet delges",
    ]
    tail = texts[texts.index("Bilagor") - 2 :]
    assert tail == [
        "Eva Strand\tJohan Ek",  # side by side, as the original
        "Socialdirektör\tUtredare",
        "Bilagor",
        "Bilaga 1 Verksamhetsberättelse 2016 för socialnämnden",
        "Beslutet delges",
        "Kommunstyrelsen",
    ]


def test_proposals_are_a_real_numbered_list_with_immediate_adjustment_where_flagged():
    doc = read(demo_report())
    numbering = doc.part.numbering_part.element
    items = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert [p.text[:40] for p in items] == [
        "Socialnämnden godkänner förvaltningens f",
        "Socialnämnden begär hos kommunstyrelsen ",
        "Socialnämnden begär hos kommunstyrelsen ",
    ]
    num_ids = set()
    for p in items:
        num_pr = p._p.pPr.numPr
        assert num_pr is not None and num_pr.ilvl.val == 0
        num_ids.add(num_pr.numId.val)
    assert len(num_ids) == 1  # one list: 1, 2, 3
    num_id = num_ids.pop()
    (num,) = [n for n in numbering.findall(qn("w:num")) if int(n.get(qn("w:numId"))) == num_id]
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    level = abstract.find(qn("w:lvl"))
    assert level.find(qn("w:numFmt")).get(qn("w:val")) == "decimal"
    assert level.find(qn("w:lvlText")).get(qn("w:val")) == "%1."
    texts = body_texts(doc)
    # Only the third point is flagged: the sentence follows it, once.
    assert texts.count(ADJUSTED_TEXT) == 1
    assert texts[texts.index(ADJUSTED_TEXT) - 1] == items[2].text


def test_section_html_becomes_word_formatting_and_untrusted_markup_stays_text():
    html = (
        "<p>Vanlig <strong>fet</strong> och <em>kursiv</em> text<br>ny rad.</p>"
        "<ul><li>Punkt ett</li><li>Punkt <b>två</b></li></ul>"
        "<ol><li>Första</li><li>Andra<ol><li>Under</li></ol></li></ol>"
        "<ol><li>Ny lista</li></ol>"
        '<p>Se <a href="https://www.huddinge.se/remiss">remissen</a> och '
        '<a href="javascript:alert(1)">inte denna</a>.</p>'
        "<p><script>alert('x')</script><span style='color:red'>Okänd tagg</span> &lt;b&gt;bokstavligt&lt;/b&gt;</p>"
    )
    doc = read(demo_report(sections=[SectionText("Beskrivning av ärendet", html)]))
    paragraphs = doc.paragraphs
    first = next(p for p in paragraphs if p.text.startswith("Vanlig"))
    assert first.text == "Vanlig fet och kursiv text\nny rad."
    runs = {r.text: r for r in first.runs}
    assert runs["fet"].bold and not runs["fet"].italic
    assert runs["kursiv"].italic and not runs["kursiv"].bold
    assert not runs["Vanlig "].bold

    bullets = [p for p in paragraphs if p.style.name == "List Bullet"]
    assert [p.text for p in bullets] == ["Punkt ett", "Punkt två"]
    assert all(p._p.pPr.numPr is not None for p in bullets)
    numbered = {p.text: p._p.pPr.numPr for p in paragraphs if p.style.name == "List Number"}
    assert numbered["Under"].ilvl.val == 1 and numbered["Första"].ilvl.val == 0
    # Each numbered list of the text starts again at 1: a numbering instance of its own.
    assert numbered["Första"].numId.val == numbered["Andra"].numId.val != numbered["Ny lista"].numId.val

    link_p = next(p for p in paragraphs if p.text.startswith("Se "))
    links = link_p._p.findall(qn("w:hyperlink"))
    assert len(links) == 1
    assert doc.part.rels[links[0].get(qn("r:id"))].target_ref == "https://www.huddinge.se/remiss"
    assert link_p.text == "Se remissen och inte denna."

    plain = next(p for p in paragraphs if "Okänd tagg" in p.text)
    assert plain.text == "alert('x')Okänd tagg <b>bokstavligt</b>"
    assert all(not r.bold for r in plain.runs)


def test_subheadings_become_heading_3_under_their_sections_heading_2():
    html = (
        "<h3>Bakgrund</h3><p>Ärendet väcktes 2016.</p>"
        "<h3><strong>Ekonomi</strong> och <em>budget</em></h3><ul><li>Punkt</li></ul>"
        "<h3></h3><p>Slut.</p>"
    )
    doc = read(demo_report(sections=[SectionText("Beskrivning av ärendet", html)]))
    texts = [(p.style.name, p.text) for p in doc.paragraphs]
    start = texts.index(("Heading 2", "Beskrivning av ärendet"))
    assert texts[start : start + 6] == [
        ("Heading 2", "Beskrivning av ärendet"),
        ("Heading 3", "Bakgrund"),
        ("Normal", "Ärendet väcktes 2016."),
        ("Heading 3", "Ekonomi och budget"),
        ("List Bullet", "Punkt"),
        ("Normal", "Slut."),  # an empty subheading makes no paragraph
    ]
    heading = doc.styles["Heading 3"]
    assert heading.base_style.name == "Normal" and heading.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "2"
    ekonomi = next(p for p in doc.paragraphs if p.text == "Ekonomi och budget")
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in ekonomi.runs] == [
        ("Ekonomi", True, False),
        (" och ", False, False),
        ("budget", False, True),
    ]


def test_the_demo_reports_subheadings_are_printed_as_headings():
    doc = read(demo_report())
    assert styled(doc, "Heading 3") == [
        "Socialnämndens verksamhetsberättelse 2016",
        "Socialnämndens ekonomiska bokslut 2016",
        "Resultatöverföring och överföring av investeringsmedel",
    ]
    texts = body_texts(doc)
    assert texts[texts.index("Socialnämndens ekonomiska bokslut 2016") + 1] == (
        "Måluppfyllelsen för målet om sund ekonomi bedöms som ej godtagbar."
    )
    assert texts[texts.index("Resultatöverföring och överföring av investeringsmedel") + 1].startswith(
        "Enligt Huddinge kommuns ekonomistyrningsprinciper"
    )


def test_special_characters_and_a_300_character_title_survive_whole():
    assert len(LONG_TITLE) == 300
    report = demo_report(
        title=LONG_TITLE,
        committee=f"Socialnämnden {SPECIAL}",
        proposals=[ProposalLine(f"Socialnämnden beslutar enligt {SPECIAL}.", True)],
        sections=[SectionText(f"Sammanfattning {SPECIAL}", f"<p>{SPECIAL}</p>")],
        recipients=[f"Kommunstyrelsen {SPECIAL}"],
        signatories=[SignatoryLine(f"Åsa Öberg {SPECIAL}", "Förvaltningschef")],
    )
    doc = read(report)
    texts = body_texts(doc)
    assert styled(doc, "Heading 1") == [LONG_TITLE]
    assert doc.core_properties.title == LONG_TITLE
    for expected in (
        f"Socialnämnden {SPECIAL}",
        f"Socialnämnden beslutar enligt {SPECIAL}.",
        SPECIAL,
        f"Sammanfattning {SPECIAL}",
        f"Kommunstyrelsen {SPECIAL}",
        f"Åsa Öberg {SPECIAL}",
    ):
        assert expected in texts, expected


def test_script_and_html_in_plain_fields_are_printed_as_text():
    nasty = '<script>alert("x")</script> & <b>inte fet</b>'
    report = demo_report(
        title=nasty,
        administration=nasty,
        committee=nasty,
        registration_number="SN-<i>1</i>",
        proposals=[ProposalLine(nasty)],
        recipients=[nasty],
        signatories=[SignatoryLine(nasty, nasty)],
        attachments=[AttachmentLine(1, nasty)],
        officer_name=nasty,
        report_date="2017-02-01",
    )
    data = build_report_docx(report)
    doc = docx.Document(io.BytesIO(data))
    texts = body_texts(doc)
    assert styled(doc, "Heading 1") == [nasty]
    assert texts.count(nasty) >= 4  # committee, title, recipient, signatory name and title
    assert texts[texts.index("Förslag till beslut") + 1] == nasty  # one proposal: not numbered
    header = doc.sections[0].header.tables[0]
    assert header.rows[0].cells[0].text == nasty.upper()
    assert header.rows[2].cells[2].text == "SN-<i>1</i>"
    proposal = doc.paragraphs[texts.index("Förslag till beslut") + 1]
    assert not any(r.bold for r in proposal.runs)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode()
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_characters_xml_cannot_hold_are_dropped_not_fatal():
    doc = read(demo_report(title="Rubrik\x00 med\x0b styrtecken\x1f", recipients=["A\x07B"]))
    assert styled(doc, "Heading 1") == ["Rubrik med styrtecken"]
    assert "AB" in body_texts(doc)


def test_public_version_lists_confidential_bilagor_by_number_only():
    attachments = [
        AttachmentLine(1, "Verksamhetsberättelse 2016"),
        AttachmentLine(2, "Utredning om Anna Andersson", is_confidential=True),
    ]
    members = body_texts(read(demo_report(attachments=attachments)))
    assert "Bilaga 2 Utredning om Anna Andersson (sekretess)" in members
    public = read(demo_report(attachments=attachments, omit_confidential_titles=True))
    texts = body_texts(public)
    assert "Bilaga 1 Verksamhetsberättelse 2016" in texts and "Bilaga 2 (sekretess)" in texts
    assert not any("Anna Andersson" in t for t in texts)


def test_core_properties_and_language_are_swedish():
    doc = read(demo_report())
    props = doc.core_properties
    assert props.title == "Verksamhetsberättelse 2016 för socialnämnden"
    assert props.author == "Johan Ek"
    assert props.language == "sv-SE"
    assert "SN-2016/3342.181" in props.subject
    lang = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "sv-SE"
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:val")) == "sv-SE"
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_the_template_is_lean_and_can_be_regenerated():
    with zipfile.ZipFile(TEMPLATE_PATH) as z:
        names = set(z.namelist())
    assert not {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg"} & names
    kept = docx.Document(str(TEMPLATE_PATH))
    assert 8 <= len(kept.styles) <= 20
    regenerated = build_template()
    assert [s.name for s in regenerated.styles] == [s.name for s in kept.styles]
    assert {
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "List Number",
        "List Bullet",
        "Header",
        "Footer",
        "Sidhuvudtabell",
    } <= {s.name for s in kept.styles}


def test_same_input_same_hash_and_any_change_another():
    report = demo_report()
    assert report.input_hash() == demo_report().input_hash()
    assert replace(report, omit_confidential_titles=True).input_hash() != report.input_hash()
    assert replace(report, officer_phone="08-000 00 00").input_hash() != report.input_hash()


@pytest.mark.parametrize(
    "public, name",
    [(False, "tjansteutlatande-SN-2016-3342.181.pdf"), (True, "tjansteutlatande-SN-2016-3342.181-offentlig.pdf")],
)
def test_download_names_are_plain_ascii(public, name):
    assert report_filename(demo_report(), "pdf", public=public) == name


def test_a_single_proposal_is_not_numbered_two_or_more_are():
    one = read(demo_report(proposals=[ProposalLine("Socialnämnden godkänner förslaget.", True)]))
    texts = body_texts(one)
    start = texts.index("Förslag till beslut")
    assert texts[start + 1 : start + 3] == ["Socialnämnden godkänner förslaget.", ADJUSTED_TEXT]
    assert not [p for p in one.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert not styled(one, "List Number")  # the style carries the numbering too
    two = read(demo_report(proposals=[ProposalLine("Första."), ProposalLine("Andra.")]))
    assert styled(two, "List Number") == ["Första.", "Andra."]


def test_signatories_stand_two_by_two_side_by_side_and_keep_together():
    people = [SignatoryLine("Anne Lundkvist", "Social- och äldreomsorgsdirektör"), SignatoryLine("Marianne Krook", "")]
    people.append(SignatoryLine("Christina Löfberg", "Utvecklingsledare"))
    doc = read(demo_report(signatories=people))
    paragraphs = doc.paragraphs
    texts = [p.text for p in paragraphs]
    start = texts.index("Anne Lundkvist\tMarianne Krook")
    block = paragraphs[start : start + 4]
    assert [p.text for p in block] == [
        "Anne Lundkvist\tMarianne Krook",
        "Social- och äldreomsorgsdirektör\t",
        "Christina Löfberg",
        "Utvecklingsledare",
    ]
    assert [p.paragraph_format.keep_with_next for p in block] == [True, True, True, None]
    assert {p.paragraph_format.tab_stops[0].position.twips for p in block} == {4536}


def test_a_confidential_cases_report_carries_its_secrecy_marking_in_the_header_of_every_page():
    marked = read(demo_report(secrecy_marking=secrecy_marking("26 kap. 1 § OSL")))
    section = marked.sections[0]
    for header in (section.first_page_header, section.header):
        assert [p.text for p in header.paragraphs] == ["Sekretess enligt 26 kap. 1 § OSL"]
        assert header.paragraphs[0].runs[0].bold
    assert secrecy_marking(None) == "Sekretessbelagd handling"
    assert [p.text for p in read(demo_report()).sections[0].header.paragraphs] == [""]
