"""The public diarium (offentlig diarieförteckning): what anyone may read of the cases and their registered
documents without logging in.

The register itself is public (OSL 5 kap. 2 §); what secrecy covers is masked, read from the case and the
document when shown:

- a confidential case shows its diarienummer, its dates and status and ``SECRET_CASE_TITLE``, never its title,
  public title, reference or documents' descriptions and parties;
- a confidential document (or any document of a confidential case) shows its number, date and direction with
  ``SECRET_DOCUMENT_TEXT``, never its description, sender or recipient;
- a personnummer or samordningsnummer in a public text is masked, and a sender or recipient that is not an
  organisation is a private person: their name is written ``PRIVATE_PERSON``, on the document and in the case's
  title.

Search matches the public fields only (a confidential case by its number); the full-text search module may
take its place behind ``search_public_cases`` later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.registry.identity_numbers import find_identity_numbers, mask_identity_numbers
from app.registry.models import Case, CaseStatus, Direction, RegisteredDocument
from app.validation import ValidationError

SECRET_CASE_TITLE = "Sekretessmarkerat ärende"
SECRET_DOCUMENT_TEXT = "Sekretessmarkerad handling"
#: why a confidential entry shows only what it shows
SECRECY_GROUND = "OSL 5 kap. 2 §"
PRIVATE_PERSON = "Privatperson"

#: words that make a sender or recipient an organisation (lower case; matched inside words: "Socialnämnden")
_ORGANISATION_PARTS = (
    "kommun",
    "region",
    "landsting",
    "nämnd",
    "fullmäktige",
    "styrelse",
    "förvaltning",
    "avdelning",
    "enhet",
    "kontor",
    "myndighet",
    "verket",
    "inspektion",
    "kassan",
    "departement",
    "regering",
    "riksdag",
    "tingsrätt",
    "förvaltningsrätt",
    "kammarrätt",
    "domstol",
    "polis",
    "ombudsman",
    "förening",
    "förbund",
    "stiftelse",
    "bolag",
    "storsthlm",
    "skolan",
)
#: whole words that make one an organisation (company forms)
_ORGANISATION_WORDS = re.compile(r"(?<!\w)(ab|hb|kb|aktiebolag|ek\. ?för\.?|ideell)(?!\w)", re.IGNORECASE)


def is_organisation(name: str) -> bool:
    """Whether a sender or recipient names an organisation; anyone else is taken to be a private person."""
    folded = name.casefold()
    return any(part in folded for part in _ORGANISATION_PARTS) or bool(_ORGANISATION_WORDS.search(name))


def _mask_names(text: str, names: Iterable[str]) -> str:
    for name in sorted(set(names), key=len, reverse=True):
        if name.strip():
            text = re.sub(rf"(?<!\w){re.escape(name.strip())}(?!\w)", PRIVATE_PERSON, text, flags=re.IGNORECASE)
    return mask_identity_numbers(text)


@dataclass(frozen=True)
class PublicCase:
    """What the public diarium shows of a case."""

    id: int
    number: str
    committee_id: int
    committee: str
    registered_on: date
    closed_on: date | None
    status: CaseStatus
    title: str
    is_confidential: bool


@dataclass(frozen=True)
class PublicDocument:
    """What the public diarium shows of a registered document."""

    case_id: int
    case_number: str
    number: int
    direction: Direction
    document_date: date
    description: str
    #: the sender or recipient, ``PRIVATE_PERSON`` for a private person; empty when secret or internal
    counterparty: str
    is_confidential: bool


def document_is_secret(document: RegisteredDocument) -> bool:
    return document.is_confidential or document.case.is_confidential


def _private_names(case_ids: list[int]) -> dict[int, set[str]]:
    """The private persons among the senders and recipients of each case's documents."""
    names: dict[int, set[str]] = {i: set() for i in case_ids}
    if not case_ids:
        return names
    rows = db.session.execute(
        select(RegisteredDocument.case_id, RegisteredDocument.counterparty)
        .where(RegisteredDocument.case_id.in_(case_ids), RegisteredDocument.counterparty != "")
        .distinct()
    )
    for case_id, counterparty in rows:
        if not is_organisation(counterparty):
            names[case_id].add(counterparty)
    return names


