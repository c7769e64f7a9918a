"""Taking over an existing diarium: its cases with the numbers, dates, officers and statuses they already have.

All or nothing: every row is checked before anything is written, and a file with one bad row imports nothing;
the refusal (``ImportRefused``) names each bad line and column in Swedish. The rows go in with one bulk INSERT
inside the caller's transaction, and each (diarium, year) counter is raised to the highest imported serial, so
the next registration gets the number after it. The counters are raised *before* the last check against the
cases already in the diarium: a registration running meanwhile either took its serial before (the check then
sees its case) or waits for the import's transaction and gets a serial above every imported one.

Which number a row keeps (documented in README, "Ta över ett befintligt diarium"):

- a number in the diarium's format, with its series code, is read by the format (year, serial and
  classification from the number) and stored as the format writes it;
- any other number (an older format, another series code) is kept exactly as written, and the row must then give
  ``år`` and ``löpnummer``: the serial it takes in the diarium's series of that year.

(diarium, year, serial) and the number itself are unique: a duplicate in the file or against the diarium
refuses the import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, insert, select

from app import audit
from app.auth.models import CommitteeRole, MunicipalityRole, User
from app.clock import local_today
from app.db_types import utcnow
from app.extensions import db
from app.organisation.models import Committee
from app.registry.import_files import MAX_ERRORS, ImportRefused, Problem, Source, SourceRow, json_rows, read_csv
from app.registry.models import Case, CaseStatus, ClassificationCode, Diarium
from app.registry.numbering import RegistrationNumber, number_format
from app.registry.operations import TITLE_MAX, reserve_serial
from app.validation import ValidationError

#: the CSV's columns (any case) and their keys; the API's JSON rows use the keys
CASE_COLUMNS: dict[str, str] = {
    "diarienummer": "number",
    "år": "year",
    "löpnummer": "serial",
    "ärendemening": "title",
    "registreringsdatum": "registered_on",
    "nämnd": "committee",
    "handläggare": "case_officer",
    "status": "status",
    "avslutad": "closed_on",
    "klassificering": "classification",
    "sekretess": "is_confidential",
    "sekretessbestämmelse": "secrecy_provision",
    "offentlig titel": "public_title",
    "extern referens": "external_reference",
}
CASE_KEYS = list(CASE_COLUMNS.values())
REQUIRED_COLUMNS = ("number", "title", "registered_on")

_STATUS = {
    "": CaseStatus.open,
    "pågående": CaseStatus.open,
    "öppet": CaseStatus.open,
    "öppen": CaseStatus.open,
    "open": CaseStatus.open,
    "avslutat": CaseStatus.closed,
    "avslutad": CaseStatus.closed,
    "closed": CaseStatus.closed,
    "makulerat": CaseStatus.voided,
    "makulerad": CaseStatus.voided,
    "voided": CaseStatus.voided,
}
_YES = {"ja", "j", "x", "true", "1", "sekretess"}
_NO = {"", "nej", "n", "false", "0"}
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INT = re.compile(r"^[0-9]{1,9}$")
_BAD_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
NUMBER_MAX = 80
VOID_REASON = "Makulerat i det tidigare diariet (överfört)."
#: the table the rows go into with one Core INSERT (executemany), not through the ORM's unit of work
_CASES: Table = Case.metadata.tables["cases"]
#: how many rows the check shows as a sample of what would be imported
SAMPLE_SIZE = 10


@dataclass
class CasePlan:
    """What an import would do: the rows ready to insert, or the problems; counts per year for the check page."""

    diarium: Diarium
    encoding: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: year → (rows, highest serial)
    years: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: the line of each row, in the order of ``rows``
    lines: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sample(self) -> list[dict[str, Any]]:
        return self.rows[:SAMPLE_SIZE]

    def next_numbers(self) -> dict[int, int]:
        """The serial the next registration of each imported year gets after the import (at least)."""
        return {year: highest + 1 for year, (_count, highest) in sorted(self.years.items())}

    def refusal(self) -> ImportRefused:
        return ImportRefused(self.problems, total=len(self.problems))


class _Lookups:
    """The diarium's committees, the municipality's classification codes and people, read once per import."""

    def __init__(self, diarium: Diarium):
        self.diarium = diarium
        municipality_id = diarium.municipality_id
        committees = list(db.session.scalars(select(Committee).where(Committee.municipality_id == municipality_id)))
        by_id = {c.id: c for c in committees}

        def registers_here(c: Committee) -> bool:
            owner = by_id.get(c.parent_id) if c.parent_id is not None else c
            return owner is not None and owner.diarium_id == diarium.id

        here = [c for c in committees if registers_here(c)]
        self.committees: dict[str, Committee] = {}
        for c in here:
            self.committees[c.registry_prefix.casefold()] = c
            self.committees[c.name.casefold()] = c
        main = [c for c in here if c.parent_id is None]
        self.default_committee = main[0] if len(main) == 1 else None
        self.committee_names = sorted(c.registry_prefix for c in here)
        self.codes = {
            code: code_id
            for code, code_id in db.session.execute(
                select(ClassificationCode.code, ClassificationCode.id).where(
                    ClassificationCode.municipality_id == municipality_id
                )
            )
        }
        committee_ids = [c.id for c in committees]
        people = db.session.scalars(
            select(User).where(
                User.id.in_(select(CommitteeRole.user_id).where(CommitteeRole.committee_id.in_(committee_ids)))
                | User.id.in_(
                    select(MunicipalityRole.user_id).where(MunicipalityRole.municipality_id == municipality_id)
                )
            )
        )
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int | None] = {}  # None: two people of that name
        for person in people:
            self.by_email[person.email.casefold()] = person.id
            key = " ".join(person.name.split()).casefold()
            self.by_name[key] = None if key in self.by_name else person.id


class _Row:
    """Checks one row, collecting its problems."""

    def __init__(self, row: SourceRow, source: Source, problems: list[Problem]):
        self.line = row.line
        self.values = row.values
        self.source = source
        self.problems = problems
        self.failed = False

    def text(self, key: str) -> str:
        return self.values.get(key, "").strip()

    def fail(self, key: str, message: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.line, self.source.label(key), message))

    def clean(self, key: str, label: str, max_length: int, *, required: bool = False) -> str | None:
        value = " ".join(self.values.get(key, "").split())
        if _BAD_CHARACTERS.search(value):
            self.fail(key, f"{label} innehåller otillåtna tecken.")
        elif required and not value:
            self.fail(key, f"{label} måste fyllas i.")
        elif len(value) > max_length:
            self.fail(key, f"{label} får vara högst {max_length} tecken (nu {len(value)}).")
        else:
            return value or None
        return None

    def day(self, key: str, label: str, *, required: bool = False) -> date | None:
        value = self.text(key)
        if not value:
            if required:
                self.fail(key, f"{label} måste fyllas i (ÅÅÅÅ-MM-DD).")
            return None
        try:
            if _ISO_DATE.match(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.fail(key, f"”{value[:30]}” är inte ett datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2019-03-14.")
        return None

    def whole(self, key: str, label: str, low: int, high: int) -> int | None:
        value = self.text(key)
        if not value:
            return None
        if not _INT.match(value) or not low <= int(value) <= high:
            self.fail(key, f"{label} ska vara ett heltal mellan {low} och {high}, inte ”{value[:20]}”.")
            return None
        return int(value)


def _check_row(row: _Row, lookups: _Lookups, today: date, now: datetime) -> dict[str, Any] | None:
    """The values of one case to insert, or None with the row's problems added."""
    diarium = lookups.diarium
    fmt = number_format(diarium.number_format)
    number = row.clean("number", "Diarienumret", NUMBER_MAX, required=True)
    year = row.whole("year", "Året", 1900, 2199)
    serial = row.whole("serial", "Löpnumret", 1, 999_999_999)
    code = row.text("classification") or None
    if number is not None:
        parsed: RegistrationNumber | None
        try:
            parsed = fmt.parse(number, series=diarium.series)
        except ValidationError:  # not in the diarium's format
            parsed = None
        if parsed is not None and fmt.uses_series and parsed.prefix != diarium.series:
            parsed = None  # another series code: an older number, kept as written
        if parsed is not None:
            for key, given, read in (("year", year, parsed.year), ("serial", serial, parsed.serial)):
                if given is not None and given != read:
                    row.fail(key, f"{given} stämmer inte med diarienumret {number} ({read}).")
            if parsed.classification and code and code != parsed.classification:
                row.fail("classification", f"{code} stämmer inte med diarienumret {number} ({parsed.classification}).")
            year, serial, code = parsed.year, parsed.serial, parsed.classification or code
            number = fmt.format(RegistrationNumber(diarium.series, year, serial, parsed.classification))
        elif year is None or serial is None:
            row.fail(
                "number",
                f"”{number}” följer inte diariets format ({fmt.example(diarium.series)}); "
                "ett nummer i ett äldre format behålls som det är skrivet, och raden ska då ange år och löpnummer.",
            )
    classification_id = None
    if code is not None:
        classification_id = lookups.codes.get(code)
        if classification_id is None:
            row.fail("classification", f"Klassificeringen ”{code[:30]}” finns inte i klassificeringsstrukturen.")
    title = row.clean("title", "Ärendemening", TITLE_MAX, required=True)
    registered_on = row.day("registered_on", "Registreringsdatum", required=True)
    if registered_on is not None and registered_on > today:
        row.fail("registered_on", "Registreringsdatumet kan inte ligga i framtiden.")
    committee = lookups.default_committee
    committee_text = row.text("committee")
    if committee_text:
        committee = lookups.committees.get(committee_text.casefold())
        if committee is None:
            row.fail(
                "committee",
                f"”{committee_text[:40]}” registrerar inte i {diarium.name}; ange en av "
                + ", ".join(lookups.committee_names)
                + ".",
            )
    elif committee is None:
        row.fail("committee", "Ange nämnden (diariet används av flera): " + ", ".join(lookups.committee_names) + ".")
    officer_id = None
    officer_text = " ".join(row.text("case_officer").split())
    if officer_text:
        if "@" in officer_text:
            officer_id = lookups.by_email.get(officer_text.casefold())
        else:
            officer_id = lookups.by_name.get(officer_text.casefold())
            if officer_text.casefold() in lookups.by_name and officer_id is None:
                row.fail("case_officer", f"Flera användare heter {officer_text[:60]}; ange e-postadressen.")
                officer_id = -1
        if officer_id is None:
            row.fail(
                "case_officer",
                f"”{officer_text[:60]}” är ingen användare med roll i kommunen; ange e-post eller namn på en "
                "användare, eller lämna fältet tomt.",
            )
    status = _STATUS.get(row.text("status").casefold())
    if status is None:
        row.fail("status", f"”{row.text('status')[:20]}” är ingen status; skriv pågående, avslutat eller makulerat.")
    closed_on = row.day("closed_on", "Avslutad")
    if closed_on is not None and status is not CaseStatus.closed:
        row.fail("closed_on", "Bara ett avslutat ärende har ett avslutsdatum.")
    if closed_on is not None and registered_on is not None and closed_on < registered_on:
        row.fail("closed_on", "Ärendet kan inte avslutas före registreringsdatumet.")
    secret_text = row.text("is_confidential").casefold()
    is_confidential = secret_text in _YES
    if not is_confidential and secret_text not in _NO:
        row.fail("is_confidential", f"Skriv ja eller nej, inte ”{secret_text[:20]}”.")
    provision = row.clean("secrecy_provision", "Sekretessbestämmelse", 200)
    public_title = row.clean("public_title", "Offentlig titel", TITLE_MAX)
    if is_confidential and not provision:
        row.fail("secrecy_provision", "Ange sekretessbestämmelsen (t.ex. 26 kap. 1 § OSL) för ett sekretessärende.")
    reference = row.clean("external_reference", "Extern referens", 100)
    if row.failed or number is None or year is None or serial is None or title is None or committee is None:
        return None
    searchable = [number, title, public_title or "", reference or ""]
    return {
        "committee_id": committee.id,
        "diarium_id": diarium.id,
        "series": diarium.series,
        "year": year,
        "serial": serial,
        "classification_id": classification_id,
        "number": number,
        "title": title,
        "public_title": public_title if is_confidential else None,
        "status": status,
        "registered_on": registered_on,
        "closed_on": closed_on,
        "case_officer_id": officer_id,
        "external_reference": reference,
        "is_confidential": is_confidential,
        "secrecy_provision": provision if is_confidential else None,
        "secrecy_decided_on": registered_on if is_confidential else None,
        "secrecy_decided_by_id": None,
        "void_reason": VOID_REASON if status is CaseStatus.voided else None,
        "search_text": " ".join(p for p in searchable if p).casefold(),
        "last_document_number": 0,
        "created_dt": now,
        "created_by_id": None,
    }


