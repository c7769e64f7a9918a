"""The search: the entries a user may find that match a query, ranked, with snippets, facets and paging.

What a user may find is filtered in SQL by ``visible_entries_clause``, built from the same rules as every list
(``app.permissions.committees_where`` and the diarium's ``visible_cases_clause``), before anything is counted,
faceted, cut into a snippet or suggested: a result list never shows what the detail page would refuse.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.sql.util import ClauseAdapter

from app.auth.models import User
from app.extensions import db
from app.organisation.models import Committee
from app.permissions import Action, committees_where
from app.registry.models import Case, CaseStatus
from app.registry.queries import visible_cases_clause
from app.search.models import Audience, EntryKind, ExtractedText, ExtractionStatus, SearchEntry
from app.search.text import MAX_QUERY, Term, fold, parse_query, snippet, suggested_word, suggestion_pattern
from app.validation import ValidationError
from workflows.models import ReportAttachment, StoredFileRecord, report_editors

_E = TypeVar("_E", bound=enum.Enum)

PAGE_SIZE = 20
MAX_PAGE = 500

#: SQLite's FTS5 tables over search_entries (made by the migration): stems, and trigrams of the folded text
_FTS_WORDS = table("search_fts_words", column("rowid"), column("search_fts_words"))
_FTS_PLAIN = table("search_fts_plain", column("rowid"), column("search_fts_plain"))


def visible_entries_clause(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause (on search_entries outer-joined to cases) selecting exactly the entries ``user`` may find:
    each by the rule of the page that shows its text.

    - a case's, document's, report's or bilaga's entry: the case visible now in the diarium
      (``visible_cases_clause``), and then its audience: the case's secrets, its report, the report's
      confidential bilagor;
    - a kallelse's item: the item page's rule (``items_for_clause``);
    - a protokoll's paragraph: the paragraph page's rule (agenda.minutes.access.load_minutes): whoever reads the
      committee's protokoll, which its members and secretary read whole.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    secrets_ok = or_(
        Case.committee_id.in_(committees_where(user, Action.view_confidential)), Case.case_officer_id == user.id
    )
    report_ok = Case.committee_id.in_(committees_where(user, Action.view_report))
    editor = exists().where(report_editors.c.report_id == SearchEntry.report_id, report_editors.c.user_id == user.id)
    on_case = and_(SearchEntry.case_id.is_not(None), visible_cases_clause(user))
    audience = SearchEntry.audience
    return or_(
        and_(
            on_case,
            or_(
                audience == Audience.case,
                and_(audience == Audience.case_secrets, secrets_ok),
                and_(audience == Audience.report, report_ok),
                and_(audience == Audience.report_secrets, report_ok, or_(secrets_ok, editor)),
            ),
        ),
        items_for_clause(user),
        and_(audience == Audience.minutes, SearchEntry.committee_id.in_(committees_where(user, Action.view_minutes))),
    )


def items_for_clause(user: User) -> ColumnElement[bool]:
    """The kallelse items ``user`` may find: those their item page shows them (agenda.snapshot.items_for, in SQL).

    The page needs the meeting's committee's meetings (``Action.view_meetings``); it shows an item whole unless it
    is a sekretessärende (in the snapshot, or its case made confidential since) whose secrets the reader may not
    read: ``can(read_confidential_handlingar, case) or can(view_confidential, case)``, i.e. a role in the case's
    committee allowing either, or being the case's own officer. Such an item it shows by its public title only,
    which the search leaves to the public version."""
    reads_secrets = or_(
        Case.committee_id.in_(committees_where(user, Action.read_confidential_handlingar)),
        Case.committee_id.in_(committees_where(user, Action.view_confidential)),
        and_(Case.case_officer_id == user.id, Case.committee_id.in_(committees_where(user, Action.view_case))),
    )
    audience = SearchEntry.audience
    return and_(
        SearchEntry.committee_id.in_(committees_where(user, Action.view_meetings)),
        or_(
            and_(
                audience == Audience.meetings,
                or_(SearchEntry.case_id.is_(None), Case.is_confidential.is_(False), reads_secrets),
            ),
            and_(audience == Audience.meetings_secrets, SearchEntry.case_id.is_not(None), reads_secrets),
        ),
    )


def public_entries_clause() -> ColumnElement[bool]:
    """A WHERE clause (on search_entries outer-joined to cases) selecting what anyone may find without logging in:
    the public versions only, and nothing on a case that is confidential now."""
    return and_(
        SearchEntry.audience == Audience.public,
        or_(SearchEntry.case_id.is_(None), Case.is_confidential.is_(False)),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _term_clause(term: Term, dialect: str) -> ColumnElement[bool]:
    """The entries containing ``term``: as a substring of the folded text (partial words, compounds, numbers,
    phrases) or by the stems of its words (another form of the word: "riktlinje" finds "riktlinjerna")."""
    like = SearchEntry.plain.like(f"%{_escape_like(term.text)}%", escape="\\")
    if dialect == "postgresql":
        found: list[ColumnElement[bool]] = [like]
        if term.stems:
            query = func.phraseto_tsquery(cast(literal("swedish"), REGCONFIG), term.text)
            found.append(SearchEntry.document.op("@@")(query))
        return or_(*found)
    if dialect == "sqlite":
        # the trigram table answers a substring of three characters or more from its index
        found = [
            SearchEntry.id.in_(
                select(_FTS_PLAIN.c.rowid).where(_FTS_PLAIN.c.search_fts_plain.op("MATCH")(_fts_quote(term.text)))
            )
            if len(term.text) >= 3
            else like
        ]
        if term.stems:
            words = _fts_quote(" ".join(term.stems))
            found.append(
                SearchEntry.id.in_(select(_FTS_WORDS.c.rowid).where(_FTS_WORDS.c.search_fts_words.op("MATCH")(words)))
            )
        return or_(*found)
    return like


@dataclass
class SearchRequest:
    """What a search asks for; the filters are the facets' values."""

    q: str = ""
    committee_id: int | None = None
    year: int | None = None
    kind: EntryKind | None = None
    status: CaseStatus | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchRequest:
        """Read a search from a query string (the page's form and facet links); refuse odd values in Swedish."""
        errors: dict[str, str] = {}

        def number(name: str, label: str) -> int | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**31:
                errors[name] = f"{label} ska vara ett positivt heltal."
                return None
            return int(value)

        def choice(name: str, choices: type[_E]) -> _E | None:
            value = args.get(name) or ""
            if not value:
                return None
            try:
                return choices(value)
            except ValueError:
                errors[name] = "Välj ett av alternativen i listan."
                return None

        request = cls(
            q=args.get("q") or "",
            committee_id=number("committee", "Nämnden"),
            year=number("year", "Året"),
            kind=choice("kind", EntryKind),
            status=choice("status", CaseStatus),
            page=number("page", "Sidan") or 1,
        )
        if errors:
            raise ValidationError(errors)
        request.validate()
        return request

    def validate(self) -> None:
        if len(self.q) > MAX_QUERY:
            raise ValidationError({"q": f"Söktexten får vara högst {MAX_QUERY} tecken."})
        if not 1 <= self.page <= MAX_PAGE:
            raise ValidationError({"page": f"Sidan ska vara ett tal från 1 till {MAX_PAGE}."})


