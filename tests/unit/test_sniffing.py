"""Upload safety: the type is read from the bytes, ZIP containers are checked unopened, names are cleaned.

The ``make_*`` builders make small, valid files of every allowed type; the workflow tests
use them too.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import docx
import pytest

from app.validation import ValidationError
from workflows import sniffing
from workflows.sniffing import (
    DOCX,
    JPEG,
    ODS,
    ODT,
    PDF,
    PNG,
    TXT,
    XLSX,
    clean_filename,
    sniff,
)


def make_pdf(text: str = "Bilaga") -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
               b"<< /Title (" + text.encode("latin-1", "replace") + b") >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_png(gray: int = 0) -> bytes:
    """A 1×1 grey PNG."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, gray]))) + chunk(b"IEND", b""))


def make_jpeg() -> bytes:
    """A real JPEG: the thumbnail in python-docx's default template."""
    template = os.path.join(os.path.dirname(docx.__file__), "templates", "default.docx")
    with zipfile.ZipFile(template) as archive:
        return archive.read("docProps/thumbnail.jpeg")


def make_docx(text: str = "Verksamhetsberättelse 2016") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def make_xlsx(value: str = "Socialnämnden") -> bytes:
    """A minimal workbook with one sheet and one inline string."""
    xml = '<?xml version="1.0" encoding="UTF-8"?>'
    package = "http://schemas.openxmlformats.org/package/2006"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{office}.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><sheetData><row r="1">'
            f'<c r="A1" t="inlineStr"><is><t>{value}</t></is></c></row></sheetData></worksheet>'),
    }
    return make_zip([(name, (xml + body).encode("utf-8")) for name, body in parts.items()])


