"""Operations on the diarium: validate, change, audit. They flush but never commit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import audit
from app.auth.models import Role, User
from app.clock import local_today
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.registry.diaria import diarium_of
from app.registry.models import (
    Case,
    CaseStatus,
    ClassificationCode,
    Diarium,
    Direction,
    RegisteredDocument,
    RegistrationCounter,
)
from app.registry.numbering import RegistrationNumber, number_format
from app.validation import ConflictError, ValidationError, clean_text

TITLE_MAX = 500
CLASS_CODE_RE = re.compile(r"^\d{1,6}(?:\.\d{1,6}){0,4}$")


#: an INSERT with ON CONFLICT for the counter table, in the session's dialect
CounterInsert = Callable[[type[RegistrationCounter]], SQLiteInsert | PostgresInsert]
_T = TypeVar("_T")


def _insert_for_dialect() -> CounterInsert:
    name = db.session.get_bind().dialect.name
    inserts: dict[str, CounterInsert] = {"sqlite": sqlite_insert, "postgresql": pg_insert}
    try:
        return inserts[name]
    except KeyError:
        raise RuntimeError(f"registration counters are not implemented for {name}") from None


def allocate_serial(diarium: Diarium, year: int) -> int:
    """Take the next serial in (diarium, year) inside the current transaction.

    The counter row is created if missing, then incremented with UPDATE … RETURNING: the
    row stays locked until the transaction ends, so concurrent registrations queue behind
    it; a rollback gives the number back, so committed cases have no gaps.
    """
    insert = _insert_for_dialect()
    db.session.execute(
        insert(RegistrationCounter)
        .values(diarium_id=diarium.id, year=year, last_serial=0)
        .on_conflict_do_nothing(index_elements=["diarium_id", "year"])
    )
    return db.session.execute(
        update(RegistrationCounter)
        .where(RegistrationCounter.diarium_id == diarium.id, RegistrationCounter.year == year)
        .values(last_serial=RegistrationCounter.last_serial + 1)
        .returning(RegistrationCounter.last_serial)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def reserve_serial(diarium: Diarium, year: int, serial: int) -> None:
    """Make sure the counter is at least ``serial`` (for numbers imported from an older diarium)."""
    insert = _insert_for_dialect()
    db.session.execute(
        insert(RegistrationCounter)
        .values(diarium_id=diarium.id, year=year, last_serial=serial)
        .on_conflict_do_update(
            index_elements=["diarium_id", "year"],
            set_={"last_serial": func.max(RegistrationCounter.last_serial, serial)}
            if db.session.get_bind().dialect.name == "sqlite"
            else {"last_serial": func.greatest(RegistrationCounter.last_serial, serial)},
        )
    )


def find_classification(
    municipality: Municipality, code: str | None, *, field: str = "classification_code"
) -> ClassificationCode:
    code = (code or "").strip() if isinstance(code, str) else code
    if not code or not isinstance(code, str):
        raise ValidationError({field: "Välj en klassificering ur klassificeringsstrukturen."})
    found = db.session.scalar(
        select(ClassificationCode).where(
            ClassificationCode.municipality_id == municipality.id, ClassificationCode.code == code
        )
    )
    if found is None:
        raise ValidationError({field: f"Klassificeringen ”{code[:30]}” finns inte i klassificeringsstrukturen."})
    if not found.is_active:
        raise ValidationError({field: f"Klassificeringen {found.code} {found.name} används inte längre."})
    return found


def _classification(municipality: Municipality, code: object, *, required: bool) -> ClassificationCode | None:
    """The chosen code, required when the diarium's format writes one; without {class} it may be left out."""
    if not required and (code is None or (isinstance(code, str) and not code.strip())):
        return None
    return find_classification(municipality, code if isinstance(code, str) else None)


