"""The schemas of a case report's (tjänsteutlåtande's) history in the API: versions, comparison, timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, RootModel

from app.api.case_schemas import CommitteeRef, UserRef
from app.api.committee_schemas import Job
from app.api.spec import Body, Error, Flag, Id, JsonObject, Query, RowId, Shape, Text, Url, written_schema
from workflows.models import ReportState
from workflows.states import TRANSITIONS

#: the transitions people ask for; the others happen through saving or the agenda
MANUAL_TRANSITIONS = [name for name, t in TRANSITIONS.items() if t.is_manual]

Sha256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
#: a report's content, described with the report endpoints (app/api/openapi_reports.py)
Content = Annotated[dict, written_schema("ReportContent")]


class NoParameters(Query):
    pass  # a query string that names nothing: any parameter is refused


class CompareQuery(Query):
    a: Id = Field(None, title="Version a", description="Version a.")
    b: Id = Field(None, title="Version b", description="Version b.")


class Revision(Shape):
    """En sparad version (ändras aldrig)."""

    number: int = Field(ge=1)
    based_on: int | None
    author: UserRef | None
    created_at: datetime
    changed_fields: list[Annotated[str, Field(examples=["proposals", "sections.summary"])]]
    content_hash: Sha256


class RevisionWithContent(Revision):
    """En sparad version med sitt innehåll."""

    content: Content


class RevisionList(Shape):
    items: list[Revision]


class RevisionReply(Shape):
    revision: RevisionWithContent


class Change(Shape):
    field: str = Field(examples=["sections.summary"])
    label: str
    a: str = Field(description="Fältet i version a, som ren text.")
    b: str


class Comparison(Shape):
    a: int
    b: int
    changes: list[Change]


class TimelineEntry(Shape):
    name: str
    label: str
    from_state: ReportState | None
    from_state_label: str | None
    to_state: ReportState
    to_state_label: str
    user: UserRef | None
    comment: str | None
    revision_number: int
    created_at: datetime
    content_hash: Sha256 | None = Field(description="Vid underskrift: det som undertecknades.")


class Timeline(Shape):
    items: list[TimelineEntry]


class QueueLinks(Shape):
    self: Url
    html: Url


class QueueItem(Shape):
    """Ett utlåtande som väntar på granskning eller underskrift."""

    case_id: int = Field(ge=1, le=2**31 - 1)
    case_number: str
    case_title: str
    is_confidential: bool
    committee: CommitteeRef
    case_officer: UserRef | None
    state: ReportState
    state_label: str
    current_revision: int
    due_on: date | None
    is_overdue: bool
    links: QueueLinks


class ReviewQueue(Shape):
    items: list[QueueItem]
    own: list[QueueItem]


# --- bilagor ---------------------------------------------------------------------------------------------


class AttachmentLink(Body):
    registered_document_id: Id = Field(None, title="Registrerad handling")
    title: Text(None) = Field(None, title="Rubrik")


class AttachmentChange(Body):
    position: Id = Field(None, title="Plats", description="Ny plats: 1 är Bilaga 1.")
    is_confidential: Flag = Field(None, title="Sekretess")


class AttachmentReply(Shape):
    #: both described with the report endpoints (app/api/openapi_reports.py)
    attachment: Annotated[dict, written_schema("Attachment")]
    report: Annotated[dict, written_schema("Report")]


# --- the workflow ---------------------------------------------------------------------------------------


class TransitionRequest(Body):
    name: Text(40) = Field(
        None,
        title="Åtgärd",
        json_schema_extra={
            "enum": MANUAL_TRANSITIONS,
            "description": "; ".join(f"`{name}`: {TRANSITIONS[name].label}" for name in MANUAL_TRANSITIONS),
        },
    )
    comment: Text(4000) = Field(None, title="Kommentar", description="Krävs för att returnera och återkalla.")


class ReportReply(Shape):
    #: described with the report endpoints (app/api/openapi_reports.py)
    report: Annotated[dict, written_schema("Report")]


# --- Förhandsgranska -------------------------------------------------------------------------------------


class PreviewFiles(Shape):
    docx: Url | None = Field(description="Var DOCX-filen hämtas; null tills den är gjord.")
    pdf: Url | None = Field(description="Var PDF-filen hämtas; null tills den är gjord.")


class ReportPreview(Shape):
    """En förhandsgranskning: jobbet och dess filer. Misslyckas PDF-steget (t.ex. utan LibreOffice) säger
    `job.error` varför, och Word-filen finns ändå."""

    job: Job
    files: PreviewFiles


# --- saving a version ------------------------------------------------------------------------------------


class SaveContent(Body):
    based_on: Id = Field(None, title="Version", description="Den version du utgick från.")
    #: its fields are checked by the view and the operation (workflows.content)
    content: Annotated[JsonObject, written_schema("ReportContentInput")] = Field(None, title="Innehåll")


class SavedReply(Shape):
    report: Annotated[dict, written_schema("Report")]
    revision: RevisionWithContent


class ConflictDetail(Shape):
    id: RowId
    based_on: int
    current_revision: int
    current_content: Content
    your_content: Content


class SaveConflictError(Shape):
    status: Literal[409]
    message: str
    conflict: ConflictDetail


class SaveConflict(Shape):
    """Sparningen byggde på en äldre version; din text är sparad vid sidan av."""

    error: SaveConflictError


class SaveRefused(RootModel[SaveConflict | Error]):
    """En krock med en senare version (båda texterna), eller ett läge där utlåtandet inte kan ändras."""
