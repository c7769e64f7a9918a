"""Expediering: each justerad paragraph's protokollsutdrag to each recipient of its "Beslutet skickas till".

The secretary presses **Expediera** once the justerat protokoll's extracts are made and sealed (the render job
starts by itself when a justering completes, tasks.protocol_jobs). Chosen over sending when the job finishes:
the secretary sees the recipients and what cannot go out before anything leaves, and nothing leaves the
municipality without a person's action. For each justerad paragraph (the whole protokoll, or paragraphs
justerade at once) and each recipient not sent to yet:

- a recipient that names a user of the product (their e-mail address in the line, or exactly their name) who may
  read the protokoll's documents gets a message in the product linking to them (never an e-mail: it stays here);
- a recipient with an e-mail address in the line (``CuraNova Omsorg AB <info@curanova.example>``; a user who may
  not read the protokoll is sent to at their address) gets an e-mail through the outbox with the sealed PDF;
- **a confidential paragraph's extract is never e-mailed**: only a user who may read the protokoll gets it, in the
  product; any other recipient is listed as "hanteras manuellt" with the reason, for the registrar to send by a
  channel fit for secrecy (the e-mail leaves the municipality's control);
- a recipient without an address ("Kommunstyrelsen") is listed as failed, to be handled by hand.

Each sending is registered in the paragraph's case's diarium as an outgoing handling (today's date, the
recipient), once per recipient even when sent again; the case's report becomes decided (workflows' ``decide``)
when the paragraph records a decision. Sending again is for a failed e-mail (a bounce, an SMTP failure): a new
attempt, a new message, the same diarium row. A repeated request sends nothing twice: a recipient with an attempt
is skipped, the protokoll's row is locked while sending, and (minutes, §, recipient, attempt) is unique.

Each function validates, changes, writes audit rows and flushes; the caller commits (the outbox hands the e-mails
to the worker after the commit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import func, select

from agenda.minutes.adjustment import content_of, paragraph_list
from agenda.minutes.adjustment_models import open_correction
from agenda.minutes.content import ParagraphJSON, paragraph_numbered
from agenda.minutes.dispatch_models import DispatchChannel, DispatchStatus, MinutesDispatch
from agenda.minutes.documents import DocumentKind, MinutesDocument
from agenda.minutes.models import Minutes, MinutesParagraph
from app import audit
from app.auth.models import User
from app.clock import local_today, to_local
from app.extensions import db
from app.notifications import Attachment, queue_message
from app.permissions import Action, can
from app.registry import operations as registry_ops
from app.registry.models import Case, CaseStatus
from app.validation import ConflictError
from workflows import operations as report_ops
from workflows.models import ReportState

EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
NO_ADDRESS = (
    "Mottagaren har ingen e-postadress och är ingen användare i Nämndflöde. Expediera utdraget manuellt "
    "(t.ex. med post), eller skriv e-postadressen i ”Beslutet skickas till” genom en rättelse."
)
CONFIDENTIAL = (
    "Paragrafen gäller ett sekretessärende: utdraget skickas inte med e-post. Expediera det manuellt på ett "
    "sätt som skyddar uppgifterna (t.ex. rekommenderat brev)."
)
NOTHING_TO_SEND = "Det finns inget att expediera: ingen justerad paragraf med mottagare väntar på att skickas."
NOT_ADJUSTED = "Protokollet är inte justerat ännu; inget kan expedieras."
IN_CORRECTION = "En rättelse av protokollet pågår; expediera när den är justerad."
NOT_READY = "Protokollsutdragen av det justerade protokollet är inte skapade ännu. Vänta tills de är klara."


@dataclass(frozen=True)
class Recipient:
    """A line of "Beslutet skickas till" and how it is reached."""

    text: str
    channel: DispatchChannel
    user: User | None = None
    address: str | None = None
    problem: str | None = None


@dataclass
class RecipientState:
    text: str
    #: every attempt, the first first
    attempts: list[MinutesDispatch] = field(default_factory=list)

    @property
    def latest(self) -> MinutesDispatch | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def may_resend(self) -> bool:
        latest = self.latest
        return (
            latest is not None
            and latest.status is DispatchStatus.failed
            and latest.channel is not DispatchChannel.manual
        )


@dataclass
class ParagraphState:
    """What a justerad paragraph's expediering stands at."""

    number: int
    title: str
    is_confidential: bool
    #: the sealed extract to send (None: not made yet)
    document: MinutesDocument | None
    recipients: list[RecipientState]
    case: Case | None

    @property
    def waiting(self) -> list[RecipientState]:
        return [r for r in self.recipients if r.latest is None]


