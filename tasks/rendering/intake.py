"""Bilagor taken into the meeting package: each checked and made a tagged PDF without active content.

Pure apart from the converter it is given (DOCX → PDF, normally the warm LibreOffice) for the
bilagor it converts: no Flask, no database.

PDFs go in as they are (after checking they open and are not password protected), but without
active content: JavaScript, launch and submit actions, attached files and the like are removed
first (tasks.rendering.pdf_clean; the stored original stays as it was uploaded). The PDFs
LibreOffice makes of the other bilagor are cleaned the same way; DOCX, ODT, XLSX and ODS are
converted by LibreOffice one by one; TXT and images (PNG, JPEG) are first laid out as a Word
document (the title as heading, the text or the picture with the title as its alternative text)
and converted the same way, so they are tagged too; the meeting documents job converts those
together with the reports (``laid_out_builder``, tasks.rendering.batch).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from docx.shared import Mm
from lxml import etree
from pypdf import PdfReader, PdfWriter

from tasks.rendering.batch import Maker
from tasks.rendering.conversion_errors import ConversionFailed
from tasks.rendering.package import PACKAGE_VERSION
from tasks.rendering.pdf_clean import CLEAN_VERSION, clean_pdf, clean_pdf_file
from tasks.rendering.word import Target, WordBuilder, clean, paragraph, run, sub, template_sha256, w
from workflows.sniffing import DOCX, JPEG, ODS, ODT, PDF, PNG, TXT, XLSX  # the types a bilaga can have

#: types LibreOffice converts directly, with the export filter for each
OFFICE_TYPES = {DOCX: "writer_pdf_Export", ODT: "writer_pdf_Export", XLSX: "calc_pdf_Export", ODS: "calc_pdf_Export"}
#: types laid out as a Word document first
LAID_OUT_TYPES = {TXT, PNG, JPEG}

Converter = Callable[..., bytes]


class BadAttachment(ValueError):
    """A bilaga cannot go into the package; the message (Swedish) names it and says why."""


def _unreadable(where: str) -> BadAttachment:
    return BadAttachment(
        f"{where} är inte en läsbar PDF: filen är skadad eller är inte den PDF den utger sig för "
        "att vara. Ersätt bilagan och försök igen."
    )


def checked_pdf(data: bytes, where: str) -> bytes:
    """Return a bilaga's PDF, without active content (pdf_clean), if it opens, has pages and needs no password;
    else BadAttachment naming ``where``."""
    reader = _checked_reader(io.BytesIO(data), where)
    if reader.is_encrypted:  # opened with the empty password: write it out unprotected
        writer = PdfWriter(clone_from=reader)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    try:
        return clean_pdf(data)
    except Exception as exc:  # noqa: BLE001 - pikepdf (qpdf) cannot read what pypdf could
        raise _unreadable(where) from exc


def checked_pdf_file(source: Path, where: str, made: Path) -> Path:
    """``checked_pdf`` for a file (a big scan), which is never read whole into memory: ``source`` itself when it
    is fine as it is, else ``made``, where its copy without active content (or without its empty password) is
    written; BadAttachment naming ``where`` when it cannot go in."""
    with source.open("rb") as fh:
        _checked_reader(fh, where)
    try:
        return made if clean_pdf_file(source, made) else source
    except Exception as exc:  # noqa: BLE001 - pikepdf (qpdf) cannot read what pypdf could
        raise _unreadable(where) from exc


def _checked_reader(stream: BinaryIO, where: str) -> PdfReader:
    """The bilaga read by pypdf, checked that it opens, has pages and needs no password (else BadAttachment);
    pypdf reads from ``stream`` as it needs."""
    try:
        reader = PdfReader(stream)
        if reader.is_encrypted:
            opened: int  # a PasswordType, 0 when not opened
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - an unknown cipher counts as protected
                opened = 0
            if not opened:
                raise BadAttachment(
                    f"{where} är lösenordsskyddad och kan inte läggas i mötespaketet. "
                    "Ersätt den med en PDF utan lösenord."
                )
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
    except BadAttachment:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken file
        raise _unreadable(where) from exc
    if pages == 0:
        raise BadAttachment(f"{where} är en PDF utan sidor. Ersätt bilagan och försök igen.")
    return reader


class _LaidOut(WordBuilder):
    """A bilaga laid out as Word: the title as heading, then the text or the picture."""

    def __init__(self, title: str, target: Target | None = None):
        self.title = title
        super().__init__(target)

    def header(self) -> None:
        self._fill(self.target.header, '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>')

    def footer(self) -> None:
        self._fill(self.target.footer, '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>')

    def properties(self) -> None:
        props = self.document.core_properties
        props._element.get_or_add_title().text = clean(self.title)
        props.language = "sv-SE"
        props.subject = props.comments = ""

    def heading(self) -> etree._Element:
        p = paragraph("Heading1")
        run(p, clean(self.title))
        return p


class _TextAttachment(_LaidOut):
    def __init__(self, title: str, text: str, target: Target | None = None):
        self.text = text
        super().__init__(title, target)

    def body(self) -> list[etree._Element]:
        out = [self.heading()]
        for block in self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
            lines = [clean(line) for line in block.split("\n")]
            if not any(line.strip() for line in lines):
                continue
            p = paragraph()
            for i, line in enumerate(lines):
                if i:
                    sub(sub(p, w("r")), w("br"))
                if line:
                    run(p, line)
            out.append(p)
        return out


class _ImageAttachment(_LaidOut):
    """A picture on its own page(s), scaled to fit the text area, with the title as alternative text."""

    def __init__(self, title: str, data: bytes, target: Target | None = None):
        from docx.image.image import Image

        image = Image.from_blob(data)  # raises when python-docx cannot read the picture
        natural_w = image.px_width / (image.horz_dpi or 96) * 25.4
        natural_h = image.px_height / (image.vert_dpi or 96) * 25.4
        width_mm, height_mm = 160.0, 215.0
        scale = min(width_mm / natural_w, height_mm / natural_h, 1.0 if natural_w > 40 else width_mm / natural_w)
        self.image, self.size = data, (Mm(natural_w * scale), Mm(natural_h * scale))
        super().__init__(title, target)

    def body(self) -> list[etree._Element]:
        inline = self.part.new_pic_inline(io.BytesIO(self.image), *self.size)
        inline.docPr.set("descr", clean(self.title))
        inline.docPr.set("name", clean(self.title)[:200] or "Bild")
        picture = paragraph()
        sub(sub(picture, w("r")), w("drawing")).append(inline)
        return [self.heading(), picture]


def text_of(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def laid_out_builder(title: str, data: bytes, content_type: str, where: str) -> Maker:
    """A function making the builder of a TXT or picture bilaga in a target (tasks.rendering.batch);
    BadAttachment naming ``where`` when the picture cannot be read."""
    if content_type == TXT:
        text = text_of(data)
        return lambda target=None: _TextAttachment(title, text, target)
    try:
        _ImageAttachment(title, data)  # read the picture now, so a broken one is refused by name
    except Exception as exc:  # noqa: BLE001 - python-docx cannot read the picture
        raise BadAttachment(
            f"{where} kunde inte läsas: bilden är skadad eller är inte den filtyp den utger sig för att vara."
        ) from exc
    return lambda target=None: _ImageAttachment(title, data, target)


def office_source(data: bytes, content_type: str, where: str) -> tuple[bytes, str]:
    """What LibreOffice converts for a bilaga that is not laid out by us: the file and its export filter."""
    if content_type not in OFFICE_TYPES:
        raise BadAttachment(f"{where} har en filtyp ({content_type}) som inte kan läggas i mötespaketet.")
    return data, OFFICE_TYPES[content_type]


def converted_attachment(convert_it: Callable[[], bytes], where: str) -> bytes:
    """The PDF of a converted bilaga, checked; BadAttachment naming ``where`` when LibreOffice could not."""
    try:
        pdf = convert_it()
    except ConversionFailed as exc:
        # what happened, on a freshly started LibreOffice (tasks.rendering.pdf): refused, hung or died
        reason = str(exc).removeprefix("PDF kunde inte skapas: ")
        raise BadAttachment(f"{where} kunde inte göras om till PDF: {reason}") from exc
    return checked_pdf(pdf, where)


def attachment_pdf(data: bytes, content_type: str, title: str, where: str, convert: Converter) -> bytes:
    """A bilaga as PDF on its own: checked as it is, or converted; BadAttachment naming ``where`` when it cannot be.

    (The meeting documents job converts the TXT and picture bilagor together with the reports instead.)"""
    if content_type == PDF:
        return checked_pdf(data, where)
    if content_type in LAID_OUT_TYPES:
        make = laid_out_builder(title, data, content_type, where)
        return converted_attachment(lambda: convert(make().build(), export_filter="writer_pdf_Export"), where)
    source, export_filter = office_source(data, content_type, where)
    return converted_attachment(lambda: convert(source, export_filter=export_filter), where)


def attachment_input_hash(sha256: str, content_type: str, title: str) -> str:
    """What a converted bilaga is made from: the file, its type, its title (the heading), the layout and what
    cleaning removes from it (pdf_clean.CLEAN_VERSION: a part cleaned less than now is made again)."""
    basis = f"bilaga/{PACKAGE_VERSION}/clean-{CLEAN_VERSION}/{template_sha256()}/{content_type}/{sha256}/{title}"
    return hashlib.sha256(basis.encode()).hexdigest()
