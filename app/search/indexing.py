"""Keep the search index in step with the data: in the transaction of every change, and all at once by
``flask search reindex``.

After each flush the session's new, changed and deleted cases, registered documents, reports (and their
revisions), bilagor, kallelser (publications) and protokoll (paragraphs and revisions) have their entries
rewritten on the same connection, so the index commits or rolls back with the change itself. Each kind's
entries are made by one builder below from the object as it is now; whether a case is confidential is not
copied into them but read by the query (``queries.visible_entries_clause``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Text,
    bindparam,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from agenda.minutes.documents import DocumentKind, MinutesDocument, latest_adjusted_public
from agenda.minutes.models import Minutes, MinutesParagraph, MinutesRevision
from agenda.models import AgendaItem, ItemKind, Meeting, Publication
from app.clock import to_local
from app.extensions import db
from app.registry.models import Case, RegisteredDocument
from app.registry.public_register import PublicCase, public_case, public_cases
from app.search.models import Audience, EntryKind, ExtractedText, ExtractionStatus, SearchEntry
from app.search.text import fold, stems
from workflows.content import ReportContent, html_to_text
from workflows.models import CaseReport, ReportAttachment, ReportRevision

log = logging.getLogger(__name__)


@dataclass
class Entry:
    """One entry's values, before they are written."""

    kind: EntryKind
    object_id: int
    audience: Audience
    committee_id: int
    title: str
    part: int = 0
    case_id: int | None = None
    report_id: int | None = None
    year: int | None = None
    entry_date: date | None = None
    reference: str = ""
    body_parts: list[str | None] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(p for p in self.body_parts if p)


def _case_entries(case_id: int) -> list[Entry]:
    case = db.session.get(Case, case_id)
    if case is None:
        return []
    return [
        Entry(
            kind=EntryKind.case,
            object_id=case.id,
            audience=Audience.case,
            committee_id=case.committee_id,
            case_id=case.id,
            year=case.year,
            entry_date=case.registered_on,
            title=case.title,
            reference=fold(case.number),
            body_parts=[case.external_reference, case.public_title if case.public_title != case.title else None],
        )
    ]


def _public_case_entries(case_id: int) -> list[Entry]:
    """An open case as the public diarium shows it (private persons' names and personnummer masked); a
    confidential one has none (the query also reads the case's secrecy when it runs)."""
    case = db.session.get(Case, case_id)
    if case is None or case.is_confidential:
        return []
    return _public_case_entry(case, public_case(case))


def _public_cases_entries(case_ids: Sequence[int]) -> list[Entry]:
    """``_public_case_entries`` of many cases, the names to mask read in one query."""
    cases = [c for c in (db.session.get(Case, i) for i in case_ids) if c is not None and not c.is_confidential]
    return [e for case, shown in zip(cases, public_cases(cases), strict=True) for e in _public_case_entry(case, shown)]


def _public_case_entry(case: Case, shown: PublicCase) -> list[Entry]:
    return [
        Entry(
            kind=EntryKind.public_case,
            object_id=case.id,
            audience=Audience.public,
            committee_id=case.committee_id,
            case_id=case.id,
            year=case.year,
            entry_date=case.registered_on,
            title=shown.title,
            reference=fold(case.number),
        )
    ]


def _document_entries(document_id: int) -> list[Entry]:
    document = db.session.get(RegisteredDocument, document_id)
    if document is None:
        return []
    case = document.case
    return [
        Entry(
            kind=EntryKind.document,
            object_id=document.id,
            # a confidential document's party is masked to whoever may not read the case's secrets
            audience=Audience.case_secrets if document.is_confidential else Audience.case,
            committee_id=case.committee_id,
            case_id=case.id,
            year=case.year,
            entry_date=document.document_date,
            title=document.description,
            reference=fold(case.number),
            body_parts=[document.counterparty, document.external_reference],
        )
    ]


def _revision_text(revision: ReportRevision) -> tuple[str, list[str | None]]:
    content = ReportContent.from_json(revision.content)
    sections = [html_to_text(text) for text in content.sections.values()]
    proposals = [f"{n}. {p.text}" for n, p in enumerate(content.proposals, start=1)]
    return content.title, [*sections, *proposals]