def _adjusted_paragraphs(minutes: Minutes) -> list[MinutesParagraph]:
    """The paragraphs justerade: all once the protokoll is, else those justerade at once."""
    rows = sorted(minutes.paragraphs, key=lambda p: p.number)
    if minutes.is_adjusted:
        return rows
    return [p for p in rows if p.is_adjusted]


def _sealed_extract(minutes: Minutes, number: int) -> MinutesDocument | None:
    """The paragraph's newest extract made from the justerat protokoll (sealed)."""
    return db.session.scalar(
        select(MinutesDocument)
        .where(
            MinutesDocument.minutes_id == minutes.id,
            MinutesDocument.kind == DocumentKind.extract,
            MinutesDocument.paragraph_number == number,
            MinutesDocument.is_adjusted.is_(True),
        )
        .order_by(MinutesDocument.revision.desc(), MinutesDocument.id.desc())
        .limit(1)
    )


def _unique(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        text = line.strip()[:300]
        if text and text not in out:
            out.append(text)
    return out


def state_of(minutes: Minutes) -> list[ParagraphState]:
    """Each justerad paragraph with its sealed extract, its recipients and every attempt to send to them."""
    attempts: dict[tuple[int, str], list[MinutesDispatch]] = {}
    for row in db.session.scalars(
        select(MinutesDispatch)
        .where(MinutesDispatch.minutes_id == minutes.id)
        .order_by(MinutesDispatch.paragraph_number, MinutesDispatch.attempt)
    ):
        attempts.setdefault((row.paragraph_number, row.recipient), []).append(row)
    out: list[ParagraphState] = []
    for paragraph in _adjusted_paragraphs(minutes):
        document = _sealed_extract(minutes, paragraph.number)
        recorded: ParagraphJSON | None = None
        if document is not None:
            recorded = paragraph_numbered(content_of(minutes, document.revision), paragraph.number)
        lines = _unique(recorded["recipients"]) if recorded is not None else []
        # a recipient sent to from an earlier justerat revision stays listed
        lines += [text for (number, text) in attempts if number == paragraph.number and text not in lines]
        item = paragraph.item
        out.append(
            ParagraphState(
                number=paragraph.number,
                title=item.case.display_public_title if item.is_confidential and item.case else item.title,
                is_confidential=item.is_confidential,
                document=document,
                recipients=[RecipientState(text, attempts.get((paragraph.number, text), [])) for text in lines],
                case=item.case,
            )
        )
    return out


def is_pending(minutes: Minutes) -> bool:
    """Whether some justerad paragraph's extract waits to be sent to someone."""
    return any(p.document is not None and p.waiting for p in state_of(minutes))


# --- who the recipient is ------------------------------------------------------------------------------------


def _user_named(text: str, address: str | None) -> User | None:
    if address is not None:
        return db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))
    found = db.session.scalars(select(User).where(func.lower(User.name) == text.lower()).limit(2)).all()
    return found[0] if len(found) == 1 else None