@dataclass
class Hit:
    kind: EntryKind
    object_id: int
    part: int
    case_id: int | None
    report_id: int | None
    committee_id: int
    committee: str
    case_number: str | None
    status: CaseStatus | None
    year: int | None
    entry_date: date | None
    #: the heading and the snippet, HTML-escaped with the matches in <mark>
    title: Markup
    snippet: Markup
    #: a bilaga whose file has no text to search ("Skannad, ingen text att söka i"): found by its title only
    text_note: str | None = None


@dataclass
class FacetValue:
    value: str
    label: str
    #: None: not counted (a year beyond the hits a search with more than ``HIT_LIMIT`` read)
    count: int | None


@dataclass
class SearchResult:
    request: SearchRequest
    terms: list[Term]
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    #: the query with å, ä, ö put back where the found texts have them ("bistand" → "bistånd"), if it finds nothing
    suggestion: str | None = None
    #: there were more than ``HIT_LIMIT`` hits: ``total`` is the limit, and the hits are the newest years'
    capped: bool = False
    #: the facets' counts are those of the newest years' ``HIT_LIMIT`` hits, not of all
    sampled: bool = False
    #: how many hits the search reads at most (``HIT_LIMIT``)
    limit: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


_KIND_ORDER = {kind: n for n, kind in enumerate(EntryKind)}

