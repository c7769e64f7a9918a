"""Sending the outbox's messages, and reminding people of overdue review steps.

``send_message`` takes a queued message: with ``MAIL_SERVER`` configured it sends it by SMTP
(retrying with back-off, then marking it failed); without, it marks it kept, for the outbox
page to show. It is idempotent: a worker claims the message (queued → sending) before it
sends, and a message that is no longer queued is left alone, so a redelivered or re-sent
task does not send twice. A message whose worker stopped while sending (killed mid-SMTP) is
marked failed by the hourly sweep after INTERRUPTED_AFTER, saying that it may or may not have
arrived: sending it again could send it twice. State changes go through short transactions of
their own, as in ``tasks.jobs``.

``hand_over`` is the outbox's sender (``app.notifications.init_app``): each message a transaction
queued is given to ``send_message`` once it commits.

``remind_overdue`` runs from Celery beat (``CELERY["beat_schedule"]`` in config.py).
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from datetime import date, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from types import SimpleNamespace

from celery import shared_task
from flask import current_app
from sqlalchemy import or_, select, update

from app.clock import local_today, utcnow
from app.extensions import db, separate_transaction, sqlite_writing
from app.notifications import MessageState, OutboxMessage, queue_message
from app.storage import StorageError, get_storage
from tasks import outbox
from workflows.models import CaseReport, ReportState
from workflows.notify import mail_title, recipients, report_path

log = logging.getLogger(__name__)
MAX_RETRIES = 4
#: seconds before the first retry; doubled each time (10, 20, 40, 80: done well within STALE_AFTER)
RETRY_BASE = 10
SMTP_TIMEOUT = 30
#: a message still queued after this was never handed to a worker (the broker was down): send it again
STALE_AFTER = timedelta(minutes=10)
#: a message still being sent after this lost its worker (no send takes that long: SMTP_TIMEOUT per step)
INTERRUPTED_AFTER = timedelta(minutes=30)
INTERRUPTED = (
    "Sändningen avbröts: arbetsprocessen stannade medan meddelandet skickades. Det är okänt om det "
    "kom fram; kontakta mottagaren vid behov."
)

#: the overdue steps: the transition whose audience acts on the step, and what they should have done
STEPS = {
    ReportState.in_review: ("submit", "granskats"),
    ReportState.approved: ("approve", "undertecknats"),
}
#: stands in for the actor when the step's starter is unknown (recipients() leaves the actor out)
NOBODY = SimpleNamespace(id=None)


def _set(message_id: int, expected: MessageState, **values) -> bool:
    """Change a message still in state ``expected``, in a short transaction of its own; say if it was."""
    with separate_transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.state == expected)
            .values(**values)
        )
        return result.rowcount == 1


def absolute_body(body: str, link: str | None, base_url: str) -> str:
    """Return the body with the site-relative link written out in full (added at the end if absent)."""
    if not link:
        return body
    url = base_url + link
    pattern = re.compile(rf"(?<!\S){re.escape(link)}(?!\S)")
    if pattern.search(body):
        return pattern.sub(lambda _: url, body)
    return f"{body}\n\n{url}\n"


def calendar_method(calendar: str) -> str:
    """The iCalendar object's METHOD (REQUEST, CANCEL …), which the e-mail's text/calendar part repeats."""
    found = re.search(r"^METHOD:([A-Z-]+)\r?$", calendar, re.MULTILINE)
    return found.group(1) if found else "PUBLISH"


def compose(message: OutboxMessage, config) -> EmailMessage:
    """Build the e-mail for a message (UTF-8 headers and body).

    A calendar invitation goes as calendar programs expect it (RFC 6047): a text/calendar alternative to the
    text with the object's METHOD, and the same object attached as ``kallelse.ics`` for those that read only
    attachments.
    """
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["MAIL_FROM"]
    recipient = message.recipient
    mail["To"] = Address(recipient.name, addr_spec=message.to_address) if recipient else message.to_address
    # Quoted-printable: 7-bit on the wire whatever the server offers, and still readable as text.
    mail.set_content(absolute_body(message.body, message.link, config["PUBLIC_BASE_URL"]), cte="quoted-printable")
    if message.calendar:
        method = calendar_method(message.calendar)
        mail.add_alternative(message.calendar, subtype="calendar", params={"method": method}, cte="quoted-printable")
        mail.add_attachment(
            message.calendar.encode("utf-8"), maintype="application", subtype="ics", filename="kallelse.ics"
        )
    if message.attachment_key:
        mail.add_attachment(
            _attachment_bytes(message), maintype="application", subtype="pdf", filename=message.attachment_name
        )
    return mail


class AttachmentMissing(ValueError):
    """The stored file an e-mail should carry is gone or no longer matches its sha256: it is not sent."""


def _attachment_bytes(message: OutboxMessage) -> bytes:
    try:
        data = get_storage().read(message.attachment_key or "")
    except StorageError as exc:
        raise AttachmentMissing(f"bilagan {message.attachment_name} saknas") from exc
    if hashlib.sha256(data).hexdigest() != message.attachment_sha256:
        raise AttachmentMissing(f"bilagan {message.attachment_name} har ändrats sedan meddelandet lades i kö")
    return data


def deliver(mail: EmailMessage, config) -> None:
    """Hand the e-mail to the configured SMTP server."""
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def is_permanent(exc: Exception) -> bool:
    """Whether the SMTP server refused for good (5xx): trying again would not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


