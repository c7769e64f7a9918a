"""Reading the files of an import: text in UTF-8 or Windows-1252, CSV with named columns, JSON rows.

Pure functions without a database. A row is read into text values by key, each remembered with the line it
stood on and the name the file gave its column, so that an error can say "Rad 12, registreringsdatum: …".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from app.validation import ValidationError

#: the largest file an import reads (a diarium of 200,000 cases is about 40 MB)
MAX_BYTES = 64 * 1024 * 1024
#: the most rows one import takes
MAX_ROWS = 250_000
#: the most errors an answer lists (the count says how many there were)
MAX_ERRORS = 100

#: characters no text of a diarium holds: a file with them is no text file
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Problem:
    """One error of an import: the line (row) and the column it concerns, in Swedish."""

    line: int
    column: str
    message: str

    @property
    def key(self) -> str:
        """The name of the error in an API answer's ``fields``: "12:registreringsdatum", or "file" for the file."""
        if not self.line:
            return self.column or "file"
        return f"{self.line}:{self.column}" if self.column else str(self.line)

    def __str__(self) -> str:
        where = f"Rad {self.line}" if self.line else "Filen"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class ImportRefused(ValidationError):
    """An import that takes nothing: its problems, each naming the line and the column."""

    def __init__(self, problems: Sequence[Problem], *, total: int | None = None):
        self.problems = list(problems)[:MAX_ERRORS]
        self.total = total if total is not None else len(problems)
        super().__init__({p.key: str(p) for p in self.problems} or {"file": "Inget att importera."})

    @property
    def message(self) -> str:
        count = f"{self.total} fel" if self.total != 1 else "ett fel"
        shown = "; ".join(str(p) for p in self.problems[:3])
        more = f" (och {self.total - 3} till)" if self.total > 3 else ""
        return f"Inget importerades: {count}. {shown}{more}"


def refuse(message: str, *, column: str = "") -> ImportRefused:
    """A refusal of the file as a whole (line 0)."""
    return ImportRefused([Problem(0, column, message)])


@dataclass
class SourceRow:
    """One row of an import: its line, and its values as text by key."""

    line: int
    values: dict[str, str]