def _check_case_officer(committee: Committee, officer: User | None, *, required: bool = True) -> None:
    if officer is None:
        if required:
            raise ValidationError({"case_officer_id": "Välj ansvarig handläggare."})
        return
    if not officer.is_active or Role.case_officer not in officer.roles_in(committee.id):
        # No name in the message: any user id can be tried, and names would leak.
        raise ValidationError({"case_officer_id": f"Den valda personen är inte handläggare i {committee.name}."})


def _confidentiality(is_confidential: bool, provision: object, public_title: object) -> tuple[str | None, str | None]:
    if not is_confidential:
        return None, None
    provision = clean_text(provision, field="secrecy_provision", label="Sekretessbestämmelse", max_length=200)
    public = clean_text(
        public_title, field="public_title", label="Offentlig rubrik", max_length=TITLE_MAX, required=False
    )
    return provision, public or None


def _attempt(errors: dict[str, str], check: Callable[[], _T]) -> _T | None:
    """``check()``, or None with its refusal's messages added to ``errors`` (to refuse with them all at once)."""
    try:
        return check()
    except ValidationError as exc:
        errors.update(exc.errors)
        return None


def _external_reference(value: object) -> str | None:
    ref = clean_text(value, field="external_reference", label="Extern referens", max_length=100, required=False)
    return ref or None


def register_case(
    *,
    committee: Committee,
    user: User,
    title: object,
    classification_code: str | None,
    case_officer: User | None,
    is_confidential: bool = False,
    secrecy_provision: object = None,
    public_title: object = None,
    external_reference: object = None,
) -> Case:
    """Register a new case and give it the next diarienummer of the committee's diarium.

    A classification code is required when the diarium's format writes one ({class}), optional otherwise.
    """
    errors: dict[str, str] = {}
    municipality = committee.municipality
    diarium = diarium_of(committee)
    fmt = number_format(diarium.number_format)
    clean_title = _attempt(errors, lambda: clean_text(title, field="title", label="Ärendemening", max_length=TITLE_MAX))
    classification = _attempt(
        errors, lambda: _classification(municipality, classification_code, required=fmt.uses_class)
    )
    _attempt(errors, lambda: _check_case_officer(committee, case_officer))
    confidentiality = _attempt(errors, lambda: _confidentiality(is_confidential, secrecy_provision, public_title))
    reference = _attempt(errors, lambda: _external_reference(external_reference))
    if errors or clean_title is None or confidentiality is None:  # None: an error above
        raise ValidationError(errors)

    today = local_today()
    provision, public = confidentiality
    return number_case(
        committee,
        year=today.year,
        classification=classification,
        user=user,
        summary="Ärende {number} registrerat.",
        title=clean_title,
        public_title=public,
        registered_on=today,
        case_officer=case_officer,
        external_reference=reference,
        is_confidential=bool(is_confidential),
        secrecy_provision=provision,
        secrecy_decided_on=today if is_confidential else None,
        secrecy_decided_by=user if is_confidential else None,
    )


def number_case(
    committee: Committee,
    *,
    year: int,
    classification: ClassificationCode | None,
    user: User | None,
    summary: str,
    **fields: object,
) -> Case:
    """Add a checked case with the next serial of its committee's diarium in ``year`` and audit it (``summary``
    with ``{number}`` for the diarienummer)."""
    diarium = diarium_of(committee)
    serial = allocate_serial(diarium, year)
    code = classification.code if classification else None
    number = number_format(diarium.number_format).format(RegistrationNumber(diarium.series, year, serial, code))
    case = Case(
        committee=committee,
        diarium=diarium,
        series=diarium.series,
        year=year,
        serial=serial,
        classification=classification,
        number=number,
        status=CaseStatus.open,
        created_by=user,
        **fields,
    )
    case.refresh_search_text()
    db.session.add(case)
    db.session.flush()
    audit.record(
        "case.registered",
        case,
        summary.format(number=number),
        user=user,
        committee_id=committee.id,
        case_id=case.id,
        after=case_snapshot(case),
    )
    return case


