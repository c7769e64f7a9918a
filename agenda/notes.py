"""Personal notes on the handlingar of a published kallelse: one reader's own text, seen by no one else."""

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


class HandlingNote(Model):
    """A reader's private note on one handling (the tjänsteutlåtande or a bilaga) of a meeting's kallelse.

    The note is keyed on the writer, the meeting and the handling itself: the case report
    (``report_id``) and, for a bilaga, the attachment row (``attachment_id``), as the published
    snapshot names them. Not on the item's number, which changes when a corrected kallelse is
    republished with the items reordered; and not on the agenda item row, which is deleted when the
    secretary takes the item off the agenda (and whose id SQLite may hand to a new item). The
    report and its attachment rows are never deleted while a publication names them, so a note
    stays with its handling through renumbering, reordering, removal and re-adding, and a new
    signed revision of the same report. A replaced bilaga is a new attachment row: the note stays
    with the file it was written on, which the earlier version of the kallelse still shows.

    ``handling`` is :func:`handling_key` of the two ids, so the database keeps one note per
    writer, meeting and handling (a unique constraint cannot do that with a NULL attachment id).
    The text is never written to the audit log, the API or any published file.
    """

    __tablename__ = "handling_notes"
    __table_args__ = (UniqueConstraint("user_id", "meeting_id", "handling"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the writer, the only person who ever sees the note
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    #: the tjänsteutlåtande the handling belongs to (the report itself, or the report of the bilaga)
    report_id: Mapped[int] = mapped_column(ForeignKey("case_reports.id", ondelete="CASCADE"), index=True)
    #: the bilaga, when the note is on one
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("report_attachments.id", ondelete="CASCADE"))
    #: ``report:<id>`` or ``attachment:<id>`` (handling_key), unique per writer and meeting
    handling: Mapped[str] = mapped_column(String(40))
    #: the note as typed (plain text, at most MAX_NOTE_LENGTH characters)
    body: Mapped[str] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    @property
    def is_on_attachment(self) -> bool:
        return self.attachment_id is not None

    def __repr__(self) -> str:
        return f"<HandlingNote {self.id} user {self.user_id} meeting {self.meeting_id} {self.handling}>"