def _existing_clashes(plan: CasePlan) -> list[Problem]:
    """The rows whose number, or year and serial, the diarium already has."""
    if not plan.rows:
        return []
    taken_serials: set[tuple[int, int]] = set()
    taken_numbers: set[str] = set()
    for year, serial, number in db.session.execute(
        select(Case.year, Case.serial, Case.number).where(Case.diarium_id == plan.diarium.id)
    ):
        taken_serials.add((year, serial))
        taken_numbers.add(number.casefold())
    problems = []
    label = "diarienummer"
    for line, row in zip(plan.lines, plan.rows):
        if (row["year"], row["serial"]) in taken_serials or row["number"].casefold() in taken_numbers:
            what = (
                f"{row['number']} finns redan i {plan.diarium.name}"
                if row["number"].casefold() in taken_numbers
                else f"löpnummer {row['serial']} år {row['year']} är redan taget i {plan.diarium.name}"
            )
            problems.append(Problem(line, label, what + "."))
    return problems


def check_cases(diarium: Diarium, source: Source) -> CasePlan:
    """Check every row of an import into ``diarium``: nothing is written. The plan holds rows or problems."""
    plan = CasePlan(diarium, source.encoding, problems=list(source.problems))
    if not source.rows and not plan.problems:
        plan.problems.append(Problem(0, "", "Filen har inga rader att importera."))
    lookups = _Lookups(diarium)
    today, now = local_today(), utcnow()
    seen_serials: dict[tuple[int, int], int] = {}
    seen_numbers: dict[str, int] = {}
    for source_row in source.rows:
        row = _Row(source_row, source, plan.problems)
        values = _check_row(row, lookups, today, now)
        if values is None:
            continue
        key, text = (values["year"], values["serial"]), values["number"].casefold()
        first = seen_numbers.get(text) or seen_serials.get(key)
        if first is not None:
            row.fail(
                "number",
                f"{values['number']} finns redan på rad {first}."
                if text in seen_numbers
                else f"löpnummer {key[1]} år {key[0]} finns redan på rad {first}.",
            )
            continue
        seen_serials[key] = seen_numbers[text] = row.line
        plan.rows.append(values)
        plan.lines.append(row.line)
        count, highest = plan.years.get(values["year"], (0, 0))
        plan.years[values["year"]] = (count + 1, max(highest, values["serial"]))
    if not plan.problems:
        plan.problems.extend(_existing_clashes(plan))
    plan.problems.sort(key=lambda p: p.line)
    return plan


