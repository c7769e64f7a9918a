"""Upload safety: the type is read from the bytes, ZIP containers are checked unopened, names are cleaned.

The files it checks are built by ``tests/sample_files.py``.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

from app.validation import ValidationError
from tests.sample_files import (
    ELF,
    GOOD,
    PE,
    REL,
    SETTINGS_RELS,
    docx_with_body,
    field_docx,
    linked_picture_docx,
    make_docx,
    make_opendocument,
    make_pdf,
    make_png,
    make_txt,
    make_xlsx,
    make_zip,
    make_zip_bomb,
    odt_from_template,
    odt_picture,
    odt_section,
    template_docx,
    with_changed,
    with_entries,
    with_relationship,
)
from workflows import sniffing
from workflows.sniffing import (
    DOCX,
    ODS,
    ODT,
    TXT,
    XLSX,
    clean_filename,
    sniff,
)


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


@pytest.mark.parametrize(
    "data",
    [ELF, PE, b"\xcf\xfa\xed\xfe" + b"\x07" * 60, b"#!/bin/sh\nrm -rf ~\x00"],
    ids=["elf", "pe", "mach-o", "script"],
)
def test_an_executable_renamed_pdf_is_refused_as_a_program(data):
    message = refusal(data, "Verksamhetsberättelse.pdf")
    assert message == ("Filen ”Verksamhetsberättelse.pdf” är ett program, inte en PDF. Program kan inte laddas upp.")


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


@pytest.mark.parametrize(
    "build, filename, found",
    [
        (make_png, "bild.pdf", "en PNG-bild"),
        (make_pdf, "rapport.png", "en PDF"),
        (make_xlsx, "budget.docx", "ett Excel-ark (XLSX)"),
        (make_docx, "yttrande.xlsx", "ett Word-dokument (DOCX)"),
        (lambda: make_opendocument(ODS), "statistik.odt", "ett kalkylark (ODS)"),
        (make_txt, "text.pdf", "en textfil"),
    ],
)
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


@pytest.mark.parametrize(
    "inner, message",
    [
        (make_zip([("a.txt", b"hej")]), "som inte är ett Office-dokument"),
        (with_entries(make_xlsx(), [("xl/embeddings/deeper.docx", make_docx())]), "innehåller ett annat arkiv"),
        (with_entries(make_xlsx(), [("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")]), "makron"),
        (with_entries(make_xlsx(), [("xl/../../evil.xml", b"x")]), "otillåten sökväg"),
    ],
)
def test_an_embedded_document_is_held_to_the_same_rules(inner, message):
    assert message in refusal(with_entries(make_docx(), [("word/embeddings/Object.xlsx", inner)]), "Diagram.docx")


@pytest.mark.parametrize(
    "entry, inner",
    [
        ("word/embeddings/inner.zip", b"not even a zip: the name is enough"),
        ("word/media/Microsoft_Excel.xlsx", make_xlsx()),
        ("word/media/image1.png", make_zip([("a.txt", b"hej")])),  # a ZIP by its content
        ("word/media/archive.bin", b"\x1f\x8b\x08\x00" + b"\x00" * 20),  # a gzip by its content
    ],
)
def test_an_archive_inside_the_container_is_refused(entry, inner):
    message = refusal(with_entries(make_docx(), [(entry, inner)]), "Yttrande.docx")
    assert "innehåller ett annat arkiv" in message


@pytest.mark.parametrize(
    "entry",
    ["../../etc/cron.d/evil", "/etc/passwd", "word/../../evil.xml", "C:/Windows/evil.xml", "word\\..\\..\\evil.xml"],
)
def test_absolute_or_parent_paths_inside_the_container_are_refused(entry):
    assert "otillåten sökväg" in refusal(with_entries(make_docx(), [(entry, b"x")]), "Yttrande.docx")


def test_macros_inside_the_container_are_refused():
    assert "makron" in refusal(with_entries(make_docx(), [("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]), "a.docx")
    assert "makron" in refusal(with_entries(make_opendocument(ODT), [("Basic/Standard/Module1.xml", b"<x/>")]), "a.odt")


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


# --- what an Office document would fetch or run (issue 13) ---------------------------------


EXTERNAL = "hämtar innehåll från en extern adress"
TARGETS = [
    "http://127.0.0.1:8080/karta.png",
    "https://intern.huddinge.example/logo.png",
    "file:///etc/passwd",
    "\\\\filserver\\delat\\karta.png",
    "C:\\Users\\maria\\karta.png",
]


@pytest.mark.parametrize("target", TARGETS)
def test_a_docx_with_a_linked_picture_is_refused(target):
    message = refusal(linked_picture_docx(target.replace("&", "&amp;")), "Karta.docx")
    assert message.startswith("Filen ”Karta.docx” hämtar innehåll från en extern adress") and "Bädda in" in message


@pytest.mark.parametrize(
    "rels, kind",
    [
        ("word/_rels/settings.xml.rels", "attachedTemplate"),
        ("word/_rels/document.xml.rels", "subDocument"),
        ("word/_rels/webSettings.xml.rels", "frame"),
        ("word/_rels/settings.xml.rels", "mailMergeSource"),
        ("word/_rels/document.xml.rels", "aFChunk"),
        ("word/_rels/header1.xml.rels", "image"),
        ("xl/externalLinks/_rels/externalLink1.xml.rels", "externalLinkPath"),
    ],
)
def test_any_external_relationship_but_a_hyperlink_is_refused(rels, kind):
    container = make_xlsx() if rels.startswith("xl/") else make_docx()
    attack = with_relationship(container, rels, f"{REL}/{kind}", "http://127.0.0.1:8080/mall.dotx")
    assert EXTERNAL in refusal(attack, "Budget.xlsx" if rels.startswith("xl/") else "Yttrande.docx")


def test_an_external_hyperlink_is_allowed():
    linked = with_relationship(
        make_docx(), "word/_rels/document.xml.rels", f"{REL}/hyperlink", "https://www.huddinge.se/", rel_id="rIdLink"
    )
    linked = with_changed(
        linked,
        {
            "word/document.xml": lambda data: data.replace(
                b"<w:sectPr",
                b'<w:p><w:hyperlink r:id="rIdLink"><w:r><w:t>huddinge.se</w:t></w:r></w:hyperlink></w:p><w:sectPr',
                1,
            )
        },
    )
    assert sniff(linked, "Yttrande.docx") == DOCX
    mail = with_relationship(
        make_xlsx(), "xl/worksheets/_rels/sheet1.xml.rels", f"{REL}/hyperlink", "mailto:registrator@huddinge.example"
    )
    assert sniff(mail, "Budget.xlsx") == XLSX


@pytest.mark.parametrize(
    "attack",
    [
        # a VBA project under another name, found by its relationship or its content type
        lambda: with_relationship(
            with_entries(make_docx(), [("word/stilar.dat", b"\xd0\xcf\x11\xe0")]),
            "word/_rels/document.xml.rels",
            "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
            "stilar.dat",
            external=False,
        ),
        lambda: with_changed(
            make_docx(),
            {
                "[Content_Types].xml": lambda data: data.replace(
                    b"</Types>",
                    b'<Override PartName="/word/stilar.dat" ContentType="application/vnd.ms-office.vbaProject"/>'
                    b"</Types>",
                )
            },
            [("word/stilar.dat", b"\xd0\xcf\x11\xe0")],
        ),
        # a .docm or .xlsm renamed: its main part is macro-enabled
        lambda: with_changed(
            make_docx(),
            {
                "[Content_Types].xml": lambda data: data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            },
        ),
        lambda: with_changed(
            make_xlsx(),
            {
                "[Content_Types].xml": lambda data: data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            },
        ),
    ],
    ids=["vba-relationship", "vba-content-type", "docm", "xlsm"],
)
def test_macros_are_refused_whatever_their_part_is_called(attack):
    assert "innehåller makron" in refusal(attack(), "Yttrande.docx" if b"word/" in attack() else "Budget.xlsx")


@pytest.mark.parametrize(
    "attack",
    [
        lambda: with_entries(make_docx(), [("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 60)]),
        lambda: with_entries(make_xlsx(), [("xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 60)]),
        lambda: with_relationship(
            make_docx(), "word/_rels/document.xml.rels", f"{REL}/oleObject", "media/paket.dat", external=False
        ),
        lambda: with_relationship(
            make_docx(), "word/_rels/document.xml.rels", f"{REL}/oleObject", "file:///C:/Budget.xlsx!Blad1!R1C1:R4C4"
        ),
    ],
    ids=["docx-bin", "xlsx-bin", "embedded-relationship", "linked"],
)
def test_ole_objects_are_refused(attack):
    assert "OLE-objekt" in refusal(attack(), "Yttrande.docx" if b"word/" in attack() else "Budget.xlsx")


@pytest.mark.parametrize(
    "instruction, code",
    [
        (['INCLUDETEXT "http://127.0.0.1:8080/hemligt.txt"'], "INCLUDETEXT"),
        (['INCLUDEPICTURE "http://127.0.0.1:8080/karta.png" \\d'], "INCLUDEPICTURE"),
        (['LINK Excel.Sheet.12 "C:\\\\Budget.xlsx" "Blad1!R1C1:R4C4" \\a \\f 5 \\h'], "LINK"),
        (['DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"'], "DDEAUTO"),
        (['DDE "cmd" "/c calc"'], "DDE"),
        ([" includeText ", '"/etc/passwd"'], "INCLUDETEXT"),  # any case
        ([" INCLUDE", 'TEXT "/etc/passwd"'], "INCLUDETEXT"),  # split between runs
    ],
)
def test_fields_that_fetch_files_or_run_programs_are_refused(instruction, code):
    assert f"innehåller fältet {code}," in refusal(field_docx(*instruction), "Yttrande.docx")


def test_a_fetching_field_is_found_nested_simple_or_in_a_header():
    nested = docx_with_body(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> IF 1 = 1 "</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDETEXT "/etc/passwd" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:instrText>"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    assert "fältet INCLUDETEXT" in refusal(nested, "Yttrande.docx")
    simple = docx_with_body(
        '<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;file:///etc/passwd&quot; ">'
        "<w:r><w:t>bild</w:t></w:r></w:fldSimple></w:p>"
    )
    assert "fältet INCLUDEPICTURE" in refusal(simple, "Yttrande.docx")
    header = with_entries(
        make_docx(),
        [
            (
                "word/header9.xml",
                (
                    b'<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p>'
                    b'<w:fldSimple w:instr="DDEAUTO cmd &quot;/c calc&quot;"/></w:p></w:hdr>'
                ),
            )
        ],
    )
    assert "fältet DDEAUTO" in refusal(header, "Yttrande.docx")


@pytest.mark.parametrize(
    "instruction",
    [
        " PAGE ",
        " NUMPAGES \\* MERGEFORMAT ",
        ' TOC \\o "1-3" \\h ',
        ' HYPERLINK "https://www.huddinge.se/" ',
        ' DATE \\@ "yyyy-MM-dd" ',
    ],
)
def test_ordinary_fields_are_allowed(instruction):
    assert sniff(field_docx(instruction), "Yttrande.docx") == DOCX


def test_a_dde_link_in_a_workbook_is_refused():
    dde = with_entries(
        make_xlsx(),
        [
            (
                "xl/externalLinks/externalLink1.xml",
                (
                    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<ddeLink ddeService="cmd" ddeTopic="/c calc"/></externalLink>'
                ),
            )
        ],
    )
    assert "fältet DDE," in refusal(dde, "Budget.xlsx")


def test_an_embedded_workbook_is_held_to_the_same_rules_for_links():
    inner = with_relationship(
        make_xlsx(),
        "xl/externalLinks/_rels/externalLink1.xml.rels",
        f"{REL}/externalLinkPath",
        "http://127.0.0.1:8080/budget.xlsx",
    )
    assert EXTERNAL in refusal(with_entries(make_docx(), [("word/embeddings/Object.xlsx", inner)]), "Diagram.docx")


@pytest.mark.parametrize(
    "href",
    [
        "http://127.0.0.1:8080/karta.png",
        "https://intern.example/a.png",
        "file:///etc/passwd",
        "ftp://intern.example/a.png",
        "smb://filserver/delat/a.png",
        "/etc/passwd",
        "../karta.png",
        "Pictures/../../karta.png",
        "..\\karta.png",
        "C:\\karta.png",
        "vnd.sun.star.expand:$UNO_USER_PACKAGES_CACHE/karta.png",
    ],
)
def test_an_odt_picture_linked_outside_the_package_is_refused(href):
    message = refusal(odt_picture(href), "Remissvar.odt")
    assert message.startswith("Filen ”Remissvar.odt” hämtar innehåll från en extern adress")


@pytest.mark.parametrize("href", ["Pictures/1000000000000010000000104B5F2E0E.png", "./Pictures/karta.png"])
def test_an_odt_picture_inside_the_package_is_allowed(href):
    assert sniff(odt_picture(href), "Remissvar.odt") == ODT


@pytest.mark.parametrize(
    "attack, message",
    [
        (lambda: odt_section("file:///etc/passwd"), EXTERNAL),
        (lambda: odt_section("http://127.0.0.1:8080/bilaga.odt"), EXTERNAL),
        (
            lambda: make_opendocument(
                body='<text:p><draw:frame><draw:object xlink:href="http://127.0.0.1:8080/objekt"/>'
                "</draw:frame></text:p>"
            ),
            EXTERNAL,
        ),
        (
            lambda: make_opendocument(
                body='<text:p><draw:frame><draw:object-ole xlink:href="./Object 1"/></draw:frame></text:p>'
            ),
            "OLE-objekt",
        ),
        (
            lambda: make_opendocument(
                body='<text:section text:name="S"><office:dde-source office:dde-application="cmd" '
                'office:dde-topic="/c calc" office:dde-item="x"/><text:p/></text:section>'
            ),
            "fältet DDE,",
        ),
        (
            lambda: make_opendocument(
                body='<text:p><text:execute-macro text:name="Standard.Module1.Main">Klicka'
                "</text:execute-macro></text:p>"
            ),
            "innehåller makron",
        ),
        (
            lambda: make_opendocument(
                body='<office:event-listeners><script:event-listener script:language="ooo:script" '
                'script:event-name="office:load" xlink:href="vnd.sun.star.script:Tools.Main'
                '?language=Basic&amp;location=application"/></office:event-listeners><text:p/>'
            ),
            "innehåller makron",
        ),
        (
            lambda: make_opendocument(
                meta='<meta:template xlink:type="simple" xlink:href="http://127.0.0.1:8080/mall.ott" '
                'xlink:title="Mall"/>'
            ),
            EXTERNAL,
        ),
    ],
    ids=["section-file", "section-http", "object", "ole", "dde", "macro-field", "event-listener", "template"],
)
def test_odf_links_dde_ole_and_macros_are_refused(attack, message):
    assert message in refusal(attack(), "Remissvar.odt")


def test_an_odt_hyperlink_is_allowed():
    linked = make_opendocument(
        body='<text:p><text:a xlink:type="simple" xlink:href="https://www.huddinge.se/">huddinge.se</text:a></text:p>'
    )
    assert sniff(linked, "Remissvar.odt") == ODT


# --- the link to a document's template is taken out, not refused ------------------------------


def entries_of(container: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(container)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def same_entry(a: zipfile.ZipInfo, b: zipfile.ZipInfo) -> bool:
    fields = ("filename", "date_time", "compress_type", "comment", "create_system", "external_attr", "internal_attr")
    return all(getattr(a, field) == getattr(b, field) for field in fields)


def test_an_attached_template_is_taken_out_of_the_copy_to_store_and_nothing_else_changes():
    upload = template_docx()
    assert EXTERNAL in refusal(upload, "Yttrande.docx")  # sniff alone still refuses it
    content_type, stored = sniffing.accept(upload, "Yttrande.docx")
    assert content_type == DOCX and stored != upload
    assert sniff(stored, "Yttrande.docx") == DOCX  # the copy passes every rule
    before, after = entries_of(upload), entries_of(stored)
    assert [info.filename for info, _ in after] == [info.filename for info, _ in before]
    for (old, old_data), (new, new_data) in zip(before, after):
        assert same_entry(old, new), old.filename
        if old.filename == SETTINGS_RELS:
            assert b"attachedTemplate" not in new_data and b"rIdMall" not in new_data
            assert re.sub(rb'<Relationship Id="rIdMall"[^>]*/>', b"", old_data) == new_data
        elif old.filename == "word/settings.xml":
            assert b"attachedTemplate" not in new_data
            assert old_data.replace(b'<w:attachedTemplate r:id="rIdMall"/>', b"") == new_data
        else:
            assert new_data == old_data, old.filename
    opened = docx.Document(io.BytesIO(stored))
    assert [p.text for p in opened.paragraphs] == ["Tjänsteutlåtande om bygglov för Flemingsberg 3:1"]
    assert not any(rel.reltype.endswith("/attachedTemplate") for rel in opened.part.package.iter_rels())
    assert opened.settings.element.find(f"{{{docx.oxml.ns.nsmap['w']}}}attachedTemplate") is None


def test_a_template_in_word_s_own_form_with_other_relationships_is_taken_out_alone():
    """Word's form: a declaration, CRLF, single quotes, ">" in an attribute, the element written open and closed."""
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships '
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id='rId2' "
        f'Type="{REL}/attachedTemplate" Target="file:///C:\\Mallar\\a&gt;b.dotx" TargetMode=\'External\'>'
        '</Relationship><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/customXml" Target="../customXml/item1.xml"/></Relationships>'
    ).encode()
    upload = with_entries(make_docx(), [(SETTINGS_RELS, rels)])
    upload = with_changed(
        upload,
        {
            "word/settings.xml": lambda data: data.replace(
                b"<w:zoom ", b"<w:attachedTemplate r:id=\"rId2\" w:x='a>b'></w:attachedTemplate>\r\n<w:zoom ", 1
            )
        },
    )
    _, stored = sniffing.accept(upload, "Yttrande.docx")
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        assert archive.read(SETTINGS_RELS) == rels.replace(
            rels[rels.index(b"<Relationship Id='rId2'") : rels.index(b'<Relationship Id="rId1"')], b""
        )
        assert b"attachedTemplate" not in archive.read("word/settings.xml")
        assert b"\r\n<w:zoom " in archive.read("word/settings.xml")


