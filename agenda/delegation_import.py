"""Delegated decisions imported from a CSV or Excel (.xlsx) file: every row checked, all or nothing.

Each row goes through ``agenda.operations.register_delegation_decision`` (the same checks as the form); a row
that fails, names a diarienummer the committee's diarium does not have, or repeats a decision (in the file or
already registered) refuses the whole import, each problem named by line and column in Swedish. The caller
rolls back on ``ImportRefused`` and commits otherwise; an import leaves an audit row of its own besides each
decision's.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import PurePosixPath

from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select

from agenda.models import DelegationDecision
from agenda.operations import register_delegation_decision
from app import audit
from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee
from app.registry.import_files import ImportRefused, Problem, Source, read_csv, refuse, table_source
from app.registry.models import Case
from app.validation import ValidationError
from workflows.sniffing import sniff

#: the file's columns (any case) and their keys
COLUMNS = {
    "beslutsdatum": "decided_on",
    "beslutsfattare": "decision_maker",
    "delegationspunkt": "delegation_point",
    "diarienummer": "case_number",
    "beslut": "summary",
}
REQUIRED = ("decided_on", "decision_maker", "delegation_point", "summary")
#: the largest file and the most rows one import takes
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
_OLE = b"\xd0\xcf\x11\xe0"
TEMPLATE = (
    "\ufeffBeslutsdatum;Beslutsfattare;Delegationspunkt;Diarienummer;Beslut\r\n"
    "2024-11-20;Eva Strand, socialdirektör;3.1.2;;Beslut om förlängt uppdrag som kontaktperson.\r\n"
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> Source:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise refuse("Excel-filen är skadad och kan inte läsas.") from None
    try:
        rows = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows or not any(rows[0]):
        raise refuse("Filen är tom.")
    header = rows[0]
    while header and not header[-1]:
        header = header[:-1]
    width = len(header)
    numbered = []
    for line, row in enumerate(rows[1:], start=2):
        cut = row[:width] + [""] * (width - len(row))
        numbered.append((line, cut if not any(row[width:]) else row))
    return table_source(header, numbered, COLUMNS, required=REQUIRED, max_rows=MAX_ROWS, encoding="XLSX")


def read_file(data: bytes, filename: str) -> Source:
    """The rows of an uploaded file, its type read from its content (never from its name alone)."""
    if len(data) > MAX_BYTES:
        raise refuse(f"Filen är för stor (högst {MAX_BYTES // (1024 * 1024)} MB).")
    if not data:
        raise refuse("Filen är tom.")
    if data.startswith(_OLE):
        raise refuse("Filen är en äldre Excel-fil (.xls). Spara den som Excel-arbetsbok (.xlsx) eller CSV.")
    if data.startswith(b"PK\x03\x04"):
        try:
            sniff(data, PurePosixPath(filename.replace("\\", "/")).stem + ".xlsx")
        except ValidationError as exc:
            raise refuse(next(iter(exc.errors.values()))) from None
        return _read_xlsx(data)
    return read_csv(data, COLUMNS, required=REQUIRED, max_rows=MAX_ROWS)


def import_decisions(committee: Committee, source: Source, *, user: User) -> list[DelegationDecision]:
    """Register every row as a delegated decision of ``committee``, or refuse them all (``ImportRefused``)."""
    problems = list(source.problems)
    cases = {
        number.casefold(): case
        for number, case in db.session.execute(select(Case.number, Case).where(Case.committee_id == committee.id))
    }
    seen: dict[tuple[date, str, str, str], int] = {}
    #: the decisions registered before this import (a duplicate of one of them is refused)
    before = db.session.scalar(select(func.coalesce(func.max(DelegationDecision.id), 0))) or 0
    imported = []
    for row in source.rows:
        values = row.values
        number = values.get("case_number", "").strip()
        case = cases.get(number.casefold()) if number else None
        if number and case is None:
            problems.append(
                Problem(
                    row.line, source.label("case_number"), f"ärendet ”{number[:80]}” finns inte i nämndens diarium."
                )
            )
            continue
        try:
            decision = register_delegation_decision(
                committee,
                user=user,
                decided_on=values.get("decided_on", "").strip(),
                decision_maker=values.get("decision_maker"),
                delegation_point=values.get("delegation_point"),
                summary=values.get("summary"),
                case=case,
            )
        except ValidationError as exc:
            for key, message in exc.errors.items():
                problems.append(Problem(row.line, source.label({"case": "case_number"}.get(key, key)), message))
            continue
        identity = (decision.decided_on, decision.decision_maker, decision.delegation_point, decision.summary)
        if identity in seen:
            problems.append(Problem(row.line, "", f"samma beslut står redan på rad {seen[identity]}."))
        seen[identity] = row.line
        already = db.session.scalar(
            select(DelegationDecision.id)
            .where(
                DelegationDecision.committee_id == committee.id,
                DelegationDecision.id <= before,
                DelegationDecision.decided_on == decision.decided_on,
                DelegationDecision.decision_maker == decision.decision_maker,
                DelegationDecision.delegation_point == decision.delegation_point,
                DelegationDecision.summary == decision.summary,
            )
            .limit(1)
        )
        if already is not None:
            problems.append(Problem(row.line, "", "beslutet är redan registrerat."))
        imported.append(decision)
    if not source.rows and not problems:
        problems.append(Problem(0, "", "Filen har inga rader med beslut."))
    if problems:
        raise ImportRefused(problems)
    audit.record(
        "delegation.imported",
        committee,
        f"{user.name} importerade {len(imported)} delegationsbeslut till {committee.name} från en fil.",
        user=user,
        committee_id=committee.id,
        after={"decision_ids": [decision.id for decision in imported]},
    )
    return imported
