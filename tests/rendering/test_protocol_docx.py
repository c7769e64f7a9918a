"""The protokoll, its protokollsutdrag and its public version as Word, read back with python-docx: the header on
every page, the first page's facts, signatures and ANSLAG/BEVIS box, the paragraphs in order with their
decisions, yrkanden, vote list and result, reservations, jäv and a postponement; the extract; a rättelse; and the
public version, where a confidential paragraph is its heading and provision and nothing else. One PDF (on the
session's LibreOffice) read back with pdftotext and pypdf: "SIDA n (N)" on every page, tagged, sv-SE."""

from __future__ import annotations

import copy
import html
import io
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest

from app.registry.identity_numbers import find_identity_numbers
from tasks.rendering.protocol_docx import (
    build_extract_docx,
    build_protocol_docx,
    paragraph_ranges,
    protocol_filename,
    protocol_input_hash,
    protocol_texts,
    public_protocol,
)
from tests.rendering.pdf_checks import outline, reader
from tests.rendering.protocol_sample import CHAIR, PUBLIC_TITLE, SECRET_TITLE, SECRETS, VICE, corrected, demo_protocol

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes) -> docx.Document:
    return docx.Document(io.BytesIO(data))


def blocks(document) -> list[tuple[str, str]]:
    """The body in order: (style name, text) of each paragraph, ("table", rows as "a | b") of each table."""
    out = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            p = docx.text.paragraph.Paragraph(child, document)
            out.append((p.style.name, p.text))
        elif child.tag == f"{W}tbl":
            table = docx.table.Table(child, document)
            out.append(("table", "\n".join(" | ".join(c.text for c in row.cells) for row in table.rows)))
    return out


def paragraph_parts(document) -> dict[str, dict[str, list[str]]]:
    """Each § heading → its parts (Heading 2) → their lines; the lines before the first part under ""."""
    found: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    part = ""
    for style, text in blocks(document):
        if style == "Heading 1" and text.startswith("§"):
            current = found.setdefault(text, {"": []})
            part = ""
        elif current is None:
            continue
        elif style == "Heading 2":
            part = text
            current[part] = []
        elif text:
            current[part].append(text)
    return found


def everything(document) -> str:
    """All the text of the document: body, tables, headers and footers."""
    texts = [text for _style, text in blocks(document)]
    for section in document.sections:
        for story in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            texts += [t.text or "" for t in story._element.iter(f"{W}t")]
    return "\n".join(texts)


def test_the_header_is_on_every_page_with_the_page_fields_and_the_footer_has_the_boxes():
    document = read(build_protocol_docx(demo_protocol()))
    section = document.sections[0]
    for header in (section.header, section.first_page_header):
        assert not header.is_linked_to_previous
        text = " ".join(c.text for t in header.tables for r in t.rows for c in r.cells)
        assert text.split() == [
            "SOCIALNÄMNDEN",
            "SAMMANTRÄDESPROTOKOLL",
            "SIDA",
            "()",
            "Huddinge",
            "kommun",
            "SAMMANTRÄDESDATUM",
            "23",
            "februari",
            "2017",
        ]
        assert [f.get(f"{W}instr").split()[0] for f in header._element.iter(f"{W}fldSimple")] == ["PAGE", "NUMPAGES"]
    for footer in (section.footer, section.first_page_footer):
        boxes = [c.text for t in footer.tables for r in t.rows for c in r.cells]
        assert boxes[1:] == ["Justerandes signatur", "Utdragsbestyrkande"]
    first = " ".join(c.text for t in section.first_page_footer.tables for r in t.rows for c in r.cells)
    assert "Huddinge kommun · Social- och äldreomsorgsförvaltningen" in first and "Mall rev." in first
    props = document.core_properties
    assert props.language == "sv-SE" and props.title == "Protokoll Socialnämnden 2017-02-23"
    assert props.author == "Sara Lindqvist"