def make_opendocument(mimetype: str = ODT, text: str = "Beslutet delges") -> bytes:
    """An ODT or ODS: ``mimetype`` first and stored, then the manifest and the content."""
    body = (f"<office:text><text:p>{text}</text:p></office:text>" if mimetype == ODT else
            f"<office:spreadsheet><table:table table:name=\"Blad1\"><table:table-row><table:table-cell>"
            f"<text:p>{text}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
               f"<office:body>{body}</office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def make_txt(text: str = "Protokollsutdrag – Socialnämnden beslutar enligt förslaget.\n") -> bytes:
    return text.encode("utf-8")


def with_entries(container: bytes, extra: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    """A copy of a ZIP container with ``extra`` entries added at the end."""
    with zipfile.ZipFile(io.BytesIO(container)) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    return make_zip(entries + extra)


def make_zip_bomb() -> bytes:
    """A DOCX with 4 MB of zeros that deflate to a few kB (about 1000:1)."""
    return with_entries(make_docx(), [("word/media/padding.bin", b"\0" * (4 * 1024 * 1024))])


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00" + b"\x00" * 100

GOOD = [
    ("Verksamhetsberättelse 2016.pdf", make_pdf, PDF),
    ("Diagram.png", make_png, PNG),
    ("Foto från boendet.jpg", make_jpeg, JPEG),
    ("Foto.JPEG", make_jpeg, JPEG),
    ("Yttrande.docx", make_docx, DOCX),
    ("Budget 2017.xlsx", make_xlsx, XLSX),
    ("Remissvar.odt", lambda: make_opendocument(ODT), ODT),
    ("Statistik.ods", lambda: make_opendocument(ODS), ODS),
    ("Protokollsutdrag.txt", make_txt, TXT),
    ("RAPPORT.PDF", make_pdf, PDF),
]


def refusal(data: bytes, filename: str) -> str:
    with pytest.raises(ValidationError) as caught:
        sniff(data, filename)
    assert set(caught.value.errors) == {"file"}
    return caught.value.errors["file"]


@pytest.mark.parametrize("filename, build, expected", GOOD, ids=[g[0] for g in GOOD])
def test_every_allowed_type_is_recognised_by_its_content(filename, build, expected):
    assert sniff(build(), filename) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_text_in_utf8_or_a_windows_or_latin1_encoding_is_text(encoding):
    assert sniff("Beslutet delges: Kommunstyrelsen, förvaltningen - åäö ÅÄÖ\r\n".encode(encoding), "a.txt") == TXT


def test_a_byte_cp1252_does_not_define_falls_back_to_latin1():
    text = "Socialnämnden beslutar enligt förvaltningens förslag.\n" * 3
    assert sniff(text.encode("latin-1") + b"\x81", "a.txt") == TXT


def test_binary_or_control_characters_are_not_text():
    assert "inte en textfil" in refusal(b"Hej\x00hej", "a.txt")
    assert "inte en textfil" in refusal(bytes(range(1, 32)) * 10, "a.txt")


@pytest.mark.parametrize("data", [ELF, PE, b"\xcf\xfa\xed\xfe" + b"\x07" * 60, b"#!/bin/sh\nrm -rf ~\x00"],
                         ids=["elf", "pe", "mach-o", "script"])
def test_an_executable_renamed_pdf_is_refused_as_a_program(data):
    message = refusal(data, "Verksamhetsberättelse.pdf")
    assert message == ("Filen ”Verksamhetsberättelse.pdf” är ett program, inte en PDF. "
                       "Program kan inte laddas upp.")


def test_unknown_content_is_refused_naming_the_allowed_types():
    message = refusal(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "bild.png")
    assert "inte en PNG-bild" in message and "PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG och TXT" in message


def test_an_empty_file_is_refused():
    assert refusal(b"", "tom.pdf") == "Filen ”tom.pdf” är tom."


@pytest.mark.parametrize("filename", ["program.exe", "bild.gif", "sida.html", "arkiv.zip", "makro.docm", "a.pdf.exe"])
def test_extensions_outside_the_allowed_ones_are_refused(filename):
    assert "inte tillåten" in refusal(make_pdf(), filename)


def test_a_name_without_extension_is_refused():
    assert "saknar filändelse" in refusal(make_pdf(), "Verksamhetsberättelse")


@pytest.mark.parametrize("build, filename, found", [
    (make_png, "bild.pdf", "en PNG-bild"),
    (make_pdf, "rapport.png", "en PDF"),
    (make_xlsx, "budget.docx", "ett Excel-ark (XLSX)"),
    (make_docx, "yttrande.xlsx", "ett Word-dokument (DOCX)"),
    (lambda: make_opendocument(ODS), "statistik.odt", "ett kalkylark (ODS)"),
    (make_txt, "text.pdf", "en textfil"),
])
def test_an_extension_that_disagrees_with_the_content_is_refused(build, filename, found):
    message = refusal(build(), filename)
    assert f"men innehållet är {found}" in message and "Byt filändelse" in message


def test_a_zip_that_is_no_office_document_is_refused():
    assert "inte ett Word-dokument (DOCX)" in refusal(make_zip([("a.txt", b"hej")]), "a.docx")
    wrong_mimetype = make_zip([("mimetype", b"application/epub+zip"), ("content.xml", b"<x/>")])
    assert "inte ett textdokument (ODT)" in refusal(wrong_mimetype, "a.odt")


def test_a_zip_bomb_named_docx_is_refused_without_unpacking_it():
    bomb = make_zip_bomb()
    assert len(bomb) < 100_000
    message = refusal(bomb, "Yttrande.docx")
    assert "orimligt hårt" in message and "zip-bomb" in message


def test_a_container_that_unpacks_to_more_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sniffing, "MAX_ZIP_TOTAL", 100_000)  # python-docx's styles alone are 350 kB
    assert "packas upp till mer än" in refusal(make_docx(), "Yttrande.docx")


def test_a_container_with_too_many_entries_is_refused():
    crowded = with_entries(make_xlsx(), [(f"xl/media/n{i}.xml", b"<x/>") for i in range(2000)])
    assert "fler än 2 000 delar" in refusal(crowded, "Budget.xlsx")


def test_a_workbook_embedded_the_way_word_embeds_a_chart_is_checked_and_accepted():
    chart = with_entries(make_docx(), [("word/embeddings/Microsoft_Excel_Worksheet.xlsx", make_xlsx())])
    assert sniffing.sniff(chart, "Diagram.docx") == DOCX


@pytest.mark.parametrize("inner, message", [
    (make_zip([("a.txt", b"hej")]), "som inte är ett Office-dokument"),
    (with_entries(make_xlsx(), [("xl/embeddings/deeper.docx", make_docx())]), "innehåller ett annat arkiv"),
    (with_entries(make_xlsx(), [("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")]), "makron"),
    (with_entries(make_xlsx(), [("xl/../../evil.xml", b"x")]), "otillåten sökväg"),
])
def test_an_embedded_document_is_held_to_the_same_rules(inner, message):
    assert message in refusal(with_entries(make_docx(), [("word/embeddings/Object.xlsx", inner)]), "Diagram.docx")


@pytest.mark.parametrize("entry, inner", [
    ("word/embeddings/inner.zip", b"not even a zip: the name is enough"),
    ("word/media/Microsoft_Excel.xlsx", make_xlsx()),
    ("word/media/image1.png", make_zip([("a.txt", b"hej")])),  # a ZIP by its content
    ("word/media/archive.bin", b"\x1f\x8b\x08\x00" + b"\x00" * 20),  # a gzip by its content
])
def test_an_archive_inside_the_container_is_refused(entry, inner):
    message = refusal(with_entries(make_docx(), [(entry, inner)]), "Yttrande.docx")
    assert "innehåller ett annat arkiv" in message


@pytest.mark.parametrize("entry", ["../../etc/cron.d/evil", "/etc/passwd", "word/../../evil.xml",
                                   "C:/Windows/evil.xml", "word\\..\\..\\evil.xml"])
def test_absolute_or_parent_paths_inside_the_container_are_refused(entry):
    assert "otillåten sökväg" in refusal(with_entries(make_docx(), [(entry, b"x")]), "Yttrande.docx")


def test_macros_inside_the_container_are_refused():
    assert "makron" in refusal(with_entries(make_docx(), [("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]), "a.docx")
    assert "makron" in refusal(with_entries(make_opendocument(ODT), [("Basic/Standard/Module1.xml", b"<x/>")]),
                               "a.odt")


def test_an_entry_flagged_encrypted_is_refused():
    data = bytearray(with_entries(make_docx(), [("word/media/secret.bin", b"x" * 20)]))
    name = b"word/media/secret.bin"
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local header, central directory
        header = data.rindex(signature, 0, data.rindex(name))
        data[header + flag_at] |= 0x1  # "encrypted" (zipfile cannot write encrypted entries)
    assert "krypterad" in refusal(bytes(data), "Yttrande.docx")


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad_local_header"])
def test_a_corrupt_container_is_refused(damage):
    data = make_docx()
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = b"PK\x03\x04" + b"\x13\x37" * 200
    else:
        data = data[:30] + b"\xff" * 40 + data[70:]
    assert "är skadad" in refusal(data, "Yttrande.docx")


# --- file names -------------------------------------------------------------------------


@pytest.mark.parametrize("raw, clean", [
    ("../../../etc/Verksamhetsberättelse 2016.pdf", "Verksamhetsberättelse 2016.pdf"),
    ("..\\..\\Windows\\Bilaga 1.pdf", "Bilaga 1.pdf"),
    ("C:\\Users\\maria\\Skrivbord\\Budget 2017.xlsx", "Budget 2017.xlsx"),
    ("C:Budget.xlsx", "Budget.xlsx"),
    ("/var/www/../rapport.pdf", "rapport.pdf"),
    ("  Åtgärdsplan   för   äldreomsorgen.docx  ", "Åtgärdsplan för äldreomsorgen.docx"),
    ("Svar: \"Fråga?\" <utkast>|*.txt", "Svar_ _Fråga__ _utkast___.txt"),
    ("rapport.pdf. . .", "rapport.pdf"),
    ("a\u0308ndring.pdf", "ändring.pdf"),  # decomposed ä becomes one character (NFC)
])
def test_clean_filename_keeps_the_base_name_and_swedish_letters(raw, clean):
    assert clean_filename(raw) == clean


def test_clean_filename_limits_the_length_and_keeps_the_extension():
    name = clean_filename("Ä" * 300 + ".pdf")
    assert len(name) == 150 and name.endswith("Ä.pdf")


@pytest.mark.parametrize("raw, reason", [
    ("rapport\x00.pdf", "NUL"),
    ("rapport.pdf\x00.exe", "NUL"),
    ("rapport\n.pdf", "styrtecken"),
    ("rapport\x1b[31m.pdf", "styrtecken"),
    ("rapport\u202efdp.exe", "styrtecken"),  # right-to-left override: shows as "rapportexe.pdf"
    ("", "saknas"),
    ("../..", "saknas"),
    ("uploads/", "saknas"),
    ("   ", "saknas"),
])
def test_clean_filename_refuses_names_that_cannot_be_shown(raw, reason):
    with pytest.raises(ValidationError) as caught:
        clean_filename(raw)
    assert reason in caught.value.errors["file"]