@pytest.mark.parametrize("filename, build, expected", GOOD, ids=[g[0] for g in GOOD])
def test_a_file_without_a_template_is_stored_as_it_came(filename, build, expected):
    data = build()
    assert sniffing.accept(data, filename) == (expected, data) and sniffing.accept(data, filename)[1] is data


@pytest.mark.parametrize(
    "attack",
    [
        # a template does not excuse another link
        lambda: template_docx(linked_picture_docx("http://127.0.0.1:8080/karta.png")),
        # an attachedTemplate relationship anywhere but the settings part's relationships
        lambda: template_docx(rels="word/_rels/document.xml.rels"),
        lambda: template_docx(rels="word/_rels/Settings.xml.rels"),
        # an embedded document is not rewritten: its template is refused
        lambda: with_entries(make_docx(), [("word/embeddings/Dokument.docx", template_docx())]),
    ],
    ids=["and-a-linked-picture", "document-rels", "other-case", "embedded"],
)
def test_other_external_links_are_still_refused_when_a_template_is_taken_out(attack):
    with pytest.raises(ValidationError) as caught:
        sniffing.accept(attack(), "Karta.docx")
    assert caught.value.errors["file"].startswith("Filen ”Karta.docx” hämtar innehåll från en extern adress")


def test_an_odt_made_from_a_template_is_stored_without_meta_template():
    upload = odt_from_template()
    assert EXTERNAL in refusal(upload, "Remissvar.odt")
    content_type, stored = sniffing.accept(upload, "Remissvar.odt")
    assert content_type == ODT and sniff(stored, "Remissvar.odt") == ODT
    before, after = entries_of(upload), entries_of(stored)
    assert after[0][0].filename == "mimetype" and after[0][0].compress_type == zipfile.ZIP_STORED
    for (old, old_data), (new, new_data) in zip(before, after, strict=True):
        assert same_entry(old, new)
        if old.filename == "meta.xml":
            assert re.sub(rb"<meta:template [^>]*/>", b"", old_data) == new_data
            assert b"<meta:initial-creator>Anna Svensson</meta:initial-creator>" in new_data
        else:
            assert new_data == old_data