def test_the_first_page_has_the_meetings_facts():
    document = read(build_protocol_docx(demo_protocol()))
    shown = blocks(document)
    assert shown[0] == ("Heading 1", "Protokoll för Socialnämnden")
    first_page = [text for style, text in shown[1 : [s for s, _t in shown].index("table")]]
    assert first_page == [
        "Plats och tid\tPlenum, Gymnasietorget 1, torsdag den 23 februari 2017, klockan 18:00–20:15",
        "\tAjournering 19:10–19:25",
        "Beslutande\tGunnel Hedberg (S), ordförande",
        "\tPer Olsson (M), 1:e vice ordförande",
        "\tAli Karimi (S)",
        "\tBirgitta Lund (MP)",
        "\tJohan Sandberg (M)",
        "\tKarin Malm (L)",
        "\tAhmed Yilmaz (S)",
        "\tLena Wikström (C)",
        "\tStefan Ek (SD)",
        "\tTove Berg (V)",
        "\tMona Nilsson (S), tjänstgörande ersättare för Eva Ahlberg (S)",
        "Övriga närvarande\tLisa Ek (S), ersättare",
        "\tErik Holm (M), ersättare",
        "\tEva Strand, socialdirektör",
        "\tMaria Holm, controller, §§ 15–16",
        "\tSara Lindqvist, nämndsekreterare",
        "Utses att justera\tPer Olsson (M)",
        "Justeringens plats och tid\tSocial- och äldreomsorgsförvaltningen, 2 mars 2017, klockan 10:00",
    ]


def test_the_signatures_name_their_paragraphs_and_the_anslag_box_has_its_dates():
    document = read(build_protocol_docx(demo_protocol()))
    signatures, box = document.tables[0], document.tables[1]
    rows = [[c.text for c in row.cells] for row in signatures.rows]
    assert rows == [
        # the line to sign on (an empty paragraph ruled below), the name under it
        ["Underskrifter", "Sekreterare", "\nSara Lindqvist, nämndsekreterare", "Paragrafer 12–20"],
        ["", "Ordförande", "\nGunnel Hedberg (S)", ""],  # the same paragraphs: printed once, as the original
        ["", "Justerare", "\nPer Olsson (M)", ""],
    ]
    lines = [[c.text for c in row.cells] for row in box.rows]
    assert lines[0][0] == "ANSLAG/BEVIS\nProtokollet är justerat. Justeringen har tillkännagivits genom anslag."
    assert lines[1:] == [
        ["Organ", "Socialnämnden"],
        ["Sammanträdesdatum", "23 februari 2017"],
        ["Datum då anslaget sätts upp", "3 mars 2017"],
        ["Datum då anslaget tas ned", "25 mars 2017"],
        ["Förvaringsplats för protokollet", "Social- och äldreomsorgsförvaltningen, Gymnasietorget 1, Huddinge"],
        ["Underskrift", "\nSara Lindqvist, nämndsekreterare"],
    ]
    assert box._tbl.tblPr.find(f"{W}tblCaption").get(f"{W}val") == "Anslag om protokollets justering"
    # before justering the box is printed with its dates empty, to be filled in
    draft = demo_protocol()
    draft["announcement"].update(posted_on=None, taken_down_on=None)
    empty = read(build_protocol_docx(draft)).tables[1]
    assert [row.cells[1].text for row in empty.rows[3:5]] == ["", ""]
    # a chair who left: the signatures cover different paragraphs, each printed
    split = demo_protocol()
    split["signatures"][1]["paragraphs"] = [12, 13, 14, 15, 16, 18, 19, 20]
    rows = [[c.text for c in row.cells] for row in read(build_protocol_docx(split)).tables[0].rows]
    assert [row[3] for row in rows] == ["Paragrafer 12–20", "Paragrafer 12–16, 18–20", "Paragrafer 12–20"]


