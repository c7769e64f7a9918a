"""Messages to users: written to an outbox in the request's transaction, sent after it commits.

With SMTP configured (``MAIL_SERVER``) a Celery task sends each message; without it (the
embedded default) the outbox page shows what would have been sent.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask import g
from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class MessageState(str, enum.Enum):
    queued = "queued"
    #: a worker has claimed the message and is handing it to the SMTP server
    sending = "sending"
    sent = "sent"
    #: no SMTP server is configured: the message stays in the outbox for people to read
    kept = "kept"
    failed = "failed"

    @property
    def label(self) -> str:
        return {"queued": "I kö", "sending": "Skickas", "sent": "Skickat", "kept": "Ej skickat (ingen e-postserver)",
                "failed": "Misslyckades"}[self.value]


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: the page the message is about, relative to the site
    link: Mapped[str | None] = mapped_column(String(300))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[MessageState] = mapped_column(Enum(MessageState, native_enum=False, length=10),
                                                default=MessageState.queued, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: when a worker began sending it (state sending): one that stops there was interrupted
    claimed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} to={self.to_address} {self.state.value}>"


def queue_message(recipient: User, subject: str, body: str, *, link: str | None = None,
                  case_id: int | None = None) -> OutboxMessage:
    """Add a message to the outbox; ``send_queued_messages()`` after the commit sends it."""
    message = OutboxMessage(recipient=recipient, to_address=recipient.email, subject=subject, body=body,
                            link=link, case_id=case_id)
    db.session.add(message)
    db.session.flush()
    g.setdefault("queued_messages", []).append(message.id)
    return message


def send_queued_messages() -> None:
    """Hand the messages queued in this request to the worker (call after the commit)."""
    from tasks.jobs import log
    from tasks.notifications import send_message

    for message_id in g.pop("queued_messages", []):
        try:
            send_message.delay(message_id)
        except Exception:  # noqa: BLE001 - the message stays queued; the reminder sweep retries
            log.exception("could not enqueue message %s", message_id)