def _report_entries(report_id: int) -> list[Entry]:
    report = db.session.get(CaseReport, report_id)
    if report is None or _gone(report) or report.current_revision == 0:
        return []
    case = report.case
    numbers = [report.current_revision]
    if report.signed_revision is not None and report.signed_revision != report.current_revision:
        numbers.append(report.signed_revision)
    entries = []
    for part, number in enumerate(numbers):
        revision = report.revision(number)
        if revision is None:
            continue
        title, body = _revision_text(revision)
        entries.append(
            Entry(
                kind=EntryKind.report,
                object_id=report.id,
                part=part,
                audience=Audience.report,
                committee_id=case.committee_id,
                case_id=case.id,
                report_id=report.id,
                year=case.year,
                entry_date=to_local(revision.created_dt).date(),
                title=title or case.title,
                reference=fold(case.number),
                body_parts=body,
            )
        )
    return entries


def _gone(obj: object | None) -> bool:
    """Whether ``obj`` is missing or was deleted in the flush being indexed."""
    if obj is None:
        return True
    state = sa_inspect(obj)
    # after_flush still shows the flush's deletions in session.deleted, not yet on the objects' state
    return state.deleted or state.was_deleted or obj in db.session.deleted


def _bilaga_entries(attachment_id: int) -> list[Entry]:
    """A current bilaga: its title and file name, and the text a worker read from its file (once it has)."""
    attachment = db.session.get(ReportAttachment, attachment_id)
    if attachment is None or not attachment.is_current or _gone(attachment) or _gone(attachment.report):
        return []  # deleted in this flush (with its report, say): its entries go
    case = attachment.report.case
    extracted = db.session.get(ExtractedText, attachment.file_id) if attachment.file_id is not None else None
    text = extracted.text if extracted is not None and extracted.status is ExtractionStatus.done else None
    return [
        Entry(
            kind=EntryKind.bilaga,
            object_id=attachment.id,
            audience=Audience.report_secrets if attachment.is_confidential else Audience.report,
            committee_id=case.committee_id,
            case_id=case.id,
            report_id=attachment.report_id,
            year=case.year,
            entry_date=to_local(attachment.added_dt).date(),
            title=attachment.label,
            reference=fold(case.number),
            body_parts=[attachment.filename, text],
        )
    ]


def _kallelse_entries(meeting_id: int) -> list[Entry]:
    """The items of the meeting's latest published kallelse, the members' version: a sekretessärende's item is
    found only by whoever its item page shows it to (``Audience.meetings_secrets``)."""
    meeting = db.session.get(Meeting, meeting_id)
    publication = (
        db.session.scalars(
            select(Publication).where(Publication.meeting_id == meeting_id).order_by(Publication.version.desc())
        ).first()
        if meeting is not None
        else None
    )
    if meeting is None or publication is None:
        return []
    held = to_local(meeting.start_dt).date()
    snapshot = publication.members_snapshot
    heading = snapshot["meeting"]["title"]
    entries = []
    for item in snapshot["items"]:
        confidential = item["kind"] == ItemKind.confidential_case.value
        entries.append(
            Entry(
                kind=EntryKind.kallelse,
                object_id=meeting.id,
                part=item["number"],
                audience=Audience.meetings_secrets if confidential else Audience.meetings,
                committee_id=meeting.committee_id,
                case_id=item.get("case_id"),
                year=held.year,
                entry_date=held,
                title=f"{item['number']}. {item['title']}",
                reference=fold(item["case_number"] or ""),
                body_parts=[
                    heading,
                    item["note"],
                    item["external_reference"],
                    *(p["title"] for p in item["parts"]),
                ],
            )
        )
    return entries