#: the most hits a search reads, counts into its facets and ranks: with more, the page says "Fler än 500 träffar"
#: and its hits are the newest years' 500 (an exact diarienummer or paragraph among them wherever it is), so that a
#: common word costs the same with a hundred thousand cases as with a thousand
HIT_LIMIT = 500


@dataclass(frozen=True)
class _Found:
    """A hit as narrow as ranking, counting and faceting need it: the entry's text is read for the page's only."""

    id: int
    committee_id: int
    year: int | None
    kind: EntryKind
    status: CaseStatus | None
    #: 0 an exact diarienummer or paragraph, 1 a number holding a typed number, 2 the rest
    tier: int
    #: PostgreSQL's weighted text rank (0 elsewhere)
    rank: float
    entry_date: date | None

    def order(self) -> tuple[Any, ...]:
        """The hits' order: the tier, then the text rank, then the kind, then the newest."""
        day = -self.entry_date.toordinal() if self.entry_date else 1
        return (self.tier, -self.rank, _KIND_ORDER[self.kind], day, -self.id)

    def value(self, facet: str) -> Any:
        return getattr(self, _FACET_FIELDS[facet])


#: each facet's field of a hit
_FACET_FIELDS = {"committee": "committee_id", "year": "year", "kind": "kind", "status": "status"}


def _matching(visible: ColumnElement[bool], terms: list[Term], *columns: Any) -> Select[Any]:
    """``columns`` of the entries the user may find that contain every term (search_entries outer-joined to
    cases)."""
    dialect = db.session.get_bind().dialect.name
    return (
        select(*columns)
        .outerjoin(Case, Case.id == SearchEntry.case_id)
        .where(visible, *(_term_clause(t, dialect) for t in terms))
    )


def _matching_each(visible: ColumnElement[bool], terms: list[Term], *columns: Any) -> Select[Any]:
    """``_matching`` for reading a bounded number of hits: on PostgreSQL each entry's case is looked up by its key
    as the entry is read (a LATERAL subquery the planner may not flatten), never by hashing every case of the
    committee, which the planner chooses when it misjudges how many entries a year's hits hold."""
    if db.session.get_bind().dialect.name != "postgresql":
        return _matching(visible, terms, *columns)
    entry_case = (
        select(Case.__table__)
        .where(Case.id == SearchEntry.case_id)
        .correlate(SearchEntry)
        .offset(0)
        .lateral("entry_case")
    )
    adapter = ClauseAdapter(entry_case)

    def adapt(expression: Any) -> Any:
        element = expression.__clause_element__() if hasattr(expression, "__clause_element__") else expression
        return adapter.traverse(element)

    stmt = (
        select(*(adapt(c) for c in columns))
        .select_from(SearchEntry)
        .outerjoin(entry_case, true())
        .where(adapt(visible), *(_term_clause(t, "postgresql") for t in terms))
    )
    if Case.__table__ in stmt.get_final_froms():  # a column of cases left unadapted would join every case
        raise AssertionError("the search read the cases table beside the entries' own case")
    return stmt


