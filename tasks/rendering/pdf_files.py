"""A PDF as the renderer holds it: bytes (what it made itself: kallelser, reports, contents pages, a few
hundred kilobytes) or the path of a file (a bilaga as stored, a cleaned copy, a package: up to hundreds of
megabytes). A file is never read whole into memory: pikepdf reads it from disk as it needs (stream access,
not a memory map, whose pages would count towards the worker's memory), hashes go a megabyte at a time.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf

PdfData = bytes | Path


def open_pdf(pdf: PdfData) -> pikepdf.Pdf:
    """The PDF opened with pikepdf (the caller closes it); a file read from disk as needed."""
    if isinstance(pdf, Path):
        return pikepdf.open(pdf, access_mode=pikepdf.AccessMode.stream)
    return pikepdf.open(io.BytesIO(pdf))


def sha256_of(pdf: PdfData) -> str:
    if isinstance(pdf, Path):
        with pdf.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    return hashlib.sha256(pdf).hexdigest()


def page_count(pdf: PdfData) -> int:
    with open_pdf(pdf) as document:
        return len(document.pages)
