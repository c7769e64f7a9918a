"""The meeting package built from converted parts, read back with pypdf: page count, outline titles in order
and nesting, page labels, /Lang, the grafted structure tree, the contents with page numbers, the page stamps;
bilagor converted or refused with a message naming them. Runs on the session's warm LibreOffice."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.rendering.intake import JPEG, PDF, PNG, TXT, BadAttachment, attachment_pdf
from tasks.rendering.kallelse_docx import build_kallelse_docx
from tasks.rendering.package import assemble_package
from tasks.rendering.package_contents import PackageDocument, PackageItem, attachment_label, item_title
from tasks.rendering.report_docx import build_report_docx
from tests.rendering.meeting_sample import demo_snapshots
from tests.rendering.pdf_checks import (
    blank_pdf,
    encrypted_pdf,
    outline,
    png,
    reader,
    structure_problems,
    text,
    top_elements,
)
from tests.rendering.sample import LONG_TITLE, SPECIAL, demo_report
from workflows.sniffing import sniff

WHERE = "Bilaga 1 ”Underlag” till punkt 4 (SN-2016/3342.181)"
KARTA_JPG = Path(__file__).parent / "files" / "karta.jpg"


@pytest.fixture(scope="module")
def parts(converter):
    """The PDFs the package tests put together (converted once per module)."""
    members, public = demo_snapshots()
    convert = converter.convert
    reports = {
        number: convert(build_report_docx(demo_report(number)))
        for number in ("SN-2016/3342.181", "SN-2017/50.182", "SN-2017/71.280")
    }
    return {
        "convert": convert,
        "members": members,
        "kallelse": convert(build_kallelse_docx(members)),
        "reports": reports,
        "text": attachment_pdf(
            "Bilagans text: Å ä ö § –\n\nAndra stycket.".encode(), TXT, "Bilaga 2 Text", WHERE, convert
        ),
        "blank": blank_pdf(2),
    }


def demo_items(parts) -> list[PackageItem]:
    items = []
    for item in parts["members"]["items"]:
        entry = PackageItem(item["number"], item_title(item))
        if item["case_number"] in parts["reports"]:
            entry.documents.append(PackageDocument("Tjänsteutlåtande", parts["reports"][item["case_number"]]))
            for a in item["attachments"]:
                entry.documents.append(
                    PackageDocument(attachment_label(a), parts["blank"] if a["content_type"] == PDF else parts["text"])
                )
        items.append(entry)
    return items


def test_package_outline_page_labels_language_and_structure(parts):
    items = demo_items(parts)
    pdf = assemble_package(parts["members"]["meeting"], parts["kallelse"], items, public=False)
    r = reader(pdf)
    kallelse_pages = len(reader(parts["kallelse"]).pages)
    document_pages = sum(len(reader(d.pdf).pages) for i in items for d in i.documents)
    contents_pages = len(r.pages) - kallelse_pages - document_pages
    assert contents_pages in (1, 2)

    entries = outline(r)
    assert [e[0] for e in entries] == [
        "Kallelse",
        "Innehåll",
        "4 Verksamhetsberättelse 2016 för Socialnämnden – SN-2016/3342.181",
        "5 Justering av budgetram 2017 – SN-2017/50.182",
        "6 Hyresavtal modulhus, Huddinge 1 och 2 – SN-2017/71.280",
    ]
    assert [e[1] for e in entries[:3]] == [1, kallelse_pages + 1, kallelse_pages + contents_pages + 1]
    item4 = entries[2]
    assert [c[0] for c in item4[2]] == [
        "Tjänsteutlåtande",
        "Bilaga 1 Verksamhetsberättelse 2016 för socialnämnden",
        "Bilaga 2 Utredning om enskild brukare, Kalle Hemligsson",
    ]
    report_pages = len(reader(parts["reports"]["SN-2016/3342.181"]).pages)
    assert [c[1] for c in item4[2]] == [item4[1], item4[1] + report_pages, item4[1] + report_pages + 2]
    assert all(not e[2] for e in entries[:2]) and [c[0] for c in entries[3][2]] == ["Tjänsteutlåtande"]
    # each report's own bookmarks (its headings) beneath it, on its pages; its title is the bookmark's already
    report_headings = item4[2][0][2]
    assert [h[0] for h in report_headings][:2] == ["Förslag till beslut", "Sammanfattning"]
    assert all(item4[1] <= h[1] < item4[1] + report_pages for h in report_headings)
    assert entries[4][1] == entries[3][1] + len(reader(parts["reports"]["SN-2017/50.182"]).pages)

    catalog = r.trailer["/Root"]
    assert catalog["/Lang"] == "sv-SE" and bool(catalog["/MarkInfo"]["/Marked"])
    assert r.metadata.title == "Möteshandlingar – Kallelse till Socialnämnden 2017-02-23"
    assert r.page_labels == [str(n) for n in range(1, len(r.pages) + 1)]
    assert top_elements(r)[:3] == [
        ("/Part", "Kallelse"),
        ("/Part", "Innehåll"),
        ("/Sect", "4 Verksamhetsberättelse 2016 för Socialnämnden – SN-2016/3342.181"),
    ]
    assert structure_problems(r) == []
    assert sum(1 for p in r.pages if "/StructParents" in p) == len(r.pages) - 2  # the blank PDF comes untagged

    for number in (1, len(r.pages)):
        assert f"Sida {number} ({len(r.pages)})" in r.pages[number - 1].extract_text()
    contents = " ".join(p.extract_text() for p in r.pages[kallelse_pages : kallelse_pages + contents_pages])
    assert "Innehåll" in contents
    assert f"4 Verksamhetsberättelse 2016 för Socialnämnden – SN-2016/3342.181 {item4[1]}" in contents
    assert f"Tjänsteutlåtande {item4[1]}" in contents
    assert "Bilagans text: Å ä ö § –" in text(r)


def test_special_characters_and_300_character_titles_survive(parts):
    members = parts["members"]
    item = dict(members["items"][3], title=LONG_TITLE)
    special = dict(members["items"][4], title=SPECIAL)
    items = [
        PackageItem(
            4,
            item_title(item),
            [
                PackageDocument("Tjänsteutlåtande", parts["reports"]["SN-2017/50.182"]),
                PackageDocument(f"Bilaga 1 {SPECIAL}", parts["text"]),
            ],
        ),
        PackageItem(5, item_title(special), [PackageDocument("Tjänsteutlåtande", parts["reports"]["SN-2017/71.280"])]),
    ]
    r = reader(assemble_package(members["meeting"], parts["kallelse"], items, public=False))
    entries = outline(r)
    assert entries[2][0] == f"4 {LONG_TITLE} – SN-2016/3342.181" and len(LONG_TITLE) == 300
    assert entries[2][2][1][0] == f"Bilaga 1 {SPECIAL}"
    assert entries[3][0] == f"5 {SPECIAL} – SN-2017/50.182"
    assert top_elements(r)[2] == ("/Sect", f"4 {LONG_TITLE} – SN-2016/3342.181")
    contents = " ".join(r.pages[len(reader(parts["kallelse"]).pages)].extract_text().split())
    assert "Å ä ö § – “citat”" in contents and "Bostadslösningar för nyanlända i Huddinge kommun – svar" in contents


def test_forty_items_and_thirty_bilagor(parts):
    members = parts["members"]
    report = parts["reports"]["SN-2017/50.182"]
    items = []
    for n in range(1, 41):
        documents = [PackageDocument("Tjänsteutlåtande", report)]
        if n <= 15:
            documents += [
                PackageDocument(f"Bilaga 1 Underlag {n}", parts["blank"]),
                PackageDocument(f"Bilaga 2 Text {n}", parts["text"]),
            ]
        items.append(PackageItem(n, f"{n} Ärende nummer {n} – SN-2017/{n}.100", documents))
    pdf = assemble_package(members["meeting"], parts["kallelse"], items, public=False)
    r = reader(pdf)
    report_pages, text_pages = len(reader(report).pages), len(reader(parts["text"]).pages)
    contents_pages = len(r.pages) - len(reader(parts["kallelse"]).pages) - 40 * report_pages - 15 * (2 + text_pages)
    assert contents_pages >= 2  # 40 items and their documents do not fit on one page
    entries = outline(r)
    assert [e[0] for e in entries[2:]] == [f"{n} Ärende nummer {n} – SN-2017/{n}.100" for n in range(1, 41)]
    assert sum(len(e[2]) for e in entries) == 40 + 30
    starts = [e[1] for e in entries]
    assert starts == sorted(starts) and entries[-1][1] == len(r.pages) - report_pages + 1
    assert r.page_labels[-1] == str(len(r.pages))
    assert structure_problems(r) == []
    contents = " ".join(p.extract_text() for p in r.pages[3 : 3 + contents_pages])
    assert f"Ärende nummer 40 – SN-2017/40.100 {entries[-1][1]}" in " ".join(contents.split())
    # the same parts make the same file (the package's stored key depends on it)
    assert assemble_package(members["meeting"], parts["kallelse"], items, public=False) == pdf


def test_bilagor_converted_or_refused_by_name(parts):
    convert = parts["convert"]
    picture = reader(attachment_pdf(png(), PNG, "Bilaga 3 Karta över Flemingsberg", WHERE, convert))
    assert len(picture.pages) == 1 and "/StructTreeRoot" in picture.trailer["/Root"]
    assert "Bilaga 3 Karta över Flemingsberg" in picture.pages[0].extract_text()
    figures = [k for k in _elements(picture.trailer["/Root"]["/StructTreeRoot"]) if k.get("/S") == "/Figure"]
    assert figures and figures[0].get("/Alt") == "Bilaga 3 Karta över Flemingsberg"
    # a JPEG (a real one, made once by Chromium: tests/rendering/files/karta.jpg) goes in the same way
    jpeg = KARTA_JPG.read_bytes()
    assert sniff(jpeg, "karta.jpg") == JPEG
    photo = reader(attachment_pdf(jpeg, JPEG, "Bilaga 4 Flygfoto över Flemingsberg", WHERE, convert))
    assert len(photo.pages) == 1 and "Bilaga 4 Flygfoto över Flemingsberg" in photo.pages[0].extract_text()
    assert any(_is_image(x) for x in photo.pages[0]["/Resources"]["/XObject"].values())
    figures = [k for k in _elements(photo.trailer["/Root"]["/StructTreeRoot"]) if k.get("/S") == "/Figure"]
    assert figures and figures[0].get("/Alt") == "Bilaga 4 Flygfoto över Flemingsberg"
    with pytest.raises(BadAttachment) as jpeg_lie:
        attachment_pdf(b"\xff\xd8\xff\xe0 not really", JPEG, "Bilaga 4 Flygfoto", WHERE, convert)
    assert str(jpeg_lie.value).startswith(WHERE)

    assert attachment_pdf(parts["blank"], PDF, "Bilaga 1 Underlag", WHERE, convert) == parts["blank"]
    with pytest.raises(BadAttachment) as corrupt:
        attachment_pdf(b"%PDF-1.7\nDetta \xe4r ingen PDF alls, bara text.\n", PDF, "Bilaga 1 Underlag", WHERE, convert)
    assert str(corrupt.value).startswith(WHERE) and "inte en läsbar PDF" in str(corrupt.value)
    with pytest.raises(BadAttachment) as locked:
        attachment_pdf(encrypted_pdf(parts["blank"]), PDF, "Bilaga 1 Underlag", WHERE, convert)
    assert str(locked.value).startswith(WHERE) and "lösenordsskyddad" in str(locked.value)
    with pytest.raises(BadAttachment) as picture_lie:
        attachment_pdf(b"\x89PNG\r\n\x1a\nnot really", PNG, "Bilaga 1 Underlag", WHERE, convert)
    assert str(picture_lie.value).startswith(WHERE)
    # owner-password-only PDFs open without a password: they go in, unprotected
    opened = attachment_pdf(encrypted_pdf(parts["blank"], password=""), PDF, "Bilaga 1 Underlag", WHERE, convert)
    assert not reader(opened).is_encrypted and len(reader(opened).pages) == 2


def _is_image(xobject) -> bool:
    return xobject.get_object().get("/Subtype") == "/Image"


def _elements(node):
    kids = node.get("/K")
    if kids is None:
        return
    kids = kids if isinstance(kids, list) else [kids]
    for kid in kids:
        kid = kid.get_object()
        if hasattr(kid, "get") and kid.get("/S") is not None:
            yield kid
            yield from _elements(kid)


def test_every_page_of_a_confidential_handling_carries_its_secrecy_marking_at_its_head(parts):
    marking = "Sekretess enligt 26 kap. 1 § OSL"
    report = parts["reports"]["SN-2017/50.182"]
    items = [
        PackageItem(
            4,
            "4 Verksamhetsberättelse 2016 för Socialnämnden – SN-2016/3342.181",
            [
                PackageDocument("Tjänsteutlåtande", parts["reports"]["SN-2016/3342.181"]),
                PackageDocument("Bilaga 2 Utredning", parts["blank"], marking=marking),  # a PDF bilaga, as sent in
                PackageDocument("Bilaga 3 Text", parts["text"], marking=marking),
            ],
        ),
        PackageItem(5, "5 Justering av budgetram 2017 – SN-2017/50.182", [PackageDocument("Tjänsteutlåtande", report)]),
    ]
    r = reader(assemble_package(parts["members"]["meeting"], parts["kallelse"], items, public=False))
    entries = outline(r)
    bilaga_2, bilaga_3 = entries[2][2][1][1], entries[2][2][2][1]
    marked = set(range(bilaga_2, entries[3][1]))  # the two bilagor's pages (from 1)
    assert len(marked) == 3 and bilaga_3 == bilaga_2 + 2
    for number, page in enumerate(r.pages, start=1):
        shown = page.extract_text()
        assert (marking in shown) is (number in marked), number
    # at the head of the page: above everything else on it
    for number in marked:
        tops: list = []

        def seen(t, _cm, tm, _font, _size, tops=tops):
            if t.strip():
                tops.append((tm[5], t))

        r.pages[number - 1].extract_text(visitor_text=seen)
        assert max(tops)[1].strip() == marking