def public_cases(cases: list[Case]) -> list[PublicCase]:
    """The public diarium's view of ``cases`` (names of private persons read in one query)."""
    private = _private_names([c.id for c in cases if not c.is_confidential])
    return [
        PublicCase(
            id=c.id,
            number=c.number,
            committee_id=c.committee_id,
            committee=c.committee.name,
            registered_on=c.registered_on,
            closed_on=c.closed_on,
            status=c.status,
            title=SECRET_CASE_TITLE if c.is_confidential else _mask_names(c.title, private.get(c.id, ())),
            is_confidential=c.is_confidential,
        )
        for c in cases
    ]


def public_case(case: Case) -> PublicCase:
    return public_cases([case])[0]


def public_documents(documents: list[RegisteredDocument]) -> list[PublicDocument]:
    """The public diarium's view of ``documents``."""
    private = _private_names(sorted({d.case_id for d in documents if not document_is_secret(d)}))
    out = []
    for d in documents:
        secret = document_is_secret(d)
        if secret:
            description, counterparty = SECRET_DOCUMENT_TEXT, ""
        else:
            description = _mask_names(d.description, private.get(d.case_id, ()))
            counterparty = (
                d.counterparty if is_organisation(d.counterparty) else (PRIVATE_PERSON if d.counterparty else "")
            )
        out.append(
            PublicDocument(
                case_id=d.case_id,
                case_number=d.case.number,
                number=d.number,
                direction=d.direction,
                document_date=d.document_date,
                description=description,
                counterparty=counterparty,
                is_confidential=secret,
            )
        )
    return out


@dataclass
class PublicDiariumQuery:
    """What a search in the public diarium asks for; every field is optional."""

    committee_id: int | None = None
    #: words that must all appear in the public text: an open case's number, title or reference, a
    #: confidential case's number
    q: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def validate(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationError({"date_to": "Slutdatum kan inte vara före startdatum."})
        if self.q is not None and len(self.q) > 200:
            raise ValidationError({"q": "Söktexten får vara högst 200 tecken."})
        if self.q and find_identity_numbers(self.q):
            raise ValidationError({"q": "Det går inte att söka på personnummer i den offentliga diarieförteckningen."})

    def words(self) -> list[str]:
        return [w.casefold() for w in (self.q or "").split()]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _word_clause(word: str) -> ColumnElement[bool]:
    """A case whose public text holds ``word``: the number of any case, the stored search text of an open one."""
    pattern = _like(word)
    return or_(
        func.lower(Case.number).like(pattern, escape="\\"),
        and_(Case.is_confidential.is_(False), Case.search_text.like(pattern, escape="\\")),
    )


_S = TypeVar("_S", bound=Select[Any])


def _in_committee_and_dates(stmt: _S, query: PublicDiariumQuery, day: InstrumentedAttribute[date]) -> _S:
    query.validate()
    if query.committee_id is not None:
        stmt = stmt.where(Case.committee_id == query.committee_id)
    if query.date_from:
        stmt = stmt.where(day >= query.date_from)
    if query.date_to:
        stmt = stmt.where(day <= query.date_to)
    return stmt


def search_public_cases(query: PublicDiariumQuery) -> Select[Case]:
    """A SELECT of the cases matching ``query`` (registered in its dates), newest first."""
    stmt = _in_committee_and_dates(select(Case), query, Case.registered_on)
    for word in query.words():
        stmt = stmt.where(_word_clause(word))
    return stmt.order_by(Case.registered_on.desc(), Case.year.desc(), Case.serial.desc(), Case.id.desc())


def search_public_documents(query: PublicDiariumQuery) -> Select[RegisteredDocument]:
    """A SELECT of the registered documents matching ``query`` (dated in its dates), newest first; a word
    matches an open document's description or its case's public text."""
    stmt = _in_committee_and_dates(
        select(RegisteredDocument).join(Case, Case.id == RegisteredDocument.case_id),
        query,
        RegisteredDocument.document_date,
    )
    for word in query.words():
        open_document = and_(
            RegisteredDocument.is_confidential.is_(False),
            Case.is_confidential.is_(False),
            func.lower(RegisteredDocument.description).like(_like(word), escape="\\"),
        )
        stmt = stmt.where(or_(_word_clause(word), open_document))
    return stmt.order_by(
        RegisteredDocument.document_date.desc(), RegisteredDocument.registered_dt.desc(), RegisteredDocument.id.desc()
    )


def case_documents(case: Case) -> list[PublicDocument]:
    """The public view of a case's registered documents, by number."""
    return public_documents(list(case.documents))
