"""What an Office document would fetch or run when it is opened: found in its XML, for workflows.sniffing.

A bilaga is converted to PDF by LibreOffice on the worker, and what the conversion pulls in ends
up in the public meeting package. So an uploaded DOCX, XLSX, ODT or ODS is refused when it
* links content from outside the file: a relationship with ``TargetMode="External"`` other than a
  hyperlink (a linked picture, an attached template, a linked OLE object, a subdocument, a frame,
  another workbook), or an ODF ``xlink:href`` that is not a path inside the package (a scheme such
  as ``http:`` or ``file:``, an absolute path, or one leaving the package with ``..``) on anything
  but a hyperlink;
* has fields that pull in other files or programs (INCLUDETEXT, INCLUDEPICTURE, LINK, DDE,
  DDEAUTO; in ``w:instrText`` or ``w:fldSimple``), or DDE links (Excel's ``ddeLink``, ODF's DDE
  sources);
* carries macros however they are named (a vbaProject relationship or content type, a
  macro-enabled content type; ODF event listeners and macro fields) or OLE objects (``oleObject``
  relationships, ``*/embeddings/*.bin``, ODF ``draw:object-ole``).

An attached template is the exception when the caller stores a copy without it (``strip_templates``,
see workflows.normalise): Word's external ``attachedTemplate`` relationship of its settings part and
an ODF's ``meta:template`` in ``meta.xml``. Word writes the first into every document made from a
company template. Anywhere else (another part, an embedded document) it is refused like any link.

The XML is read as a stream with expat (memory stays small whatever the part's size; the
container's size limits were checked before) and a part with a DTD is refused before anything is
expanded: Office parts never have one.

Pure: no Flask, no database. Refusals are ValidationError({"file": <Swedish message>}).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from xml.parsers import expat

from app.validation import ValidationError

#: an element's attributes as expat reports them (names as "namespace local" when namespaced)
Attributes = dict[str, str]

#: field codes that fetch another file or talk to another program
REFUSED_FIELDS = {"INCLUDETEXT", "INCLUDEPICTURE", "LINK", "DDE", "DDEAUTO", "INCLUDE", "IMPORT"}
#: ODF elements whose xlink:href may point outside the package: followed only on a click (hyperlinks, a form's
#: submit address). Not the template a document came from (meta:template): LibreOffice fetches that on load.
_ODF_LINKS = {"a", "form", "button"}
_ODF_DDE = {"dde-source", "dde-connection-decl", "dde-link"}
_ODF_MACROS = {"event-listener", "execute-macro"}
_ODF_OLE = {"object-ole"}
_XLINK_HREF = "http://www.w3.org/1999/xlink href"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_MACRO_TYPES = re.compile(r"vbaproject|vbadata|macroenabled", re.IGNORECASE)
_OLE_PART = re.compile(r"^(word|xl|ppt)/embeddings/[^/]+\.bin$", re.IGNORECASE)
#: parts whose text may hold fields (the body, headers, footers, notes, comments, the glossary)
_WORD_PART = re.compile(r"^word/(glossary/)?[^/]+\.xml$", re.IGNORECASE)
_EXTERNAL_LINK_PART = re.compile(r"^xl/externalLinks/[^/]+\.xml$", re.IGNORECASE)
#: where Word keeps the link to the template a document came from: the settings part's relationships → the part
TEMPLATE_PARTS = {
    "word/_rels/settings.xml.rels": "word/settings.xml",
    "word/glossary/_rels/settings.xml.rels": "word/glossary/settings.xml",
}
_WORD_MAIN = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_ODF_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"


def check_ooxml(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str, *, strip_templates: bool = False
) -> None:
    """Refuse a DOCX or XLSX (``name``: as messages show it) that links, runs or embeds what it should not.

    With ``strip_templates`` an attached template in TEMPLATE_PARTS is let through: the caller stores
    workflows.normalise.normalise's copy, which has none."""
    for entry in entries:
        path = entry.filename
        if entry.is_dir():
            continue
        if _OLE_PART.match(path):
            raise _ole(name)
        if path == "[Content_Types].xml":
            _scan(archive, entry, name, lambda tag, attrs: _content_type(attrs, name))
        elif path.lower().endswith(".rels"):
            template_ok = strip_templates and path in TEMPLATE_PARTS
            _scan(archive, entry, name, lambda tag, attrs: _relationship(tag, attrs, name, template_ok))
        elif _WORD_PART.match(path):
            _scan_fields(archive, entry, name)
        elif _EXTERNAL_LINK_PART.match(path):
            _scan(archive, entry, name, lambda tag, attrs: _excel_link(tag, name))


