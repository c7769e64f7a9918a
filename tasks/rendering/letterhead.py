"""A municipality's own Word template: checked when it is uploaded, prepared for the builders when it is used.

What the builders need of a template (tasks.rendering.report_docx, kallelse_docx, blocks):

* the paragraph styles they write with, which carry the municipality's look: Normal, Heading 1,
  Heading 2, Header and Footer (REQUIRED_STYLES). They are found by the name Word gives them
  whatever the language it runs in ("heading 1" is shown as "Rubrik 1" by a Swedish Word, which also
  saves its id as "Rubrik1"); the builders refer to them by the ids of the project's template, so the
  prepared copy carries those ids;
* a first page with a header and a footer of its own (Word: "Annorlunda första sida"): what the
  template has there (a logo, the municipality's name) is the letterhead, kept above the builders'
  header and below their footer on every document's first page (tasks.rendering.word.Target).

The styles a template may leave out are the project's own when it does: Heading 3 (the subheadings
within a section), List Number, List Bullet, Hyperlink, the header tables' "Sidhuvudtabell" and Word's
defaults (SUPPLIED_STYLES), and the three list definitions the builders number with (make_template's
numbering ids 1–3; the template's own lists are moved out of their way). The body of the template (sample text) is dropped; its page (size,
margins, header and footer distances) is kept.

The file is checked first as any uploaded Word file is (workflows.sniffing: a ZIP with
word/document.xml, no macros, no links out, no zip bomb; the link to the template it came from is
taken out), and a .doc, .docm or .dotm is refused by its name before its content is read.

Pure: no Flask, no database. Refusals are ValidationError({"file": <Swedish message>}).
"""

from __future__ import annotations

import copy
import hashlib
import io
import posixpath
import zipfile
from functools import lru_cache

import docx
from docx.document import Document
from docx.image.image import Image
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.shared import Cm
from lxml import etree

from app.validation import ValidationError
from tasks.rendering.make_template import numbering_xml, styles_xml
from tasks.rendering.word import DocumentTemplate
from workflows.sniffing import DOCX, accept

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: the largest template accepted
TEMPLATE_MAX_BYTES = 10 * 1024 * 1024
#: bump when the preparation changes: every document made on an uploaded template is made again
PREPARE_VERSION = "2"
#: the styles a template must have: the name Word saves (lower case) → how an error names it
REQUIRED_STYLES = {
    "normal": "Normal",
    "heading 1": "Rubrik 1 (Heading 1)",
    "heading 2": "Rubrik 2 (Heading 2)",
    "header": "Sidhuvud (Header)",
    "footer": "Sidfot (Footer)",
}
#: the styles the project's template supplies when the uploaded one has none of that name
SUPPLIED_STYLES = (
    "Heading 3",
    "List Number",
    "List Bullet",
    "Hyperlink",
    "Sidhuvudtabell",
    "Normal Table",
    "Default Paragraph Font",
    "No List",
)
ACCEPTED_EXTENSIONS = (".docx", ".dotx")
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
#: the elements whose w:val names a style
_STYLE_REFERENCES = {"pStyle", "rStyle", "tblStyle", "basedOn", "next", "link", "numStyleLink", "styleLink"}
#: where the template's own lists move to, out of the way of the builders' ids 1–3
_LIST_OFFSET = 1000
_CONTENT_TYPES = "[Content_Types].xml"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _extension(filename: str) -> str:
    return posixpath.splitext(str(filename).replace("\\", "/").rsplit("/", 1)[-1])[1].lower()


# --- the check on upload ---------------------------------------------------------------------------------------


