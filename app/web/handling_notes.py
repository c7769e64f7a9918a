"""Personal notes on the items and handlingar of a published kallelse (agenda.notes).

A reader of the members' kallelse writes a note on the item as a whole and next to each handling on
the item's page (the tjänsteutlåtande, each bilaga) and sees the meeting's notes listed on the
kallelse page. A note
is shown to its writer only: never to other users, on the public pages, in the API or the
rendered files. A handling can be noted on only where the reader sees it: in a publication of a
meeting of their committee, not withheld from them as confidential.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from agenda import access
from agenda import note_operations as note_ops
from agenda.models import Meeting, Publication
from agenda.notes import MAX_NOTE_LENGTH, HandlingNote, handling_key, item_key
from app.extensions import db
from app.permissions import Action, can
from app.web.forms import EmptyForm
from app.web.notice import reader_items, render_item_page, requested_version
from app.web.report_forms import run, with_ids
from workflows.access import acting_user

bp = Blueprint("handling_notes", __name__)

#: the kinds of what a note is on, in the URLs: the tjänsteutlåtande, a bilaga, the item as a whole
REPORT, ATTACHMENT, ITEM = "utlatande", "bilaga", "punkt"
HINT = "Syns bara för dig. Högst 5 000 tecken. Töm fältet och spara för att ta bort anteckningen."


class NoteForm(FlaskForm):
    """One handling's note (with_ids() gives each handling on the page its own ids)."""

    text = TextAreaField("Min anteckning", description=HINT, render_kw={"rows": 4, "maxlength": MAX_NOTE_LENGTH})


@dataclass(frozen=True)
class Handling:
    """What a note is written on, as one reader sees it in a published item: the item as a whole or one of its
    handlingar."""

    kind: str  # REPORT, ATTACHMENT or ITEM
    document_id: int  # the report's or the attachment's id; the item's number in this version for ITEM
    report_id: int | None
    attachment_id: int | None
    #: how the page names it: "Tjänsteutlåtande", "Bilaga 1 Verksamhetsberättelse 2016"
    label: str
    #: how a sentence names it: "tjänsteutlåtandet", "bilaga 1 Verksamhetsberättelse 2016"
    name: str
    #: for ITEM: the item's case, or (without one) the agenda item
    case_id: int | None = None
    item_id: int | None = None

    @property
    def key(self) -> str:
        if self.kind == ITEM:
            return item_key(self.case_id, self.item_id)
        assert self.report_id is not None
        return handling_key(self.report_id, self.attachment_id)

    @property
    def anchor(self) -> str:
        return f"anteckning-{self.kind}-{self.document_id}"


def item_handlings(item: dict) -> list[Handling]:
    """What a note may be written on in a reader's item (agenda.snapshot.for_reader): the item, its handlingar."""
    if item.get("withheld"):
        return []  # the reader may not see it
    found = []
    if item.get("case_id") is not None or item.get("id") is not None:
        found.append(
            Handling(
                ITEM, item["number"], None, None, "Punkten som helhet", "punkten", item.get("case_id"), item.get("id")
            )
        )
    report = item.get("report")
    if not report:
        return found  # bilagor come only with a signed report
    found.append(Handling(REPORT, report["id"], report["id"], None, "Tjänsteutlåtande", "tjänsteutlåtandet"))
    for attachment in item.get("attachments") or []:
        if attachment.get("withheld") or attachment.get("id") is None:
            continue
        label = f"Bilaga {attachment['number']} {attachment['title']}"
        found.append(
            Handling(ATTACHMENT, attachment["id"], report["id"], attachment["id"], label, label[:1].lower() + label[1:])
        )
    return found


def find_handling(publication: Publication, kind: str, document_id: int) -> tuple[dict, Handling] | None:
    """The reader's item and handling of the publication that ``kind`` and ``document_id`` name."""
    for item in reader_items(publication):
        for handling in item_handlings(item):
            if handling.kind == kind and handling.document_id == document_id:
                return item, handling
    return None


def item_url(meeting: Meeting, publication: Publication, item: dict, anchor: str | None = None) -> str:
    return url_for(
        "meetings.notice_item",
        meeting_id=meeting.id,
        number=item["number"],
        version=publication.version,
        _anchor=anchor,
    )


def _note_form(handling: Handling, note: HandlingNote | None) -> NoteForm:
    posted = g.get("posted_note")
    if posted is not None and posted[0] == handling.key:
        form = posted[1]
    else:
        form = NoteForm(formdata=None, text=note.body if note else "")
    with_ids(form, f"{handling.kind}-{handling.document_id}")
    form.text.label.text = f"Min anteckning om {handling.name}"
    return form


