"""The benchmark's yardstick: the same tjänsteutlåtande XML written as strings into a zip, on the same template.

No object model, no parsing: f-strings, one regular expression over the section HTML and
zipfile. It writes what tasks.rendering.report_docx writes (the run script checks that the two
documents read back to the same paragraphs), so the ratio between them is python-docx's cost.
"""

from __future__ import annotations

import re
import zipfile
from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

from tasks.rendering.make_template import ABSTRACT_ORDERED, NUM_BULLETS, NUM_PROPOSALS
from tasks.rendering.report_docx import ADJUSTED_TEXT, LINK_SCHEMES, ReportDocument
from tasks.rendering.word import clean, template_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
TOKEN = re.compile(r"<(/?)([a-zA-Z0-9]+)([^>]*)>|([^<]+)")
HREF = re.compile(r'href="([^"]*)"')
SPACE = re.compile(r" ?[\t\n\r\f][ \t\n\r\f]*| {2,}[\t\n\r\f ]*")


@lru_cache(maxsize=1)
def template_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(template_bytes())) as z:
        return {name: z.read(name) for name in z.namelist()}


def t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(clean(text))}</w:t>'


def run(text: str, props: str = "") -> str:
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{t(text)}</w:r>"


def para(runs: str, style: str = "", extra: str = "") -> str:
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + extra
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


def numpr(num_id: int, ilvl: int = 0) -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


class Writer:
    def __init__(self, doc: ReportDocument):
        self.doc = doc
        self.links: list[str] = []
        self.nums: list[int] = []

    def html(self, html: str) -> str:
        out, runs, style, extra = [], [], "", ""
        bold = italic = 0
        lists: list[int] = []
        link = None
        open_p = False

        def close():
            nonlocal open_p, runs
            if open_p:
                out.append(para("".join(runs), style, extra))
            open_p, runs = False, []

        for m in TOKEN.finditer(html):
            end, tag, attrs, text = m.groups()
            if text is not None:
                text = SPACE.sub(" ", text)
                if not open_p:
                    text = text.lstrip(" ")
                    if not text:
                        continue
                    open_p, style, extra = True, "", ""
                props = (
                    ('<w:rStyle w:val="Hyperlink"/>' if link else "")
                    + ("<w:b/><w:bCs/>" if bold else "")
                    + ("<w:i/><w:iCs/>" if italic else "")
                )
                r = run(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), props)
                runs.append(f'<w:hyperlink r:id="{link}">{r}</w:hyperlink>' if link else r)
                continue
            tag = tag.lower()
            if tag == "p" and not end or tag == "p":
                close()
            elif tag == "br":
                runs.append("<w:r><w:br/></w:r>")
            elif tag in ("strong", "b"):
                bold += -1 if end else 1
            elif tag in ("em", "i"):
                italic += -1 if end else 1
            elif tag in ("ul", "ol") and not end:
                close()
                if tag == "ol":
                    num = ABSTRACT_ORDERED + 1 + len(self.nums)
                    self.nums.append(num)
                    lists.append(num)
                else:
                    lists.append(NUM_BULLETS)
            elif tag in ("ul", "ol"):
                close()
                lists.pop()
            elif tag == "li" and not end:
                close()
                num = lists[-1] if lists else NUM_BULLETS
                open_p, style = True, "ListBullet" if num == NUM_BULLETS else "ListNumber"
                extra = numpr(num, min(len(lists) - 1, 2))
            elif tag == "li":
                close()
            elif tag == "a" and not end:
                href = HREF.search(attrs)
                href = href.group(1) if href else ""
                if href.lower().startswith(LINK_SCHEMES):
                    self.links.append(href)
                    link = f"rIdL{len(self.links)}"
            elif tag == "a":
                link = None
        close()
        return "".join(out)

    def body(self) -> str:
        d = self.doc
        sans = '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial" w:eastAsia="Arial"/>'
        officer = run("HANDLÄGGARE", f'{sans}<w:sz w:val="14"/><w:szCs w:val="14"/>') + "".join(
            "<w:r><w:br/></w:r>" + run(line, f'{sans}<w:sz w:val="20"/><w:szCs w:val="20"/>')
            for line in (d.officer_name, d.officer_phone, d.officer_email)
            if line
        )
        parts = [
            para(officer, extra='<w:spacing w:after="240"/>'),
            para(run(d.committee, "<w:b/><w:bCs/>"), extra='<w:spacing w:before="240" w:after="240"/>'),
            para(run(d.title or "Tjänsteutlåtande"), "Heading1"),
        ]
        if d.proposals:
            parts.append(para(run("Förslag till beslut"), "Heading2"))
            for p in d.proposals:
                parts.append(para(run(p.text), "ListNumber", numpr(NUM_PROPOSALS)))
                if p.immediately_adjusted:
                    parts.append(para(run(ADJUSTED_TEXT), extra='<w:ind w:left="360"/>'))
        for s in d.sections:
            if s.html and s.html.strip():
                parts.append(para(run(s.heading), "Heading2"))
                parts.append(self.html(s.html))
        for i, s in enumerate(d.signatories):
            parts.append(
                para(run(s.name), extra=f'<w:keepNext/><w:spacing w:before="{600 if i == 0 else 360}" w:after="0"/>')
            )
            if s.title:
                parts.append(para(run(s.title)))
        if d.attachments:
            parts.append(para(run("Bilagor"), "Heading2"))
            parts += [
                para(run(d.attachment_label(a)), extra='<w:spacing w:after="40"/>')
                for a in sorted(d.attachments, key=lambda a: a.position)
            ]
        if d.recipients:
            parts.append(para(run("Beslutet delges"), "Heading2"))
            parts += [para(run(r), extra='<w:spacing w:after="40"/>') for r in d.recipients]
        return "".join(parts)

    def header(self) -> str:
        d = self.doc

        def cell(w, content, span=1):
            grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            return f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{grid}</w:tcPr>{content}</w:tc>'

        def hp(text, bold=False, size=18, fields=""):
            r = run(text, f'{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>') if text else ""
            return para(r + fields, "Header")

        def field(instr):
            return f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT "><w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>'

        page = field("PAGE") + run(" (", '<w:sz w:val="18"/>') + field("NUMPAGES") + run(")", '<w:sz w:val="18"/>')
        w = (4536, 1701, 1985, 849)
        rows = (
            f"<w:tr>{cell(w[0], hp(d.administration.upper(), True))}{cell(sum(w[1:]), hp('TJÄNSTEUTLÅTANDE', True, 22), 3)}</w:tr>"
            f"<w:tr>{cell(w[0], hp(''))}{cell(w[1], hp('DATUM', size=14))}{cell(w[2], hp('DIARIENR', size=14))}{cell(w[3], hp('SIDA', size=14))}</w:tr>"
            f"<w:tr>{cell(w[0], hp(''))}{cell(w[1], hp(d.report_date))}{cell(w[2], hp(d.registration_number))}{cell(w[3], hp('', fields=page))}</w:tr>"
        )
        return f'<w:hdr xmlns:w="{W}" xmlns:r="{R}">{table(w, rows, "bottom")}{para("", "Header")}</w:hdr>'

    def footer(self) -> str:
        a = self.doc.address
        w = (2835, 2835, 1701, 1700)

        def fp(lines, size):
            return para("<w:r><w:br/></w:r>".join(run(x, f'<w:sz w:val="{size}"/>') for x in lines if x), "Footer")

        labels = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{x}" w:type="dxa"/></w:tcPr>{fp([lab], 12)}</w:tc>'
            for x, lab in zip(w, ("POSTADRESS", "BESÖKSADRESS", "TELEFON", "E-POST OCH WEBB"))
        )
        values = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{x}" w:type="dxa"/></w:tcPr>{fp(v, 16)}</w:tc>'
            for x, v in zip(w, ([a.postal_address], [a.visiting_address], [a.phone], [a.email, a.web]))
        )
        revision = para(run(self.doc.template_revision, '<w:sz w:val="12"/>'), "Footer", '<w:jc w:val="right"/>')
        return f'<w:ftr xmlns:w="{W}" xmlns:r="{R}">{table(w, f"<w:tr>{labels}</w:tr><w:tr>{values}</w:tr>", "top")}{revision}</w:ftr>'