def _public_kallelse_entries(meeting_id: int) -> list[Entry]:
    """The public items of the meeting's latest published kallelse, as its public version has them; an item on a
    case is found only while the case is not confidential (read when the query runs), a sekretessärende never."""
    meeting = db.session.get(Meeting, meeting_id)
    publication = (
        db.session.scalars(
            select(Publication).where(Publication.meeting_id == meeting_id).order_by(Publication.version.desc())
        ).first()
        if meeting is not None
        else None
    )
    if meeting is None or publication is None:
        return []
    held = to_local(meeting.start_dt).date()
    cases = {i["number"]: i.get("case_id") for i in publication.members_snapshot["items"]}
    heading = publication.public_snapshot["meeting"]["title"]
    return [
        Entry(
            kind=EntryKind.public_kallelse,
            object_id=meeting.id,
            part=item["number"],
            audience=Audience.public,
            committee_id=meeting.committee_id,
            case_id=cases.get(item["number"]),
            year=held.year,
            entry_date=held,
            title=f"{item['number']}. {item['title']}",
            reference=fold(item["case_number"] or ""),
            body_parts=[heading, item["note"], item["external_reference"], *(p["title"] for p in item["parts"])],
        )
        for item in publication.public_snapshot["items"]
        if item["kind"] != ItemKind.confidential_case.value
    ]


def _protokoll_entries(paragraph_id: int) -> list[Entry]:
    """A paragraph as its page shows it to whoever reads the committee's protokoll (its members and secretary):
    the current revision, justerat or not yet, a sekretessärende's in full, as the page has it."""
    paragraph = db.session.get(MinutesParagraph, paragraph_id)
    if _gone(paragraph):
        return []
    assert paragraph is not None
    minutes = paragraph.minutes
    item = paragraph.item
    revision = minutes.revision(minutes.current_revision) if minutes.current_revision else None
    content: dict[str, Any] = (
        next((p for p in revision.content.get("paragraphs", []) if p["number"] == paragraph.number), {})
        if revision is not None
        else {}
    )
    held = to_local(minutes.meeting.start_dt).date()
    return [
        Entry(
            kind=EntryKind.protokoll,
            object_id=paragraph.id,
            audience=Audience.minutes,
            committee_id=paragraph.committee_id,
            case_id=item.case_id,
            year=paragraph.year,
            entry_date=held,
            title=f"{paragraph.label} {content.get('title') or item.title}",
            reference=fold(paragraph.label),
            body_parts=[
                item.case.number if item.case is not None else None,
                *content.get("proposal", []),
                *_paragraph_texts(content),
            ],
        )
    ]


#: how the public version marks a confidential paragraph (tasks.rendering.protocol_docx.secrecy_marking)
SECRECY_MARKING = "Sekretess enligt {}"
SECRECY_MARKING_WITHOUT_PROVISION = "Sekretess"


def _public_protokoll_entries(paragraph_id: int) -> list[Entry]:
    """A paragraph as the public version of the justerat protokoll has it (the sealed public document the public
    downloads, of the revision it was made from): an open paragraph's title, Dnr, decision, yrkanden,
    reservations and protokollsanteckningar; a confidential one only by its number, public title and secrecy
    provision (``tasks.rendering.protocol_docx.public_paragraph``). None before that document exists.

    Whether its case is confidential is read now, as the public version's builder does: a masked entry is public
    by construction and has no case (the query would hide it); an open one keeps its case, so that the query
    hides it at once if the case is made confidential, until the change rewrites it masked."""
    paragraph = db.session.get(MinutesParagraph, paragraph_id)
    if _gone(paragraph):
        return []
    assert paragraph is not None
    minutes = paragraph.minutes
    document = latest_adjusted_public(minutes)
    revision = minutes.revision(document.revision) if document is not None else None
    recorded = (
        next((p for p in revision.content.get("paragraphs", []) if p["number"] == paragraph.number), None)
        if revision is not None
        else None
    )
    if recorded is None:
        return []
    item = paragraph.item
    case = item.case
    held = to_local(minutes.meeting.start_dt).date()
    entry = Entry(
        kind=EntryKind.public_protokoll,
        object_id=paragraph.id,
        audience=Audience.public,
        committee_id=paragraph.committee_id,
        year=paragraph.year,
        entry_date=held,
        title="",
        reference=fold(paragraph.label),
    )
    if item.is_confidential:
        provision = (case.secrecy_provision or "").strip() if case is not None else ""
        entry.title = f"{paragraph.label} {case.display_public_title if case is not None else 'Sekretessärende'}"
        entry.body_parts = [SECRECY_MARKING.format(provision) if provision else SECRECY_MARKING_WITHOUT_PROVISION]
        return [entry]
    entry.case_id = item.case_id
    entry.title = f"{paragraph.label} {recorded.get('title') or item.title}"
    entry.body_parts = [case.number if case is not None else None, *_paragraph_texts(recorded)]
    return [entry]


