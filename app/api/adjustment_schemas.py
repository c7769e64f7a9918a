"""The schemas of justering and the anslagstavla in the API, as asked for and as answered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from agenda.minutes.adjustment_models import AdjustmentKind
from app.api.spec import Body, Choice, Flag, IsoDate, Query, RowId, Shape, Text, Url

KIND = "`full`: protokollet; `immediate`: paragrafer som justeras omedelbart; `correction`: en rättelse."


class DecisionShape(Shape):
    """En ordförandes eller justerares senaste besked om den aktuella PDF:en."""

    approved: bool
    at: datetime
    comment: str | None = Field(description="Vad som ska rättas (när protokollet inte godkändes).")
    pdf_sha256: str


class ApproverShape(Shape):
    seat_id: RowId
    name: str
    party: str
    role: str = Field(examples=["Ordförande", "Justerare"])
    has_account: bool = Field(description="Platsen har en användare som kan justera i Nämndflöde.")
    decision: DecisionShape | None


class RoundShape(Shape):
    """Det som ska justeras nu."""

    kind: AdjustmentKind = Field(description=KIND)
    label: str = Field(examples=["Justering av protokollet", "Omedelbar justering av § 4"])
    paragraphs: list[int] = Field(description="Paragraferna som justeras omedelbart; tom: hela protokollet.")
    revision: int = Field(description="Protokollets version som PDF:en är gjord av.")
    pdf_sha256: str | None = Field(description="sha256 av PDF:en att granska; skickas med när du justerar.")
    pdf_url: Url
    obstacles: list[str] = Field(description="Varför det inte kan justeras ännu (tom: inget hinder).")
    approvers: list[ApproverShape]


class SealedExtractShape(Shape):
    paragraph: int = Field(description="Paragrafens nummer.")
    sha256: str = Field(description="sha256 av det förseglade protokollsutdraget (PDF).")


class AdjustmentShape(Shape):
    kind: AdjustmentKind
    paragraphs: list[int]
    revision: int
    pdf_sha256: str = Field(description="sha256 av PDF:en som ordföranden och justerarna godkände.")
    sealed_pdf_sha256: str | None = Field(
        description="sha256 av det förseglade protokollet: den godkända versionen med justeringsdatum och anslagets "
        "datum ifyllda. Saknas tills protokollet har skapats efter justeringen, och vid omedelbar justering (de "
        "paragraferna förseglas som protokollsutdrag)."
    )
    sealed_extracts: list[SealedExtractShape] | None = Field(
        description="Vid omedelbar justering: sha256 av varje förseglat protokollsutdrag av de justerade "
        "paragraferna. Saknas tills utdragen har skapats efter justeringen, och vid justering av hela protokollet."
    )
    adjusted_dt: datetime = Field(description="Den sista justerarens godkännande: justeringens datum.")


class CorrectionShape(Shape):
    id: RowId
    description: str
    opened_dt: datetime
    closed_dt: datetime | None
    parts: list[str]


class PublicParagraphShape(Shape):
    number: int
    title: str = Field(description="Rubriken; ett sekretessärende med sin offentliga rubrik.")


class PublicCorrectionShape(Shape):
    adjusted_on: date
    parts: list[str] = Field(description="De delar som rättades, t.ex. ”§ 12”.")


class AnnouncementShape(Shape):
    """Ett anslag om justering på anslagstavlan."""

    id: RowId
    committee_id: RowId
    organ: str = Field(examples=["Socialnämnden"])
    meeting_date: date
    kind: AdjustmentKind
    paragraphs: list[PublicParagraphShape]
    adjusted_on: date = Field(description="Justeringens datum.")
    put_up_on: date = Field(description="Datum då anslaget sätts upp.")
    last_appeal_day: date = Field(description="Sista dag att överklaga (laglighetsprövning).")
    taken_down_on: date = Field(description="Datum då anslaget tas ned.")
    kept_at: str = Field(description="Förvaringsplats för protokollet.")
    is_up: bool = Field(description="Anslaget sitter uppe i dag; annars finns det i arkivet.")
    corrections: list[PublicCorrectionShape]
    url: Url


class JusteringShape(Shape):
    meeting_id: RowId
    revision: int
    is_adjusted: bool
    adjusted_dt: datetime | None
    rounds: list[RoundShape]
    adjustments: list[AdjustmentShape]
    corrections: list[CorrectionShape]
    announcements: list[AnnouncementShape]


class JusteringReply(Shape):
    justering: JusteringShape


class Approve(Body):
    kind: Choice(AdjustmentKind) = Field(None, title="Vad som justeras", description=KIND)
    pdf_sha256: Text(64) = Field(None, title="PDF:ens sha256", description="sha256 av PDF:en du granskade.")
    password: Text(1000) = Field(None, title="Lösenord", description="Ditt lösenord, angivet på nytt.")


class Reject(Body):
    kind: Choice(AdjustmentKind) = Field(None, title="Vad som justeras", description=KIND)
    pdf_sha256: Text(64) = Field(None, title="PDF:ens sha256", description="sha256 av PDF:en du granskade.")
    comment: Text(None) = Field(
        None, title="Kommentar", description="Vad sekreteraren ska rätta.", json_schema_extra={"maxLength": 4000}
    )


class NewCorrection(Body):
    description: Text(None) = Field(None, title="Vad som rättas och varför", json_schema_extra={"maxLength": 4000})


class PutUpChange(Body):
    put_up_on: IsoDate = Field(
        None,
        title="Datum då anslaget sätts upp",
        description="Senare än justeringen, senast andra dagen efter den (kommunallagen 8 kap. 12 §).",
    )


class AnnouncementQuery(Query):
    archive: Flag = Field(None, title="Arkiv", description="true: anslagen som tagits ned.")


class AnnouncementList(Shape):
    announcements: list[AnnouncementShape]


class AnnouncementReply(Shape):
    announcement: AnnouncementShape


class ApprovalResult(Shape):
    status: Literal["approved", "rejected"]
    justering: JusteringShape
