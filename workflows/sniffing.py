"""What an uploaded file really is: its type found by reading the bytes, and a clean name.

The rule for names: the file name's extension must be one of the allowed ones and must
name the same type as the content (``.jpg`` and ``.jpeg`` both mean JPEG). A PNG named
``.pdf`` is refused, and so is anything whose content is not an allowed type, whatever
its name says.

ZIP containers (DOCX, XLSX, ODT, ODS) are checked from their directory without
unpacking: the sizes each entry declares, at most a few bytes read from each entry to
find archives inside, and nothing is written anywhere. The one archive allowed inside is
an Office document embedded the way Word and Excel embed them (a chart's workbook in
``word/embeddings/``): it is read into memory and checked by the same rules, and nothing
may be nested inside it. Python's zipfile never unpacks more
than an entry declares, so a lying directory cannot make a later reader unpack more.

An Office document (and one embedded in it) is then read for what it would fetch or run when
LibreOffice converts it (workflows.active_content): linked pictures and templates, fields that
include other files, DDE, OLE objects and macros are refused; the link to the template a document
came from is no reason to refuse it: accept() returns the copy to store without it (workflows.normalise),
held once more to every rule. A text file that is a script
(``#!``, ``@echo off`` and the like on its first line) is refused as a program.

Pure: no Flask, no database. Refusals are ValidationError({"file": <Swedish message>}).
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import zipfile
import zlib
from xml.parsers.expat import ExpatError

from app.validation import ValidationError
from workflows.active_content import check_odf, check_ooxml, external_refusal
from workflows.normalise import CannotStrip, normalise

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

#: allowed extension → the type its content must have
EXTENSIONS = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".txt": TXT,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".odt": ODT,
    ".ods": ODS,
}
#: the extension a download of each type gets
EXTENSION_FOR = {
    PDF: ".pdf",
    PNG: ".png",
    JPEG: ".jpg",
    TXT: ".txt",
    DOCX: ".docx",
    XLSX: ".xlsx",
    ODT: ".odt",
    ODS: ".ods",
}
#: how a message names each type: "… är inte <label>"
LABELS = {
    PDF: "en PDF",
    PNG: "en PNG-bild",
    JPEG: "en JPEG-bild",
    TXT: "en textfil",
    DOCX: "ett Word-dokument (DOCX)",
    XLSX: "ett Excel-ark (XLSX)",
    ODT: "ett textdokument (ODT)",
    ODS: "ett kalkylark (ODS)",
}
ALLOWED_TEXT = "PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG och TXT"
#: how a list of files names each type: "PDF, 1,2 MB"
SHORT_LABELS = {
    PDF: "PDF",
    PNG: "PNG-bild",
    JPEG: "JPEG-bild",
    TXT: "Text",
    DOCX: "Word",
    XLSX: "Excel",
    ODT: "Textdokument (ODT)",
    ODS: "Kalkylark (ODS)",
}


def file_size(size: int) -> str:
    """A size as a Swedish reader reads it: "850 byte", "12 kB", "1,2 MB" (decimal comma, 1 024 to a step)."""
    if size < 1024:
        return f"{size} byte"
    value, units = size / 1024, ["kB", "MB", "GB"]
    while round(value, 1 if value < 10 else 0) >= 1024 and len(units) > 1:
        value, units = value / 1024, units[1:]
    shown = f"{value:.1f}" if value < 9.95 else f"{value:.0f}"
    return f"{shown.replace('.', ',').removesuffix(',0')} {units[0]}"


def describe_file(content_type: str | None, size: int | None) -> str:
    """The type and size of a file for a list of bilagor: "PDF, 1,2 MB"; never a MIME type."""
    kind = SHORT_LABELS.get(content_type or "", "Fil")
    return kind if size is None else f"{kind}, {file_size(size)}"


#: ZIP limits (the same ratio as Apache POI's ZipSecureFile default)
MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
RATIO_FROM_SIZE = 1024 * 1024
MAX_ZIP_ENTRIES = 2000
#: a TXT may hold at most this share of control characters (besides tab, newlines, form feed)
MAX_CONTROL_SHARE = 0.01
MAX_FILENAME = 150

_EXECUTABLE_MAGIC = (
    b"\x7fELF",
    b"MZ",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
_ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"MSCF",
    b"\x28\xb5\x2f\xfd",
)
_ARCHIVE_EXTENSIONS = (
    ".zip",
    ".jar",
    ".rar",
    ".7z",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".zst",
    ".tar",
    ".cab",
    ".docx",
    ".docm",
    ".xlsx",
    ".xlsm",
    ".pptx",
    ".odt",
    ".ods",
    ".odp",
)
#: entries that carry macros (OOXML's VBA project, OpenDocument's Basic and scripts)
#: where OOXML keeps embedded Office documents (a chart's data, an inserted worksheet)
_EMBEDDED_RE = re.compile(r"^(word|xl|ppt)/embeddings/[^/]+\.(docx|xlsx|pptx)$", re.IGNORECASE)
_MACRO_RE = re.compile(r"(^|/)vbaproject\.bin$|^(basic|scripts)/", re.IGNORECASE)
#: what reading a damaged container raises
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    KeyError,
    IndexError,
    ExpatError,
)
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
#: control, format (bidi overrides, zero-width) and lone surrogate characters
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs"}
#: control characters a text file should hardly contain (tab, newlines and form feed are fine)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
#: how the first line of a script starts: an interpreter line, a batch file, PHP, HTML script, PowerShell
_SCRIPT_RE = re.compile(
    r"^(#!|@?echo\s+off\b|<\?php|<script\b|#requires\s+-|set-executionpolicy\b|"
    r"(powershell|pwsh|cmd)(\.exe)?\s+[-/])",
    re.IGNORECASE,
)


def accept(data: bytes, filename: str) -> tuple[str, bytes]:
    """Return the MIME type of an upload and the bytes to store, or refuse the file with the reason.

    The bytes are ``data`` itself unless the document names the template it came from (Word's attached
    template, ODF's meta:template): then they are a copy without it (workflows.normalise), which is
    sniffed again by every rule, so what is stored always passes ``sniff``."""
    found = sniff(data, filename, strip_templates=True)
    try:
        stored = normalise(data, found)
    except CannotStrip as exc:
        raise external_refusal(_shown(filename)) from exc
    except _DAMAGED as exc:
        raise _refuse(f"Filen ”{_shown(filename)}” är skadad och kan inte läsas.") from exc
    if stored is not data and sniff(stored, filename) != found:
        raise _refuse(f"Filen ”{_shown(filename)}” är skadad och kan inte läsas.")
    return found, stored


def sniff(data: bytes, filename: str, *, strip_templates: bool = False) -> str:
    """Return the MIME type found by reading ``data``, or refuse the file with the reason.

    With ``strip_templates`` the link to a document's template is let through: only for a caller that
    stores ``normalise(data, type)`` (see accept)."""
    name = _shown(filename)
    if not data:
        raise _refuse(f"Filen ”{name}” är tom.")
    expected = _expected_type(filename, name)
    found = _content_type(data, name, strip_templates)
    if found is None:
        if data.startswith(_EXECUTABLE_MAGIC):
            raise _refuse(f"Filen ”{name}” är ett program, inte {LABELS[expected]}. Program kan inte laddas upp.")
        raise _refuse(
            f"Filen ”{name}” är inte {LABELS[expected]}: innehållet är inte av någon tillåten typ ({ALLOWED_TEXT})."
        )
    if found != expected:
        raise _refuse(
            f"Filen ”{name}” heter {_extension(filename)} men innehållet är {LABELS[found]}. "
            f"Byt filändelse till {EXTENSION_FOR[found]} eller välj rätt fil."
        )
    return found


def clean_filename(name: str) -> str:
    """Return the base name to show for downloads, or refuse a name that cannot be shown."""
    if not isinstance(name, str):
        raise _refuse("Filnamnet måste vara text.")
    if "\x00" in name:
        raise _refuse("Filnamnet innehåller ett NUL-tecken och kan inte tas emot.")
    name = unicodedata.normalize("NFC", name)
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in name):
        raise _refuse("Filnamnet innehåller styrtecken eller osynliga tecken och kan inte tas emot.")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"^[A-Za-z]:", "", base)
    base = _WINDOWS_RESERVED.sub("_", " ".join(base.split()))
    base = base.strip(" .")
    if not base:
        raise _refuse("Filnamnet saknas. Ge filen ett namn, t.ex. ”Bilaga.pdf”.")
    if len(base) > MAX_FILENAME:
        stem, ext = posixpath.splitext(base)
        ext = ext if len(ext) <= 10 else ""
        base = stem[: MAX_FILENAME - len(ext)].rstrip(" .") + ext
    return base


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _shown(filename: str) -> str:
    """The name as a message shows it: the base name, shortened."""
    base = str(filename).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch if ch.isprintable() else "?" for ch in base)
    return base if len(base) <= 80 else base[:77] + "…"


def _extension(filename: str) -> str:
    return posixpath.splitext(str(filename).replace("\\", "/").rsplit("/", 1)[-1])[1].lower()


def _expected_type(filename: str, shown: str) -> str:
    ext = _extension(filename)
    if not ext:
        raise _refuse(f"Filen ”{shown}” saknar filändelse. Tillåtna filtyper är {ALLOWED_TEXT}.")
    if ext not in EXTENSIONS:
        raise _refuse(f"Filtypen {ext[:20]} är inte tillåten. Tillåtna filtyper är {ALLOWED_TEXT}.")
    return EXTENSIONS[ext]


def _content_type(data: bytes, name: str, strip_templates: bool = False) -> str | None:
    """The allowed type the bytes are, or None; refuses unsafe or damaged ZIP containers."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data, name, strip_templates)
    if _is_text(data):
        if _is_script(data):
            raise _refuse(
                f"Filen ”{name}” är ett skript (ett program i textform), inte en vanlig textfil. "
                "Skript kan inte laddas upp."
            )
        return TXT
    return None


def _is_text(data: bytes) -> bool:
    """Whether ``data`` is text: UTF-8, else cp1252 or latin-1, without NUL and few control characters."""
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _CONTROL_RE.subn("", text)[1] <= len(text) * MAX_CONTROL_SHARE
    return False


def _is_script(data: bytes) -> bool:
    """Whether a text file's first non-empty line starts the way scripts start."""
    head = data[:4096].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n\f")
    return bool(_SCRIPT_RE.match(head))


def _zip_type(data: bytes, name: str, strip_templates: bool = False) -> str | None:
    """Check a ZIP container from its directory and name the office type it is, if any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            _check_zip_entries(archive, entries, name, nesting_allowed=True)
            found = _office_type(archive, entries)
            _check_active_content(archive, entries, found, name, strip_templates=strip_templates)
            return found
    except _DAMAGED as exc:
        raise _refuse(f"Filen ”{name}” är skadad och kan inte läsas.") from exc


def _check_zip_entries(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str, *, nesting_allowed: bool
) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        limit = f"{MAX_ZIP_ENTRIES:,}".replace(",", " ")
        raise _refuse(f"Filen ”{name}” innehåller fler än {limit} delar och kan inte tas emot.")
    if sum(e.file_size for e in entries) > MAX_ZIP_TOTAL:
        raise _refuse(
            f"Filen ”{name}” packas upp till mer än {MAX_ZIP_TOTAL // (1024 * 1024)} MB "
            "och kan inte tas emot (misstänkt zip-bomb)."
        )
    for entry in entries:
        _check_entry(archive, entry, name, nesting_allowed=nesting_allowed)


def _check_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str, *, nesting_allowed: bool) -> None:
    path = entry.filename
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path) or ".." in parts:
        raise _refuse(f"Filen ”{name}” innehåller en otillåten sökväg (”{_shown(path)}”) och kan inte tas emot.")
    if entry.file_size > RATIO_FROM_SIZE and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1):
        raise _refuse(
            f"Filen ”{name}” är packad orimligt hårt (mer än {MAX_ZIP_RATIO}:1) och kan inte tas emot "
            "(misstänkt zip-bomb)."
        )
    if entry.flag_bits & 0x1:
        raise _refuse(f"Filen ”{name}” är krypterad eller lösenordsskyddad och kan inte tas emot.")
    if _MACRO_RE.search(path):
        raise _refuse(f"Filen ”{name}” innehåller makron och kan inte tas emot. Spara den utan makron och försök igen.")
    if entry.is_dir():
        return
    nested = path.lower().endswith(_ARCHIVE_EXTENSIONS)
    if not nested and entry.file_size:
        with archive.open(entry) as fh:
            nested = fh.read(8).startswith(_ARCHIVE_MAGIC)
    if nested and nesting_allowed and _EMBEDDED_RE.match(path):
        _check_embedded(archive, entry, name)
    elif nested:
        raise _refuse(f"Filen ”{name}” innehåller ett annat arkiv (”{_shown(path)}”). Arkiv i arkiv tas inte emot.")


def _check_embedded(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> None:
    """Check an embedded Office document by the container's rules, with nothing nested further."""
    with zipfile.ZipFile(io.BytesIO(archive.read(entry))) as inner:
        entries = inner.infolist()
        _check_zip_entries(inner, entries, name, nesting_allowed=False)
        found = _office_type(inner, entries)
        if found is None:
            raise _refuse(
                f"Filen ”{name}” innehåller ett inbäddat objekt (”{_shown(entry.filename)}”) "
                "som inte är ett Office-dokument."
            )
        _check_active_content(inner, entries, found, name)


def _check_active_content(
    archive: zipfile.ZipFile,
    entries: list[zipfile.ZipInfo],
    found: str | None,
    name: str,
    *,
    strip_templates: bool = False,
) -> None:
    """Refuse an Office document that would fetch or run something when it is converted (see active_content);
    an embedded one is checked without ``strip_templates``: normalise does not rewrite it."""
    if found in (DOCX, XLSX):
        check_ooxml(archive, entries, name, strip_templates=strip_templates)
    elif found in (ODT, ODS):
        check_odf(archive, entries, name, strip_templates=strip_templates)


def _office_type(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> str | None:
    names = {e.filename for e in entries}
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        return None
    first = entries[0] if entries else None
    if first is not None and first.filename == "mimetype" and first.file_size <= 100:
        declared = archive.read(first).strip()
        return {ODT.encode(): ODT, ODS.encode(): ODS}.get(declared)
    return None
