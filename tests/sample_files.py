"""Small valid files of every allowed upload type, and harmful ones, built in memory: plain helpers.

The upload checks' own tests (``tests/unit/test_sniffing.py``) and the workflow, API and rendering tests use them.
"""

from __future__ import annotations

import io
import os
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable

import docx

from workflows.sniffing import DOCX, JPEG, ODS, ODT, PDF, PNG, TXT, XLSX


def make_pdf(text: str = "Bilaga") -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Title (" + text.encode("latin-1", "replace") + b") >>",
    ]
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


def _one_page_pdf(stream: bytes, *, compressed: bool = False) -> bytes:
    """A one-page A4 PDF with ``stream`` as its page's content (Flate-compressed if ``compressed``) and Helvetica
    (WinAnsi) as its font F1."""
    dictionary = b"<< /Length %d /Filter /FlateDecode >>" if compressed else b"<< /Length %d >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        dictionary % len(stream) + b"\nstream\n%s\nendstream" % stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_text_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows ``text`` in Helvetica (WinAnsi: å, ä, ö are its letters), as a text layer
    a reader extracts; ``make_pdf`` is one without (as a scan)."""
    line = text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 12 Tf 72 720 Td (" + line + b") Tj ET"
    return _one_page_pdf(stream)


def make_png(gray: int = 0) -> bytes:
    """A 1×1 grey PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes([0, gray])))
        + chunk(b"IEND", b"")
    )


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
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{office}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><sheetData><row r="1">'
            f'<c r="A1" t="inlineStr"><is><t>{value}</t></is></c></row></sheetData></worksheet>'
        ),
    }
    return make_zip([(name, (xml + body).encode("utf-8")) for name, body in parts.items()])


ODF_NAMESPACES = " ".join(
    f'xmlns:{prefix}="{uri}"'
    for prefix, uri in {
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
        "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
        "script": "urn:oasis:names:tc:opendocument:xmlns:script:1.0",
        "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
        "xlink": "http://www.w3.org/1999/xlink",
    }.items()
)