@dataclass(frozen=True)
class CaseImport:
    """What an import did: how many cases, per year, and the counters after it."""

    diarium: Diarium
    count: int
    years: dict[int, tuple[int, int]]
    #: the checked rows, as inserted
    plan: CasePlan


def import_cases(diarium: Diarium, source: Source, *, user: User | None, source_name: str) -> CaseImport:
    """Import the rows into ``diarium``, all or none; raise ``ImportRefused`` naming every bad line.

    Raises the counters first (taking their rows' locks until the transaction ends), then checks against the
    diarium's cases, then inserts in bulk and writes one audit row with the counts. Never commits.
    """
    plan = check_cases(diarium, source)
    if not plan.ok:
        raise plan.refusal()
    for year, (_count, highest) in sorted(plan.years.items()):
        reserve_serial(diarium, year, highest)
    clashes = _existing_clashes(plan)  # a registration committed while the rows were checked
    if clashes:
        raise ImportRefused(clashes)
    db.session.execute(insert(_CASES), plan.rows)
    per_year = {str(year): count for year, (count, _highest) in sorted(plan.years.items())}
    audit.record(
        "diarium.imported",
        diarium,
        f"{len(plan.rows)} ärenden överförda till {diarium.name} från {source_name[:100]} "
        f"({', '.join(f'{y}: {n}' for y, n in per_year.items())}).",
        user=user,
        after={
            "cases": len(plan.rows),
            "per_year": per_year,
            "highest_serial": {str(y): h for y, (_c, h) in sorted(plan.years.items())},
            "source": source_name[:200],
            "encoding": source.encoding,
        },
    )
    db.session.flush()
    return CaseImport(diarium, len(plan.rows), dict(plan.years), plan)


def read_case_csv(data: bytes) -> Source:
    return read_csv(data, CASE_COLUMNS, required=REQUIRED_COLUMNS)


def read_case_rows(items: object) -> Source:
    return json_rows(items, CASE_KEYS)


def first_problems(plan_or_refusal: CasePlan | ImportRefused) -> list[str]:
    """The problems as the pages list them (at most MAX_ERRORS)."""
    problems = plan_or_refusal.problems
    return [str(p) for p in problems[:MAX_ERRORS]]
