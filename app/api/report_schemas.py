"""The schemas of a case report's (tjänsteutlåtande's) history in the API: versions, comparison, timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, RootModel

from app.api.case_schemas import CommitteeRef, UserRef
from app.api.committee_schemas import Job
from app.api.spec import (
    Body,
    Error,
    Flag,
    Form,
    Id,
    ObjectOf,
    Query,
    RowId,
    Shape,
    Text,
    Url,
)
from workflows.models import ReportState
from workflows.states import TRANSITIONS

#: the transitions people ask for; the others happen through saving or the agenda
MANUAL_TRANSITIONS = [name for name, t in TRANSITIONS.items() if t.is_manual]

Sha256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
SECTIONS = (
    "Avsnitt per nyckel (t.ex. summary, description, administration_views och kommunens egna): rensad HTML "
    "med bara p, br, strong, b, em, i, ul, ol, li och a."
)


# --- a report's content ----------------------------------------------------------------------------------


class Proposal(Shape):
    """En numrerad punkt i Förslag till beslut."""

    text: str = Field(max_length=2000, description="Beslutspunkten som ren text.")
    immediately_adjusted: bool = Field(description="Paragrafen förklaras omedelbart justerad.")


class Signatory(Shape):
    """En undertecknare med titel."""

    user_id: RowId | None
    name: str
    title: str


class ReportContent(Shape):
    """Vad en version av utlåtandet säger."""

    title: str
    report_date: date | None
    sections: dict[str, str] = Field(description=SECTIONS)
    proposals: list[Proposal]
    recipients: list[str] = Field(description="Beslutet delges.")
    signatories: list[Signatory]


# What a save may send: described here, checked by the view (unknown fields) and workflows.content.


class ProposalInput(Shape):
    text: str = Field(max_length=2000, description="Beslutspunkten som ren text.")
    immediately_adjusted: bool = Field(None, description="Paragrafen förklaras omedelbart justerad.")


class SignatoryInput(Shape):
    user_id: RowId | None = None
    name: str
    title: str = None


class ReportContentInput(Shape):
    """Innehåll att spara; HTML rensas och tomma beslutspunkter tas bort."""

    title: str = Field(None, max_length=500)
    report_date: str | None = Field(None, description="ÅÅÅÅ-MM-DD.")
    sections: dict[str, str] = Field(None, description=SECTIONS)
    proposals: list[ProposalInput | str] = Field(None, max_length=30)
    recipients: Annotated[list[str], Field(max_length=50)] | str = None
    signatories: list[SignatoryInput] = Field(None, max_length=6)


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

    content: ReportContent


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


class AttachmentUpload(Form):
    title: Text(None) = Field(None, title="Rubrik")
    is_confidential: Flag = Field(
        None, title="Sekretess", json_schema_extra={"type": "string", "enum": ["true", "false"]}
    )


class FileOnly(Form):
    pass  # a new file for a bilaga: nothing but the file


class Attachment(Shape):
    """En bilaga: uppladdad fil eller länkad registrerad handling."""

    id: RowId
    position: int = Field(ge=1)
    label: str = Field(examples=["Bilaga 1 Delårsrapport"])
    title: str | None = Field(
        description="null, liksom filnamn och sha256, för en sekretessmarkerad bilaga du inte får läsa."
    )
    filename: str | None
    is_confidential: bool
    content_type: str | None = Field(description="Typen enligt filens innehåll; null för en handling.")
    size: int | None
    sha256: Sha256 | None
    download_url: Url | None = Field(
        description="null för en handling utan fil, eller en sekretessmarkerad bilaga du inte får hämta."
    )
    registered_document_number: int | None = Field(description="Löpnummer för en länkad handling.")
    added_by: UserRef | None
    added_at: datetime


class Signature(Shape):
    """sha256 av den undertecknade versionens innehåll och bilagor."""

    revision: int
    hash: Sha256
    signed_at: datetime
    signed_by: UserRef | None


class ReportLinks(Shape):
    self: Url
    html: Url
    case: Url
    content: Url
    revisions: Url
    timeline: Url
    transitions: Url
    attachments: Url


class Report(Shape):
    """Ett tjänsteutlåtande med senaste versionens innehåll."""

    case_id: RowId
    case_number: str
    state: ReportState
    state_label: str
    current_revision: int = Field(description="Versionen en ändring ska bygga på (based_on).")
    due_on: date | None = Field(description="Sista dag för granskning eller underskrift.")
    editors: list[UserRef] = Field(description="Handläggaren och medförfattarna.")
    signature: Signature | None
    content: ReportContent
    attachments: list[Attachment]
    allowed_transitions: list[Literal[tuple(MANUAL_TRANSITIONS)]] = Field(
        description="Åtgärder din roll kan göra i detta läge (villkoren prövas ändå)."
    )
    links: ReportLinks


class AttachmentReply(Shape):
    attachment: Attachment
    report: Report


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
    report: Report


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


class StartReport(Body):
    #: its fields are checked by the view and the operation (workflows.content)
    content: ObjectOf(ReportContentInput) = Field(
        None,
        title="Innehåll",
        description="Utlåtandets första version. Utan innehåll blir version 1 rubrik, datum och undertecknare.",
    )


class SaveContent(Body):
    based_on: Id = Field(None, title="Version", description="Den version du utgick från.")
    #: its fields are checked by the view and the operation (workflows.content)
    content: ObjectOf(ReportContentInput) = Field(None, title="Innehåll")


class SavedReply(Shape):
    report: Report
    revision: RevisionWithContent


class ConflictDetail(Shape):
    id: RowId
    based_on: int
    current_revision: int
    current_content: ReportContent
    your_content: ReportContent


class SaveConflictError(Shape):
    status: Literal[409]
    message: str
    conflict: ConflictDetail


class SaveConflict(Shape):
    """Sparningen byggde på en äldre version; din text är sparad vid sidan av."""

    error: SaveConflictError


class SaveRefused(RootModel[SaveConflict | Error]):
    """En krock med en senare version (båda texterna), eller ett läge där utlåtandet inte kan ändras."""
