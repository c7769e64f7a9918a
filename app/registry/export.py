"""Diarium extracts (diarieutdrag) as CSV: a pure function from rows to bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from app.registry.models import Case

COLUMNS = [
    "Diarienummer",
    "Ärendemening",
    "Klassificering",
    "Registrerat",
    "Avslutat",
    "Status",
    "Handläggare",
    "Extern referens",
    "Sekretess",
]


def case_row(case: Case) -> list[str]:
    """One CSV row for a case (the caller decides whether the user may see it)."""
    return [
        case.number,
        case.title,
        f"{case.classification.code} {case.classification.name}" if case.classification else "",
        case.registered_on.isoformat(),
        case.closed_on.isoformat() if case.closed_on else "",
        case.status.label,
        case.case_officer.name if case.case_officer else "",
        case.external_reference or "",
        (case.secrecy_provision or "") if case.is_confidential else "",
    ]


def registry_csv(rows: Iterable[list[str]]) -> bytes:
    """Return the rows as CSV for Swedish Excel: UTF-8 with BOM, semicolons, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        # A leading =, +, - or @ would make Excel run the cell as a formula.
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
