"""Ordförandeberedning's operations: give the draft to the chair, comment on it, mark a comment handled.

Each validates, changes, writes an audit row and flushes; the caller commits (the messages through the outbox go
when it does). Who may call them is checked here too, since it depends on the committee's seats: the secretary
gives and marks handled (the views check ``manage_meetings``), only the chair the draft was given to comments.
An audit row names an item by its number, never a title (a confidential case's title stays out of the log).
"""

from __future__ import annotations

from sqlalchemy import func, select

from agenda.chair_review import (
    ChairComment,
    ChairReview,
    chair_of,
    is_reviewing_chair,
    latest_review,
    next_review_version,
)
from agenda.models import UPCOMING, Meeting
from agenda.outcomes import refuse_if_cancelled
from app import audit
from app.auth.models import User
from app.clock import to_local, utcnow
from app.extensions import db
from app.notifications import queue_message
from app.validation import ConflictError, ForbiddenError, ValidationError, clean_text

MAX_NOTE = 2000
MAX_COMMENT = 4000


def review_path(meeting: Meeting) -> str:
    """The chair's page of the draft (messages are written outside requests too, so no url_for)."""
    return f"/sammantraden/{meeting.id}/beredning"


def builder_path(meeting: Meeting) -> str:
    """The secretary's agenda builder, at the chair's comments."""
    return f"/sammantraden/{meeting.id}#ordforandens-kommentarer"


def _when(meeting: Meeting) -> str:
    return f"{meeting.committee.name} {to_local(meeting.start_dt):%Y-%m-%d}"


def give_to_chair(meeting: Meeting, *, user: User, note: object = None) -> ChairReview:
    """Give the draft agenda to the committee's chair: a review row, a message to them (e-mail and Utkorg)."""
    refuse_if_cancelled(meeting, "utkastet kan inte ges till ordföranden")
    if meeting.status not in UPCOMING:
        raise ConflictError("Sammanträdet har redan hållits; utkastet kan inte ges till ordföranden.")
    if not meeting.items:
        raise ConflictError("Föredragningslistan är tom; lägg till punkter innan utkastet ges till ordföranden.")
    chair = chair_of(meeting.committee_id)
    if chair is None:
        raise ConflictError(
            "Nämnden har ingen ordförande med konto i Nämndflöde. Ange ordförandens plats och konto under Ledamöter."
        )
    if chair.id == user.id:
        raise ConflictError("Du är själv nämndens ordförande.")
    note_text = clean_text(note, field="note", label="Meddelandet", max_length=MAX_NOTE, required=False) or None
    commented = _last_commented(meeting, chair)
    version = next_review_version(meeting)
    review = ChairReview(
        meeting=meeting, version=version, chair=chair, given_by=user, given_dt=utcnow(), note=note_text
    )
    db.session.add(review)
    db.session.flush()
    audit.record(
        "meeting.given_to_chair",
        meeting,
        f"{user.name} gav utkast {version} till föredragningslista för {_when(meeting)} till ordföranden {chair.name}.",
        user=user,
        committee_id=meeting.committee_id,
        after={"review_id": review.id, "chair_id": chair.id, "version": version},
    )
    link = review_path(meeting)
    parts = [f"Hej {chair.name},"]
    if commented is None:
        parts.append(
            f"{user.name} har gett dig utkastet till föredragningslista för {_when(meeting)} för ordförandeberedning."
        )
    else:
        parts.append(
            f"{user.name} har gett dig ett nyare utkast till föredragningslista för {_when(meeting)}: utkast "
            f"{version}. Dina kommentarer gällde utkast {commented}; de står kvar, märkta med det utkastet, och "
            f"sekreteraren kan ha ändrat föredragningslistan sedan dess."
        )
    if note_text:
        parts.append(f"Meddelande:\n{note_text}")
    parts += [
        f"Läs utkastet och skriv dina kommentarer per punkt eller om helheten: {link}",
        "Utkastet är inte publicerat och kan ändras.\n\nHälsningar\nNämndflöde",
    ]
    subject = (
        f"Ordförandeberedning: utkast till kallelse, {_when(meeting)}"
        if commented is None
        else f"Ordförandeberedning: nytt utkast ({version}) till kallelse, {_when(meeting)}"
    )
    queue_message(chair, subject, "\n\n".join(parts), link=link)
    return review