def resolve(minutes: Minutes, text: str, *, is_confidential: bool) -> Recipient:
    """How the recipient line ``text`` is reached (the rules in the module's docstring)."""
    match = EMAIL_RE.search(text)
    address = match.group(0) if match else None
    user = _user_named(text, address)
    if user is not None and user.is_enabled:
        if can(user, Action.view_minutes, minutes):
            return Recipient(text, DispatchChannel.in_app, user=user, address=user.email)
        address = user.email
    if address is None:
        return Recipient(text, DispatchChannel.manual, problem=NO_ADDRESS)
    if is_confidential:
        return Recipient(text, DispatchChannel.manual, address=address, problem=CONFIDENTIAL)
    return Recipient(text, DispatchChannel.email, address=address)


# --- sending -------------------------------------------------------------------------------------------------


def _meeting_label(minutes: Minutes) -> str:
    return f"{minutes.meeting.committee.name} {to_local(minutes.meeting.start_dt):%Y-%m-%d}"


def documents_path(minutes: Minutes) -> str:
    return f"/sammantraden/{minutes.meeting_id}/protokoll/dokument"


def _lock(minutes: Minutes) -> None:
    db.session.execute(select(Minutes.id).where(Minutes.id == minutes.id).with_for_update())
    db.session.refresh(minutes, ["current_revision", "adjusted_dt"])