@bp.app_context_processor
def note_helpers():
    """``handling_notes(...)`` for the members' item page, ``meeting_notes(...)`` for the kallelse page."""

    def handling_notes(meeting: Meeting, publication: Publication, item: dict) -> list[dict]:
        """The item's handlingar with the current user's note and its form, for the item page."""
        handlings = item_handlings(item)
        if not handlings or not can(current_user, Action.view_meetings, meeting):
            return []
        notes = {note.handling: note for note in note_ops.notes_for(current_user, meeting)}
        entries = []
        for handling in handlings:
            note = notes.get(handling.key)
            entries.append(
                {
                    "handling": handling,
                    "note": note,
                    "form": _note_form(handling, note),
                    "action": url_for(
                        "handling_notes.save",
                        meeting_id=meeting.id,
                        kind=handling.kind,
                        document_id=handling.document_id,
                        version=publication.version,
                    ),
                    "delete_action": url_for(
                        "handling_notes.delete", note_id=note.id, version=publication.version, number=item["number"]
                    )
                    if note
                    else None,
                }
            )
        return entries

    def meeting_notes(meeting: Meeting, publication: Publication, items: list[dict]) -> dict:
        """The current user's notes on the meeting: those on this version's handlingar, by item, and the rest."""
        if not can(current_user, Action.view_meetings, meeting):
            return {"here": [], "elsewhere": []}
        notes = note_ops.notes_for(current_user, meeting)
        if not notes:
            return {"here": [], "elsewhere": []}
        by_key = {note.handling: note for note in notes}
        here, seen = [], set()
        for item in items:
            for handling in item_handlings(item):
                note = by_key.get(handling.key)
                if note is not None:
                    seen.add(note.id)
                    here.append(
                        {
                            "item": item,
                            "handling": handling,
                            "note": note,
                            "url": item_url(meeting, publication, item, handling.anchor),
                        }
                    )
        elsewhere = [
            {
                "note": note,
                "delete_action": url_for("handling_notes.delete", note_id=note.id, version=publication.version),
            }
            for note in notes
            if note.id not in seen
        ]
        return {"here": here, "elsewhere": elsewhere}

    return {"handling_notes": handling_notes, "meeting_notes": meeting_notes}


def _item_page(meeting: Meeting, publication: Publication, item: dict, status: int):
    """The members' item page (as meetings.notice_item shows it), with a posted note form's errors."""
    return render_item_page(meeting, publication, reader_items(publication), item), status


@bp.route("/sammantraden/<int:meeting_id>/kallelse/anteckning/<kind>/<int:document_id>", methods=["POST"])
@login_required
def save(meeting_id: int, kind: str, document_id: int):
    """Save the current user's note on an item or a handling of the publication ``?version=N`` (default the
    latest)."""
    meeting = access.load_meeting(current_user, meeting_id)
    publication = requested_version(meeting)
    found = find_handling(publication, kind, document_id) if kind in (REPORT, ATTACHMENT, ITEM) else None
    if found is None:
        abort(404)
    item, handling = found
    form = NoteForm()
    user = acting_user()

    def operation():
        if handling.kind == ITEM:
            note = note_ops.save_item_note(
                user, meeting, case_id=handling.case_id, item_id=handling.item_id, text=form.text.data
            )
        else:
            assert handling.report_id is not None
            note = note_ops.save_note(
                user, meeting, report_id=handling.report_id, attachment_id=handling.attachment_id, text=form.text.data
            )
        message = "Anteckningen är sparad. Den syns bara för dig." if note is not None else "Anteckningen är borttagen."
        return message, item_url(meeting, publication, item, handling.anchor)

    def render(status: int):
        g.posted_note = (handling.key, form)
        return _item_page(meeting, publication, item, status)

    return run(form, operation, render)


def _back_to(meeting: Meeting, note: HandlingNote) -> str:
    """Where to go after a deletion: the item page the form was on, if it shows the handling; else the kallelse."""
    if not can(current_user, Action.view_meetings, meeting):
        return url_for("main.index")
    raw = request.args.get("version", "")
    publication = next(
        (p for p in meeting.publications if raw.isdigit() and p.version == int(raw)), meeting.latest_publication
    )
    if publication is None:
        return url_for("meetings.meeting", meeting_id=meeting.id)
    for item in reader_items(publication):
        for handling in item_handlings(item):
            if handling.key == note.handling and str(item["number"]) == request.args.get("number"):
                return item_url(meeting, publication, item, handling.anchor)
    return url_for("meetings.notice", meeting_id=meeting.id, version=publication.version, _anchor="mina-anteckningar")


@bp.route("/anteckningar/<int:note_id>/ta-bort", methods=["POST"])
@login_required
def delete(note_id: int):
    """Delete one of the current user's own notes (another user's note does not exist for them: 404)."""
    note = db.session.get(HandlingNote, note_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    where = _back_to(db.session.get(Meeting, note.meeting_id), note)
    note_ops.delete_note(note, user=acting_user())
    db.session.commit()
    flash("Anteckningen är borttagen.", "success")
    return redirect(where)
