"""Reading a package PDF back with pypdf: outline, page labels, language, structure tree, text."""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfReader, PdfWriter


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def outline(r: PdfReader) -> list:
    """[(title, page number from 1, [children …]), …]"""

    def walk(entries):
        out = []
        for entry in entries:
            if isinstance(entry, list):
                out[-1] = (out[-1][0], out[-1][1], walk(entry))
            else:
                out.append((entry.title, r.get_destination_page_number(entry) + 1, []))
        return out

    return walk(r.outline)


def text(r: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in r.pages)


def structure_problems(r: PdfReader) -> list[str]:
    """Where the structure tree does not fit the pages: each page's /StructParents names a parent-tree entry
    whose elements are on that page."""
    catalog = r.trailer["/Root"]
    problems = []
    if "/StructTreeRoot" not in catalog:
        return ["no /StructTreeRoot"]
    root = catalog["/StructTreeRoot"]
    nums = root["/ParentTree"]["/Nums"]
    tree = {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}
    for index, page in enumerate(r.pages):
        key = page.get("/StructParents")
        if key is None:
            continue
        if int(key) not in tree:
            problems.append(f"page {index + 1}: /StructParents {key} not in the parent tree")
            continue
        for element in tree[int(key)]:
            element = element.get_object()
            if not hasattr(element, "get"):
                continue
            pages = [element.get("/Pg")]
            kids = element.get("/K")
            kids = kids if isinstance(kids, list) else [kids]
            pages += [k.get_object().get("/Pg") for k in kids if hasattr(k.get_object(), "get")]
            if not any(p is not None and p.idnum == page.indirect_reference.idnum for p in pages):
                problems.append(f"page {index + 1}: element {element.get('/S')} is on another page")
    if int(root["/ParentTreeNextKey"]) <= max(tree, default=-1):
        problems.append("/ParentTreeNextKey too small")
    return problems


def top_elements(r: PdfReader) -> list[tuple[str, str]]:
    """(type, title) of the package document's children in the structure tree."""
    document = r.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()
    assert document["/S"] == "/Document"
    return [(k.get_object()["/S"], str(k.get_object().get("/T", ""))) for k in document["/K"]]


def blank_pdf(pages: int = 1) -> bytes:
    """An untagged PDF of blank A4 pages (as scanned or exported bilagor often are)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(pdf: bytes, password: str = "hemligt") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(width: int = 120, height: int = 80) -> bytes:
    """A small red PNG made by hand (no imaging library needed)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    raw = b"".join(b"\x00" + b"\xc0\x10\x10" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