def check_template(data: bytes, filename: str) -> bytes:
    """Return the bytes to store of an uploaded Word template, or refuse it naming everything that is missing."""
    extension = _extension(filename)
    if extension in (".docm", ".dotm"):
        raise _refuse(
            "Mallen är en Word-fil med makron (" + extension + "). Spara den som Word-dokument (.docx) eller "
            "Word-mall (.dotx) utan makron och ladda upp den igen."
        )
    if extension in (".doc", ".dot"):
        raise _refuse(
            "Mallen är i Words äldre format (" + extension + "). Spara den som Word-dokument (.docx) eller "
            "Word-mall (.dotx) och ladda upp den igen."
        )
    if extension not in ACCEPTED_EXTENSIONS:
        raise _refuse("Mallen måste vara en Word-fil: ett Word-dokument (.docx) eller en Word-mall (.dotx).")
    if not data:
        raise _refuse("Filen är tom. Välj mallen som Word-fil (.docx eller .dotx).")
    if len(data) > TEMPLATE_MAX_BYTES:
        raise _refuse(f"Mallen får vara högst {TEMPLATE_MAX_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(
            f"Filen ”{posixpath.basename(filename)[:80]}” är inte en Word-fil: innehållet är inte ett Word-dokument "
            "(.docx) eller en Word-mall (.dotx), vad filen än heter."
        )
    # Judged by its content as every uploaded Word file is (a .dotx is a .docx with another main content type).
    shown = filename if extension == ".docx" else posixpath.splitext(filename)[0] + ".docx"
    found, stored = accept(data, shown)
    if found != DOCX:  # accept names the type it found when it is another one; belt and braces
        raise _refuse("Mallen måste vara en Word-fil (.docx eller .dotx).")
    main_type = _main_content_type(stored)
    if main_type not in (DOCUMENT_MAIN, TEMPLATE_MAIN):
        raise _refuse(
            "Filen är inte ett Word-dokument eller en Word-mall (dess huvuddel har typen "
            f"”{(main_type or 'ingen')[:120]}”)."
        )
    try:
        document = docx.Document(io.BytesIO(_as_document(stored)))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a damaged package
        raise _refuse("Mallen är skadad och kan inte läsas som Word-fil.") from exc
    problems = template_problems(document)
    if problems:
        raise _refuse("Mallen kan inte användas: " + " ".join(problems))
    return stored


def template_problems(document: Document) -> list[str]:
    """Swedish sentences naming what the template lacks (nothing: it can be used)."""
    problems = []
    names = {
        (style.get(_w("type")), (_val(style.find(_w("name"))) or "").lower())
        for style in document.styles.element.findall(_w("style"))
    }
    missing = [shown for name, shown in REQUIRED_STYLES.items() if ("paragraph", name) not in names]
    if missing:
        problems.append(
            "Formatmallarna " + ", ".join(missing) + " saknas. Lägg till dem i Word (Format → Formatmallar) "
            "och spara mallen igen."
            if len(missing) > 1
            else f"Formatmallen {missing[0]} saknas. Lägg till den i Word (Format → Formatmallar) och spara mallen igen."
        )
    section = document.sections[-1]
    kinds = {(ref.tag, ref.get(_w("type"))) for ref in section._sectPr}
    first_page = section.different_first_page_header_footer
    if not first_page or (_w("headerReference"), "first") not in kinds:
        problems.append(
            "Sidhuvud för första sidan saknas: välj ”Annorlunda första sida” i Word och skriv kommunens "
            "sidhuvud (t.ex. logotyp och namn) på första sidan."
        )
    if not first_page or (_w("footerReference"), "first") not in kinds:
        problems.append("Sidfot för första sidan saknas: välj ”Annorlunda första sida” i Word och skriv en sidfot.")
    return problems


def _val(element: etree._Element | None) -> str | None:
    return None if element is None else element.get(_w("val"))


def _main_content_type(data: bytes) -> str | None:
    """The content type [Content_Types].xml gives word/document.xml."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            types = etree.fromstring(archive.read(_CONTENT_TYPES), parser=etree.XMLParser(resolve_entities=False))
        except (KeyError, etree.XMLSyntaxError):
            return None
    for override in types:
        if override.get("PartName") == "/word/document.xml":
            return override.get("ContentType")
    return None


def _as_document(data: bytes) -> bytes:
    """A .dotx as the .docx python-docx opens: only its main part's content type differs."""
    if _main_content_type(data) != TEMPLATE_MAIN:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == _CONTENT_TYPES:
                content = content.replace(TEMPLATE_MAIN.encode(), DOCUMENT_MAIN.encode())
            target.writestr(info, content)
    return out.getvalue()


