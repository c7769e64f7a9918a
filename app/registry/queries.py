"""Read-only queries on the diarium, always filtered by what the user may see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from app.auth.models import CommitteeRole, Role, User
from app.extensions import db
from app.organisation.models import Committee, Municipality
from app.permissions import Action, committees_where
from app.registry.models import Case, CaseStatus, ClassificationCode, Diarium
from app.registry.numbering import RegistrationNumber, number_format
from app.validation import ValidationError


def visible_cases_clause(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause selecting exactly the cases ``user`` may view (``app.permissions.can`` on each, in SQL)."""
    member_of = committees_where(user, Action.view_case)
    if user is None or not member_of:  # nobody logged in is a member of none
        return false()
    confidential_ok = committees_where(user, Action.view_confidential)
    return Case.committee_id.in_(member_of) & or_(
        Case.is_confidential.is_(False),
        Case.committee_id.in_(confidential_ok) if confidential_ok else false(),
        Case.case_officer_id == user.id,
    )


class Officer(NamedTuple):
    """A case officer as the lists offer them (not the whole account)."""

    id: int
    name: str
    title: str


def case_officers(committees: list[Committee]) -> list[tuple[Officer, str]]:
    """The enabled users holding the case officer role in ``committees`` (those a new case may be given to), as
    (officer, committee name), by name. Plain columns: a municipality has hundreds of handläggare."""
    ids = [c.id for c in committees]
    if not ids:
        return []
    rows = db.session.execute(
        select(User.id, User.name, User.title, Committee.name)
        .join(CommitteeRole, CommitteeRole.user_id == User.id)
        .join(Committee, Committee.id == CommitteeRole.committee_id)
        .where(CommitteeRole.committee_id.in_(ids), CommitteeRole.role == Role.case_officer, User.is_enabled.is_(True))
        .order_by(User.name, User.id, Committee.name)
    ).all()
    return [(Officer(user_id, name, title or ""), committee) for user_id, name, title, committee in rows]


def classification_codes(municipality: Municipality) -> list[ClassificationCode]:
    """The municipality's classification plan, by code (retired codes too)."""
    return list(
        db.session.scalars(
            select(ClassificationCode)
            .where(ClassificationCode.municipality_id == municipality.id)
            .order_by(ClassificationCode.code)
        )
    )


@dataclass
class CaseFilter:
    """What a diarium search asks for; every field is optional."""

    committee_id: int | None = None
    #: words that must all appear in the number, title or external reference
    q: str | None = None
    #: a diarienummer, whole or in part
    number: str | None = None
    case_officer_id: int | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    status: CaseStatus | None = None
    classification: str | None = None

    def to_params(self) -> dict[str, str | int | None]:
        """The filter as JSON values, to store on a job."""
        return {
            "committee_id": self.committee_id,
            "q": self.q,
            "number": self.number,
            "case_officer_id": self.case_officer_id,
            "registered_from": self.registered_from.isoformat() if self.registered_from else None,
            "registered_to": self.registered_to.isoformat() if self.registered_to else None,
            "status": self.status.value if self.status else None,
            "classification": self.classification,
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CaseFilter:
        """Rebuild a filter stored with ``to_params`` (a job's JSON params)."""
        return cls(
            committee_id=params.get("committee_id"),
            q=params.get("q"),
            number=params.get("number"),
            case_officer_id=params.get("case_officer_id"),
            registered_from=date.fromisoformat(params["registered_from"]) if params.get("registered_from") else None,
            registered_to=date.fromisoformat(params["registered_to"]) if params.get("registered_to") else None,
            status=CaseStatus(params["status"]) if params.get("status") else None,
            classification=params.get("classification"),
        )

    def validate(self) -> None:
        if self.registered_from and self.registered_to and self.registered_from > self.registered_to:
            raise ValidationError({"registered_to": "Slutdatum kan inte vara före startdatum."})
        for name in ("q", "number"):
            value = getattr(self, name)
            if value is not None and len(value) > 200:
                raise ValidationError({name: "Söktexten får vara högst 200 tecken."})


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: InstrumentedAttribute[str], text: str) -> ColumnElement[bool]:
    return column.like(f"%{_escape_like(text.casefold())}%", escape="\\")


