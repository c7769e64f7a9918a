"""The schemas of the diarium in the API: the case list's filters, a new case, and cases as answered."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.api.spec import Body, Choice, Flag, Id, IsoDate, Page, PageQuery, RowId, Shape, Text, Url
from app.registry.models import CaseStatus, Direction

# The filters are the case list's query string and a registry export's JSON body (in the committee of its
# URL); Query before them in a list's bases makes them query parameters.


class CommitteeFilter(Body):
    committee_id: Id = Field(None, title="Nämnd", description="Bara ärenden i denna nämnd.")


class CaseFilters(Body):
    """Samma filter som ärendelistan."""

    q: Text(200) = Field(
        None,
        title="Sökord",
        description=(
            "Ord som alla ska finnas i diarienummer, rubrik eller extern referens (skiftläge spelar ingen roll)."
        ),
    )
    number: Text(200) = Field(None, title="Diarienummer", description="Diarienummer, helt eller delvis (t.ex. 3342).")
    case_officer_id: Id = Field(None, title="Handläggare", description="Ansvarig handläggare.")
    registered_from: IsoDate = Field(
        None, title="Registrerat från", description="Registrerat från och med (ÅÅÅÅ-MM-DD)."
    )
    registered_to: IsoDate = Field(None, title="Registrerat till", description="Registrerat till och med (ÅÅÅÅ-MM-DD).")
    status: Choice(CaseStatus) = Field(None, title="Status")
    classification: Text(30) = Field(None, title="Klassificering", description="Klassificeringskod, t.ex. 181.")


class CaseListQuery(PageQuery, CaseFilters, CommitteeFilter):
    pass  # the case list's query string: the committee, the filters, then the page


class NewCase(Body):
    """Ett nytt ärende; diarienumret tilldelas vid registreringen."""

    committee_id: Id = Field(None, title="Nämnd")
    title: Text(None) = Field(
        None, title="Ärendemening", description="Ärendemeningen.", json_schema_extra={"maxLength": 500}
    )
    classification_code: Text(None) = Field(
        None,
        title="Klassificering",
        description="En aktiv kod ur klassificeringsstrukturen; krävs när diariets format skriver koden ({class}).",
    )
    case_officer_id: Id = Field(
        None, title="Handläggare", description="Ansvarig handläggare; måste vara handläggare i nämnden."
    )
    is_confidential: Flag = Field(False, title="Sekretess")
    secrecy_provision: Text(None) = Field(
        None, title="Sekretessbestämmelse", description="Krävs för sekretessärenden, t.ex. 26 kap. 1 § OSL."
    )
    public_title: Text(None) = Field(
        None, title="Offentlig rubrik", description="Offentlig rubrik för ett sekretessärende, utan namn."
    )
    external_reference: Text(None) = Field(None, title="Extern referens")


# --- answers -------------------------------------------------------------------------------------------


class UserRef(Shape):
    id: RowId
    name: str


class OfficerRef(Shape):
    id: RowId
    name: str
    title: str


class CommitteeRef(Shape):
    id: RowId
    name: str
    registry_prefix: str


class Classification(Shape):
    code: str = Field(examples=["181"])
    name: str


class CaseLinks(Shape):
    self: Url
    html: Url = Field(description="Ärendets sida i webbläsaren.")


class _CaseCore(Shape):
    id: RowId
    number: str = Field(description="Diarienumret.", examples=["SN-2016/3342.181"])
    title: str = Field(description="Ärendemeningen.")
    public_title: str = Field(None, description="Rubriken som får visas offentligt; bara för sekretessärenden.")
    committee: CommitteeRef
    classification: Classification | None = Field(description="Saknas när diariets format inte skriver någon kod.")
    status: CaseStatus
    status_label: str = Field(examples=[CaseStatus.open.label])
    registered_on: date
    closed_on: date | None
    case_officer: OfficerRef | None
    external_reference: str | None = Field(description="Annan organisations nummer, t.ex. KSL/12/0177-37.")


class CaseSummary(_CaseCore):
    """Ett ärende i en lista, utan handlingar."""

    is_confidential: bool
    links: CaseLinks


class Document(Shape):
    number: int = Field(description="Handlingens löpnummer i ärendet.")
    direction: Direction
    direction_label: str = Field(examples=[Direction.incoming.label])
    document_date: date
    counterparty: str | None = Field(
        description=(
            "Avsändare eller mottagare; tom för upprättade handlingar. null när handlingen är sekretessmarkerad "
            "och du inte får se sekretessuppgifter i ärendet."
        )
    )
    description: str
    external_reference: str | None
    is_confidential: bool
    registered_from: str | None = Field(
        description=(
            "Vad som registrerade handlingen automatiskt: report (det undertecknade tjänsteutlåtandet), "
            "attachment (en bilaga till det) eller publication (en publicerad kallelse); null för en handling "
            "som registrerats för hand."
        ),
        examples=["report"],
    )
    sha256: str | None = Field(
        description=(
            "SHA-256 för det som registrerades automatiskt: utlåtandets underskrift (text och bilagor), "
            "bilagans fil eller kallelsens publicerade innehåll."
        )
    )


class Confidentiality(Shape):
    is_confidential: bool
    provision: str | None = Field(examples=["26 kap. 1 § OSL"])
    decided_on: date | None
    decided_by: UserRef | None


class Case(_CaseCore):
    """Ett ärende med sekretessbeslut och registrerade handlingar."""

    confidentiality: Confidentiality
    documents: list[Document]
    links: CaseLinks


class CaseReply(Shape):
    case: Case


class CasePage(Page):
    """En sida med ärenden."""

    items: list[CaseSummary]