# --- the copy the builders write on ---------------------------------------------------------------------------


def uploaded_template(data: bytes, sha256: str, revision: str) -> DocumentTemplate:
    """The template the builders use for an uploaded one (``sha256``: the stored file's): prepared once per
    process and file, named in input hashes by the file and the preparation's version."""
    prepared = _prepared(data, sha256)
    identity = hashlib.sha256(f"uploaded/{PREPARE_VERSION}/{sha256}".encode()).hexdigest()
    return DocumentTemplate(prepared, identity, revision)


@lru_cache(maxsize=16)
def _prepared(data: bytes, sha256: str) -> bytes:  # noqa: ARG001 - the sha256 keys the cache cheaply
    return prepare_template(data)


def prepare_template(data: bytes) -> bytes:
    """The uploaded template as the builders write on it: the project's style ids and lists, no body text."""
    document = docx.Document(io.BytesIO(_as_document(data)))
    body = document.element.body
    for child in list(body)[:-1]:
        body.remove(child)
    if body[-1].tag != _w("sectPr"):
        body.remove(body[-1])
    renames = _with_project_styles(document.styles.element)
    _numbered_out_of_the_way(document, renames)
    _swedish(document.styles.element)
    props = document.core_properties
    props.title = props.subject = props.comments = props.keywords = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- the municipality's logo on the first page --------------------------------------------------------------


#: bump when the logo is placed otherwise: every document made with a logo is made again
LOGO_VERSION = "1"
#: the logo's height on the first page, and the widest it may be (a wide logo is made lower instead)
LOGO_HEIGHT = Cm(1.6)
LOGO_MAX_WIDTH = Cm(6)
_DRAWINGS = (_w("drawing"), _w("pict"))


def with_logo(template: DocumentTemplate, logo: bytes, logo_sha256: str, municipality: str) -> DocumentTemplate:
    """``template`` with the municipality's ``logo`` (PNG or JPEG) at the top of its first page's header, its alt
    text naming the municipality, so that every document made on it carries the logo on its first page only
    (tasks.rendering.word keeps a template's first-page header as the letterhead). A template whose first page
    already shows a picture in its header keeps its own letterhead as it is. Named in input hashes by the
    template, the logo and ``LOGO_VERSION``."""
    data = _with_logo(template.data, logo, municipality)
    if data is None:
        return template
    identity = hashlib.sha256(f"logo/{LOGO_VERSION}/{template.sha256}/{logo_sha256}".encode()).hexdigest()
    return DocumentTemplate(data, identity, template.revision)