def make_opendocument(
    mimetype: str = ODT, text: str = "Beslutet delges", *, body: str | None = None, meta: str = ""
) -> bytes:
    """An ODT or ODS: ``mimetype`` first and stored, then the manifest and the content (``body``: the
    office:text's XML instead of one paragraph of ``text``; ``meta``: the office:meta's XML, in meta.xml)."""
    body = (
        f"<office:text>{body or f'<text:p>{text}</text:p>'}</office:text>"
        if mimetype == ODT
        else f'<office:spreadsheet><table:table table:name="Blad1"><table:table-row><table:table-cell>'
        f"<text:p>{text}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NAMESPACES} '
        f'office:version="1.2"><office:body>{body}</office:body></office:document-content>'
    )
    files = {"content.xml": content}
    if meta:
        files["meta.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODF_NAMESPACES} '
            f'office:version="1.2"><office:meta>{meta}</office:meta></office:document-meta>'
        )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        + "".join(
            f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>' for name in files
        )
        + "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        for name, xml in files.items():
            archive.writestr(name, xml, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def make_txt(text: str = "Protokollsutdrag – Socialnämnden beslutar enligt förslaget.\n") -> bytes:
    return text.encode("utf-8")


def with_entries(container: bytes, extra: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    """A copy of a ZIP container with ``extra`` entries added at the end."""
    with zipfile.ZipFile(io.BytesIO(container)) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    return make_zip(entries + extra)


def with_changed(
    container: bytes, changes: dict[str, Callable[[bytes], bytes]], extra: list[tuple[str, bytes]] = ()
) -> bytes:
    """A copy of a ZIP container with some entries changed (path → function of the old bytes) and ``extra`` added."""
    with zipfile.ZipFile(io.BytesIO(container)) as source:
        entries = [
            (info, changes.get(info.filename, lambda data: data)(source.read(info))) for info in source.infolist()
        ]
    return make_zip(entries + list(extra))


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def with_relationship(
    container: bytes, rels: str, kind: str, target: str, *, external: bool = True, rel_id: str = "rIdAttack"
) -> bytes:
    """A copy of an OOXML container with one more relationship in the part ``rels`` (made when missing)."""
    relationship = (
        f'<Relationship Id="{rel_id}" Type="{kind}" Target="{target}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
    ).encode()
    with zipfile.ZipFile(io.BytesIO(container)) as source:
        present = rels in source.namelist()
    if present:
        return with_changed(
            container, {rels: lambda data: data.replace(b"</Relationships>", relationship + b"</Relationships>")}
        )
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + relationship + b"</Relationships>"
    )
    return with_entries(container, [(rels, xml)])


def linked_picture_docx(target: str) -> bytes:
    """A DOCX whose one picture is linked (``<a:blip r:link>``) to ``target``, the way Word's "Insert and Link" does."""
    document = docx.Document()
    document.add_paragraph("Karta över Flemingsberg")
    document.add_picture(io.BytesIO(make_png()))
    out = io.BytesIO()
    document.save(out)
    linked = with_changed(
        out.getvalue(), {"word/document.xml": lambda data: re.sub(rb'r:embed="rId\d+"', b'r:link="rIdAttack"', data)}
    )
    return with_relationship(linked, "word/_rels/document.xml.rels", f"{REL}/image", target)


def docx_with_body(xml: str, part: str = "word/document.xml") -> bytes:
    """A DOCX with ``xml`` (WordprocessingML paragraphs) at the end of its body."""
    return with_changed(make_docx(), {part: lambda data: data.replace(b"<w:sectPr", xml.encode() + b"<w:sectPr", 1)})


def field_docx(*instruction: str) -> bytes:
    """A DOCX with one complex field whose instruction is split into runs as given (Word splits them too)."""
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{part}</w:instrText></w:r>' for part in instruction)
    return docx_with_body(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + runs
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Resultat</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def odt_picture(href: str) -> bytes:
    """An ODT whose picture is ``href`` (a path in the package, or a link)."""
    return make_opendocument(
        body=f'<text:p><draw:frame svg:width="3cm" svg:height="2cm" text:anchor-type="as-char">'
        f'<draw:image xlink:href="{href}" xlink:type="simple" xlink:show="embed" '
        f'xlink:actuate="onLoad"/></draw:frame></text:p>'
    )


def odt_section(href: str) -> bytes:
    """An ODT with a section whose content comes from ``href`` (Insert > Section > Link)."""
    return make_opendocument(
        body=f'<text:section text:name="Bilaga"><text:section-source xlink:href="{href}" '
        f'xlink:type="simple"/><text:p>Förra versionen</text:p></text:section>'
    )


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


# --- the link to a document's template (taken out of the copy to store) -----------------------------

TEMPLATE = "file:///C:\\Users\\anna\\Mallar\\Tjänsteutlåtande.dotx"
SETTINGS_RELS = "word/_rels/settings.xml.rels"


def template_docx(container: bytes | None = None, *, target: str = TEMPLATE, rels: str = SETTINGS_RELS) -> bytes:
    """A DOCX made from a company template, as Word writes every one: an external attachedTemplate relationship
    of the settings part (in ``rels``) and ``<w:attachedTemplate r:id=…/>`` in word/settings.xml."""
    container = make_docx("Tjänsteutlåtande om bygglov för Flemingsberg 3:1") if container is None else container
    linked = with_relationship(container, rels, f"{REL}/attachedTemplate", target, rel_id="rIdMall")
    return with_changed(
        linked,
        {
            "word/settings.xml": lambda data: data.replace(
                b"<w:zoom ", b'<w:attachedTemplate r:id="rIdMall"/><w:zoom ', 1
            )
        },
    )


def odt_from_template(body: str | None = None) -> bytes:
    return make_opendocument(
        body=body,
        meta=(
            '<meta:generator>LibreOffice/7.4</meta:generator><meta:template xlink:type="simple" '
            'xlink:actuate="onRequest" xlink:title="Tjänsteutlåtande" '
            'xlink:href="file:///C:/Users/anna/Mallar/Tj%C3%A4nsteutl%C3%A5tande.ott" meta:date="2016-11-02T10:00:00"/>'
            "<meta:initial-creator>Anna Svensson</meta:initial-creator>"
        ),
    )


#: what only the sample Word template shows: its first page's header and footer, its heading font
TEMPLATE_HEADER_TEXT = "Lerums kommun – brevpapper"
TEMPLATE_EVEN_HEADER_TEXT = "Mallens sidhuvud för jämna sidor"
TEMPLATE_FOOTER_TEXT = "Mallens sidfot: tillsammans gör vi Lerum"
TEMPLATE_HEADING_FONT = "Georgia"
#: the ids a Swedish Word gives the built-in styles it saves
SWEDISH_STYLE_IDS = {
    "Heading1": "Rubrik1",
    "Heading2": "Rubrik2",
    "Heading3": "Rubrik3",
    "Header": "Sidhuvud",
    "Footer": "Sidfot",
}


def word_template(
    *, first_page: bool = True, without_styles: tuple[str, ...] = (), dotx: bool = False, even_pages: bool = False
) -> bytes:
    """A municipality's Word template as a Swedish Word saves it (its built-in styles under Swedish ids), with a
    first page header and footer of its own (``first_page``), sample text in its body, Heading 1 in Georgia;
    ``without_styles``: style names (e.g. "heading 2") it lacks; ``dotx``: a Word template (.dotx); ``even_pages``:
    "different odd and even pages", its even pages' header saying TEMPLATE_EVEN_HEADER_TEXT."""
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    document = docx.Document()
    section = document.sections[0]
    if first_page:
        section.different_first_page_header_footer = True
        section.first_page_header.paragraphs[0].text = TEMPLATE_HEADER_TEXT
        section.first_page_footer.paragraphs[0].text = TEMPLATE_FOOTER_TEXT
    section.header.paragraphs[0].text = "Mallens sidhuvud för sidan två"
    if even_pages:
        document.settings.odd_and_even_pages_header_footer = True
        section.even_page_header.paragraphs[0].text = TEMPLATE_EVEN_HEADER_TEXT
    document.add_paragraph("Exempeltext i mallen som inte ska synas i dokumenten.")
    heading = document.styles["Heading 1"]
    heading.font.name = TEMPLATE_HEADING_FONT
    heading.font.color.rgb = RGBColor(0x00, 0x5B, 0x8F)
    styles = document.styles.element
    for style in list(styles.findall(qn("w:style"))):
        name = style.find(qn("w:name")).get(qn("w:val")).lower()
        if name in without_styles:
            styles.remove(style)
    for element in document.part.package.iter_parts():
        root = getattr(element, "_element", None)
        if root is None:
            continue
        for el in root.iter():
            for attribute in (qn("w:styleId"), qn("w:val")):
                value = el.get(attribute)
                if value in SWEDISH_STYLE_IDS and (attribute == qn("w:styleId") or el.tag != qn("w:name")):
                    el.set(attribute, SWEDISH_STYLE_IDS[value])
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    if dotx:
        main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
        template = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
        data = with_changed(data, {"[Content_Types].xml": lambda xml: xml.replace(main, template)})
    return data


def make_slow_pdf(operations: int = 1_000_000) -> bytes:
    """A small PDF whose one page's compressed content stream holds ``operations`` text operations: a reader
    takes minutes over its text (a pathological bilaga for the extraction's time limit)."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Riksnormen) Tj ET\n" * operations, 9)
    return _one_page_pdf(stream, compressed=True)


def make_docx_bomb(megabytes: int = 300, *, varied: bool = False) -> bytes:
    """A Word file of a few hundred kilobytes whose document.xml unpacks to ``megabytes`` MB (a zip bomb, for the
    extraction's memory limit); written in pieces, so making it takes little memory. ``varied``: each paragraph
    with a number of its own, so that it packs only some 13:1 (some MB, under the upload's check of the ratio)."""
    source = zipfile.ZipFile(io.BytesIO(make_docx("Bomb")))
    out = io.BytesIO()
    rng = random.Random(2027)
    # pieces longer than deflate's window (32 kB), so that repeating them packs no better than one does
    pieces = [
        b"".join(b"<w:p><w:r><w:t>Riksnormen %d</w:t></w:r></w:p>" % rng.getrandbits(16) for _ in range(1000))
        for _ in range(16 if varied else 0)
    ] or [b"<w:p><w:r><w:t>Riksnormen</w:t></w:r></w:p>" * 1000]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, source.read(info.filename))
                continue
            with archive.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
                    b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                )
                for n in range(megabytes * 1024 * 1024 // len(pieces[0])):
                    part.write(pieces[n % len(pieces)])
                part.write(b"</w:body></w:document>")
    return out.getvalue()