def import_case(
    *,
    committee: Committee,
    user: User | None,
    number: str,
    title: str,
    case_officer: User | None,
    registered_on: date,
    is_confidential: bool = False,
    secrecy_provision: str | None = None,
    public_title: str | None = None,
    external_reference: str | None = None,
) -> Case:
    """Take over a case with its existing diarienummer (from an older diarium, or the demo)."""
    municipality = committee.municipality
    diarium = diarium_of(committee)
    fmt = number_format(diarium.number_format)
    parts = fmt.parse(number, series=diarium.series)
    if fmt.uses_series and parts.prefix != diarium.series:
        raise ValidationError({"diarienummer": f"{number} hör inte till serien {diarium.series}."})
    classification = _classification(municipality, parts.classification, required=fmt.uses_class)
    canonical = fmt.format(RegistrationNumber(diarium.series, parts.year, parts.serial, parts.classification))
    taken = db.session.scalar(
        select(Case.id).where(Case.diarium_id == diarium.id, Case.year == parts.year, Case.serial == parts.serial)
    )
    if taken:
        raise ConflictError(f"Diarienumret {canonical} är redan registrerat.")
    _check_case_officer(committee, case_officer, required=False)
    provision, public = _confidentiality(is_confidential, secrecy_provision, public_title)
    reserve_serial(diarium, parts.year, parts.serial)
    case = Case(
        committee=committee,
        diarium=diarium,
        series=diarium.series,
        year=parts.year,
        serial=parts.serial,
        classification=classification,
        number=canonical,
        title=clean_text(title, field="title", label="Ärendemening", max_length=TITLE_MAX),
        public_title=public,
        status=CaseStatus.open,
        registered_on=registered_on,
        case_officer=case_officer,
        external_reference=_external_reference(external_reference),
        is_confidential=is_confidential,
        secrecy_provision=provision,
        secrecy_decided_on=registered_on if is_confidential else None,
        created_by=user,
    )
    case.refresh_search_text()
    db.session.add(case)
    db.session.flush()
    audit.record(
        "case.imported",
        case,
        f"Ärende {canonical} överfört med befintligt diarienummer.",
        user=user,
        committee_id=committee.id,
        case_id=case.id,
        after=case_snapshot(case),
    )
    return case


def case_snapshot(case: Case) -> dict[str, str | int | bool | None]:
    """The fields of a case that the audit log records before and after a change."""
    return {
        "number": case.number,
        "title": case.title,
        "public_title": case.public_title,
        "status": case.status.value if case.status else None,
        "classification": case.classification.code if case.classification else None,
        "case_officer_id": case.case_officer_id,
        "is_confidential": bool(case.is_confidential),
        "secrecy_provision": case.secrecy_provision,
        "external_reference": case.external_reference,
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "void_reason": case.void_reason,
    }


def _require_not_voided(case: Case) -> None:
    if case.status is CaseStatus.voided:
        raise ConflictError(f"Ärende {case.number} är makulerat och kan inte ändras.")


def update_case(
    case: Case,
    *,
    user: User,
    title: object = None,
    case_officer: User | None = None,
    external_reference: object = None,
) -> Case:
    """Correct a case's title, responsible officer or external reference."""
    _require_not_voided(case)
    before = case_snapshot(case)
    errors: dict[str, str] = {}
    try:
        new_title = clean_text(title, field="title", label="Ärendemening", max_length=TITLE_MAX)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        _check_case_officer(case.committee, case_officer)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        ref = _external_reference(external_reference)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    case.title = new_title
    case.case_officer = case_officer
    case.external_reference = ref
    case.refresh_search_text()
    db.session.flush()
    old, new = audit.changes(before, case_snapshot(case))
    if new:
        audit.record(
            "case.updated",
            case,
            f"Ärende {case.number} ändrat.",
            user=user,
            committee_id=case.committee_id,
            case_id=case.id,
            before=old,
            after=new,
        )
    return case