def table(widths, rows: str, rule: str) -> str:
    grid = "".join(f'<w:gridCol w:w="{x}"/>' for x in widths)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="Sidhuvudtabell"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:tblBorders><w:{rule} w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>'
    )


SECT = re.compile(rb"<w:sectPr.*</w:sectPr>", re.S)


def minimal_report_docx(doc: ReportDocument) -> bytes:
    """Write the report as strings into a zip with the template's other parts."""
    parts = template_parts()
    writer = Writer(doc)
    body = writer.body()
    sect = SECT.search(parts["word/document.xml"]).group(0).decode()
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}" xmlns:r="{R}">'
        f"<w:body>{body}{sect}</w:body></w:document>"
    )
    numbering = (
        parts["word/numbering.xml"]
        .decode()
        .replace(
            "</w:numbering>",
            "".join(
                f'<w:num w:numId="{n}"><w:abstractNumId w:val="{ABSTRACT_ORDERED}"/><w:lvlOverride w:ilvl="0">'
                '<w:startOverride w:val="1"/></w:lvlOverride></w:num>'
                for n in writer.nums
            )
            + "</w:numbering>",
        )
    )
    rels = (
        parts["word/_rels/document.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            "".join(
                f'<Relationship Id="rIdL{i}" Type="{HYPERLINK}" Target={quoteattr(href)} TargetMode="External"/>'
                for i, href in enumerate(writer.links, start=1)
            )
            + "</Relationships>",
        )
    )
    d = doc
    core = (
        parts["docProps/core.xml"]
        .decode()
        .replace("<dc:title></dc:title>", f"<dc:title>{escape(clean(d.title))}</dc:title>")
        .replace(
            "<dc:creator>Nämndflöde</dc:creator>",
            f"<dc:creator>{escape(clean(d.author or d.officer_name or d.administration))}</dc:creator>",
        )
    )
    generated = {
        "word/document.xml": document,
        "word/header1.xml": writer.header(),
        "word/footer1.xml": writer.footer(),
        "word/numbering.xml": numbering,
        "word/_rels/document.xml.rels": rels,
        "docProps/core.xml": core,
    }
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, generated[name].encode() if name in generated else data)
    return out.getvalue()