def test_an_odt_template_does_not_excuse_a_linked_picture():
    attack = odt_from_template(
        body='<text:p><draw:frame><draw:image xlink:href="http://127.0.0.1:8080/karta.png"/></draw:frame></text:p>'
    )
    with pytest.raises(ValidationError, match="hämtar innehåll från en extern adress"):
        sniffing.accept(attack, "Remissvar.odt")


def test_a_part_with_a_dtd_is_refused_before_anything_is_expanded():
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    laughs = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol0 "lol">{entities}]>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        "&lol9;</Relationships>"
    )
    attack = with_entries(make_docx(), [("word/_rels/footnotes.xml.rels", laughs.encode())])
    assert "(DTD)" in refusal(attack, "Yttrande.docx")


def test_a_part_that_is_no_xml_is_refused_as_damaged():
    attack = with_changed(make_docx(), {"word/document.xml": lambda data: data[: len(data) // 2]})
    assert "är skadad" in refusal(attack, "Yttrande.docx")


@pytest.mark.parametrize(
    "text",
    [
        "#!/bin/sh\ncurl http://127.0.0.1/ | sh\n",
        "\ufeff#!/usr/bin/env python3\nimport os\n",
        "\n\n   @echo off\r\ndel /q C:\\*\r\n",
        "@ECHO OFF\r\n",
        "echo off\r\n",
        "<?php system($_GET['c']); ?>",
        "<script>alert(1)</script>",
        "#Requires -Version 5\nRemove-Item C:\\ -Recurse\n",
        "Set-ExecutionPolicy Bypass -Scope Process\n",
        "powershell -enc SQBFAFgA\n",
        "cmd.exe /c calc\n",
    ],
)
def test_a_text_file_that_is_a_script_is_refused(text):
    message = refusal(text.encode("utf-8"), "Protokollsutdrag.txt")
    assert message == (
        "Filen ”Protokollsutdrag.txt” är ett skript (ett program i textform), inte en vanlig textfil. "
        "Skript kan inte laddas upp."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Ekonomisk rapport #1 – utfall per januari\n",
        "Echo från mötet: beslut enligt förslag\n",
        "# Minnesanteckningar\n\nPowershell-kursen ställs in.\n",
    ],
)
def test_ordinary_text_that_merely_resembles_a_script_is_allowed(text):
    assert sniff(text.encode("utf-8"), "Anteckningar.txt") == TXT


# --- file names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../../etc/Verksamhetsberättelse 2016.pdf", "Verksamhetsberättelse 2016.pdf"),
        ("..\\..\\Windows\\Bilaga 1.pdf", "Bilaga 1.pdf"),
        ("C:\\Users\\maria\\Skrivbord\\Budget 2017.xlsx", "Budget 2017.xlsx"),
        ("C:Budget.xlsx", "Budget.xlsx"),
        ("/var/www/../rapport.pdf", "rapport.pdf"),
        ("  Åtgärdsplan   för   äldreomsorgen.docx  ", "Åtgärdsplan för äldreomsorgen.docx"),
        ('Svar: "Fråga?" <utkast>|*.txt', "Svar_ _Fråga__ _utkast___.txt"),
        ("rapport.pdf. . .", "rapport.pdf"),
        ("a\u0308ndring.pdf", "ändring.pdf"),  # decomposed ä becomes one character (NFC)
    ],
)
def test_clean_filename_keeps_the_base_name_and_swedish_letters(raw, clean):
    assert clean_filename(raw) == clean


def test_clean_filename_limits_the_length_and_keeps_the_extension():
    name = clean_filename("Ä" * 300 + ".pdf")
    assert len(name) == 150 and name.endswith("Ä.pdf")


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("rapport\x00.pdf", "NUL"),
        ("rapport.pdf\x00.exe", "NUL"),
        ("rapport\n.pdf", "styrtecken"),
        ("rapport\x1b[31m.pdf", "styrtecken"),
        ("rapport\u202efdp.exe", "styrtecken"),  # right-to-left override: shows as "rapportexe.pdf"
        ("", "saknas"),
        ("../..", "saknas"),
        ("uploads/", "saknas"),
        ("   ", "saknas"),
    ],
)
def test_clean_filename_refuses_names_that_cannot_be_shown(raw, reason):
    with pytest.raises(ValidationError) as caught:
        clean_filename(raw)
    assert reason in caught.value.errors["file"]