def test_the_paragraphs_follow_in_order_each_from_a_new_page_with_its_dnr():
    document = read(build_protocol_docx(demo_protocol()))
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in headings] == [
        "Protokoll för Socialnämnden",
        "§ 12 Val av justerare",
        "§ 13 Godkännande av föredragningslistan",
        "§ 14 Information",
        "§ 15 Verksamhetsberättelse 2016 för Socialnämnden",
        "§ 16 Justering av budgetram 2017",
        "§ 17 Hyresavtal modulhus, Huddinge 1 och 2",
        "§ 18 Ansökan om att utföra hemtjänst CuraNova Omsorg AB",
        f"§ 19 {SECRET_TITLE}",
        "§ 20 Delgivningar och anmälda delegationsbeslut",
    ]
    assert [p.paragraph_format.page_break_before for p in headings] == [None] + [True] * 9
    parts = paragraph_parts(document)
    assert parts["§ 15 Verksamhetsberättelse 2016 för Socialnämnden"][""] == ["Dnr SN-2016/3342.181"]
    assert parts["§ 12 Val av justerare"][""] == []
    assert list(parts["§ 14 Information"]) == ["", "Beslut", "Information"]
    assert parts["§ 14 Information"]["Information"] == [
        "Socialnämndens hälso- och sjukvårdsansvar – Lena Ås, medicinskt ansvarig",
        "Ekonomisk rapport – Omar Berg, ekonomichef",
    ]


