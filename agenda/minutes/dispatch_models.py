"""Expediering as rows: each sending of a justerad paragraph's protokollsutdrag to one recipient of its
"Beslutet skickas till".

A row is one attempt for one (paragraph, recipient): how it went out (an e-mail through the outbox with the sealed
PDF attached, an in-app message to a user of the product, or not at all: to be handled by hand, with why), the
extract sent, the outbox message and the handling registered in the case's diarium. A failed attempt is followed
by a new row (``attempt`` + 1) when the secretary sends it again; the unique (minutes, §, recipient, attempt)
keeps two requests at once from sending the same thing twice. Written once; the operations are in
``agenda.minutes.dispatch``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agenda.minutes.documents import MinutesDocument
from agenda.minutes.models import Minutes
from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model
from app.notifications import MessageState, OutboxMessage
from app.registry.models import RegisteredDocument


class DispatchChannel(str, enum.Enum):
    #: an e-mail through the outbox with the sealed PDF attached
    email = "email"
    #: a message in the product to a user who may read the protokoll's documents
    in_app = "in_app"
    #: not sent: no address, or a confidential extract that may not go by e-mail (handled by hand)
    manual = "manual"

    @property
    def label(self) -> str:
        return {"email": "E-post", "in_app": "Meddelande i Nämndflöde", "manual": "Hanteras manuellt"}[self.value]


class DispatchStatus(str, enum.Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"

    @property
    def label(self) -> str:
        return {"pending": "Skickas", "sent": "Skickat", "failed": "Misslyckades"}[self.value]


class MinutesDispatch(Model):
    """One attempt to send a paragraph's protokollsutdrag to one recipient."""

    __tablename__ = "minutes_dispatches"
    __table_args__ = (
        UniqueConstraint(
            "minutes_id", "paragraph_number", "recipient", "attempt", name="uq_minutes_dispatches_attempt"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    paragraph_number: Mapped[int] = mapped_column(Integer)
    #: the recipient as written in "Beslutet skickas till"
    recipient: Mapped[str] = mapped_column(String(300))
    #: 1 for the first sending, then one more for each sending again
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[DispatchChannel] = mapped_column(Enum(DispatchChannel, native_enum=False, length=10))
    to_address: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the sealed extract sent
    document_id: Mapped[int] = mapped_column(ForeignKey("minutes_documents.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
    #: the outgoing handling in the case's diarium (None: manual, or a paragraph without a case)
    registered_document_id: Mapped[int | None] = mapped_column(ForeignKey("registered_documents.id"))
    #: why it was not sent (channel manual), in Swedish
    problem: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    minutes: Mapped[Minutes] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    document: Mapped[MinutesDocument] = relationship()
    message: Mapped[OutboxMessage | None] = relationship()
    registered_document: Mapped[RegisteredDocument | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def status(self) -> DispatchStatus:
        """Read when shown: an e-mail's from its outbox message (a bounce or an SMTP failure shows as failed)."""
        if self.channel is DispatchChannel.manual:
            return DispatchStatus.failed
        if self.channel is DispatchChannel.in_app or self.message is None:
            return DispatchStatus.sent
        state = self.message.state
        if state is MessageState.failed:
            return DispatchStatus.failed
        if state in (MessageState.sent, MessageState.kept):
            return DispatchStatus.sent
        return DispatchStatus.pending

    @property
    def error(self) -> str | None:
        """What went wrong, in Swedish (None when nothing did)."""
        if self.channel is DispatchChannel.manual:
            return self.problem
        if self.message is not None and self.message.state is MessageState.failed:
            return f"E-postmeddelandet kunde inte skickas: {self.message.error or 'okänt fel'}"
        return None

    @property
    def sent_dt(self) -> datetime | None:
        if self.status is not DispatchStatus.sent:
            return None
        if self.message is not None and self.message.sent_dt is not None:
            return self.message.sent_dt
        return self.created_dt

    def __repr__(self) -> str:
        return f"<MinutesDispatch {self.id} minutes={self.minutes_id} § {self.paragraph_number} #{self.attempt}>"
