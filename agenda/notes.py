"""Personal notes on the items and handlingar of a published kallelse: one reader's own text, seen by no one else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model

#: the longest note kept (characters)
MAX_NOTE_LENGTH = 5000


def handling_key(report_id: int, attachment_id: int | None = None) -> str:
    """The key of a handling: ``report:12`` for a tjänsteutlåtande, ``attachment:34`` for a bilaga."""
    return f"attachment:{attachment_id}" if attachment_id is not None else f"report:{report_id}"


def item_key(case_id: int | None, item_id: int | None) -> str:
    """The key of an item as a whole: ``case:5`` for a case's item, ``item:7`` (the agenda item) for another."""
    return f"case:{case_id}" if case_id is not None else f"item:{item_id}"


class HandlingNote(Model):
    """A reader's private note on one item, or one handling (the tjänsteutlåtande or a bilaga), of a meeting's
    kallelse.

    The note is keyed on the writer, the meeting and the handling itself: the case report
    (``report_id``) and, for a bilaga, the attachment row (``attachment_id``), as the published
    snapshot names them. Not on the item's number, which changes when a corrected kallelse is
    republished with the items reordered; and not on the agenda item row, which is deleted when the
    secretary takes the item off the agenda (and whose id SQLite may hand to a new item). The
    report and its attachment rows are never deleted while a publication names them, so a note
    stays with its handling through renumbering, reordering, removal and re-adding, and a new
    signed revision of the same report. A replaced bilaga is a new attachment row: the note stays
    with the file it was written on, which the earlier version of the kallelse still shows.

    A note on the item as a whole is keyed on the item's case (``case_id``), which stays the same
    through renumbering, removal and re-adding like the report; an item without a case (Val av
    justerare, an information item) on the agenda item's id (``item_id``, no foreign key: the row
    goes when the item is taken off the agenda, and the note stays, listed as on an item the
    version no longer has).

    ``handling`` is :func:`handling_key` of the two ids, or :func:`item_key`, so the database keeps
    one note per writer, meeting and handling or item (a unique constraint cannot do that with NULL
    ids). The text is never written to the audit log, the API or any published file.
    """

    __tablename__ = "handling_notes"
    __table_args__ = (UniqueConstraint("user_id", "meeting_id", "handling"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the writer, the only person who ever sees the note
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    #: the tjänsteutlåtande the handling belongs to (the report itself, or the report of the bilaga); None on an item
    report_id: Mapped[int | None] = mapped_column(ForeignKey("case_reports.id", ondelete="CASCADE"), index=True)
    #: the bilaga, when the note is on one
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("report_attachments.id", ondelete="CASCADE"))
    #: the case of the item the note is on as a whole
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    #: the agenda item the note is on as a whole, when it has no case (not a foreign key: see above)
    item_id: Mapped[int | None]
    #: ``report:<id>``, ``attachment:<id>`` (handling_key), ``case:<id>`` or ``item:<id>`` (item_key), unique per
    #: writer and meeting
    handling: Mapped[str] = mapped_column(String(40))
    #: the note as typed (plain text, at most MAX_NOTE_LENGTH characters)
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    @property
    def is_on_attachment(self) -> bool:
        return self.attachment_id is not None

    @property
    def is_on_item(self) -> bool:
        return self.report_id is None

    def __repr__(self) -> str:
        return f"<HandlingNote {self.id} user {self.user_id} meeting {self.meeting_id} {self.handling}>"
