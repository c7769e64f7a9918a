"""The text of a bilaga for the search: PDF (pypdf), DOCX (python-docx), XLSX (openpyxl), ODT (its content.xml)
and plain text. Pure: bytes in, text out.

A bilaga is someone else's file, so it is read in a child process with limits on its time and memory
(``extract_limited``): a PDF that makes the reader loop, or a zip that unpacks to gigabytes, ends that child and
not the worker. Run as ``python -m tasks.text_extraction CONTENT_TYPE`` it reads the file from its standard input
and writes the result as JSON to its standard output.
"""

from __future__ import annotations

import io
import json
import resource
import signal
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

#: the most text kept of one bilaga (characters): enough for its search, not a copy of a book
MAX_TEXT = 500_000

#: the types workflows.sniffing reads from the bytes (written out here: the child process imports nothing of the app)
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
READABLE = {PDF, DOCX, XLSX, ODT, TEXT}

_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


@dataclass(frozen=True)
class Extracted:
    #: "done" (text found), "no_text" (a scan, an empty file, a type without text) or "failed"
    status: str
    text: str = ""
    #: why it failed or has no text, in Swedish (shown to staff)
    problem: str | None = None


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n".join(pages)
    if not text.strip():
        return Extracted("no_text", problem="PDF-filen har ingen text (en skannad bild?): bara titeln är sökbar.")
    return Extracted("done", text)


def _docx(data: bytes) -> Extracted:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return Extracted("done", "\n".join(p for p in parts if p))


def _xlsx(data: bytes) -> Extracted:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts = []
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(value) for value in row if value is not None)
    workbook.close()
    return Extracted("done", "\n".join(parts))


def _odt(data: bytes) -> Extracted:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    blocks = [el for el in root.iter() if el.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h")]
    return Extracted("done", "\n".join("".join(block.itertext()) for block in blocks))


def _plain(data: bytes) -> Extracted:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return Extracted("done", data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return Extracted("failed", problem="Textfilens teckenkodning kunde inte läsas.")


READERS = {PDF: _pdf, DOCX: _docx, XLSX: _xlsx, ODT: _odt, TEXT: _plain}


def extract(data: bytes, content_type: str) -> Extracted:
    """The text of a file of ``content_type`` (the type read from its bytes when it was uploaded)."""
    reader = READERS.get(content_type)
    if reader is None:
        return Extracted("no_text", problem="Filtypen har ingen text att söka i: bara titeln är sökbar.")
    result = reader(data)
    text = result.text.replace("\x00", "")[:MAX_TEXT]
    if result.status == "done" and not text.strip():
        return Extracted("no_text", problem="Filen har ingen text: bara titeln är sökbar.")
    return Extracted(result.status, text, result.problem)


def _seconds(count: int) -> str:
    """``count`` seconds in Swedish: "1 sekund", "2 sekunder"."""
    return "1 sekund" if count == 1 else f"{count} sekunder"


def extract_limited(data: bytes, content_type: str, *, seconds: int, memory_mb: int) -> Extracted:
    """``extract`` in a child process that may use ``seconds`` of processor time and ``memory_mb`` of memory."""

    def limit() -> None:  # runs in the child, before Python starts there
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        done = subprocess.run(
            [sys.executable, "-m", "tasks.text_extraction", content_type],
            input=data,
            capture_output=True,
            timeout=seconds * 2,  # the wall clock too: a child that waits uses no processor time
            preexec_fn=limit,  # noqa: PLW1509 - no threads are started before it in the worker's child
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extracted("failed", problem=f"Texten kunde inte läsas inom {_seconds(seconds)}.")
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # the processor time's soft, then hard limit
        return Extracted("failed", problem=f"Texten kunde inte läsas inom {_seconds(seconds)}s processortid.")
    if done.returncode != 0:
        return Extracted("failed", problem="Filen kunde inte läsas inom gränserna för tid och minne.")
    answer = json.loads(done.stdout)
    return Extracted(answer["status"], answer["text"], answer["problem"])


def main() -> None:
    """The child's side: read the file from standard input, write the result as JSON."""
    data = sys.stdin.buffer.read()
    try:
        result = extract(data, sys.argv[1])
    except MemoryError:
        result = Extracted("failed", problem="Filen kunde inte läsas inom minnesgränsen.")
    except Exception as exc:  # noqa: BLE001 - a broken file is an answer, not a crash
        result = Extracted("failed", problem=f"Filen kunde inte läsas ({type(exc).__name__}).")
    sys.stdout.write(json.dumps({"status": result.status, "text": result.text, "problem": result.problem}))


if __name__ == "__main__":
    main()
