"""Write, change and delete a reader's personal notes on items and handlingar (agenda.notes).

The view has loaded the item or handling from a publication the user may read (and checked that the
user may read it); these functions validate the text, change the row and leave an audit row
that says a note was saved or deleted, never what it says. They never commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from agenda.models import Meeting
from agenda.notes import MAX_NOTE_LENGTH, HandlingNote, handling_key, item_key
from app import audit
from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.validation import ValidationError

EMPTY = "Anteckningen är tom. Skriv en text för att spara den."


def _note_by_key(user: User, meeting: Meeting, key: str) -> HandlingNote | None:
    return db.session.scalar(
        select(HandlingNote).where(
            HandlingNote.user_id == user.id, HandlingNote.meeting_id == meeting.id, HandlingNote.handling == key
        )
    )


def notes_for(user: User, meeting: Meeting) -> list[HandlingNote]:
    """Return every note ``user`` has written on the meeting's handlingar, oldest first."""
    return list(
        db.session.scalars(
            select(HandlingNote)
            .where(HandlingNote.user_id == user.id, HandlingNote.meeting_id == meeting.id)
            .order_by(HandlingNote.id)
        )
    )


def _grouped(number: int) -> str:
    """E.g. 5000 as "5 000", the Swedish way."""
    return f"{number:,}".replace(",", " ")


def clean_note(value: object) -> str:
    """Return the note's text with its line breaks, or raise ValidationError (field ``text``)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({"text": "Anteckningen måste vara text."})
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if any((ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 0x7F for ch in text):
        raise ValidationError({"text": "Anteckningen innehåller otillåtna tecken."})
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {
                "text": f"Anteckningen får vara högst {_grouped(MAX_NOTE_LENGTH)} tecken "
                f"(nu {_grouped(len(text))}). Korta den och spara igen."
            }
        )
    return text


def save_note(
    user: User, meeting: Meeting, *, report_id: int, attachment_id: int | None, text: object
) -> HandlingNote | None:
    """Create or change ``user``'s note on the handling; empty text deletes the note (None is returned).

    Empty text where there is no note is refused: there is nothing to save.
    """
    key = handling_key(report_id, attachment_id)
    return _save(user, meeting, key, {"report_id": report_id, "attachment_id": attachment_id}, text)


def save_item_note(
    user: User, meeting: Meeting, *, case_id: int | None, item_id: int | None, text: object
) -> HandlingNote | None:
    """Create or change ``user``'s note on an item as a whole (on its case, or on the agenda item without one),
    as save_note does on a handling."""
    if case_id is None and item_id is None:
        raise ValueError("an item note needs the item's case or the agenda item")
    key = item_key(case_id, item_id)
    return _save(user, meeting, key, {"case_id": case_id, "item_id": None if case_id is not None else item_id}, text)


def _save(user: User, meeting: Meeting, key: str, columns: dict[str, int | None], text: object) -> HandlingNote | None:
    body = clean_note(text)
    note = _note_by_key(user, meeting, key)
    if not body:
        if note is None:
            raise ValidationError({"text": EMPTY})
        delete_note(note, user=user)
        return None
    if note is None:
        note = HandlingNote(user_id=user.id, meeting_id=meeting.id, handling=key, body=body, **columns)
        try:
            with db.session.begin_nested():  # the same user's first save from two tabs at once: one row wins
                db.session.add(note)
        except IntegrityError:
            note = _note_by_key(user, meeting, key)
            assert note is not None, "the other save's row, which won"
            note.body, note.updated_dt = body, utcnow()
        audit.record(
            "note.created",
            note,
            f"{user.name} skrev en personlig anteckning.",
            user=user,
            committee_id=meeting.committee_id,
        )
    elif note.body != body:
        note.body = body
        note.updated_dt = utcnow()
        audit.record(
            "note.changed",
            note,
            f"{user.name} ändrade en personlig anteckning.",
            user=user,
            committee_id=meeting.committee_id,
        )
    return note


def delete_note(note: HandlingNote, *, user: User) -> None:
    """Delete ``user``'s own note."""
    if note.user_id != user.id:
        raise ValueError("a note is deleted only by its writer")
    committee_id = db.session.get_one(Meeting, note.meeting_id).committee_id
    audit.record(
        "note.deleted", note, f"{user.name} tog bort en personlig anteckning.", user=user, committee_id=committee_id
    )
    db.session.delete(note)
    db.session.flush()
