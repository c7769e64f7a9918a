"""The schemas of the search in the API: what it asks for and the page of hits it answers."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.api.spec import Choice, Id, Page, Query, RowId, Shape, Text, Url, Year
from app.registry.models import CaseStatus
from app.search.models import EntryKind
from app.search.queries import HIT_LIMIT


class SearchQuery(Query):
    q: Text(200) = Field(
        None,
        title="Sökord",
        description=(
            "Ord (även andra böjningsformer och delar av ord), ett diarienummer eller en del av det, en paragraf "
            '("§ 12") eller en fras inom citattecken; alla ska finnas i träffen.'
        ),
    )
    committee_id: Id = Field(None, title="Nämnd", description="Bara träffar i denna nämnd.")
    year: Year = Field(None, title="År", description="Ärendets diarieår, sammanträdets år.")
    kind: Choice(EntryKind) = Field(None, title="Typ")
    status: Choice(CaseStatus) = Field(None, title="Ärendets status")
    page: Id = Field(None, title="Sida", description="Sidan, från 1; 20 träffar på varje.")


class HitLinks(Shape):
    html: Url = Field(description="Sidan som visar texten (den prövar på nytt vem som får se den).")


class HitCommittee(Shape):
    id: RowId
    name: str


class SearchHit(Shape):
    kind: EntryKind
    kind_label: str = Field(examples=[EntryKind.case.label])
    object_id: RowId = Field(
        description="Id för ärendet, handlingen, utlåtandet, bilagan, sammanträdet eller paragrafen."
    )
    part: int = Field(description="Utlåtandets version (0 aktuell, 1 undertecknad) eller kallelsens punkt; annars 0.")
    case_id: RowId | None
    case_number: str | None = Field(examples=["SN-2016/3342.181"])
    case_status: CaseStatus | None
    committee: HitCommittee
    year: int | None
    date: date | None
    title: str = Field(description="Rubriken som text.")
    title_html: str = Field(description="Rubriken HTML-kodad, med träffarna inom <mark>.")
    snippet_html: str = Field(description="Ett utdrag kring första träffen, HTML-kodat, med träffarna inom <mark>.")
    text_note: str | None = Field(
        description="En bilaga vars fil inte har någon text att söka i (hittas bara på sin rubrik).",
        examples=["Skannad, ingen text att söka i"],
    )
    links: HitLinks


class FacetCount(Shape):
    value: str
    label: str
    count: int | None = Field(
        description="Antalet träffar med värdet; null för ett år bortom de träffar en sökning med fler än "
        f"{HIT_LIMIT} träffar läste (välj året för att se dess egna)."
    )


class Facets(Shape):
    committee: list[FacetCount]
    year: list[FacetCount]
    kind: list[FacetCount]
    status: list[FacetCount]


class SearchPage(Page):
    """En sida träffar, de bästa först; antalet räknar bara det du får läsa."""

    items: list[SearchHit]
    facets: Facets = Field(description="Antal träffar per värde, bland det du får läsa, med de andra filtren valda.")
    suggestion: str | None = Field(description='Sökningen med å, ä, ö där texterna har dem ("bistand" → "bistånd").')
    capped: bool = Field(
        description=f"Fler träffar än sökningen räknar ({HIT_LIMIT}): total är gränsen, och träffarna är de senaste årens."
    )
    facets_sampled: bool = Field(
        description=f"Facetternas antal gäller de senaste årens {HIT_LIMIT} träffar, inte alla träffar."
    )
