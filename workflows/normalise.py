"""The copy of an uploaded Office document that is stored: without the link to the template it came from.

Word writes, in every document made from a company template, the template's path on the author's
computer (``file:///C:\\Users\\anna\\Mallar\\Tjänsteutlåtande.dotx``): an external ``attachedTemplate``
relationship of ``word/settings.xml`` and a ``<w:attachedTemplate r:id=…/>`` in it. LibreOffice
writes the same into an ODF's ``meta.xml`` as ``<meta:template xlink:href=…/>``. A bilaga is
converted by LibreOffice, which must fetch nothing; the link says nothing the document needs. So
it is not refused (workflows.sniffing.sniff with ``strip_templates``) but taken out here.

Only the entries that hold the link are rewritten, with the rest of their XML byte for byte; every
other entry is copied with its content and ZipInfo (name, order, time, compression, attributes,
comments) as it was. What this takes out is exactly what ``strip_templates`` lets through
(workflows.active_content.TEMPLATE_PARTS, is_template_relationship, is_odf_template), and the
caller judges the copy once more by every rule (workflows.sniffing.accept).

Pure: no Flask, no database. Called only on bytes sniff has accepted (sizes within its limits).
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import struct
import zipfile
from collections.abc import Callable
from xml.parsers import expat

from workflows.active_content import (
    TEMPLATE_PARTS,
    Attributes,
    is_odf_template,
    is_template_relationship,
    is_word_template,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
#: the ODF part that names the template
ODF_META = "meta.xml"

#: a tag from its "<" to its ">", attribute values may hold ">"
_TAG = re.compile(rb"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_ZIP64_EXTRA = 0x0001


class CannotStrip(ValueError):
    """A template link was found that cannot be taken out as promised (an unusual encoding or XML)."""


def normalise(data: bytes, content_type: str) -> bytes:
    """The document without its template link, or ``data`` itself (the same object) when it has none."""
    if content_type == DOCX:
        wanted = {
            **{rels: is_template_relationship for rels in TEMPLATE_PARTS},
            **{part: is_word_template for part in TEMPLATE_PARTS.values()},
        }
    elif content_type in (ODT, ODS):
        wanted = {ODF_META: is_odf_template}
    else:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        changes = {}
        for index, entry in enumerate(archive.infolist()):
            unwanted = wanted.get(entry.filename)
            if unwanted is not None and not entry.is_dir():
                xml = archive.read(entry)
                cleaned = without_elements(xml, unwanted)
                if cleaned is not xml:
                    changes[index] = cleaned
    return _rewritten(data, changes) if changes else data


def without_elements(xml: bytes, unwanted: Callable[[str, Attributes], bool]) -> bytes:
    """``xml`` without the elements ``unwanted(tag, attributes)`` picks (tags as expat gives them with namespaces,
    "uri local"), each with its content; everything else byte for byte. ``xml`` itself when none is picked."""
    spans = _spans(xml, unwanted)
    if not spans:
        return xml
    if xml.startswith((b"\xfe\xff", b"\xff\xfe")) or b"\x00" in xml[:4]:
        raise CannotStrip("not in an ASCII-compatible encoding")
    kept, at = [], 0
    for start, end_tag in spans:
        opening = _TAG.match(xml, start)
        if opening is None:
            raise CannotStrip(f"no tag at byte {start}")
        if opening.group().endswith(b"/>"):
            end = opening.end()
        else:
            closing = _TAG.match(xml, end_tag)
            if closing is None or not closing.group().startswith(b"</"):
                raise CannotStrip(f"no end tag at byte {end_tag}")
            end = closing.end()
        kept.append(xml[at:start])
        at = end
    kept.append(xml[at:])
    cleaned = b"".join(kept)
    if _spans(cleaned, unwanted):  # well-formed still, and nothing of it left
        raise CannotStrip("the element is still there")
    return cleaned


def _spans(xml: bytes, unwanted: Callable[[str, Attributes], bool]) -> list[tuple[int, int]]:
    """Where each outermost picked element starts, and where its end event was reported (expat's byte index)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0

    def no_dtd(*_args: object) -> None:
        raise CannotStrip("a DTD")

    def on_start(tag: str, attrs: Attributes) -> None:
        nonlocal depth, start
        if depth:
            depth += 1
        elif unwanted(tag, attrs):
            depth, start = 1, parser.CurrentByteIndex

    def on_end(_tag: str) -> None:
        nonlocal depth
        if depth:
            depth -= 1
            if not depth:
                spans.append((start, parser.CurrentByteIndex))

    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler, parser.EndElementHandler = on_start, on_end
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise CannotStrip(str(exc)) from exc
    return spans


def _rewritten(data: bytes, changes: dict[int, bytes]) -> bytes:
    """A copy of the ZIP ``data`` with the entries at the indexes of ``changes`` holding the new bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        target.comment = source.comment
        for index, entry in enumerate(source.infolist()):
            info = copy.copy(entry)  # the writer sets offsets, sizes and CRC on it: the reader's stays as it was
            info.extra = _without_zip64(entry.extra)  # written again when needed
            if index in changes:
                target.writestr(info, changes[index])
            else:
                with source.open(entry) as reader, target.open(info, "w") as writer:
                    shutil.copyfileobj(reader, writer, 64 * 1024)
    return out.getvalue()


def _without_zip64(extra: bytes) -> bytes:
    """An entry's extra field without its ZIP64 record (the writer adds its own when the sizes need it)."""
    kept, at = [], 0
    while at + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[at : at + 4])
        if kind != _ZIP64_EXTRA:
            kept.append(extra[at : at + 4 + size])
        at += 4 + size
    kept.append(extra[at:])  # a few trailing bytes that are no record: kept as they were
    return b"".join(kept)