def test_a_decision_of_several_points_is_numbered_and_may_be_justerad_at_once():
    document = read(build_protocol_docx(demo_protocol()))
    parts = paragraph_parts(document)
    decision = parts["§ 15 Verksamhetsberättelse 2016 för Socialnämnden"]
    assert list(decision) == ["", "Beslut", "Sammanfattning", "Beslutsunderlag", "Beslutet skickas till"]
    assert decision["Beslut"][-1] == "Paragrafen förklaras omedelbart justerad."
    assert decision["Beslut"][0].startswith("Socialnämnden godkänner förvaltningens förslag till verksamhetsberättelse")
    assert len(decision["Sammanfattning"]) == 2  # one paragraph a line
    assert decision["Beslutet skickas till"] == ["Kommunstyrelsen", "Ekonomiavdelningen"]
    points = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(points) == 3
    num_ids = {p._p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") for p in points}
    assert len(num_ids) == 1  # one list, counted 1, 2, 3 (a list of its own: it starts again at 1)
    assert all("omedelbart justerad" not in line for line in parts["§ 16 Justering av budgetram 2017"]["Beslut"])


def test_yrkanden_the_vote_list_its_result_and_the_reservation():
    document = read(build_protocol_docx(demo_protocol()))
    budget = paragraph_parts(document)["§ 16 Justering av budgetram 2017"]
    assert list(budget) == [
        "",
        "Beslut",
        "Sammanfattning",
        "Beslutsunderlag",
        "Yrkanden",
        "Propositionsordning",
        "Omröstning",
        "Reservationer",
        "Protokollsanteckningar",
        "Beslutet skickas till",
    ]
    assert budget["Yrkanden"] == [
        "Gunnel Hedberg (S) yrkar bifall till förvaltningens förslag.",
        "Per Olsson (M) yrkar avslag på förvaltningens förslag.",
        "Johan Sandberg (M) och Karin Malm (L) instämmer i yrkandet.",
    ]
    assert budget["Propositionsordning"][-1] == "Omröstning begärs."
    vote = budget["Omröstning"]
    assert vote[:2] == [
        "Ja-röst för bifall till förvaltningens förslag.",
        "Nej-röst för avslag på förvaltningens förslag.",
    ]
    assert vote[-1] == (
        "Med 6 ja-röster mot 5 nej-röster och 0 som avstår har Socialnämnden beslutat enligt ja-förslaget: "
        "bifall till förvaltningens förslag."
    )
    table = document.tables[2]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Ledamot", "Parti", "Ja", "Nej", "Avstår"]
    assert rows[1] == ["Gunnel Hedberg, ordförande", "S", "X", "", ""]
    assert rows[2] == ["Per Olsson", "M", "", "X", ""]
    assert rows[-2] == ["Mona Nilsson", "S", "X", "", ""]  # the tjänstgörande ersättare votes
    assert rows[-1] == ["Summa", "", "6", "5", "0"]
    assert len(rows) == 1 + 11 + 1
    assert table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None  # repeated on each page
    assert table._tbl.tblPr.find(f"{W}tblCaption").get(f"{W}val") == "Omröstningslista"
    assert budget["Reservationer"] == [
        "Per Olsson (M), Johan Sandberg (M) och Karin Malm (L) reserverar sig mot beslutet till förmån för eget "
        "yrkande. Skriftlig reservation, se bilaga 1."
    ]
    assert budget["Protokollsanteckningar"] == [
        "Stefan Ek (SD) lämnar följande protokollsanteckning:",
        "Vi vill att förvaltningen redovisar kostnaderna för placeringar varje kvartal.",
    ]


def test_an_even_vote_is_decided_by_the_chair_and_a_result_the_votes_do_not_give_is_refused():
    protocol = demo_protocol()
    vote = protocol["paragraphs"][4]["votes"][0]
    lund = next(b for b in vote["ballots"] if b["person"]["name"] == "Birgitta Lund")
    lund["vote"] = "abstain"
    vote["casting_vote"] = True
    protocol["paragraphs"][4]["reservations"][0]["text"] = "Budgeten underskattar kostnaderna.\nVi yrkade avslag."
    del protocol["paragraphs"][4]["reservations"][0]["appendix"]
    document = read(build_protocol_docx(protocol))
    budget = paragraph_parts(document)["§ 16 Justering av budgetram 2017"]
    assert budget["Omröstning"][-1] == (
        "Rösterna är lika, 5 ja-röster mot 5 nej-röster och 1 som avstår. Ordförandens utslagsröst (ja) avgör, och "
        "Socialnämnden har beslutat enligt ja-förslaget: bifall till förvaltningens förslag."
    )
    rows = [[c.text for c in row.cells] for row in document.tables[2].rows]
    assert ["Birgitta Lund", "MP", "", "", "X"] in rows and rows[-1] == ["Summa", "", "5", "5", "1"]
    # a written reservation in the protokoll itself
    assert budget["Reservationer"] == [
        "Per Olsson (M), Johan Sandberg (M) och Karin Malm (L) reserverar sig mot beslutet till förmån för eget "
        "yrkande. Skriftlig reservation:",
        "Budgeten underskattar kostnaderna.",
        "Vi yrkade avslag.",
    ]
    vote["result"] = "no"  # the chair voted ja
    with pytest.raises(ValueError):
        build_protocol_docx(protocol)
    vote.update(result="no", casting_vote=False)
    lund["vote"] = "yes"  # 6–5 for ja cannot give nej
    with pytest.raises(ValueError):
        build_protocol_docx(protocol)


def test_a_postponed_item_says_so_and_jav_names_who_served_instead():
    protocol = demo_protocol()
    parts = paragraph_parts(read(build_protocol_docx(protocol)))
    postponed = parts["§ 17 Hyresavtal modulhus, Huddinge 1 och 2"]
    assert postponed == {"": ["Dnr SN-2017/71.280"], "Beslut": ["Ärendet bordläggs till nästa sammanträde."]}
    protocol["paragraphs"][5]["decision"] = []  # no words recorded: the outcome speaks
    again = paragraph_parts(read(build_protocol_docx(protocol)))["§ 17 Hyresavtal modulhus, Huddinge 1 och 2"]
    assert again["Beslut"] == ["Ärendet bordläggs."]
    jav = parts["§ 18 Ansökan om att utföra hemtjänst CuraNova Omsorg AB"]["Jäv"]
    assert jav == [
        "Ahmed Yilmaz (S) anmäler jäv och deltar inte i handläggningen av ärendet. Lisa Ek (S) tjänstgör i stället."
    ]


def test_the_public_version_shows_a_confidential_paragraph_by_its_heading_and_provision_only():
    protocol = demo_protocol()
    members = read(build_protocol_docx(protocol))
    members_text = everything(members)
    assert all(secret in members_text for secret in SECRETS)  # the members' protokoll is the whole record
    assert paragraph_parts(members)[f"§ 19 {SECRET_TITLE}"][""] == [
        "Sekretess enligt 26 kap. 1 § OSL",
        "Dnr SN-2017/12.754",
    ]

    public = read(build_protocol_docx(protocol, public=True))
    text = everything(public)
    for secret in (*SECRETS, SECRET_TITLE):
        assert secret not in text
    parts = paragraph_parts(public)
    assert parts[f"§ 19 {PUBLIC_TITLE}"] == {"": ["Sekretess enligt 26 kap. 1 § OSL"]}
    shown = blocks(public)
    at = shown.index(("Heading 1", f"§ 19 {PUBLIC_TITLE}"))
    assert shown[at + 1 : at + 3] == [
        ("Normal", "Sekretess enligt 26 kap. 1 § OSL"),
        ("Heading 1", "§ 20 Delgivningar och anmälda delegationsbeslut"),
    ]
    # the rest is as in the members' version
    assert (
        len(parts) == 9
        and parts["§ 16 Justering av budgetram 2017"] == paragraph_parts(members)["§ 16 Justering av budgetram 2017"]
    )
    header = " ".join(t.text or "" for t in public.sections[0].header._element.iter(f"{W}t"))
    assert "Offentlig version" in header
    assert public.core_properties.title == "Protokoll Socialnämnden 2017-02-23 (offentlig version)"
    # the data the public version is made from holds nothing of it either
    data = json.dumps(public_protocol(protocol), ensure_ascii=False)
    for secret in (*SECRETS, SECRET_TITLE):
        assert secret not in data
    assert protocol["paragraphs"][7]["title"] == SECRET_TITLE  # the input is left as it was


def test_the_extract_is_one_paragraph_with_the_protokolls_facts_and_the_certification():
    protocol = demo_protocol()
    document = read(build_extract_docx(protocol, 16))
    shown = blocks(document)
    assert [t for s, t in shown if s == "Heading 1"] == [
        "Protokollsutdrag ur protokoll för Socialnämnden",
        "§ 16 Justering av budgetram 2017",
    ]
    facts = [t for s, t in shown[1 : shown.index(("Heading 1", "§ 16 Justering av budgetram 2017"))]]
    assert facts == [
        "Sammanträdesdatum\t23 februari 2017",
        "Plats och tid\tPlenum, Gymnasietorget 1, torsdag den 23 februari 2017, klockan 18:00–20:15",
        "Justerare\tGunnel Hedberg (S) och Per Olsson (M)",
        "Justerat\t2 mars 2017",
        "Anslaget på anslagstavlan\t3 mars 2017 – 25 mars 2017",
        "Förvaringsplats\tSocial- och äldreomsorgsförvaltningen, Gymnasietorget 1, Huddinge",
    ]
    assert [t for _s, t in shown[-3:]] == ["Rätt utdraget intygar", "", "Sara Lindqvist, nämndsekreterare"]
    line = document.paragraphs[-2]._p
    assert line.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None  # a line to sign on
    budget = paragraph_parts(document)["§ 16 Justering av budgetram 2017"]
    assert budget["Reservationer"] and budget["Omröstning"][-1].startswith("Med 6 ja-röster mot 5 nej-röster")
    assert len(document.tables) == 1  # the vote list; no signatures or anslag box of the whole protokoll
    header = " ".join(t.text or "" for t in document.sections[0].header._element.iter(f"{W}t"))
    assert "SAMMANTRÄDESPROTOKOLL" in header and "Protokollsutdrag" in header
    assert document.core_properties.title == "Protokollsutdrag Socialnämnden 2017-02-23 § 16"
    # an omedelbart justerad paragraph's extract says so; a confidential one in public is its heading only
    assert "Paragrafen förklaras omedelbart justerad." in [
        p.text for p in read(build_extract_docx(protocol, 15)).paragraphs
    ]
    public = read(build_extract_docx(protocol, 19, public=True))
    assert paragraph_parts(public) == {
        f"§ 19 {PUBLIC_TITLE}": {
            "": ["Sekretess enligt 26 kap. 1 § OSL", "Rätt utdraget intygar", "Sara Lindqvist, nämndsekreterare"]
        }
    }
    assert not [secret for secret in (*SECRETS, SECRET_TITLE) if secret in everything(public)]
    with pytest.raises(ValueError):
        build_extract_docx(protocol, 99)


def test_a_correction_shows_as_one():
    document = read(build_protocol_docx(corrected(demo_protocol())))
    header = " ".join(t.text or "" for t in document.sections[0].header._element.iter(f"{W}t"))
    assert "Rättelse, version 2, 10 mars 2017" in header  # on every page
    note = document.paragraphs[1]
    assert note.text == (
        "Rättelse – version 2, 10 mars 2017. Omröstningslistan i § 16 angav fel parti för en ledamot. "
        "Rättade paragrafer: § 16."
    )
    assert note._p.find(f"{W}pPr/{W}pBdr") is not None  # framed
    parts = paragraph_parts(document)
    assert parts["§ 16 Justering av budgetram 2017"][""] == [
        "Dnr SN-2017/50.182",
        "Paragrafen är rättad i version 2, 10 mars 2017.",
    ]
    assert parts["§ 15 Verksamhetsberättelse 2016 för Socialnämnden"][""] == ["Dnr SN-2016/3342.181"]
    assert document.core_properties.title == "Protokoll Socialnämnden 2017-02-23, rättelse version 2"


def test_accessible_structure_names_and_input_hashes():
    protocol = demo_protocol()
    document = read(build_protocol_docx(protocol))
    styles = {p.style.name for p in document.paragraphs if p.text.startswith(("§", "Protokoll för"))}
    assert styles == {"Heading 1"}
    assert {p.text for p in document.paragraphs if p.style.name == "Heading 2"} >= {"Beslut", "Omröstning", "Jäv"}
    for table in document.tables:
        assert table._tbl.tblPr.find(f"{W}tblCaption") is not None
    lang = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "sv-SE"
    assert paragraph_ranges([1, 2, 3, 5, 7, 8]) == "1–3, 5, 7–8"
    assert protocol_filename(protocol, "pdf") == "protokoll-SN-2017-02-23.pdf"
    assert protocol_filename(corrected(protocol), "docx", public=True) == "protokoll-SN-2017-02-23-v2-offentlig.docx"
    assert protocol_filename(protocol, "pdf", extract=16) == "protokollsutdrag-SN-2017-02-23-p16.pdf"
    hashes = {
        protocol_input_hash(protocol, public=False),
        protocol_input_hash(protocol, public=True),
        protocol_input_hash(protocol, public=False, extract=16),
        protocol_input_hash(corrected(protocol), public=False),
    }
    assert len(hashes) == 4
    assert protocol_input_hash(copy.deepcopy(protocol), public=False) == protocol_input_hash(protocol, public=False)


# --- the PDF ------------------------------------------------------------------------------------------------------

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _pdftotext(pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "protokoll.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_numbers_its_pages_and_is_tagged_in_swedish(converter):
    pdf = converter.convert(build_protocol_docx(demo_protocol()))
    pages = _pdftotext(pdf).split("\f")[:-1]
    count = len(pages)
    assert count >= 1 + 9  # the first page, then each paragraph from a new page
    for number, text in enumerate(pages, start=1):
        assert f"SIDA {number} ({count})" in text
        assert "SAMMANTRÄDESPROTOKOLL" in text and "23 februari 2017" in text
    # the first page holds the signatures and the whole anslag box
    assert "ANSLAG/BEVIS" in pages[0] and "25 mars 2017" in pages[0] and "Underskrift" in pages[0]
    assert "§ 16 Justering av budgetram 2017" in pages[5] and "Summa" in " ".join(pages[5:7])
    # "Paragrafer 12–20" on one line beside the secretary's signature
    words = [
        (html.unescape(t), float(y0)) for _x0, y0, _x1, _y1, t in _WORD.findall(_pdftotext(pdf, "-bbox", "-l", "1"))
    ]
    tops = {t: y for t, y in words if t in ("Paragrafer", "12–20", "Sekreterare")}
    assert (
        len(tops) == 3
        and abs(tops["Paragrafer"] - tops["12–20"]) < 1
        and abs(tops["Paragrafer"] - tops["Sekreterare"]) < 1
    )

    r = reader(pdf)
    root = r.trailer["/Root"]
    assert root["/Lang"] == "sv-SE"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert r.metadata.title == "Protokoll Socialnämnden 2017-02-23"
    titles = [title for title, _page, _children in outline(r)]
    assert titles[0] == "Protokoll för Socialnämnden" and "§ 16 Justering av budgetram 2017" in titles


def test_attendance_for_part_of_the_meeting_and_every_kind_of_yrkande_read_as_the_committee_writes_them():
    protocol = demo_protocol()
    protocol["deciders"][-1]["paragraphs"] = {"first": 15, "last": None}
    protocol["deciders"][2]["paragraphs"] = {"first": None, "last": 14}
    protocol["others_present"][3]["paragraphs"] = {"first": 16, "last": 16}
    budget = protocol["paragraphs"][4]
    budget["motions"] = [
        {"by": [VICE], "kind": "ändring", "text": "att beslutspunkt 1 ska lyda: ”Budgetramen fastställs.”"},
        {"by": [CHAIR], "kind": "tillägg", "text": None, "appendix": "Bilaga 2"},
        {"by": [VICE, CHAIR], "kind": "återremiss", "text": None},
        {"by": [VICE], "kind": "bordläggning", "text": None},
    ]
    budget["notes"] = [{"by": [VICE], "text": "", "appendix": "Bilaga 3"}]
    document = read(build_protocol_docx(protocol))
    texts = [p.text for p in document.paragraphs]
    assert "\tMona Nilsson (S), tjänstgörande ersättare för Eva Ahlberg (S), fr.o.m. § 15" in texts
    assert "\tAli Karimi (S), t.o.m. § 14" in texts
    assert "\tMaria Holm, controller, § 16" in texts
    parts = paragraph_parts(document)["§ 16 Justering av budgetram 2017"]
    assert parts["Yrkanden"] == [
        "Per Olsson (M) yrkar att beslutspunkt 1 ska lyda: ”Budgetramen fastställs.”",
        "Gunnel Hedberg (S) yrkar tillägg till förvaltningens förslag. Skriftligt yrkande, se bilaga 2.",
        "Per Olsson (M) och Gunnel Hedberg (S) yrkar att ärendet återremitteras.",
        "Per Olsson (M) yrkar att ärendet bordläggs.",
    ]
    assert parts["Protokollsanteckningar"] == ["Per Olsson (M) lämnar en protokollsanteckning, se bilaga 3."]


def test_the_texts_to_check_before_publishing_cover_what_is_printed():
    protocol = demo_protocol()
    protocol["paragraphs"][6]["summary"] = "Sökandens företrädare, 19121212-1212, har lämnat in intyg."
    texts = protocol_texts(public_protocol(protocol))
    found = [(where, number.text) for where, text in texts for number in find_identity_numbers(text)]
    assert found == [("§ 18, Sammanfattning", "19121212-1212")]
    joined_texts = "\n".join(text for _where, text in texts)
    assert PUBLIC_TITLE in joined_texts and "Vi vill att förvaltningen" in joined_texts
    assert not [secret for secret in (*SECRETS, SECRET_TITLE) if secret in joined_texts]
    # what the members' protokoll prints of the confidential paragraph is there to check too
    members = "\n".join(text for _where, text in protocol_texts(protocol))
    assert SECRET_TITLE in members and "Elin Testsson" in members


def test_a_vote_put_as_one_question_a_note_by_a_group_and_a_draft_paragraph_not_yet_handled():
    protocol = demo_protocol()
    budget = protocol["paragraphs"][4]
    vote = budget["votes"][0]
    del vote["yes_means"], vote["no_means"]
    vote["question"] = "Ja för förvaltningens förslag, nej för avslagsyrkandet"
    budget["notes"] = [{"by": [], "text": "Moderaterna och Liberalerna instämmer i SD:s anteckning."}]
    protocol["paragraphs"][5].update(outcome=None, decision=[])
    parts = paragraph_parts(read(build_protocol_docx(protocol)))
    shown = parts["§ 16 Justering av budgetram 2017"]
    assert shown["Omröstning"][0] == "Ja för förvaltningens förslag, nej för avslagsyrkandet."
    assert (
        shown["Omröstning"][-1]
        == "Med 6 ja-röster mot 5 nej-röster och 0 som avstår har Socialnämnden beslutat enligt ja."
    )
    assert shown["Protokollsanteckningar"] == [
        "Protokollsanteckning:",
        "Moderaterna och Liberalerna instämmer i SD:s anteckning.",
    ]
    assert parts["§ 17 Hyresavtal modulhus, Huddinge 1 och 2"] == {"": ["Dnr SN-2017/71.280"], "Beslut": []}