@shared_task(bind=True, name="tasks.notifications.send_message", max_retries=MAX_RETRIES, acks_late=True)
def send_message(self, message_id: int) -> None:
    """Send one queued message by SMTP, or keep it in the outbox when no server is configured."""
    db.session.rollback()
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.state is not MessageState.queued:
        return
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        _set(message_id, MessageState.queued, state=MessageState.kept)
        return
    # Claim the message: of two deliveries of the same task (a stale re-send), only one sends.
    if not _set(message_id, MessageState.queued, state=MessageState.sending, claimed_dt=utcnow()):
        return
    try:
        mail = compose(message, config)
    except (ValueError, MessageError) as exc:  # an address or header no e-mail can carry
        _set(message_id, MessageState.sending, state=MessageState.failed, error=f"Ogiltigt meddelande: {exc}"[:2000])
        return
    try:
        deliver(mail, config)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        retries = self.request.retries or 0
        if is_permanent(exc) or retries >= MAX_RETRIES:
            log.error("message %s could not be sent: %s", message_id, error)
            _set(message_id, MessageState.sending, state=MessageState.failed, error=error)
            return
        log.warning("message %s: SMTP failed, retry %s: %s", message_id, retries + 1, error)
        _set(message_id, MessageState.sending, state=MessageState.queued, error=error)
        raise self.retry(exc=exc, countdown=RETRY_BASE * 2**retries) from exc
    _set(message_id, MessageState.sending, state=MessageState.sent, sent_dt=utcnow(), error=None)


def hand_over(message_id: int) -> None:
    """Have a worker send the message (the outbox calls this after the commit that kept it); while the broker is
    down the task is kept in the task outbox and sent when it answers again (tasks.outbox)."""
    outbox.send(send_message, message_id)


def queue_reminder(report: CaseReport, today: date) -> None:
    """Queue a reminder of the report's overdue step to each person who acts on it."""
    name, done = STEPS[report.state]
    case = report.case
    starter = report.transitions[-1].user if report.transitions else None
    title = mail_title(case)
    subject = f"Påminnelse: {title[:150]} ({case.number}) skulle ha {done} senast {report.due_on.isoformat()}"
    link = report_path(case.id)
    for user in recipients(report, name, starter or NOBODY):
        body = (
            f"Hej {user.name},\n\n"
            f"Tjänsteutlåtandet i ärende {case.number}, ”{title}”, skulle ha {done} senast "
            f"{report.due_on.isoformat()}. Dess status är fortfarande ”{report.state.label}” ({today.isoformat()}).\n"
            f"\nÖppna utlåtandet: {link}\n\nHälsningar\nNämndflöde"
        )
        queue_message(user, subject, body, link=link, case_id=case.id)


def _queue_reminders(today: date) -> None:
    """Queue today's reminders and mark the reports reminded, in one writing transaction."""
    db.session.rollback()
    with sqlite_writing():
        overdue = db.session.scalars(
            select(CaseReport)
            .where(
                CaseReport.state.in_(list(STEPS)),
                CaseReport.due_on < today,
                or_(CaseReport.reminded_on.is_(None), CaseReport.reminded_on < today),
            )
            .order_by(CaseReport.id)
            .with_for_update()
        ).all()
        for report in overdue:
            queue_reminder(report, today)
            report.reminded_on = today
        db.session.commit()
    if overdue:
        log.info("reminded about %s overdue reports", len(overdue))


def _resend_stale() -> None:
    """Hand the worker again the messages left queued since before STALE_AFTER."""
    stale = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.state == MessageState.queued, OutboxMessage.created_dt < utcnow() - STALE_AFTER)
        .order_by(OutboxMessage.id)
    ).all()
    for message_id in stale:
        send_message.delay(message_id)
    if stale:
        log.info("re-enqueued %s messages left in the queue", len(stale))


def _fail_interrupted() -> None:
    """Mark failed the messages whose sending began before INTERRUPTED_AFTER and never ended."""
    with separate_transaction() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == MessageState.sending, OutboxMessage.claimed_dt < utcnow() - INTERRUPTED_AFTER)
            .values(state=MessageState.failed, error=INTERRUPTED)
        )
    if result.rowcount:
        log.warning("%s messages were interrupted while being sent; marked failed", result.rowcount)


@shared_task(name="tasks.notifications.remind_overdue")
def remind_overdue() -> None:
    """Remind people of overdue review and signing steps (once a day each), resend stale messages and mark
    interrupted ones failed."""
    _queue_reminders(local_today())  # its commit hands the reminders over
    db.session.rollback()
    _resend_stale()
    _fail_interrupted()