def _paragraph_texts(recorded: dict[str, Any]) -> list[str | None]:
    """What a paragraph says beside its title: its decision, yrkanden, reservations and protokollsanteckningar."""
    return [
        *recorded.get("decision", []),
        *(m.get("text") for m in recorded.get("motions", [])),
        *(r.get("text") for r in recorded.get("reservations", [])),
        *(n.get("text") for n in recorded.get("notes", [])),
    ]


BUILDERS: dict[EntryKind, Callable[[int], list[Entry]]] = {
    EntryKind.case: _case_entries,
    EntryKind.document: _document_entries,
    EntryKind.report: _report_entries,
    EntryKind.bilaga: _bilaga_entries,
    EntryKind.kallelse: _kallelse_entries,
    EntryKind.protokoll: _protokoll_entries,
    EntryKind.public_case: _public_case_entries,
    EntryKind.public_kallelse: _public_kallelse_entries,
    EntryKind.public_protokoll: _public_protokoll_entries,
}


def _document_value(connection: Connection, entry: Entry) -> ColumnElement[Any] | str:
    """The ``document`` column: a weighted tsvector on PostgreSQL (the reference and title weigh most), the
    Snowball stems elsewhere."""
    head, body = f"{entry.reference} {entry.title}", entry.body
    if connection.dialect.name == "postgresql":
        swedish = cast(literal("swedish"), REGCONFIG)
        return func.setweight(func.to_tsvector(swedish, head), literal_column("'A'")).op("||", return_type=TSVECTOR)(
            func.setweight(func.to_tsvector(swedish, body), literal_column("'C'"))
        )
    return stems(f"{head} {body}")


def _row(entry: Entry) -> dict[str, Any]:
    """An entry's columns, all but ``document``."""
    body = entry.body
    return {
        "kind": entry.kind,
        "object_id": entry.object_id,
        "part": entry.part,
        "audience": entry.audience,
        "case_id": entry.case_id,
        "report_id": entry.report_id,
        "committee_id": entry.committee_id,
        "year": entry.year,
        "entry_date": entry.entry_date,
        "title": entry.title[:600],
        "reference": entry.reference[:200],
        "body": body,
        "plain": fold(f"{entry.reference} {entry.title} {body}"),
    }


def write_entries(connection: Connection, kind: EntryKind, object_id: int, entries: Iterable[Entry]) -> None:
    """Replace the index's entries of one object by ``entries``."""
    connection.execute(delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id))
    for entry in entries:
        connection.execute(insert(SearchEntry).values(**_row(entry), document=_document_value(connection, entry)))


def write_many(connection: Connection, kind: EntryKind, object_ids: Sequence[int], entries: Iterable[Entry]) -> None:
    """Replace the index's entries of many objects of one kind by ``entries``, in one INSERT of many rows (the same
    values as ``write_entries``; PostgreSQL weighs the tsvector from the rows' head and body parameters)."""
    connection.execute(delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id.in_(object_ids)))
    postgres = connection.dialect.name == "postgresql"
    rows = []
    for entry in entries:
        row = _row(entry)
        if postgres:
            row["head_text"], row["body_text"] = f"{entry.reference} {entry.title}", entry.body
        else:
            row["document"] = _document_value(connection, entry)
        rows.append(row)
    if not rows:
        return
    stmt = insert(SearchEntry)
    if postgres:
        swedish = cast(literal("swedish"), REGCONFIG)
        weighted = func.setweight(
            func.to_tsvector(swedish, bindparam("head_text", type_=Text)), literal_column("'A'")
        ).op("||", return_type=TSVECTOR)(
            func.setweight(func.to_tsvector(swedish, bindparam("body_text", type_=Text)), literal_column("'C'"))
        )
        stmt = stmt.values(document=weighted)
    connection.execute(stmt, rows)


