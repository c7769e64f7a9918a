"""The schemas of meetings (sammanträden) in the API: the requests, and meetings, agenda items, published
kallelser and delegated decisions as answered (built by app/api/meeting_json.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field, RootModel, create_model

from agenda.conventions import MAX_MARKERS
from agenda.models import ItemKind, ItemOutcome, MeetingStatus
from agenda.operations import MAX_ITEMS, MAX_PARTS
from app.api.case_schemas import CommitteeRef, UserRef
from app.api.committee_schemas import Job, SelfLink
from app.api.spec import (
    Body,
    Choice,
    Error,
    Flag,
    Id,
    IsoDate,
    ListOf,
    Number,
    OpenShape,
    Page,
    PageQuery,
    Query,
    RowId,
    Shape,
    Text,
    Url,
    Year,
)
from tasks.rendering.meeting_plan import VARIANTS
from tasks.rendering.meeting_renderer import FILES

KIND_TEXT = "; ".join(f"`{k.value}`: {k.label}" for k in ItemKind)
LOCAL_TIME = "Svensk tid med tidszon, t.ex. 2027-02-23T18:00:00+01:00."
TIME_INPUT = "ÅÅÅÅ-MM-DDTTT:MM i svensk tid (eller med tidszon). Måste ligga i framtiden och högst fem år fram."
VERSION_TEXT = (
    "Föredragningslistans version (`agenda_version`) som ändringen utgår från; "
    "har listan ändrats sedan dess svarar API:t 409 och inget ändras."
)


def nullable(max_length: int, **extra) -> dict:
    """Describe a text that null clears (the operation checks its length, and says so in Swedish)."""
    return {"type": ["string", "null"], "maxLength": max_length, **extra}


# --- the meeting lists' filters ---------------------------------------------------------------------------


class MeetingFilters(Query):
    committee_id: Id = Field(None, title="Nämnd", description="Bara sammanträden i denna nämnd.")
    year: Year = Field(None, title="År", description="Bara sammanträden detta år.")


class MeetingListQuery(PageQuery, MeetingFilters):
    pass  # the filters, then the page (the public list takes the same)


class DecisionFilters(Query):
    decided_from: IsoDate = Field(None, title="Beslutat från", description="Beslutat från och med (ÅÅÅÅ-MM-DD).")
    decided_to: IsoDate = Field(None, title="Beslutat till", description="Beslutat till och med (ÅÅÅÅ-MM-DD).")


class DecisionListQuery(PageQuery, DecisionFilters):
    pass


# --- answers ----------------------------------------------------------------------------------------------


class AgendaPart(Shape):
    """En del av en informationspunkt med föredragande."""

    title: str = Field(max_length=300)
    presenter: str | None = Field(None, max_length=300)


class AgendaItem(Shape):
    """En punkt på föredragningslistan."""

    id: RowId
    number: int = Field(
        ge=0,
        description="Punktens nummer på listan: platsen i ordningen räknad från nämndens första nummer (0 eller 1).",
    )
    kind: ItemKind
    kind_label: str
    section: str | None = Field(
        description="Avsnittet punkten står under, t.ex. Beslutsärenden; ett sekretessärende står under den slutna "
        "delen (t.ex. Sekretessärenden)."
    )
    section_id: RowId | None = Field(description="Nämndens avsnitt som sekreteraren placerat punkten under.")
    markers: list[str] = Field(description="Markeringar efter rubriken, t.ex. (KF).", examples=[["(KF)"]])
    marker_ids: list[RowId] = Field(description="Markeringarnas id i nämndens mall.")
    immediate_adjustment: bool = Field(
        description="Omedelbar justering: det undertecknade tjänsteutlåtandet föreslår att paragrafen förklaras "
        "omedelbart justerad."
    )
    title: str
    case_id: RowId | None
    case_number: str | None = Field(examples=["SN-2016/3342.181"])
    public_title: str | None = Field(description="Sekretessärendets offentliga rubrik.")
    note: str | None = Field(examples=["Remisshandlingar: http://www.huddinge.se/generatorn2 (hämtad 2017-01-24)"])
    external_reference: str | None = Field(examples=["KSL/12/0177-37"])
    parts: list[AgendaPart]
    is_handling_later: bool = Field(description="Handling kommer senare.")
    report_state: str | None = Field(description="Tjänsteutlåtandets status (för den som får läsa det).")
    outcome: ItemOutcome | None
    outcome_label: str | None
    withheld: bool = Field(description="Sekretessärende du inte får läsa: bara den offentliga rubriken.")
    links: SelfLink


class Agenda(Shape):
    items: list[AgendaItem]
    agenda_version: int


class AgendaItemReply(Shape):
    item: AgendaItem
    agenda_version: int
    meeting_status: MeetingStatus


class LatestPublication(Shape):
    version: int
    published_at: datetime


class MeetingLinks(Shape):
    self: Url
    items: Url
    order: Url
    publication_check: Url
    publications: Url


class MeetingSummary(Shape):
    """Ett sammanträde utan föredragningslistan."""

    id: RowId
    committee: CommitteeRef
    start: str = Field(description=LOCAL_TIME, examples=["2027-02-23T18:00:00+01:00"])
    place: str = Field(examples=["Plenum, Gymnasietorget 1"])
    is_public: bool = Field(description="Sammanträdet är öppet för allmänheten.")
    status: MeetingStatus
    status_label: str
    cancelled: bool = Field(description="Sammanträdet är inställt (`status` är `cancelled`).")
    cancelled_at: datetime | None = Field(description="När sammanträdet ställdes in.")
    cancellation_reason: str | None = Field(description="Varför sammanträdet ställdes in.")
    notice_deadline: date = Field(description="Sista dag att publicera kallelsen utan särskilt skäl.")
    notice_place: str | None
    notice_date: date | None
    chair_name: str | None
    secretary_name: str | None
    agenda_version: int = Field(ge=1)
    latest_publication: LatestPublication | None
    links: MeetingLinks


class Meeting(MeetingSummary):
    """Ett sammanträde med föredragningslistan som du får se den."""

    items: list[AgendaItem]


class MeetingReply(Shape):
    meeting: Meeting


class MeetingPage(Page):
    """En sida med sammanträden."""

    items: list[MeetingSummary]


class PublicationCheck(Shape):
    problems: list[str] = Field(description="Varför kallelsen inte kan publiceras nu (tom när den kan).")
    deadline: date = Field(description="Sista dag att publicera utan skäl.")
    is_late: bool = Field(description="Sista dag har passerat: publicering kräver `late_reason`.")


class PublicationRefusal(Shape):
    status: Literal[409]
    message: str
    problems: list[str] = Field(description="Var problemen finns.")


class PublicationRefused(Shape):
    """Publiceringen avvisades; `problems` säger var."""

    error: PublicationRefusal


class PublishRefused(RootModel[PublicationRefused | Error]):
    """Publiceringen avvisades (`problems` säger var), eller ett fel utan problemlista."""


class SnapshotMeeting(OpenShape):
    """Kallelsens huvud och avslutning som de publicerades."""

    committee: str = None
    title: str = None
    start: str = Field(None, description=LOCAL_TIME)
    place: str = None
    is_public: bool = None
    notice_place: str | None = None
    notice_date: date | None = None
    chair_name: str | None = None
    secretary_name: str | None = None


class SnapshotItem(OpenShape):
    """En punkt som den publicerades."""

    number: int
    kind: ItemKind
    title: str
    section: str | None = None
    markers: list[str] = None
    immediate_adjustment: bool = None
    case_number: str | None = None
    note: str | None = None
    external_reference: str | None = None
    parts: list[AgendaPart] = None
    is_handling_later: bool = None
    report: dict | None = None
    attachments: list[dict] = None
    delegation_decisions: list[dict] = None
    withheld: bool = None


class PublicationSummary(Shape):
    """En publicerad version av kallelsen."""

    version: int = Field(ge=1)
    published_at: datetime
    published_by: UserRef | None
    changes: list[str] = Field(description="Vad som ändrats sedan förra versionen.")
    late_reason: str | None = Field(description="Skälet när kallelsen publicerades efter sista dag.")
    links: SelfLink


class Publication(PublicationSummary):
    """Ledamöternas version som du får läsa den: sekretessärenden, sekretessbilagor och delegationsbeslut
    i sekretessärenden du inte får se är undanhållna (`withheld`)."""

    meeting: SnapshotMeeting
    items: list[SnapshotItem]


class PublicationReply(Shape):
    publication: Publication


class PublicationList(Shape):
    items: list[PublicationSummary]


class DelegationDecision(Shape):
    """Ett beslut fattat på delegation, anmält till nämnden."""

    id: RowId
    decided_on: date
    decision_maker: str
    delegation_point: str = Field(examples=["3.1.2"])
    case_id: RowId | None
    case_number: str | None
    summary: str = Field(
        description="Beslutet i korthet; i ett sekretessärende du inte får läsa bara ärendets offentliga rubrik."
    )
    is_confidential: bool
    withheld: bool
    registered_at: datetime
    registered_by: UserRef | None


class DelegationDecisionReply(Shape):
    decision: DelegationDecision


class DelegationDecisionPage(Page):
    """En sida med delegationsbeslut."""

    items: list[DelegationDecision]


# --- the public version -----------------------------------------------------------------------------------


class KallelseLink(Shape):
    kallelse: Url


class PublicMeeting(Shape):
    """Ett sammanträde med publicerad kallelse, enligt den senaste offentliga versionen."""

    id: RowId
    committee: str
    municipality: str | None
    start: str = Field(description=LOCAL_TIME)
    place: str
    is_public: bool
    cancelled: bool = Field(description="Sammanträdet är inställt; kallelsen gäller inte längre.")
    latest_version: int = Field(ge=1)
    published_at: datetime
    links: KallelseLink


class KallelseVersion(Shape):
    version: int
    published_at: datetime
    url: Url


class PublicKallelse(Shape):
    """Den offentliga versionen: sekretessärenden bara med offentlig rubrik, utan diarienummer och handlingar;
    sekretessbilagor aldrig."""

    meeting_id: RowId
    version: int = Field(ge=1)
    published_at: datetime
    cancelled: bool = Field(description="Sammanträdet är inställt; kallelsen gäller inte längre.")
    changes: list[str]
    meeting: SnapshotMeeting
    items: list[SnapshotItem]
    versions: list[KallelseVersion]


# --- Skapa handlingar -------------------------------------------------------------------------------------

#: where each file of a variant is fetched (by its name, e.g. kallelse.pdf)
MeetingFiles = create_model(
    "MeetingFiles",
    __base__=Shape,
    **{
        name.replace(".", "_"): (
            Url | None,
            Field(alias=name, description=f"Var {label.lower()} hämtas; null tills den är gjord."),
        )
        for name, (label, _mimetype) in FILES.items()
    },
)
MeetingDocumentFiles = create_model(
    "MeetingDocumentFiles", __base__=Shape, **{variant: (MeetingFiles, ...) for variant in VARIANTS}
)


class MeetingDocuments(Shape):
    """Handlingarna till ett sammanträde: jobbet och dess filer, ledamöternas och den offentliga versionen.
    Misslyckas jobbet (t.ex. en bilaga som inte är den PDF den utger sig för att vara) säger `job.error`
    vilken bilaga; det som redan gjorts finns kvar."""

    job: Job
    publication_version: int = Field(ge=1, description="Kallelsens version som renderas.")
    files: MeetingDocumentFiles


# --- requests ---------------------------------------------------------------------------------------------


def version_field(description: str = VERSION_TEXT):
    return Field(None, title="Version av föredragningslistan", description=description)


class NewMeeting(Body):
    committee_id: Id = Field(None, title="Nämnd")
    start: Text(40) = Field(None, title="Tid", description=TIME_INPUT, examples=["2027-02-23T18:00"])
    place: Text(None) = Field(
        None, title="Plats", json_schema_extra={"maxLength": 200}, examples=["Plenum, Gymnasietorget 1"]
    )
    is_public: Flag = Field(False, title="Öppet för allmänheten")
    standing_items: Flag = Field(
        True,
        title="Stående punkter",
        description=(
            "Lägg in nämndens stående punkter: Val av justerare, Godkännande av föredragningslistan, "
            "Övriga frågor, Delgivningar och anmälda delegationsbeslut."
        ),
    )


class MeetingChange(Body):
    """Fälten som ska ändras; null tömmer ett fält i kallelsens avslutning."""

    start: Text(40) = Field(None, title="Tid", description=TIME_INPUT, examples=["2027-02-23T18:00"])
    place: Text(None) = Field(None, title="Plats", json_schema_extra={"maxLength": 200})
    is_public: Flag = Field(None, title="Öppet för allmänheten")
    notice_place: Text(None) = Field(
        None, title="Ort för kallelsen", json_schema_extra=nullable(100, examples=["Huddinge"])
    )
    notice_date: IsoDate = Field(
        None,
        title="Kallelsens datum",
        description="Kallelsens datum (ÅÅÅÅ-MM-DD).",
        json_schema_extra={"type": ["string", "null"]},
    )
    chair_name: Text(None) = Field(None, title="Ordförande", json_schema_extra=nullable(200))
    secretary_name: Text(None) = Field(None, title="Sekreterare", json_schema_extra=nullable(200))


# An item's and a delegated decision's fields in parts; a model's bases give their fields last base first.


class _ItemKind(Body):
    kind: Choice(ItemKind) = Field(None, title="Typ av punkt", description=KIND_TEXT)


class _CaseChoice(Body):
    case_id: Id = Field(
        None, title="Ärende", description="Ärendet (för ärendepunkter och delgivningar); eller case_number."
    )
    case_number: Text(60) = Field(None, title="Diarienummer", examples=["SN-2016/3342.181"])


class _ItemTexts(Body):
    title: Text(None) = Field(
        None,
        title="Rubrik",
        description="Utelämnas för ärenden: ärendemeningen används.",
        json_schema_extra={"maxLength": 1000},
    )
    note: Text(None) = Field(None, title="Anteckning", json_schema_extra=nullable(2000))
    external_reference: Text(None) = Field(None, title="Extern referens", json_schema_extra=nullable(100))
    parts: ListOf(AgendaPart, MAX_PARTS) = Field(None, title="Delar")
    is_handling_later: Flag = Field(
        None,
        title="Handling kommer senare",
        description="Handling kommer senare: krävs för ett ärende vars tjänsteutlåtande inte är undertecknat.",
    )

    section_id: Id | None = Field(
        None, title="Avsnitt", description="Ett av nämndens avsnitt (id i mallen) som punkten står under; null: inget."
    )
    markers: ListOf(Id, MAX_MARKERS) = Field(None, title="Markeringar", description="Nämndens markeringar (id).")

    #: the texts an item's change names (null included)
    TEXTS: ClassVar[tuple[str, ...]] = (
        "title",
        "note",
        "external_reference",
        "parts",
        "is_handling_later",
        "section_id",
        "markers",
    )


class NewAgendaItem(_ItemTexts, _CaseChoice, _ItemKind):
    position: Number(MAX_ITEMS + 1) = Field(
        None,
        title="Plats",
        description="Platsen 1 … n i ordningen (oavsett nämndens första nummer); utelämnad: sist i sitt avsnitt, "
        "annars före Övriga frågor (sekretessärenden efter).",
    )
    version: Id = version_field()


class AgendaItemChange(_ItemTexts):
    position: Number(MAX_ITEMS) = Field(None, title="Plats", description="Flytta punkten hit.")
    version: Id = version_field()


class AgendaOrder(Body):
    order: ListOf(RowId) = Field(
        None, title="Ordning", description="Varje punkts id exakt en gång, i den nya ordningen."
    )
    version: Id = version_field()


class VersionOnly(Body):
    version: Id = version_field()


class VersionQuery(Query):
    version: Id = version_field("Föredragningslistans version som borttagningen utgår från.")


class Outcome(Body):
    outcome: Choice(ItemOutcome) = Field(
        None, title="Utfall", description="decided: beslutat; postponed: bordlagt; sent_back: återremitterat."
    )


class CancellationRequest(Body):
    reason: Text(None) = Field(
        None,
        title="Skäl",
        description="Varför sammanträdet ställs in (krävs, högst 1000 tecken). Skickas till ledamöter och "
        "ersättare och sparas i loggen; visas inte offentligt.",
        json_schema_extra=nullable(1000),
    )


class PublicationRequest(Body):
    late_reason: Text(None) = Field(
        None,
        title="Skäl",
        description="Krävs efter sista dag; sparas i loggen.",
        json_schema_extra=nullable(1000),
    )


class _Decision(Body):
    decided_on: IsoDate = Field(None, title="Beslutsdatum", description="Beslutsdatum; inte i framtiden.")
    decision_maker: Text(None) = Field(
        None, title="Beslutsfattare", json_schema_extra={"maxLength": 200}, examples=["Eva Strand, socialdirektör"]
    )
    delegation_point: Text(None) = Field(
        None, title="Punkt i delegationsordningen", json_schema_extra={"maxLength": 50}, examples=["3.1.2"]
    )
    summary: Text(None) = Field(None, title="Beslutet i korthet", json_schema_extra={"maxLength": 1000})


class NewDelegationDecision(_CaseChoice, _Decision):
    pass  # the decision, then its case (case_id or case_number)