def visible_diaria(user: User | None) -> list[Diarium]:
    """The diaria of the municipalities where ``user`` may see cases (a case may sit in a diarium its
    committee has since left, so every diarium of those municipalities)."""
    member_of = committees_where(user, Action.view_case)
    if not member_of:
        return []
    municipalities = select(Committee.municipality_id).where(Committee.id.in_(member_of))
    return list(
        db.session.scalars(select(Diarium).where(Diarium.municipality_id.in_(municipalities)).order_by(Diarium.id))
    )


def search_cases(user: User, flt: CaseFilter, diaria: list[Diarium] | None = None) -> Select[Case]:
    """Return a SELECT of the cases ``user`` may see that match ``flt``, newest first.

    A whole diarienummer is read in the format of each of ``diaria`` (by default those the user sees).
    """
    flt.validate()
    stmt = select(Case).where(visible_cases_clause(user))
    if flt.committee_id is not None:
        stmt = stmt.where(Case.committee_id == flt.committee_id)
    if flt.number:
        stmt = stmt.where(_number_clause(flt.number.strip(), visible_diaria(user) if diaria is None else diaria))
    if flt.q:
        words = flt.q.split()
        stmt = stmt.where(and_(*(_contains(Case.search_text, w) for w in words)))
    if flt.case_officer_id is not None:
        stmt = stmt.where(Case.case_officer_id == flt.case_officer_id)
    if flt.registered_from:
        stmt = stmt.where(Case.registered_on >= flt.registered_from)
    if flt.registered_to:
        stmt = stmt.where(Case.registered_on <= flt.registered_to)
    if flt.status is not None:
        stmt = stmt.where(Case.status == flt.status)
    if flt.classification:
        stmt = stmt.join(Case.classification).where(ClassificationCode.code == flt.classification)
    return stmt.order_by(Case.registered_on.desc(), Case.year.desc(), Case.serial.desc())


def parse_in_diaria(text: str, diaria: list[Diarium]) -> list[tuple[Diarium, RegistrationNumber]]:
    """Read ``text`` in the format of each diarium; return those it fits, or raise the first one's error."""
    found, first_error = [], None
    for diarium in diaria:
        try:
            found.append((diarium, number_format(diarium.number_format).parse(text, series=diarium.series)))
        except ValidationError as exc:
            first_error = first_error or exc
    if not found:
        raise first_error or ValidationError({"diarienummer": "Det finns inget diarium att slå upp numret i."})
    return found


def _parts_clause(diarium: Diarium, parts: RegistrationNumber) -> ColumnElement[bool]:
    clause = and_(Case.diarium_id == diarium.id, Case.year == parts.year, Case.serial == parts.serial)
    if parts.prefix:
        clause = and_(clause, Case.series == parts.prefix)
    return clause


def _stored_clause(text: str, diaria: list[Diarium]) -> ColumnElement[bool]:
    return and_(Case.number == text.strip(), Case.diarium_id.in_([d.id for d in diaria]))


def has_stored_number(text: str, diaria: list[Diarium]) -> bool:
    """Whether a case in ``diaria`` has exactly this number as stored (e.g. one in an older format)."""
    return db.session.scalar(select(Case.id).where(_stored_clause(text, diaria)).limit(1)) is not None


def number_match_clause(text: str, diaria: list[Diarium]) -> ColumnElement[bool]:
    """A WHERE clause for the cases whose number is ``text``: as stored (a number in an older format), or read
    in a diarium's format with or without its literal text. Raises ValidationError if it is neither."""
    try:
        parsed = parse_in_diaria(text, diaria)
    except ValidationError:
        if not has_stored_number(text, diaria):
            raise
        return _stored_clause(text, diaria)
    return or_(_stored_clause(text, diaria), *(_parts_clause(d, parts) for d, parts in parsed))


def find_case_by_number(text: str, diaria: list[Diarium]) -> Case | None:
    """The case numbered ``text`` in one of ``diaria`` (see ``number_match_clause``), if any."""
    return db.session.scalars(select(Case).where(number_match_clause(text, diaria)).order_by(Case.id)).first()


def _number_clause(text: str, diaria: list[Diarium]) -> ColumnElement[bool]:
    """A whole diarienummer matches exactly by its parts; anything else as a substring."""
    try:
        return number_match_clause(text, diaria)
    except ValidationError:
        # Numbers are stored with an upper-case prefix, so upper-casing the typed text is enough.
        return Case.number.like(f"%{_escape_like(text.upper())}%", escape="\\")