@lru_cache(maxsize=16)
def _with_logo(data: bytes, logo: bytes, municipality: str) -> bytes | None:
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    header = section.first_page_header
    if section.different_first_page_header_footer and not header.is_linked_to_previous:
        if any(el.tag in _DRAWINGS for el in header._element.iter()):
            return None
    section.different_first_page_header_footer = True
    image = Image.from_blob(logo)
    size = {"height": LOGO_HEIGHT}
    if image.px_width * LOGO_HEIGHT > LOGO_MAX_WIDTH * image.px_height:
        size = {"width": LOGO_MAX_WIDTH}
    first = header.paragraphs[0]
    paragraph = first if first._p.find(_w("r")) is None else first.insert_paragraph_before()
    shape = paragraph.add_run().add_picture(io.BytesIO(logo), **size)
    genitive = municipality if municipality.endswith(("s", "x", "z")) else municipality + "s"
    shape._inline.docPr.set("descr", f"{genitive} logotyp")
    shape._inline.docPr.set("name", "Logotyp")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_project_styles(styles: etree._Element) -> dict[str, str]:
    """Give the template's styles the ids the builders use (found by name); add the project's where the template has
    none of the name. Returns the ids changed: old → new."""
    ours = parse_xml(styles_xml())
    by_name = {(s.get(_w("type")), (_val(s.find(_w("name"))) or "").lower()): s for s in styles.findall(_w("style"))}
    by_id = {s.get(_w("styleId")): s for s in styles.findall(_w("style"))}
    defaults = {s.get(_w("type")) for s in styles.findall(_w("style")) if s.get(_w("default")) in ("1", "true")}
    renames: dict[str, str] = {}

    def free(style_id: str, keep: etree._Element | None) -> None:
        """Move a style of another name off ``style_id``."""
        other = by_id.get(style_id)
        if other is None or other is keep:
            return
        new_id = style_id + "Mall"
        while new_id in by_id:
            new_id += "X"
        other.set(_w("styleId"), new_id)
        by_id[new_id] = other
        del by_id[style_id]
        renames[style_id] = new_id

    for style in ours.findall(_w("style")):
        kind, style_id = style.get(_w("type")), style.get(_w("styleId")) or ""
        theirs = by_name.get((kind, (_val(style.find(_w("name"))) or "").lower()))
        if theirs is None:
            free(style_id, None)
            added = copy.deepcopy(style)
            if kind in defaults:
                added.attrib.pop(_w("default"), None)
            styles.append(added)
            by_id[style_id] = added
        elif theirs.get(_w("styleId")) != style_id:
            free(style_id, theirs)
            old = theirs.get(_w("styleId")) or ""
            theirs.set(_w("styleId"), style_id)
            by_id.pop(old, None)
            by_id[style_id] = theirs
            renames[old] = style_id
    return renames


def _numbered_out_of_the_way(document: Document, renames: dict[str, str]) -> None:
    """Move the template's lists to ids from _LIST_OFFSET, add the builders' (1–3), and rename style references."""
    numbering = document.part.numbering_part.element

    def shifted(value: str | None) -> str | None:
        return str(int(value) + _LIST_OFFSET) if value and value.isdigit() and value != "0" else value

    for abstract in numbering.findall(_w("abstractNum")):
        abstract.set(_w("abstractNumId"), shifted(abstract.get(_w("abstractNumId"))) or "")
    for num in numbering.findall(_w("num")):
        num.set(_w("numId"), shifted(num.get(_w("numId"))) or "")
    for part in document.part.package.iter_parts():
        if not isinstance(part, XmlPart):
            continue
        for element in part.element.iter(_w("numId"), _w("abstractNumId"), *(_w(t) for t in _STYLE_REFERENCES)):
            value = element.get(_w("val"))
            if element.tag in (_w("numId"), _w("abstractNumId")):
                element.set(_w("val"), shifted(value) or "")
            elif value in renames:
                element.set(_w("val"), renames[value])
    ours = parse_xml(numbering_xml())
    first_num = numbering.find(_w("num"))
    cleanup = numbering.find(_w("numIdMacAtCleanup"))
    for abstract in ours.findall(_w("abstractNum")):
        anchor = first_num if first_num is not None else cleanup
        if anchor is not None:
            anchor.addprevious(copy.deepcopy(abstract))
        else:
            numbering.append(copy.deepcopy(abstract))
    for num in ours.findall(_w("num")):
        if cleanup is not None:
            cleanup.addprevious(copy.deepcopy(num))
        else:
            numbering.append(copy.deepcopy(num))


def _swedish(styles: etree._Element) -> None:
    """Declare Swedish as the language of the document's default text (else the PDF says the template's)."""
    defaults = styles.find(_w("docDefaults"))
    if defaults is None:
        defaults = etree.Element(_w("docDefaults"))
        styles.insert(0, defaults)
    rpr_default = defaults.find(_w("rPrDefault"))
    if rpr_default is None:
        rpr_default = etree.Element(_w("rPrDefault"))
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(_w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(rpr_default, _w("rPr"))
    lang = rpr.find(_w("lang"))
    if lang is None:
        lang = etree.SubElement(rpr, _w("lang"))
    lang.set(_w("val"), "sv-SE")