def refresh(kind: EntryKind, object_id: int) -> None:
    """Rewrite one object's entries from what it is now, in the current transaction."""
    with db.session.no_autoflush:
        entries = BUILDERS[kind](object_id)
    write_entries(db.session.connection(), kind, object_id, entries)


#: how many objects ``refresh_many`` reads and writes at a time
MANY = 2000


def _preload(kind: EntryKind, ids: Sequence[int]) -> list[Any]:
    """Load what ``kind``'s builder reads of the objects ``ids`` in a few queries, so that its ``session.get`` and
    relationships are answered from the session (the caller keeps the returned objects alive meanwhile)."""
    session = db.session
    if kind in (EntryKind.case, EntryKind.public_case):
        return list(session.scalars(select(Case).where(Case.id.in_(ids))))
    if kind is EntryKind.document:
        documents = list(session.scalars(select(RegisteredDocument).where(RegisteredDocument.id.in_(ids))))
        cases = session.scalars(select(Case).where(Case.id.in_({d.case_id for d in documents})))
        return [*documents, *cases]
    if kind is EntryKind.report:
        return list(
            session.scalars(
                select(CaseReport)
                .where(CaseReport.id.in_(ids))
                .options(selectinload(CaseReport.revisions), selectinload(CaseReport.case))
            )
        )
    if kind is EntryKind.bilaga:
        attachments = list(
            session.scalars(
                select(ReportAttachment)
                .where(ReportAttachment.id.in_(ids))
                .options(selectinload(ReportAttachment.report).selectinload(CaseReport.case))
            )
        )
        file_ids = {a.file_id for a in attachments if a.file_id is not None}
        return [*attachments, *session.scalars(select(ExtractedText).where(ExtractedText.file_id.in_(file_ids)))]
    return []


def refresh_many(kind: EntryKind, object_ids: Iterable[int]) -> int:
    """Rewrite the entries of many objects of one kind (rows added in bulk, without the ORM's flush), a batch at a
    time: the same entries as ``refresh`` of each, in a few queries per batch. Return the number written."""
    ids = sorted(object_ids)
    written = 0
    for start in range(0, len(ids), MANY):
        batch = ids[start : start + MANY]
        with db.session.no_autoflush:
            loaded = _preload(kind, batch)
            if kind is EntryKind.public_case:
                entries = _public_cases_entries(batch)
            else:
                entries = [e for object_id in batch for e in BUILDERS[kind](object_id)]
        write_many(db.session.connection(), kind, batch, entries)
        written += len(entries)
        del loaded  # the session holds its objects weakly: unchanged, they go with the list
    return written


def _keys(obj: object) -> Iterator[tuple[EntryKind, int]]:
    """The entries a changed object is part of."""
    if isinstance(obj, Case):
        yield EntryKind.case, obj.id
        yield EntryKind.public_case, obj.id
        yield from _public_paragraphs_of_case(obj.id)
    elif isinstance(obj, RegisteredDocument):
        yield EntryKind.document, obj.id
        yield EntryKind.public_case, obj.case_id  # a private person's name is masked in the case's public title
    elif isinstance(obj, CaseReport):
        yield EntryKind.report, obj.id
    elif isinstance(obj, ReportRevision):
        yield EntryKind.report, obj.report_id
    elif isinstance(obj, ReportAttachment):
        yield EntryKind.bilaga, obj.id
    elif isinstance(obj, ExtractedText):
        found = select(ReportAttachment.id).where(
            ReportAttachment.file_id == obj.file_id, ReportAttachment.is_current.is_(True)
        )
        for attachment_id in db.session.scalars(found):
            yield EntryKind.bilaga, attachment_id
    elif isinstance(obj, Publication):
        yield EntryKind.kallelse, obj.meeting_id
        yield EntryKind.public_kallelse, obj.meeting_id
    elif isinstance(obj, MinutesParagraph):
        yield EntryKind.protokoll, obj.id
    elif isinstance(obj, MinutesRevision):
        minutes = db.session.get(Minutes, obj.minutes_id)
        for paragraph in minutes.paragraphs if minutes is not None else []:
            yield EntryKind.protokoll, paragraph.id
    elif isinstance(obj, MinutesDocument) and obj.kind is DocumentKind.public and obj.is_adjusted:
        for paragraph_id in db.session.scalars(
            select(MinutesParagraph.id).where(MinutesParagraph.minutes_id == obj.minutes_id)
        ):
            yield EntryKind.public_protokoll, paragraph_id