def _send(
    minutes: Minutes,
    paragraph: ParagraphState,
    text: str,
    *,
    user: User,
    attempt: int,
    registered_document_id: int | None,
) -> MinutesDispatch:
    document = paragraph.document
    assert document is not None
    recipient = resolve(minutes, text, is_confidential=paragraph.is_confidential)
    label = f"{_meeting_label(minutes)} § {paragraph.number}"
    subject = f"Protokollsutdrag {label}: {paragraph.title}"[:300]
    message = None
    if recipient.channel is DispatchChannel.email:
        message = queue_message(
            None,
            subject,
            f"Hej,\n\nHär är protokollsutdraget {label}, ”{paragraph.title}”, från "
            f"{minutes.meeting.committee.name}s justerade protokoll. Utdraget är förseglat med kommunens "
            "elektroniska sigill.\n\nHälsningar\n"
            f"{minutes.meeting.committee.name}",
            to_address=recipient.address,
            case_id=paragraph.case.id if paragraph.case else None,
            attachment=Attachment(key=document.pdf_key, sha256=document.pdf_sha256, name=document.pdf_name),
        )
    elif recipient.channel is DispatchChannel.in_app:
        assert recipient.user is not None
        link = documents_path(minutes)
        message = queue_message(
            recipient.user,
            subject,
            f"Hej {recipient.user.name},\n\nBeslutet i {label}, ”{paragraph.title}”, har expedierats till dig. "
            f"Protokollsutdraget finns bland protokollets dokument: {link}\n\nHälsningar\nNämndflöde",
            link=link,
            case_id=paragraph.case.id if paragraph.case else None,
            by_email=False,
        )
    if (
        recipient.channel is not DispatchChannel.manual
        and registered_document_id is None
        and paragraph.case is not None
        and paragraph.case.status is not CaseStatus.voided
    ):
        case = paragraph.case
        registered = registry_ops.register_document(
            case,
            user=user,
            direction="outgoing",
            document_date=local_today(),
            description=f"Protokollsutdrag {label}",
            counterparty=text,
            is_confidential=case.is_confidential,
            secrecy_provision=(case.secrecy_provision or "OSL") if case.is_confidential else None,
        )
        registered_document_id = registered.id
    row = MinutesDispatch(
        minutes_id=minutes.id,
        paragraph_number=paragraph.number,
        recipient=text,
        attempt=attempt,
        channel=recipient.channel,
        to_address=recipient.address,
        user_id=recipient.user.id if recipient.user else None,
        document_id=document.id,
        message_id=message.id if message else None,
        registered_document_id=registered_document_id,
        problem=recipient.problem,
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    shown = text if not paragraph.is_confidential else "en mottagare"
    audit.record(
        "minutes.dispatched",
        minutes,
        f"Protokollsutdrag {label} till {shown}: {recipient.channel.label.lower()}"
        + (f" (försök {attempt})" if attempt > 1 else "")
        + ".",
        user=user,
        committee_id=minutes.committee_id,
        case_id=paragraph.case.id if paragraph.case else None,
        after={"paragraph": paragraph.number, "channel": recipient.channel.value, "attempt": attempt},
    )
    return row


def _decide(paragraph: ParagraphState, minutes: Minutes, *, user: User) -> None:
    """The case's report becomes decided (workflows' ``decide``) when the paragraph records a decision."""
    if paragraph.case is None or paragraph.document is None:
        return
    recorded = paragraph_numbered(content_of(minutes, paragraph.document.revision), paragraph.number)
    if recorded is None or recorded["outcome"] not in (None, "decided"):
        return
    report = report_ops.report_for(paragraph.case)
    if report is not None and report.state is ReportState.on_agenda:
        report_ops.transition(report, user=user, name="decide", notify=False)


def expedite(minutes: Minutes, *, user: User) -> list[MinutesDispatch]:
    """Send each justerad paragraph's sealed extract to each recipient not sent to yet; 409 when nothing waits."""
    _lock(minutes)
    if open_correction(minutes) is not None:
        raise ConflictError(IN_CORRECTION)
    paragraphs = state_of(minutes)
    if not paragraphs:
        raise ConflictError(NOT_ADJUSTED)
    if all(p.document is None for p in paragraphs):
        raise ConflictError(NOT_READY)
    sent: list[MinutesDispatch] = []
    for paragraph in paragraphs:
        if paragraph.document is None:
            continue
        for recipient in paragraph.waiting:
            sent.append(_send(minutes, paragraph, recipient.text, user=user, attempt=1, registered_document_id=None))
        _decide(paragraph, minutes, user=user)
    if not sent:
        raise ConflictError(NOTHING_TO_SEND)
    numbers = sorted({d.paragraph_number for d in sent})
    audit.record(
        "minutes.expedited",
        minutes,
        f"Expediering av {paragraph_list(numbers)} {_meeting_label(minutes)}: {len(sent)} utskick, "
        f"{sum(1 for d in sent if d.channel is DispatchChannel.manual)} att hantera manuellt.",
        user=user,
        committee_id=minutes.committee_id,
    )
    return sent


def resend(minutes: Minutes, *, user: User, dispatch_id: object) -> MinutesDispatch:
    """Send a failed one again (a new attempt; the diarium's row is the first's). 409 unless its latest attempt
    failed; 404 for an unknown one."""
    _lock(minutes)
    if open_correction(minutes) is not None:
        raise ConflictError(IN_CORRECTION)
    row = db.session.get(MinutesDispatch, dispatch_id) if isinstance(dispatch_id, int) else None
    if row is None or row.minutes_id != minutes.id:
        abort(404, "Utskicket finns inte.")
    paragraph = next((p for p in state_of(minutes) if p.number == row.paragraph_number), None)
    recipient = next((r for r in paragraph.recipients if r.text == row.recipient), None) if paragraph else None
    if paragraph is None or recipient is None or recipient.latest is None or paragraph.document is None:
        raise ConflictError("Utskicket kan inte skickas igen.")
    latest = recipient.latest
    again = resolve(minutes, row.recipient, is_confidential=paragraph.is_confidential)
    if latest.id == row.id and again.channel is DispatchChannel.manual:
        raise ConflictError(f"Utdraget kan inte skickas härifrån. {again.problem}")
    if latest.id != row.id or latest.status is not DispatchStatus.failed:
        raise ConflictError("Bara ett misslyckat utskick kan skickas igen, och bara dess senaste försök.")
    registered = next((a.registered_document_id for a in recipient.attempts if a.registered_document_id), None)
    return _send(
        minutes, paragraph, row.recipient, user=user, attempt=latest.attempt + 1, registered_document_id=registered
    )
