"""The schemas of the draft kallelse and ordförandeberedning in the API (app/api/chair_review.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, create_model

from agenda.chair_review_operations import MAX_COMMENT, MAX_NOTE
from app.api.case_schemas import UserRef
from app.api.committee_schemas import Job
from app.api.spec import Body, Id, RowId, Shape, Text, Url
from tasks.rendering.draft_kallelse import DRAFT_FILES

#: where each file of the draft is fetched (by its name, e.g. kallelse.pdf)
DraftFiles = create_model(
    "DraftFiles",
    __base__=Shape,
    **{
        name.replace(".", "_"): (
            Url | None,
            Field(alias=name, description=f"Var {label} hämtas; null tills den är gjord."),
        )
        for name, (label, _mimetype) in DRAFT_FILES.items()
    },
)


class DraftKallelse(Shape):
    """Ett utkast till kallelse: föredragningslistan som den skulle publiceras nu, som Word och PDF märkta
    ”Utkast” på varje sida. Inget publiceras. Ett nyare utkast ersätter det äldre (dess filer svarar 410)."""

    job: Job
    agenda_version: int = Field(ge=1, description="Föredragningslistans version när utkastet gjordes.")
    is_current: bool = Field(description="Om det är sammanträdets senaste färdiga utkast.")
    files: DraftFiles


class ChairComment(Shape):
    id: RowId
    item_id: RowId | None = Field(description="Punkten kommentaren gäller; null: helheten (eller en borttagen punkt).")
    item_label: str | None = Field(description="Punkten när kommentaren skrevs, t.ex. ”Punkt 4”.")
    draft_version: int = Field(ge=1, description="Utkastet kommentaren skrevs till (1, 2, … per sammanträde).")
    body: str
    author: UserRef
    created_at: datetime
    handled_at: datetime | None = Field(description="När sekreteraren markerade kommentaren som hanterad.")
    handled_by: UserRef | None


class ChairReview(Shape):
    """Ordförandeberedning: när utkastet gavs till ordföranden och ordförandens kommentarer."""

    meeting_id: RowId
    chair: UserRef | None = Field(description="Nämndens ordförande (platsen med uppdraget Ordförande och ett konto).")
    version: int | None = Field(description="Senaste utkastet som gavs till ordföranden (1, 2, …); null: inte än.")
    given_at: datetime | None = Field(description="Senast utkastet gavs till ordföranden; null: inte än.")
    given_by: UserRef | None
    note: str | None = Field(description="Sekreterarens meddelande till ordföranden.")
    draft: Url | None = Field(description="Utkastets PDF, när det finns ett.")
    comments: list[ChairComment]


class GiveToChair(Body):
    note: Text(MAX_NOTE) = Field(None, title="Meddelande", description="Ett meddelande till ordföranden (frivilligt).")


class NewChairComment(Body):
    body: Text(MAX_COMMENT) = Field(None, title="Kommentar", description="Ordförandens kommentar (krävs).")
    item_id: Id = Field(None, title="Punkt", description="Punkten kommentaren gäller; utelämnad: helheten.")
