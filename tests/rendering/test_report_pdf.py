"""The tjänsteutlåtande as a tagged PDF through the warm LibreOffice, read back with pypdf."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tasks.rendering import pdf
from tasks.rendering.conversion_errors import ConverterUnavailable
from tasks.rendering.report_docx import ProposalLine, SectionText, build_report_docx
from tests.rendering.sample import LONG_TITLE, SPECIAL, demo_report


def outline_titles(reader: PdfReader) -> list:
    def walk(items):
        return [walk(i) if isinstance(i, list) else i.title for i in items]

    return walk(reader.outline)


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_tagged_swedish_titled_with_an_outline(converter):
    report = demo_report()
    reader = PdfReader(io.BytesIO(converter.convert(build_report_docx(report))))
    assert 2 <= len(reader.pages) <= 5  # the seed's reports are 2 to 5 pages; this one is 3 in the original
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv-SE"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert reader.metadata.title == report.title
    assert reader.metadata.author == "Johan Ek"
    assert outline_titles(reader) == [
        report.title,
        [
            "Förslag till beslut",
            "Sammanfattning",
            "Beskrivning av ärendet",
            [  # its subheadings (Heading 3) folded beneath it
                "Socialnämndens verksamhetsberättelse 2016",
                "Socialnämndens ekonomiska bokslut 2016",
                "Resultatöverföring och överföring av investeringsmedel",
            ],
            "Förvaltningens synpunkter",
            "Bilagor",
            "Beslutet delges",
        ],
    ]
    text = text_of(reader)
    assert report.title in text
    pages = len(reader.pages)
    for n in range(1, pages + 1):  # SIDA n (N) on every page, from the fields
        assert f"{n} ({pages})" in reader.pages[n - 1].extract_text()
    first = reader.pages[0].extract_text()
    for expected in (
        "SOCIAL- OCH ÄLDREOMSORGSFÖRVALTNINGEN",
        "TJÄNSTEUTLÅTANDE",
        "SN-2016/3342.181",
        "HANDLÄGGARE",
        "POSTADRESS",
        "E-POST OCH WEBB",
        "1. Socialnämnden godkänner",
    ):
        assert expected in first, expected


def test_pdf_keeps_special_characters_and_a_300_character_title(converter):
    report = demo_report(
        title=LONG_TITLE,
        proposals=[ProposalLine(f"Beslut {SPECIAL}")],
        sections=[SectionText("Sammanfattning", f"<p>{SPECIAL}</p>")],
    )
    reader = PdfReader(io.BytesIO(converter.convert(build_report_docx(report))))
    text = " ".join(text_of(reader).split())
    special = " ".join(SPECIAL.split())  # the non-breaking space may come back as a space
    assert special in text
    assert f"Beslut {special}" in text
    assert reader.metadata.title == LONG_TITLE
    assert LONG_TITLE[:120] in text and LONG_TITLE[-40:] in text


@pytest.mark.slow
def test_a_dead_converter_is_started_again(converter):
    data = build_report_docx(demo_report("SN-2017/50.182"))
    assert converter.convert(data).startswith(b"%PDF")
    starts = converter.starts
    converter._process.kill()  # unoserver dies between two jobs (LibreOffice is left behind)
    converter._process.wait()
    assert not converter.is_running()
    assert converter.convert(data).startswith(b"%PDF")
    assert converter.starts == starts + 1


def test_without_libreoffice_the_pdf_step_names_the_reason_in_swedish(monkeypatch):
    monkeypatch.setenv("SOFFICE", "/nonexistent/soffice")
    fresh = pdf.WarmConverter()
    with pytest.raises(ConverterUnavailable) as raised:
        fresh.convert(build_report_docx(demo_report()))
    assert "LibreOffice är inte installerat" in str(raised.value)
    assert not fresh.is_running()
