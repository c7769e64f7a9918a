"""The search index: one row per searchable text, with what decides who may find it."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import Model


class EntryKind(str, enum.Enum):
    case = "case"
    document = "document"
    report = "report"
    bilaga = "bilaga"
    kallelse = "kallelse"
    protokoll = "protokoll"
    #: what the public search finds: an open case as the public diarium shows it, a public kallelse's item
    public_case = "public_case"
    public_kallelse = "public_kallelse"
    #: a paragraph of a justerat protokoll as its sealed public version has it
    public_protokoll = "public_protokoll"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    EntryKind.case: "Ärende",
    EntryKind.document: "Handling",
    EntryKind.report: "Tjänsteutlåtande",
    EntryKind.bilaga: "Bilaga",
    EntryKind.kallelse: "Kallelse",
    EntryKind.protokoll: "Protokoll",
    EntryKind.public_case: "Ärende",
    EntryKind.public_kallelse: "Kallelse",
    EntryKind.public_protokoll: "Protokoll",
}


class Audience(str, enum.Enum):
    """Who may find an entry: the rule of the page that shows its text (``queries.visible_entries_clause``).

    Every audience tied to a case also needs that case to be visible to the user, read from the case when the
    query runs: a case made confidential hides all its entries at once, without reindexing.
    """

    #: whoever sees the case in the diarium (its title, number, registered documents)
    case = "case"
    #: whoever may read the case's secrets: a confidential document's text and party
    case_secrets = "case_secrets"
    #: whoever may read the case's tjänsteutlåtande (staff of the committee, not its members)
    report = "report"
    #: whoever may read the report's confidential bilagor (the case's secrets, or an editor of the report)
    report_secrets = "report_secrets"
    #: whoever sees the committee's meetings and published kallelser: an open item (an item on a case made
    #: confidential since only for whoever may read its secrets, as ``meetings_secrets``)
    meetings = "meetings"
    #: a sekretessärende's item of a published kallelse: the members who decide on it and whoever may read the
    #: case's secrets (agenda.snapshot.items_for, the item page's rule)
    meetings_secrets = "meetings_secrets"
    #: whoever reads the committee's protokoll
    minutes = "minutes"
    #: anyone, without logging in: only while its case (if any) is not confidential (the public search)
    public = "public"


class SearchEntry(Model):
    """A searchable text: a case, a registered document, a report's version, a bilaga, a kallelse's item or a
    protokoll's paragraph. Rewritten in the transaction that changes what it was made from."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "part"),
        Index("ix_search_entries_committee_year", "committee_id", "year"),
        #: the newest and oldest year, for a search taking the newest years' hits first (queries._found)
        Index("ix_search_entries_year", "year"),
        #: an exact diarienummer or paragraph, found wherever it is however many the hits
        Index("ix_search_entries_reference", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EntryKind] = mapped_column(Enum(EntryKind, native_enum=False, length=20))
    #: the id of the case, document, report, attachment, meeting (kallelse) or paragraph (protokoll)
    object_id: Mapped[int]
    #: which text of the object: a report's current (0) or signed (1) version, a kallelse's item number
    part: Mapped[int] = mapped_column(default=0)
    audience: Mapped[Audience] = mapped_column(Enum(Audience, native_enum=False, length=20))
    #: the case the text belongs to: its visibility, read when the query runs, decides the entry's
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: the report of a report's version or bilaga (its editors may read its confidential bilagor)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("case_reports.id", ondelete="CASCADE"))
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"))
    #: the year for the facet: the case's diarium year, the meeting's year
    year: Mapped[int | None]
    #: the date results are sorted by after their rank: registered, dated, published, held
    entry_date: Mapped[date | None] = mapped_column(Date)
    #: what the result list shows as the hit's heading
    title: Mapped[str] = mapped_column(String(600))
    #: the exact handle a hit is known by, folded: a diarienummer, "§ 12"; an exact match ranks first
    reference: Mapped[str] = mapped_column(String(200), default="")
    #: the text the snippet is cut from
    body: Mapped[str] = mapped_column(Text, default="")
    #: reference, title and body folded (app.search.text.fold): substrings, numbers and compounds are found in it
    plain: Mapped[str] = mapped_column(Text, default="")
    #: PostgreSQL: the weighted tsvector of the ``swedish`` configuration; SQLite: the Snowball stems, which its
    #: FTS5 table indexes
    document: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))

    def __repr__(self) -> str:
        return f"<SearchEntry {self.kind.value} {self.object_id}/{self.part}>"


class ExtractionStatus(str, enum.Enum):
    done = "done"
    #: a scan (a PDF of images), an empty file or a type without text: only the bilaga's title is searchable
    no_text = "no_text"
    failed = "failed"


class ExtractedText(Model):
    """The text a worker read from a stored file (a bilaga's), once per file: what the search indexes of it."""

    __tablename__ = "extracted_texts"

    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), primary_key=True, autoincrement=False)
    status: Mapped[ExtractionStatus] = mapped_column(Enum(ExtractionStatus, native_enum=False, length=10))
    text: Mapped[str] = mapped_column(Text, default="")
    #: why there is no text, in Swedish
    problem: Mapped[str | None] = mapped_column(String(300))
    extracted_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ExtractedText {self.file_id} {self.status.value}>"


#: what each database keeps beside the table for its full-text search, made by the migration and not by the
#: models: SQLite's FTS5 tables (and their own tables), PostgreSQL's GIN indexes (the public diarium's trigram
#: indexes on cases too)
ENGINE_OBJECT_PREFIXES = ("search_fts", "ix_search_entries_document", "ix_search_entries_plain", "ix_cases_trgm")


def is_engine_object(name: str | None) -> bool:
    """Whether a table or index is one of ``ENGINE_OBJECT_PREFIXES`` (Alembic's comparison leaves them alone)."""
    return bool(name) and str(name).startswith(ENGINE_OBJECT_PREFIXES)
