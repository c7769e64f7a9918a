"""The schemas of committees (nämnder) and background jobs in the API, as answered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from agenda.models import STANDING_KINDS
from app.api.case_schemas import Classification
from app.api.spec import RowId, Shape, Url
from app.auth.models import Role
from app.organisation.models import CommitteeKind
from tasks.models import JobState


class Administration(Shape):
    id: RowId
    name: str


class Municipality(Shape):
    id: RowId
    name: str
    registration_number_format: str = Field(
        description="Formatet som ett nytt diarium får från början; varje diarium har sitt eget (diarium)."
    )


class CommitteeDiarium(Shape):
    id: RowId
    name: str
    series: str = Field(examples=["SN"])
    number_format: str = Field(description="Diariets format, t.ex. {prefix}-{year}/{serial}.{class}.")


class StandingItem(Shape):
    title: str
    kind: Literal[tuple(kind.value for kind in STANDING_KINDS)]
    closes_agenda: bool = Field(description="Avslutar listan: nya punkter läggs före.")


class SelfLink(Shape):
    self: Url


class Committee(Shape):
    id: RowId
    name: str
    registry_prefix: str = Field(examples=["SN"])
    kind: Literal[tuple(kind.value for kind in CommitteeKind)] = Field(
        description="committee (nämnd), subcommittee (utskott) eller district_committee (stadsdelsnämnd)."
    )
    kind_label: str = Field(examples=["Utskott"])
    parent_id: RowId | None = Field(
        description="Utskottets nämnd, som det bereder ärenden för och registrerar i diariet hos; null för andra."
    )
    administration: Administration
    municipality: Municipality
    diarium: CommitteeDiarium | None = Field(
        description="Diariet som nämndens nya ärenden registreras i (ett utskotts: dess nämnds)."
    )
    roles: list[Literal[tuple(role.value for role in Role)]] = Field(description="Dina roller i nämnden.")
    notice_days: int = Field(description="Dagar före sammanträdet som kallelsen ska publiceras.")
    standing_items: list[StandingItem] = Field(
        description=(
            "Nämndens mall: de stående punkter som läggs på varje nytt sammanträdes föredragningslista, "
            "i ordning (de avslutande sist)."
        )
    )
    links: SelfLink


class CommitteeList(Shape):
    items: list[Committee]


class CommitteeReply(Shape):
    committee: Committee


class CaseOfficer(Shape):
    id: RowId
    name: str
    title: str = Field(description="Titeln, t.ex. utredare; tom om den inte är angiven.")


class CaseOfficerList(Shape):
    items: list[CaseOfficer]


class ClassificationList(Shape):
    items: list[Classification]


class Job(Shape):
    """Ett bakgrundsjobb, t.ex. ett diarieutdrag."""

    id: RowId
    kind: str = Field(examples=["registry_export"])
    state: Literal[tuple(state.value for state in JobState)]
    state_label: str = Field(examples=[JobState.running.label])
    progress_done: int
    progress_total: int
    percent: int = Field(ge=0, le=100)
    error: str | None = Field(description="Varför jobbet misslyckades.")
    has_result: bool
    stuck: bool = Field(
        description="Jobbet har fastnat: det står i kö eller pågår utan att någon arbetsprocess har hört av sig på "
        "länge. Det kan köras om som ett misslyckat jobb."
    )
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None = Field(description="Var filen hämtas när jobbet är klart.")


class JobReply(Shape):
    job: Job