def _last_commented(meeting: Meeting, chair: User) -> int | None:
    """The latest draft version ``chair`` commented on, if any."""
    return db.session.scalar(
        select(func.max(ChairReview.version))
        .join(ChairComment, ChairComment.review_id == ChairReview.id)
        .where(ChairReview.meeting_id == meeting.id, ChairComment.author_id == chair.id)
    )


def add_comment(meeting: Meeting, *, user: User, body: object, item_id: object = None) -> ChairComment:
    """The chair's comment on an item of the draft (``item_id``) or on the whole (None)."""
    if not is_reviewing_chair(user, meeting):
        raise ForbiddenError("Bara ordföranden som har fått utkastet kan kommentera det.")
    refuse_if_cancelled(meeting, "utkastet kan inte kommenteras")
    if meeting.status not in UPCOMING:
        raise ConflictError("Sammanträdet har redan hållits; utkastet kan inte kommenteras.")
    text = clean_text(body, field="body", label="Kommentaren", max_length=MAX_COMMENT)
    item = None
    if item_id not in (None, ""):
        try:
            wanted = int(str(item_id))
        except ValueError:
            raise ValidationError({"item_id": "Välj en punkt på föredragningslistan."}) from None
        item = next((i for i in meeting.items if i.id == wanted), None)
        if item is None:
            raise ValidationError({"item_id": "Punkten finns inte (längre) på föredragningslistan."})
    review = latest_review(meeting)
    assert review is not None  # is_reviewing_chair found one
    comment = ChairComment(
        review=review,
        meeting_id=meeting.id,
        item=item,
        item_label=f"Punkt {item.number}" if item is not None else None,
        body=text,
        author=user,
        created_dt=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    where = f"punkt {item.number}" if item is not None else "helheten"
    audit.record(
        "meeting.chair_commented",
        meeting,
        f"Ordföranden {user.name} kommenterade {where} i utkast {review.version} för {_when(meeting)}.",
        user=user,
        committee_id=meeting.committee_id,
        case_id=item.case_id if item is not None else None,
        after={"comment_id": comment.id, "item_id": item.id if item is not None else None},
    )
    queue_message(
        review.given_by,
        f"Ordföranden har kommenterat utkastet, {_when(meeting)}",
        f"Hej {review.given_by.name},\n\n{user.name} har kommenterat {where} i utkast {review.version} till "
        f"föredragningslista för {_when(meeting)}. Kommentaren står vid föredragningslistan: {builder_path(meeting)}\n\nHälsningar\nNämndflöde",
        link=builder_path(meeting),
        by_email=False,
    )
    return comment


def comment_of(meeting: Meeting, comment_id: object) -> ChairComment | None:
    """The meeting's comment with this id, else None."""
    try:
        wanted = int(str(comment_id))
    except ValueError:
        return None
    comment = db.session.get(ChairComment, wanted)
    return comment if comment is not None and comment.meeting_id == meeting.id else None


def mark_handled(comment: ChairComment, *, user: User) -> ChairComment:
    """The secretary has dealt with the chair's comment."""
    if comment.is_handled:
        raise ConflictError("Kommentaren är redan markerad som hanterad.")
    comment.handled_dt = utcnow()
    comment.handled_by = user
    db.session.flush()
    where = comment.item_label.lower() if comment.item_label else "helheten"
    audit.record(
        "meeting.chair_comment_handled",
        db.session.get(Meeting, comment.meeting_id),
        f"{user.name} markerade ordförandens kommentar om {where} som hanterad.",
        user=user,
        committee_id=comment.review.meeting.committee_id,
        after={"comment_id": comment.id},
    )
    return comment