def check_odf(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str, *, strip_templates: bool = False
) -> None:
    """Refuse an ODT or ODS (``name``: as messages show it) that links, runs or embeds what it should not.

    With ``strip_templates`` a ``meta:template`` in ``meta.xml`` is let through: the caller stores
    workflows.normalise.normalise's copy, which has none."""
    for entry in entries:
        if not entry.is_dir() and entry.filename.lower().endswith(".xml"):
            template_ok = strip_templates and entry.filename == "meta.xml"
            _scan(archive, entry, name, lambda tag, attrs: _odf_element(tag, attrs, name, template_ok))


def is_template_relationship(tag: str, attrs: Attributes) -> bool:
    """Whether an element of a relationships part is the link to the template a Word document came from."""
    return _local(tag) == "Relationship" and attrs.get("Type", "").endswith("/attachedTemplate")


def is_word_template(tag: str, _attrs: Attributes) -> bool:
    """Whether an element of Word's settings part is ``w:attachedTemplate`` (which names that relationship)."""
    namespace, _, local = tag.rpartition(" ")
    return local == "attachedTemplate" and namespace in _WORD_MAIN


def is_odf_template(tag: str, _attrs: Attributes) -> bool:
    """Whether an ODF element is ``meta:template``, the template a document came from."""
    return tag == f"{_ODF_META} template"


def is_external(href: str) -> bool:
    """Whether an ODF link leaves the package: a scheme (``http:``, ``file:`` …), an absolute path, or ``..``."""
    href = href.strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return False
    if _SCHEME.match(href) or href.startswith("/"):
        return True
    return posixpath.normpath(href).split("/")[0] == ".."


# --- the messages -----------------------------------------------------------------------------


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def external_refusal(name: str) -> ValidationError:
    """The refusal of a document that links content from outside it (``name``: as messages show it)."""
    return _external(name)


def _external(name: str) -> ValidationError:
    return _refuse(
        f"Filen ”{name}” hämtar innehåll från en extern adress (en länkad bild, mall eller fil) och kan "
        "inte tas emot. Bädda in bilden i dokumentet i stället för att länka den, ta bort kopplingen till "
        "mallen, eller spara dokumentet som PDF."
    )


def _macros(name: str) -> ValidationError:
    return _refuse(f"Filen ”{name}” innehåller makron och kan inte tas emot. Spara den utan makron och försök igen.")


def _ole(name: str) -> ValidationError:
    return _refuse(
        f"Filen ”{name}” innehåller ett inbäddat eller länkat OLE-objekt och kan inte tas emot. Klistra in "
        "objektet som en bild i stället, eller spara dokumentet som PDF."
    )


def _field(name: str, code: str) -> ValidationError:
    return _refuse(
        f"Filen ”{name}” innehåller fältet {code}, som hämtar innehåll från en annan fil eller ett annat "
        "program, och kan inte tas emot. Gör om fältet till vanlig text (markera det och tryck "
        "Ctrl+Skift+F9 i Word) och försök igen."
    )


# --- reading the XML --------------------------------------------------------------------------


def _local(qualified: str) -> str:
    """The local part of a name as expat gives it with namespaces ("uri local")."""
    return qualified.rsplit(" ", 1)[-1]