def set_confidentiality(
    case: Case, *, user: User, is_confidential: bool, secrecy_provision: object = None, public_title: object = None
) -> Case:
    """Mark a case confidential (with the OSL provision and a public title) or lift the marking."""
    _require_not_voided(case)
    before = case_snapshot(case)
    provision, public = _confidentiality(is_confidential, secrecy_provision, public_title)
    if (bool(is_confidential), provision, public) == (case.is_confidential, case.secrecy_provision, case.public_title):
        return case  # nothing changes: no new decision to record
    case.is_confidential = bool(is_confidential)
    case.secrecy_provision = provision
    case.public_title = public
    case.secrecy_decided_on = local_today()
    case.secrecy_decided_by = user
    case.refresh_search_text()
    db.session.flush()
    old, new = audit.changes(before, case_snapshot(case))
    what = f"sekretessmarkerat ({provision})" if is_confidential else "inte längre sekretessmarkerat"
    audit.record(
        "case.confidentiality",
        case,
        f"Ärende {case.number} {what}.",
        user=user,
        committee_id=case.committee_id,
        case_id=case.id,
        before=old,
        after=new,
    )
    return case


def void_case(case: Case, *, user: User, reason: object) -> Case:
    """Void a case registered by mistake; its number stays taken and is never reused."""
    if case.status is CaseStatus.voided:
        raise ConflictError(f"Ärende {case.number} är redan makulerat.")
    reason = clean_text(reason, field="reason", label="Skäl", max_length=1000)
    before = case_snapshot(case)
    case.status = CaseStatus.voided
    case.void_reason = reason
    db.session.flush()
    old, new = audit.changes(before, case_snapshot(case))
    audit.record(
        "case.voided",
        case,
        f"Ärende {case.number} makulerat: {reason}",
        user=user,
        committee_id=case.committee_id,
        case_id=case.id,
        before=old,
        after=new,
    )
    return case


def close_case(case: Case, *, user: User) -> Case:
    _require_not_voided(case)
    if case.status is CaseStatus.closed:
        raise ConflictError(f"Ärende {case.number} är redan avslutat.")
    before = case_snapshot(case)
    case.status = CaseStatus.closed
    case.closed_on = local_today()
    db.session.flush()
    old, new = audit.changes(before, case_snapshot(case))
    audit.record(
        "case.closed",
        case,
        f"Ärende {case.number} avslutat.",
        user=user,
        committee_id=case.committee_id,
        case_id=case.id,
        before=old,
        after=new,
    )
    return case


def reopen_case(case: Case, *, user: User) -> Case:
    if case.status is not CaseStatus.closed:
        raise ConflictError(f"Ärende {case.number} är inte avslutat.")
    before = case_snapshot(case)
    case.status = CaseStatus.open
    case.closed_on = None
    db.session.flush()
    old, new = audit.changes(before, case_snapshot(case))
    audit.record(
        "case.reopened",
        case,
        f"Ärende {case.number} återöppnat.",
        user=user,
        committee_id=case.committee_id,
        case_id=case.id,
        before=old,
        after=new,
    )
    return case