def _found(
    visible: ColumnElement[bool], terms: list[Term], q: str, filters: list[ColumnElement[bool]]
) -> tuple[list[_Found], bool]:
    """The hits the user may find, narrow and in their order, and whether there were more than ``HIT_LIMIT``.

    The newest year's hits are read first, then the year before's (from the indexes that begin with the year), then
    any as far as the limit allows, so that a common word reads about ``HIT_LIMIT`` of the newest hits and never
    all; with more than the limit, an exact diarienummer or paragraph is added wherever it is."""
    tier, rank = _ranking(terms, q)
    found = _matching_each(
        visible,
        terms,
        SearchEntry.id,
        SearchEntry.committee_id,
        SearchEntry.year,
        SearchEntry.kind,
        Case.status,
        tier,
        rank,
        SearchEntry.entry_date,
    ).where(*filters)

    def read(stmt: Select[Any], limit: int) -> list[_Found]:
        return [_Found(*row) for row in db.session.execute(stmt.limit(limit)).all()]

    newest = db.session.scalar(select(func.max(SearchEntry.year)))
    kept: dict[int, _Found] = {}
    # a year at a time by equality: the GIN index finds one year's hits by its first column, not a range of years
    for year in (newest, newest - 1) if newest is not None else ():
        kept.update((f.id, f) for f in read(found.where(SearchEntry.year == year), HIT_LIMIT + 1 - len(kept)))
        if len(kept) > HIT_LIMIT:
            break
    recent = set(kept)
    if len(kept) <= HIT_LIMIT:
        everything = read(found, HIT_LIMIT + 1)
        if len(everything) <= HIT_LIMIT:
            return sorted(everything, key=_Found.order), False
        for f in everything:
            kept.setdefault(f.id, f)
    for f in read(found.where(SearchEntry.reference.in_(_handles(terms, q))), 50):
        kept.setdefault(f.id, f)
    # the exact handles first, then the newest years', then the others read, each by rank
    ordered = sorted(kept.values(), key=lambda f: (f.tier > 0, f.id not in recent, f.order()))
    return ordered[:HIT_LIMIT], True


def _handles(terms: list[Term], q: str) -> list[str]:
    """What an exact diarienummer or paragraph reference would be: the whole query folded, or one of its terms."""
    return [fold(q), *(t.text for t in terms)]


def _ranking(terms: list[Term], q: str) -> tuple[ColumnElement[int], ColumnElement[float]]:
    """The tier (an exact diarienummer or paragraph 0, an entry whose number holds a typed number ("3342") 1, the
    rest 2) and the weighted text rank (PostgreSQL) of each hit."""
    handles = [t.text for t in terms if any(ch.isdigit() for ch in t.text)]
    tier = case(
        (SearchEntry.reference.in_(_handles(terms, q)), 0),
        *(
            ((or_(*(SearchEntry.reference.like(f"%{_escape_like(h)}%", escape="\\") for h in handles)), 1),)
            if handles
            else ()
        ),
        else_=2,
    )
    rank: ColumnElement[float] = literal(0.0)
    if db.session.get_bind().dialect.name == "postgresql" and any(t.stems for t in terms):
        swedish = cast(literal("swedish"), REGCONFIG)
        words = " ".join(w for t in terms for w in t.text.split())
        rank = func.ts_rank(SearchEntry.document, func.plainto_tsquery(swedish, words))
    return tier, rank


def _page(
    visible: ColumnElement[bool], terms: list[Term], ids: list[int]
) -> list[tuple[SearchEntry, str | None, CaseStatus | None, str]]:
    """The page's entries read whole, in the order of ``ids``, again only if the user may find them."""
    rows = db.session.execute(
        _matching(visible, terms, SearchEntry, Case.number, Case.status, Committee.name)
        .join(Committee, Committee.id == SearchEntry.committee_id)
        .where(SearchEntry.id.in_(ids))
    ).all()
    position = {entry_id: n for n, entry_id in enumerate(ids)}
    return [(e, number, status, name) for e, number, status, name in sorted(rows, key=lambda r: position[r[0].id])]


