"""Messages to users: written to an outbox in the caller's transaction, handed over when it commits.

``queue_message()`` adds a message to the session and notes its id in the session's ``info``. A message may
carry a calendar invitation (iCalendar text, sent with the e-mail), and may be for the product only: one the
recipient chose not to have by e-mail is kept as ``in_app`` and never handed over; the outbox page shows it. When
that session's transaction commits, each noted id is handed to the app's sender (``init_app``: the
factory passes one that has a Celery task send the message by SMTP, or keep it for the outbox page
when no ``MAIL_SERVER`` is configured). A transaction that rolls back, or ends without a commit,
hands over nothing. So a view or task only commits: nothing to remember after, and nothing sent
that was not kept. A message whose hand-over failed (the broker was down) stays queued, and
``tasks.notifications``' hourly sweep hands it over again.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, has_app_context
from sqlalchemy import Enum, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import Model, db

log = logging.getLogger(__name__)

#: where a session keeps the ids of the messages queued in its transaction
PENDING = "outbox.pending"


class MessageState(str, enum.Enum):
    queued = "queued"
    #: a worker has claimed the message and is handing it to the SMTP server
    sending = "sending"
    sent = "sent"
    #: no SMTP server is configured: the message stays in the outbox for people to read
    kept = "kept"
    failed = "failed"
    #: the recipient chose not to have this kind of message by e-mail: it shows under Utkorg only
    in_app = "in_app"

    @property
    def label(self) -> str:
        return {
            "queued": "I kö",
            "sending": "Skickas",
            "sent": "Skickat",
            "kept": "Ej skickat (ingen e-postserver)",
            "failed": "Misslyckades",
            "in_app": "Bara här (e-post avvald i profilen)",
        }[self.value]


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: the page the message is about, relative to the site
    link: Mapped[str | None] = mapped_column(String(300))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: a calendar invitation (iCalendar, METHOD:REQUEST or CANCEL) the e-mail carries, if any
    calendar: Mapped[str | None] = mapped_column(Text)
    #: a stored file the e-mail carries (app.storage key, checked against its sha256 when sent), if any
    attachment_key: Mapped[str | None] = mapped_column(String(200))
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[MessageState] = mapped_column(
        Enum(MessageState, native_enum=False, length=10), default=MessageState.queued, index=True
    )
    error: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: when a worker began sending it (state sending): one that stops there was interrupted
    claimed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} to={self.to_address} {self.state.value}>"


def init_app(app: Flask, *, send: Callable[[int], object]) -> None:
    """Name the sender: ``send(message_id)`` is called for each message of a transaction once it commits."""
    app.extensions["outbox"] = send


@dataclass(frozen=True)
class Attachment:
    """A stored file an e-mail carries: its storage key, sha256 and the name it is sent under (a PDF)."""

    key: str
    sha256: str
    name: str


def queue_message(
    recipient: User | None,
    subject: str,
    body: str,
    *,
    link: str | None = None,
    case_id: int | None = None,
    calendar: str | None = None,
    by_email: bool = True,
    to_address: str | None = None,
    attachment: Attachment | None = None,
) -> OutboxMessage:
    """Add a message to the outbox; it is handed to the sender when the session's transaction commits.

    ``by_email=False`` keeps it for the outbox page only (state ``in_app``): it is never handed over.
    ``recipient=None`` with ``to_address``: an e-mail to someone who is not a user (e.g. a protokollsutdrag
    to an external recipient); ``attachment`` a stored PDF the e-mail carries.
    """
    address = to_address if recipient is None else recipient.email
    if not address:
        raise ValueError("a message needs a recipient or an address")
    message = OutboxMessage(
        recipient=recipient,
        to_address=address,
        subject=subject,
        body=body,
        link=link,
        case_id=case_id,
        calendar=calendar,
        attachment_key=attachment.key if attachment else None,
        attachment_sha256=attachment.sha256 if attachment else None,
        attachment_name=attachment.name if attachment else None,
        state=MessageState.queued if by_email else MessageState.in_app,
    )
    db.session.add(message)
    db.session.flush()
    if by_email:
        db.session.info.setdefault(PENDING, []).append(message.id)
    return message


def _hand_over(session: Session) -> None:
    """After a commit: hand each message queued in the transaction to the sender."""
    if session.in_nested_transaction():
        return  # a savepoint was released; the transaction goes on
    message_ids = session.info.pop(PENDING, None)
    if not message_ids:
        return
    send = current_app.extensions.get("outbox") if has_app_context() else None
    if send is None:
        log.warning("no outbox sender: %s messages stay queued for the sweep", len(message_ids))
        return
    for message_id in message_ids:
        try:
            send(message_id)
        except Exception:  # noqa: BLE001 - the commit stands; the message stays queued and the sweep retries
            log.exception("could not hand message %s to the sender", message_id)


def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """When the session's transaction ends without a commit, its messages were never kept: forget them.

    (A message queued inside a savepoint that rolled back is forgotten at the end of the outer transaction
    only; if that commits, its id is handed over and the sender finds no such message.)
    """
    if transaction.parent is None:
        session.info.pop(PENDING, None)


event.listen(db.session, "after_commit", _hand_over)
event.listen(db.session, "after_transaction_end", _forget_uncommitted)