def _public_paragraphs_of_case(case_id: int | None) -> Iterator[tuple[EntryKind, int]]:
    """The paragraphs on a case (its secrecy and public title decide what the public version shows of them)."""
    if case_id is None:
        return
    found = (
        select(MinutesParagraph.id)
        .join(AgendaItem, AgendaItem.id == MinutesParagraph.agenda_item_id)
        .where(AgendaItem.case_id == case_id)
    )
    for paragraph_id in db.session.scalars(found):
        yield EntryKind.public_protokoll, paragraph_id


#: the session's key of the stored files whose text a worker is to read once the transaction commits
EXTRACT = "search.extract"


def _index_changes(session: Session, _flush_context: object) -> None:
    """After a flush: rewrite the entries of what it added, changed or deleted, in the same transaction."""
    if session is not db.session():
        return
    with session.no_autoflush:
        keys = {key for obj in (*session.new, *session.dirty, *session.deleted) for key in _keys(obj)}
        for obj in session.new:
            if isinstance(obj, ReportAttachment) and obj.file_id is not None:
                if db.session.get(ExtractedText, obj.file_id) is None:
                    session.info.setdefault(EXTRACT, set()).add(obj.file_id)
    for kind, object_id in sorted(keys, key=lambda k: (k[0].value, k[1])):
        if object_id is not None:
            refresh(kind, object_id)


def _hand_over_extractions(session: Session) -> None:
    """After a commit: have a worker read the text of the files of the bilagor it added."""
    if session.in_nested_transaction():
        return
    file_ids = session.info.pop(EXTRACT, None)
    extract = current_app.extensions.get("search_extract") if file_ids and has_app_context() else None
    for file_id in sorted(file_ids or ()):
        if extract is None:
            log.warning("no extractor: the text of stored file %s is not read", file_id)
            continue
        try:
            extract(file_id)
        except Exception:  # noqa: BLE001 - the commit stands; `flask search extract` reads what was missed
            log.exception("could not hand stored file %s to the extractor", file_id)


def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(EXTRACT, None)


def install(app: Flask, *, extract: Callable[[int], object] | None = None) -> None:
    """Follow every flush of the application's session (once per process); ``extract(file_id)`` has a worker read
    a new bilaga's text after the commit that added it."""
    if extract is not None:
        app.extensions["search_extract"] = extract
    for name, listener in (
        ("after_flush", _index_changes),
        ("after_commit", _hand_over_extractions),
        ("after_transaction_end", _forget_uncommitted),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def reindex_all() -> int:
    """Rewrite the whole index from the data (``flask search reindex``); return the number of entries."""
    session = db.session
    session.execute(delete(SearchEntry))
    sources: list[tuple[EntryKind, Select[int]]] = [
        (EntryKind.case, select(Case.id)),
        (EntryKind.document, select(RegisteredDocument.id)),
        (EntryKind.report, select(CaseReport.id)),
        (EntryKind.bilaga, select(ReportAttachment.id).where(ReportAttachment.is_current.is_(True))),
        (EntryKind.kallelse, select(Publication.meeting_id).distinct()),
        (EntryKind.public_case, select(Case.id)),
        (EntryKind.public_kallelse, select(Publication.meeting_id).distinct()),
        (EntryKind.protokoll, select(MinutesParagraph.id)),
        (EntryKind.public_protokoll, select(MinutesParagraph.id)),
    ]
    for kind, ids in sources:
        for object_id in list(session.scalars(ids)):
            refresh(kind, object_id)
        session.expunge_all()
    return session.scalar(select(func.count()).select_from(SearchEntry)) or 0