def _filters(request: SearchRequest) -> list[ColumnElement[bool]]:
    found = []
    if request.committee_id is not None:
        found.append(SearchEntry.committee_id == request.committee_id)
    if request.year is not None:
        found.append(SearchEntry.year == request.year)
    if request.kind is not None:
        found.append(SearchEntry.kind == request.kind)
    if request.status is not None:
        found.append(Case.status == request.status)
    return found


def _chosen(request: SearchRequest) -> dict[str, Any]:
    return {"committee": request.committee_id, "year": request.year, "kind": request.kind, "status": request.status}


def _fits(hit: _Found, chosen: Mapping[str, Any], *, but: str | None = None) -> bool:
    return all(value is None or hit.value(name) == value for name, value in chosen.items() if name != but)


def _tally(found: Sequence[_Found], request: SearchRequest) -> dict[str, list[FacetValue]]:
    """Each facet's values and counts among ``found``, each facet with the other facets' choices applied."""
    chosen = _chosen(request)
    counts: dict[str, Counter[Any]] = {name: Counter() for name in chosen}
    for hit in found:
        for name in chosen:
            if hit.value(name) is not None and _fits(hit, chosen, but=name):
                counts[name][hit.value(name)] += 1
    return {name: _label_facet(name, list(counts[name].items())) for name in chosen}


def _all_years(counted: list[FacetValue]) -> list[FacetValue]:
    """The year facet of a search that read only the newest years' hits: those years with their counts, and every
    older year of the index without one, so that the user can choose one and read its own hits."""
    oldest, newest = db.session.execute(select(func.min(SearchEntry.year), func.max(SearchEntry.year))).one()
    known = {f.value for f in counted}
    years = range(newest, oldest - 1, -1) if oldest is not None and newest is not None else range(0)
    more = [FacetValue(str(y), str(y), None) for y in years if str(y) not in known]
    return sorted([*counted, *more], key=lambda f: f.value, reverse=True)


def _label_facet(name: str, counts: Sequence[tuple[Any, int]]) -> list[FacetValue]:
    if name == "committee":
        names = (
            {cid: cname for cid, cname in db.session.execute(select(Committee.id, Committee.name))} if counts else {}
        )
        values = [FacetValue(str(v), names.get(v, str(v)), n) for v, n in counts]
        return sorted(values, key=lambda f: f.label)
    if name == "year":
        return sorted((FacetValue(str(v), str(v), n) for v, n in counts), key=lambda f: f.value, reverse=True)
    if name == "kind":
        kinds = [(EntryKind(v), n) for v, n in counts]
        return [FacetValue(k.value, k.label, n) for k, n in sorted(kinds, key=lambda kn: _KIND_ORDER[kn[0]])]
    statuses = [(CaseStatus(v), n) for v, n in counts]
    return [FacetValue(s.value, s.label, n) for s, n in sorted(statuses, key=lambda sn: sn[0].value)]


def _suggestion(visible: ColumnElement[bool], terms: list[Term], q: str) -> str | None:
    """The query with the å, ä or ö the found texts have where it has a or o, looked for only among the entries the
    user may find (a suggestion shows a word: it must not come from a text they may not read)."""
    replaced = q
    changed = False
    for term in terms:
        pattern = suggestion_pattern(term)
        if pattern is None:
            continue
        rows = db.session.scalars(
            select(SearchEntry.plain)
            .outerjoin(Case, Case.id == SearchEntry.case_id)
            .where(visible, SearchEntry.plain.like(f"%{pattern}%"))
            .limit(20)
        )
        word = next((w for w in (suggested_word(text, term) for text in rows) if w), None)
        if word:
            replaced = _replace_folded(replaced, term.text, word)
            changed = True
    return replaced if changed else None


