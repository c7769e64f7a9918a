"""The anslagstavla: an announcement goes up when a protokoll (or paragraphs of it justerade at once) is justerat.

Its dates follow kommunallagen (``agenda.minutes.appeal``): put up on the day of the justering unless the secretary
chooses a later day the law allows before the justerat protokoll is sealed with the dates (``put_up_date_fixed``),
the last day to appeal three weeks on, taken down the day after. Whether an
announcement is up or in the archive follows from those dates and today's date, so nothing has to take it down.

What the public reads of it is public by construction: the organ, the dates, the förvaringsplats and the
paragraphs' numbers with their headings, a confidential paragraph's heading by its case's public title (read from
the case when shown, ARCHITECTURE.md rule 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from agenda.minutes.adjustment_models import AdjustmentKind, Announcement, MinutesAdjustment, MinutesCorrection
from agenda.minutes.appeal import AnnouncementDateError, announcement_dates
from agenda.minutes.documents import DocumentKind, MinutesDocument
from agenda.models import AgendaItem
from app import audit
from app.auth.models import User
from app.clock import local_today, to_local
from app.extensions import db
from app.organisation.models import Committee
from app.validation import ConflictError, ValidationError

LIST_MAX = 200
SEALED = (
    "Det justerade protokollet är redan förseglat med anslagets datum; dagen då anslaget sätts upp kan inte "
    "ändras efter förseglingen."
)
SEALING = (
    "Det justerade protokollet förseglas nu med anslagets datum; dagen då anslaget sätts upp kan inte ändras längre."
)


def kept_at(committee: Committee) -> str:
    """Förvaringsplats för protokollet: the committee's own setting, else its förvaltning's name and address."""
    if committee.minutes_kept_at:
        return committee.minutes_kept_at
    administration = committee.administration
    address = administration.address_block()
    return ", ".join(part for part in (administration.name, address["visiting_address"]) if part)


def announce(adjustment: MinutesAdjustment, *, user: User | None, put_up_on: date | None = None) -> Announcement:
    """Put up the announcement of a justering, on ``put_up_on`` (by default the day of the justering)."""
    minutes = adjustment.minutes
    meeting = minutes.meeting
    adjusted_on = to_local(adjustment.adjusted_dt).date()
    try:
        dates = announcement_dates(adjusted_on, put_up_on)
    except AnnouncementDateError as exc:
        raise ValidationError({"put_up_on": str(exc)}) from None
    numbers = list(adjustment.paragraphs) or [p.number for p in minutes.paragraphs]
    announcement = Announcement(
        adjustment=adjustment,
        minutes=minutes,
        committee_id=meeting.committee_id,
        organ=meeting.committee.name,
        meeting_date=to_local(meeting.start_dt).date(),
        kind=adjustment.kind,
        paragraphs=sorted(numbers),
        adjusted_on=dates.justered_on,
        put_up_on=dates.put_up_on,
        last_appeal_day=dates.last_appeal_day,
        taken_down_on=dates.taken_down_on,
        kept_at=kept_at(meeting.committee),
    )
    db.session.add(announcement)
    db.session.flush()
    audit.record(
        "announcement.created",
        announcement,
        f"Anslag om {adjustment.kind.label.lower()} av {announcement.organ}s protokoll "
        f"{announcement.meeting_date.isoformat()}: uppsatt {dates.put_up_on.isoformat()}, sista dag för "
        f"överklagande {dates.last_appeal_day.isoformat()}, nedtas {dates.taken_down_on.isoformat()}.",
        user=user,
        committee_id=meeting.committee_id,
        after={
            "put_up_on": dates.put_up_on.isoformat(),
            "last_appeal_day": dates.last_appeal_day.isoformat(),
            "taken_down_on": dates.taken_down_on.isoformat(),
        },
    )
    return announcement


def sealed_documents(announcement: Announcement) -> list[MinutesDocument]:
    """The sealed documents that print the announcement's dates (the ANSLAG/BEVIS box, an extract's anslag): those
    made from the justerat revision or later, for a justering of paragraphs at once the extracts of those
    paragraphs and any whole protokoll."""
    adjustment = announcement.adjustment
    query = select(MinutesDocument).where(
        MinutesDocument.minutes_id == announcement.minutes_id,
        MinutesDocument.is_adjusted.is_(True),
        MinutesDocument.revision >= adjustment.revision,
    )
    if announcement.kind is AdjustmentKind.immediate:
        query = query.where(
            or_(
                MinutesDocument.kind != DocumentKind.extract,
                MinutesDocument.paragraph_number.in_(announcement.paragraphs),
            )
        )
    return list(db.session.scalars(query.order_by(MinutesDocument.id)))


def put_up_date_fixed(announcement: Announcement, *, sealing: bool) -> str | None:
    """Why the day the announcement is put up can no longer be moved (None: it can): the sealed documents print
    it, or are being made (``sealing``: a render of the protokoll is queued or running, the caller's knowledge).

    The anslag's dates are fixed when the justering's documents are sealed: the sealed PDF is the record of the
    justering and says when the anslag went up, so a later change would make the anslagstavla and the sealed
    protokoll disagree. A new sealed render is not made instead: what was sealed and sent stays what it said."""
    if sealing:
        return SEALING
    if sealed_documents(announcement):
        return SEALED
    return None


def move_put_up_date(announcement: Announcement, *, user: User, put_up_on: object, sealing: bool) -> Announcement:
    """Put the announcement up on a later day than the justering's (the latest day the law allows at most):
    only before it is up, on the justering's own day, and before the justerat protokoll is sealed with its dates
    (``put_up_date_fixed``); a date before the justering is refused."""
    if not isinstance(put_up_on, date):
        raise ValidationError({"put_up_on": "Ange dagen då anslaget sätts upp (ÅÅÅÅ-MM-DD)."})
    today = local_today()
    if today != announcement.adjusted_on:
        raise ConflictError("Anslaget sitter redan uppe; dagen då det sattes upp kan inte ändras.")
    try:
        dates = announcement_dates(announcement.adjusted_on, put_up_on)
    except AnnouncementDateError as exc:
        raise ValidationError({"put_up_on": str(exc)}) from None
    if (fixed := put_up_date_fixed(announcement, sealing=sealing)) is not None:
        raise ConflictError(fixed)
    before = {"put_up_on": announcement.put_up_on.isoformat()}
    announcement.put_up_on = dates.put_up_on
    announcement.last_appeal_day = dates.last_appeal_day
    announcement.taken_down_on = dates.taken_down_on
    db.session.flush()
    audit.record(
        "announcement.moved",
        announcement,
        f"Anslaget om {announcement.organ}s protokoll {announcement.meeting_date.isoformat()} sätts upp "
        f"{dates.put_up_on.isoformat()} (sista dag för överklagande {dates.last_appeal_day.isoformat()}).",
        user=user,
        committee_id=announcement.committee_id,
        before=before,
        after={"put_up_on": dates.put_up_on.isoformat()},
    )
    return announcement


# --- reading the anslagstavla ------------------------------------------------------------------------------


def current_announcements(today: date | None = None) -> list[Announcement]:
    """The announcements up today, the newest first."""
    day = today or local_today()
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.put_up_on <= day, Announcement.taken_down_on > day)
            .order_by(Announcement.put_up_on.desc(), Announcement.id.desc())
            .limit(LIST_MAX)
        )
    )


def archived_announcements(today: date | None = None, *, year: int | None = None) -> list[Announcement]:
    """The announcements taken down (by today), the most recently taken down first; of one year when given."""
    day = today or local_today()
    query = select(Announcement).where(Announcement.taken_down_on <= day)
    if year is not None:
        query = query.where(Announcement.put_up_on >= date(year, 1, 1), Announcement.put_up_on <= date(year, 12, 31))
    return list(
        db.session.scalars(query.order_by(Announcement.taken_down_on.desc(), Announcement.id.desc()).limit(LIST_MAX))
    )


def public_announcement(announcement_id: int, today: date | None = None) -> Announcement | None:
    """An announcement the public may read: one that has been put up (a later date not yet reached: None)."""
    found = db.session.get(Announcement, announcement_id)
    if found is None or found.put_up_on > (today or local_today()):
        return None
    return found


@dataclass(frozen=True)
class PublicParagraph:
    number: int
    #: the heading as the public reads it: a confidential matter's public title
    title: str
    is_confidential: bool


def public_paragraphs(announcement: Announcement) -> list[PublicParagraph]:
    """The announced paragraphs with their public headings, from the justerat revision."""
    minutes = announcement.minutes
    revision = minutes.revision(announcement.adjustment.revision)
    recorded = {p["number"]: p for p in (revision.content["paragraphs"] if revision else [])}
    items = {
        i.id: i
        for i in db.session.scalars(
            select(AgendaItem).where(AgendaItem.id.in_([p["agenda_item_id"] for p in recorded.values()]))
        )
    }
    out: list[PublicParagraph] = []
    for number in announcement.paragraphs:
        paragraph = recorded.get(number)
        item = items.get(paragraph["agenda_item_id"]) if paragraph else None
        if paragraph is None or item is None:
            out.append(PublicParagraph(number=number, title="", is_confidential=False))
        elif item.is_confidential:
            title = item.case.display_public_title if item.case is not None else "Sekretessärende"
            out.append(PublicParagraph(number=number, title=title, is_confidential=True))
        else:
            out.append(PublicParagraph(number=number, title=paragraph["title"], is_confidential=False))
    return out


def corrections_shown(announcement: Announcement) -> list[MinutesCorrection]:
    """The rättelser of the protokoll justerade after the announcement's justering: shown on it."""
    return (
        list(
            db.session.scalars(
                select(MinutesCorrection)
                .where(
                    MinutesCorrection.minutes_id == announcement.minutes_id,
                    MinutesCorrection.closed_dt.is_not(None),
                    MinutesCorrection.opened_dt >= announcement.adjustment.adjusted_dt,
                )
                .order_by(MinutesCorrection.closed_dt)
            )
        )
        if announcement.kind is not AdjustmentKind.correction
        else []
    )
