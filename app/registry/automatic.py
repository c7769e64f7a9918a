"""Handlingar the product registers by itself: the signed tjänsteutlåtande and its bilagor, each published kallelse.

Each is registered once, whatever calls it again: its ``source`` names what registered it and is unique. The
case's secrecy is never copied onto its handlingar (it is read from the case wherever they are shown); a bilaga
marked confidential is a confidential handling by its own marking. Operations: they flush, audit, never commit.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee
from app.registry.diaria import diarium_of
from app.registry.models import Case, CaseStatus, ClassificationCode, Direction, RegisteredDocument
from app.registry.numbering import number_format
from app.registry.operations import add_document, number_case

#: what a classification's name says for the case of a committee's meetings, when the format writes {class}
MEETINGS_CLASSIFICATION_WORD = "sammanträd"


def registered_from(source: str) -> RegisteredDocument | None:
    """The handling ``source`` registered, if it has."""
    return db.session.scalar(select(RegisteredDocument).where(RegisteredDocument.source == source))


def register_once(
    case: Case,
    *,
    user: User | None,
    source: str,
    description: str,
    document_date: date,
    sha256: str | None,
    storage_key: str | None = None,
    direction: Direction = Direction.internal,
    is_confidential: bool = False,
) -> RegisteredDocument | None:
    """Register a handling on ``case`` unless ``source`` already has; None for a voided case (nothing is
    registered in one). The description is the product's own text, shortened to the column."""
    if case.status is CaseStatus.voided:
        return None
    existing = registered_from(source)
    if existing is not None:
        return existing
    return add_document(
        case,
        user=user,
        direction=direction,
        document_date=document_date,
        description=description[:500],
        how="registrerad automatiskt",
        counterparty="",
        is_confidential=is_confidential,
        source=source,
        sha256=sha256,
        storage_key=storage_key,
    )


def _meetings_classification(committee: Committee) -> ClassificationCode | None:
    """The code for the meetings' case: one whose name speaks of sammanträden, else the plan's first active code."""
    codes = db.session.scalars(
        select(ClassificationCode)
        .where(ClassificationCode.municipality_id == committee.municipality_id, ClassificationCode.is_active)
        .order_by(ClassificationCode.code)
    ).all()
    named = [c for c in codes if MEETINGS_CLASSIFICATION_WORD in c.name.casefold()]
    chosen = named or list(codes)
    return chosen[0] if chosen else None


def meetings_case(committee: Committee, year: int, *, user: User | None, registered_on: date) -> Case:
    """The case "Sammanträden <år>" that holds the committee's published kallelser of ``year``, registered in the
    committee's diarium the first time it is needed (the committee's row is locked meanwhile, so two publications
    at once make one case)."""
    db.session.execute(select(Committee.id).where(Committee.id == committee.id).with_for_update())
    found = db.session.scalar(select(Case).where(Case.committee_id == committee.id, Case.meetings_year == year))
    if found is not None:
        return found
    uses_class = number_format(diarium_of(committee).number_format).uses_class
    classification = _meetings_classification(committee) if uses_class else None
    if uses_class and classification is None:
        raise RuntimeError(f"the municipality of {committee.name} has no classification plan")
    return number_case(
        committee,
        year=year,
        classification=classification,
        user=user,
        summary=f"Ärende {{number}} registrerat för {committee.name}s kallelser {year}.",
        title=f"Sammanträden {year}",
        registered_on=registered_on,
        meetings_year=year,
    )