def _parser(archive_name: str, name: str) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")

    def no_dtd(*_args: object) -> None:
        raise _refuse(
            f"Filen ”{name}” innehåller XML med egna definitioner (DTD) i ”{archive_name[:80]}”, vilket "
            "Office-dokument aldrig har, och kan inte tas emot."
        )

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _feed(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, parser: expat.XMLParserType) -> None:
    with archive.open(entry) as fh:
        while chunk := fh.read(64 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _scan(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str, visit: Callable[[str, Attributes], None]
) -> None:
    """Call ``visit(tag, attributes)`` for each element of a part (names as "namespace local")."""
    parser = _parser(entry.filename, name)
    parser.StartElementHandler = visit
    _feed(archive, entry, parser)


def _content_type(attrs: Attributes, name: str) -> None:
    if _MACRO_TYPES.search(attrs.get("ContentType", "")):
        raise _macros(name)


def _relationship(tag: str, attrs: Attributes, name: str, template_ok: bool = False) -> None:
    if _local(tag) != "Relationship":
        return
    kind = attrs.get("Type", "")
    if _MACRO_TYPES.search(kind):
        raise _macros(name)
    if kind.endswith("/oleObject"):
        raise _ole(name)
    if attrs.get("TargetMode", "").lower() == "external" and not kind.endswith("/hyperlink"):
        if not (template_ok and is_template_relationship(tag, attrs)):
            raise _external(name)


def _excel_link(tag: str, name: str) -> None:
    if _local(tag) == "ddeLink":
        raise _field(name, "DDE")
    if _local(tag) == "oleLink":
        raise _ole(name)


def _odf_element(tag: str, attrs: Attributes, name: str, template_ok: bool = False) -> None:
    local = _local(tag)
    if local in _ODF_MACROS:
        raise _macros(name)
    if local in _ODF_DDE:
        raise _field(name, "DDE")
    if local in _ODF_OLE:
        raise _ole(name)
    if local not in _ODF_LINKS and is_external(attrs.get(_XLINK_HREF, "")):
        if not (template_ok and is_odf_template(tag, attrs)):
            raise _external(name)


def _scan_fields(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> None:
    """Refuse fields that fetch: a field's instruction is the text of its ``w:instrText`` runs between its
    ``fldChar`` begin and separate (or end), fields nest; or a ``w:fldSimple``'s ``w:instr``."""
    open_fields: list[list[str] | None] = []  # the instruction of each open field; None once checked
    in_instruction = False

    def check(instruction: str) -> None:
        words = instruction.split()
        if words and words[0].upper() in REFUSED_FIELDS:
            raise _field(name, words[0].upper())

    def close_instruction() -> None:
        if open_fields and open_fields[-1] is not None:
            check("".join(open_fields[-1]))
            open_fields[-1] = None

    def start(tag: str, attrs: Attributes) -> None:
        nonlocal in_instruction
        local = _local(tag)
        if local == "fldSimple":
            check(next((v for k, v in attrs.items() if _local(k) == "instr"), ""))
        elif local == "instrText":
            in_instruction = True
        elif local == "fldChar":
            kind = next((v for k, v in attrs.items() if _local(k) == "fldCharType"), "")
            if kind == "begin":
                open_fields.append([])
            elif kind == "separate":
                close_instruction()
            elif kind == "end":
                close_instruction()
                if open_fields:
                    open_fields.pop()

    def end(tag: str) -> None:
        nonlocal in_instruction
        if _local(tag) == "instrText":
            in_instruction = False

    def text(data: str) -> None:
        if in_instruction:
            if open_fields and open_fields[-1] is not None:
                open_fields[-1].append(data)
            elif not open_fields:
                check(data)  # an instruction outside any field: judged on its own

    parser = _parser(entry.filename, name)
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    _feed(archive, entry, parser)