def next_document_number(case: Case) -> int:
    """Take the case's next running number for a handling inside the current transaction (the row stays locked)."""
    return db.session.execute(
        update(Case)
        .where(Case.id == case.id)
        .values(last_document_number=Case.last_document_number + 1)
        .returning(Case.last_document_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def register_document(
    case: Case,
    *,
    user: User | None,
    direction: object,
    document_date: object,
    description: object,
    counterparty: object = None,
    external_reference: object = None,
    is_confidential: bool = False,
    secrecy_provision: object = None,
) -> RegisteredDocument:
    """Register a handling on a case with the case's next running number."""
    _require_not_voided(case)
    errors: dict[str, str] = {}
    kind: Direction | None = None
    try:
        kind = Direction(direction)
    except ValueError:
        errors["direction"] = "Välj inkommande, utgående eller upprättad."
    if not isinstance(document_date, date):
        errors["document_date"] = "Ange handlingens datum (ÅÅÅÅ-MM-DD)."
    elif document_date > local_today():
        errors["document_date"] = "Handlingens datum kan inte ligga i framtiden."
    clean_description = _attempt(
        errors, lambda: clean_text(description, field="description", label="Beskrivning", max_length=500)
    )
    clean_counterparty = _attempt(
        errors,
        lambda: clean_text(
            counterparty, field="counterparty", label="Avsändare/mottagare", max_length=300, required=False
        ),
    )
    reference = _attempt(errors, lambda: _external_reference(external_reference))
    provision = _attempt(errors, lambda: _confidentiality(is_confidential, secrecy_provision, None)[0])
    if not errors and kind is not Direction.internal and not clean_counterparty:
        errors["counterparty"] = "Ange avsändare (inkommande) eller mottagare (utgående)."
    # the last three: an error above
    if errors or kind is None or clean_description is None or not isinstance(document_date, date):
        raise ValidationError(errors)

    return add_document(
        case,
        user=user,
        direction=kind,
        document_date=document_date,
        counterparty=clean_counterparty,
        description=clean_description,
        external_reference=reference,
        is_confidential=bool(is_confidential),
        secrecy_provision=provision,
    )


def add_document(
    case: Case,
    *,
    user: User | None,
    direction: Direction,
    document_date: date,
    description: str,
    how: str = "registrerad",
    **columns: str | bool | None,
) -> RegisteredDocument:
    """Add a checked handling with the case's next running number and audit it (``how`` the summary says)."""
    number = next_document_number(case)
    document = RegisteredDocument(
        case=case,
        number=number,
        direction=direction,
        document_date=document_date,
        description=description,
        registered_by=user,
        **columns,
    )
    db.session.add(document)
    db.session.flush()
    db.session.refresh(case, ["last_document_number"])
    after: dict[str, str | int | bool | None] = {
        "number": number,
        "direction": direction.value,
        "description": description,
        "is_confidential": bool(document.is_confidential),
    }
    after.update({k: columns[k] for k in ("source", "sha256") if k in columns})
    audit.record(
        "document.registered",
        document,
        f"Handling {number} {how} i {case.number}: {description}",
        user=user,
        committee_id=case.committee_id,
        case_id=case.id,
        after=after,
    )
    return document


def add_classification(municipality: Municipality, *, user: User, code: object, name: object) -> ClassificationCode:
    code = clean_text(code, field="code", label="Kod", max_length=30)
    if not CLASS_CODE_RE.match(code):
        raise ValidationError({"code": "Koden skrivs med siffror, gärna med punkter (t.ex. 181 eller 2.3.1)."})
    name = clean_text(name, field="name", label="Benämning", max_length=200)
    exists = db.session.scalar(
        select(ClassificationCode.id).where(
            ClassificationCode.municipality_id == municipality.id, ClassificationCode.code == code
        )
    )
    if exists:
        raise ValidationError({"code": f"Koden {code} finns redan."})
    item = ClassificationCode(municipality=municipality, code=code, name=name, is_active=True)
    db.session.add(item)
    db.session.flush()
    audit.record(
        "classification.added",
        item,
        f"Klassificering {code} {name} tillagd.",
        user=user,
        after={"code": code, "name": name},
    )
    return item


def update_classification(item: ClassificationCode, *, user: User, name: object, is_active: bool) -> ClassificationCode:
    before = {"name": item.name, "is_active": item.is_active}
    item.name = clean_text(name, field="name", label="Benämning", max_length=200)
    item.is_active = bool(is_active)
    db.session.flush()
    old, new = audit.changes(before, {"name": item.name, "is_active": item.is_active})
    if new:
        audit.record(
            "classification.updated", item, f"Klassificering {item.code} ändrad.", user=user, before=old, after=new
        )
    return item
