"""The schemas of the protokoll in the API: the committee's seats, förhinder, yrkanden filed in advance, and the
protokoll with its attendance and paragraphs (agenda.minutes.content), as asked for and as answered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, RootModel

from agenda.minutes.models import MotionKind, SeatKind, SeatOffice
from app.api.spec import Body, Choice, Error, Flag, Id, ListOf, ObjectOf, RowId, Shape, Text

MOTION_TEXT = "; ".join(f"`{k.value}`: {k.label}" for k in MotionKind)
BASED_ON = "Protokollets version (`revision`) som ändringen utgår från."


# --- seats -------------------------------------------------------------------------------------------------


class SeatShape(Shape):
    """En ledamots eller ersättares plats i nämnden."""

    id: RowId
    kind: SeatKind = Field(description="`member`: ledamot; `deputy`: ersättare.")
    position: int = Field(description="Ordningen bland ledamöterna, eller ersättarordningen.")
    name: str = Field(examples=["Gunnel Hedberg"])
    party: str = Field(examples=["S"])
    office: SeatOffice | None = Field(description="Ordförande eller vice ordförande.")
    user_id: int | None = Field(description="Användaren som har platsen, om hen har ett konto.")
    is_active: bool


class SeatList(Shape):
    seats: list[SeatShape]


class SeatReply(Shape):
    seat: SeatShape


class NewSeat(Body):
    kind: Choice(SeatKind) = Field(None, title="Ledamot eller ersättare")
    name: Text(None) = Field(None, title="Namn", json_schema_extra={"maxLength": 200})
    party: Text(None) = Field(None, title="Parti", json_schema_extra={"maxLength": 20})
    office: Choice(SeatOffice) = Field(None, title="Uppdrag")
    user_id: Id = Field(None, title="Användare", description="Användaren som har platsen (rollen Ledamot i nämnden).")


class SeatChange(Body):
    name: Text(None) = Field(None, title="Namn", json_schema_extra={"maxLength": 200})
    party: Text(None) = Field(None, title="Parti", json_schema_extra={"maxLength": 20})
    office: Choice(SeatOffice) = Field(None, title="Uppdrag", description="null: inget uppdrag.")
    user_id: Id = Field(None, title="Användare", description="null: ingen användare.")
    is_active: Flag = Field(
        None, title="Aktiv", description="false: platsen har lämnats (den står kvar i protokollen)."
    )
    position: Id = Field(None, title="Plats i ordningen", description="Bland de aktiva platserna av samma slag.")


# --- förhinder ---------------------------------------------------------------------------------------------


class AbsenceShape(Shape):
    """Ett anmält förhinder och ersättaren som kallats in."""

    id: RowId
    seat: SeatShape
    reason: str | None
    substitute: SeatShape | None = Field(description="Ersättaren som kallats in; null: ingen att kalla in.")
    reported_dt: datetime


class AbsenceList(Shape):
    absences: list[AbsenceShape]


class AbsenceReply(Shape):
    absence: AbsenceShape


class NewAbsence(Body):
    seat_id: Id = Field(None, title="Plats", description="Platsen som har förhinder; utelämnad: din egen.")
    reason: Text(None) = Field(None, title="Meddelande", json_schema_extra={"maxLength": 1000})


# --- yrkanden in advance -------------------------------------------------------------------------------------


class FiledMotionShape(Shape):
    """Ett skriftligt yrkande inlämnat i förväg."""

    id: RowId
    seat: SeatShape
    kind: MotionKind = Field(description=MOTION_TEXT)
    text: str
    filed_dt: datetime


class FiledMotionList(Shape):
    motions: list[FiledMotionShape]


class FiledMotionReply(Shape):
    motion: FiledMotionShape


class NewFiledMotion(Body):
    kind: Choice(MotionKind) = Field(None, title="Slag av yrkande", description=MOTION_TEXT)
    text: Text(None) = Field(None, title="Yrkandet", json_schema_extra={"maxLength": 4000})


# --- the protokoll -----------------------------------------------------------------------------------------


class Presence(Shape):
    seat_id: int
    from_paragraph: int | None = Field(description="Första paragrafen hen deltog i; null: från början.")
    until_paragraph: int | None = Field(description="Sista paragrafen hen deltog i; null: till slutet.")
    serves_for: int | None = Field(description="En ersättare: ledamoten hen tjänstgör för, om sekreteraren anger det.")


class OtherPresent(Shape):
    name: str
    title: str


class MinutesHeader(Shape):
    attendance: list[Presence]
    others_present: list[OtherPresent]
    adjusters: list[int] = Field(description="Justerarnas platser (id).")
    adjustment_place: str
    adjustment_at: str | None = Field(description="Justeringens tid, ÅÅÅÅ-MM-DDTTT:MM i svensk tid.")


class Motion(Shape):
    seat_id: int
    kind: MotionKind = Field(description=MOTION_TEXT)
    text: str


class Ballot(Shape):
    seat_id: int
    ballot: Literal["yes", "no", "abstain"]


class Vote(Shape):
    yes_means: str = Field(examples=["bifall till förvaltningens förslag"])
    no_means: str = Field(examples=["bifall till avslagsyrkandet"])
    ballots: list[Ballot]


class Reservation(Shape):
    seat_id: int
    text: str | None


class Note(Shape):
    seat_id: int | None
    text: str


class VoteResult(Shape):
    yes: int
    no: int
    abstain: int
    outcome: Literal["yes", "no", "undecided"]
    by_casting_vote: bool


class MinutesParagraphShape(Shape):
    """En paragraf: ett behandlat ärende."""

    id: RowId = Field(description="Paragrafens id (i adressen när den sparas).")
    number: int = Field(description="Paragrafens nummer, löpande per nämnd och kalenderår.")
    agenda_item_id: int
    title: str
    outcome: Literal["decided", "postponed", "sent_back"] | None
    proposal: list[str] = Field(description="Förslaget till beslut ur det undertecknade tjänsteutlåtandet.")
    motions: list[Motion]
    order_of_questions: list[str]
    vote: Vote | None
    decision: list[str]
    reservations: list[Reservation]
    notes: list[Note]
    conflicts: list[int] = Field(description="Jäviga (platsernas id).")
    immediately_adjusted: bool
    recipients: list[str]
    serving: list[int] = Field(description="Platserna som tjänstgör vid paragrafen (beräknat).")
    has_quorum: bool = Field(description="Nämnden är beslutför vid paragrafen (beräknat).")
    vote_result: VoteResult | None = Field(description="Omröstningens resultat (beräknat).")
    is_adjusted: bool


class MinutesShape(Shape):
    """Sammanträdets protokoll i sin senaste version."""

    meeting_id: int
    revision: int = Field(description="Den senaste versionen; en ändring anger den som `based_on`.")
    is_adjusted: bool
    header: MinutesHeader
    paragraphs: list[MinutesParagraphShape]


class MinutesReply(Shape):
    minutes: MinutesShape


class NewParagraph(Body):
    item_id: Id = Field(None, title="Punkt", description="Punkten på föredragningslistan.")
    number: Id = Field(
        None,
        title="Nummer",
        description="Paragrafens nummer när det anges för hand; utelämnat: nämndens nästa nummer för året.",
    )


class HeaderChange(Body):
    based_on: Id = Field(None, title="Version", description=BASED_ON)
    attendance: ListOf(Presence, 200) = Field(None, title="Närvaro")
    others_present: ListOf(OtherPresent, 100) = Field(None, title="Övriga närvarande")
    adjusters: ListOf(Id, 10) = Field(None, title="Justerare")
    adjustment_place: Text(None) = Field(None, title="Justeringens plats", json_schema_extra={"maxLength": 200})
    adjustment_at: Text(None) = Field(None, title="Justeringens tid")


class ParagraphChange(Body):
    based_on: Id = Field(None, title="Version", description=BASED_ON)
    title: Text(None) = Field(None, title="Rubrik", json_schema_extra={"maxLength": 1000})
    outcome: Text(None) = Field(None, title="Utfall", json_schema_extra={"enum": ["decided", "postponed", "sent_back"]})
    motions: ListOf(Motion, 100) = Field(None, title="Yrkanden")
    order_of_questions: ListOf(str, 100) = Field(None, title="Propositionsordning")
    vote: ObjectOf(Vote) = Field(None, title="Omröstning")
    decision: ListOf(str, 30) = Field(None, title="Beslut")
    reservations: ListOf(Reservation, 100) = Field(None, title="Reservationer")
    notes: ListOf(Note, 100) = Field(None, title="Protokollsanteckningar")
    conflicts: ListOf(Id, 100) = Field(None, title="Jäv")
    immediately_adjusted: Flag = Field(None, title="Omedelbart justerad")
    recipients: ListOf(str, 100) = Field(None, title="Beslutet skickas till")


class MinutesConflictDetail(Shape):
    id: RowId
    part: str = Field(description="Delen som krockade: `header` eller ”§ 12”.")
    based_on: int
    current_revision: int
    current_part: dict = Field(description="Delen som den ser ut nu.")
    your_part: dict = Field(description="Din text, sparad vid sidan av.")


class MinutesConflictError(Shape):
    status: Literal[409]
    message: str
    conflict: MinutesConflictDetail


class MinutesConflict(Shape):
    """Delen har sparats av någon annan sedan `based_on`; din text är sparad vid sidan av."""

    error: MinutesConflictError


class MinutesSaveRefused(RootModel[MinutesConflict | Error]):
    """En krock med en senare version (båda texterna), eller ett protokoll som inte kan ändras."""