def _replace_folded(query: str, old: str, new: str) -> str:
    out = []
    for token in query.split():
        out.append(new if fold(token).strip('",.;:()') == old else token)
    return " ".join(out)


def search(user: User, request: SearchRequest) -> SearchResult:
    """The entries ``user`` may find for ``request``: one page of hits, the total, the facets and a suggestion."""
    return _search(visible_entries_clause(user), request)


def search_public(request: SearchRequest) -> SearchResult:
    """The public search: the same, over the public versions only (``public_entries_clause``)."""
    return _search(public_entries_clause(), request)


def _search(visible: ColumnElement[bool], request: SearchRequest) -> SearchResult:
    request.validate()
    terms = parse_query(request.q)
    result = SearchResult(request=request, terms=terms, limit=HIT_LIMIT)
    if not terms:
        return result
    found, result.capped = _found(visible, terms, request.q, [])
    result.sampled = result.capped
    chosen = _chosen(request)
    hits = [f for f in found if _fits(f, chosen)]
    if result.capped and any(v is not None for v in chosen.values()):
        # the newest years' hits of the whole search may hold few of those chosen: read the chosen ones' own
        hits, result.capped = _found(visible, terms, request.q, _filters(request))
        found = list({f.id: f for f in [*found, *hits]}.values())
    result.total = len(hits)
    result.facets = _tally(found, request)
    if result.sampled:
        result.facets["year"] = _all_years(result.facets["year"])
    if result.total == 0:
        result.suggestion = _suggestion(visible, terms, request.q)
    first = (request.page - 1) * PAGE_SIZE
    ids = [f.id for f in hits[first : first + PAGE_SIZE]]
    if not ids:
        return result
    for entry, number, status, committee in _page(visible, terms, ids):
        result.hits.append(
            Hit(
                kind=entry.kind,
                object_id=entry.object_id,
                part=entry.part,
                case_id=entry.case_id,
                report_id=entry.report_id,
                committee_id=entry.committee_id,
                committee=committee,
                case_number=number,
                status=status,
                year=entry.year,
                entry_date=entry.entry_date,
                title=snippet(entry.title, terms, width=600),
                snippet=snippet(entry.body, terms) if entry.body else Markup(""),
            )
        )
    attachment_ids = [h.object_id for h in result.hits if h.kind is EntryKind.bilaga]
    notes = text_notes(attachment_ids) if attachment_ids else {}
    for hit in result.hits:
        hit.text_note = notes.get(hit.object_id) if hit.kind is EntryKind.bilaga else None
    return result


#: what a bilaga's list and a search hit say of a file without text to search
SCANNED = "Skannad, ingen text att söka i"
NO_TEXT = "Ingen text att söka i"
NOT_READ = "Texten kunde inte läsas"


def text_notes(attachment_ids: Sequence[int]) -> dict[int, str]:
    """For bilagor whose file's text was read and has nothing to search: the note to show, by bilaga id. A PDF
    without text is a scan ("Skannad, ingen text att söka i"); a file the reader failed on says so."""
    rows = db.session.execute(
        select(ReportAttachment.id, ExtractedText.status, StoredFileRecord.content_type)
        .join(ExtractedText, ExtractedText.file_id == ReportAttachment.file_id)
        .join(StoredFileRecord, StoredFileRecord.id == ReportAttachment.file_id)
        .where(ReportAttachment.id.in_(attachment_ids), ExtractedText.status != ExtractionStatus.done)
    ).all()
    notes = {}
    for attachment_id, status, content_type in rows:
        if status is ExtractionStatus.failed:
            notes[attachment_id] = NOT_READ
        else:
            notes[attachment_id] = SCANNED if content_type == "application/pdf" else NO_TEXT
    return notes