@dataclass
class Source:
    """The rows of a file or a JSON list, with the name each key had in it (for the errors)."""

    rows: list[SourceRow]
    labels: dict[str, str]
    #: how the file was read: "UTF-8", "Windows-1252", or "JSON"
    encoding: str
    #: problems found while reading (an unknown column, a row of the wrong length …)
    problems: list[Problem] = field(default_factory=list)

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) of an uploaded text file: UTF-8 with or without BOM, else Windows-1252.

    UTF-8 is read strictly; what is not UTF-8 is read as Windows-1252 (as Excel saves "CSV" on a Swedish
    Windows) if that gives text without control characters. Anything else is refused in Swedish.
    """
    if data.startswith(_UTF16_BOMS):
        raise refuse("Filen är sparad som UTF-16. Spara den som CSV (UTF-8) och försök igen.")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text, encoding = data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, encoding = "", ""
    if not encoding or _CONTROL.search(text):
        raise refuse(
            "Filen är inte en textfil i UTF-8 eller Windows-1252 (den innehåller tecken som inte är text). "
            "Spara den som CSV (UTF-8) och försök igen."
        )
    return text, encoding


def _normal(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


def _delimiter(header: str) -> str:
    """The separator of a CSV file, read from its first line: semicolon (Swedish Excel), comma or tab."""
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ";"


def read_csv(
    data: bytes, columns: Mapping[str, str], *, required: Sequence[str] = (), max_rows: int = MAX_ROWS
) -> Source:
    """Read a CSV file whose first line names its columns; ``columns`` maps a name (any case) to its key.

    Refuses (``ImportRefused``) a file that is not text or has no known header; an unknown column or a row of
    the wrong length is a problem of the source.
    """
    if len(data) > MAX_BYTES:
        raise refuse(f"Filen är för stor (högst {MAX_BYTES // (1024 * 1024)} MB).")
    text, encoding = decode(data)
    lines = text.splitlines(keepends=True)
    if not any(line.strip() for line in lines):
        raise refuse("Filen är tom.")
    reader = csv.reader(iter(lines), delimiter=_delimiter(lines[0]), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise refuse(f"Första raden går inte att läsa som CSV ({exc}).") from None
    unreadable: list[Problem] = []

    def numbered() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num
        try:
            for values in reader:
                start, line = line + 1, reader.line_num
                yield start, values
        except csv.Error as exc:
            unreadable.append(Problem(line + 1, "", f"raden går inte att läsa som CSV ({exc})."))

    source = table_source(header, numbered(), columns, required=required, max_rows=max_rows, encoding=encoding)
    source.problems.extend(unreadable)
    return source


def table_source(
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    columns: Mapping[str, str],
    *,
    required: Sequence[str] = (),
    max_rows: int = MAX_ROWS,
    encoding: str,
) -> Source:
    """The rows of a table whose first line (``header``) names its columns; each row comes with its line.

    ``columns`` maps a name (any case) to its key. Refuses (``ImportRefused``) a table without a known header; an
    unknown column or a row of the wrong length is a problem of the source.
    """
    known = {_normal(name): key for name, key in columns.items()}
    problems: list[Problem] = []
    keys: list[str | None] = []
    labels: dict[str, str] = {}
    for name in header:
        key = known.get(_normal(name))
        if key is None and name.strip():
            problems.append(
                Problem(1, name.strip()[:40], "okänd kolumn; kolumnerna är " + ", ".join(sorted(columns)) + ".")
            )
        elif key is not None and key in labels:
            problems.append(Problem(1, name.strip()[:40], "kolumnen finns två gånger."))
        elif key is not None:
            labels[key] = name.strip()
        keys.append(key)
    by_key = {key: name for name, key in columns.items()}
    missing = [by_key[key] for key in required if key not in labels]
    if missing:
        if not labels:
            raise refuse("Första raden ska namnge kolumnerna (t.ex. " + ", ".join(by_key[k] for k in required) + ").")
        problems.extend(Problem(1, name, "kolumnen saknas.") for name in missing)
    found: list[SourceRow] = []
    width = len(header)
    for start, values in rows:
        if not any(v.strip() for v in values):
            continue  # an empty line (Excel writes ";;;;" for one)
        if len(found) >= max_rows:
            raise refuse(f"Filen har för många rader (högst {max_rows:,}).".replace(",", " "))
        if len(values) != width:
            problems.append(
                Problem(start, "", f"raden har {len(values)} fält men rubrikraden {width}; kontrollera avgränsarna.")
            )
            continue
        found.append(SourceRow(start, {k: v for k, v in zip(keys, values) if k is not None}))
    # a column the file lacks is named as the documentation names it
    return Source(found, {**by_key, **labels}, encoding, problems)


def _as_text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int | str):
        return str(value)
    return None


def json_rows(items: object, keys: Iterator[str] | Sequence[str], *, max_rows: int = MAX_ROWS) -> Source:
    """Read a JSON list of objects (an API's rows): row n is "rad n"; its values become text."""
    allowed = list(keys)
    if not isinstance(items, list):
        raise refuse("Raderna ska vara en lista av objekt.", column="rows")
    if not items:
        raise refuse("Listan med rader är tom.", column="rows")
    if len(items) > max_rows:
        raise refuse(f"För många rader (högst {max_rows}).", column="rows")
    rows: list[SourceRow] = []
    problems: list[Problem] = []
    for line, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(line, "", "raden måste vara ett JSON-objekt."))
            continue
        values: dict[str, str] = {}
        for key, value in item.items():
            text = _as_text(value)
            if key not in allowed:
                problems.append(Problem(line, str(key)[:40], "okänt fält; tillåtna: " + ", ".join(allowed) + "."))
            elif text is None:
                problems.append(Problem(line, key, "måste vara text, ett tal eller true/false."))
            else:
                values[key] = text
        rows.append(SourceRow(line, values))
    return Source(rows, {k: k for k in allowed}, "JSON", problems)
