"""Justering: the chair and the justerare approve the rendered protokoll, and the anslag that follows.

What is to be justerat is a **round** (``rounds``): the paragraphs declared omedelbart justerade that are not
justerade yet (at the meeting), the whole protokoll (after it), or an open rättelse of a justerat protokoll. The
approvers of a round are the seat presiding at its first paragraph (the chair, or a vice chair in their place) and
the justerare elected in the protokoll's header. Each approves (their password entered again,
``agenda.minutes.signing.BuiltinApproval``) or rejects with a comment the exact PDF they saw: the PDF made from
the protokoll's current revision (``ReviewedDocument``; the caller gets it from the rendered files). Only the
approvals of that very PDF count, so a new revision goes round again. When each approver's last word on it is an
approval the round is justerad: the justering's date is the last approval; the whole protokoll or the paragraphs
are then locked (``agenda.minutes.operations`` refuses every edit) and an announcement goes up on the
anslagstavla (``agenda.minutes.announcements``). A rättelse opens the justerat protokoll for the secretary and is
justerad again the same way; it shows on the anslag it corrects.

Each function validates, changes, writes an audit row and flushes; the caller commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import select

from agenda.minutes.adjustment_models import (
    AdjustmentKind,
    Announcement,
    MinutesAdjustment,
    MinutesApproval,
    MinutesCorrection,
    open_correction,
)
from agenda.minutes.announcements import announce
from agenda.minutes.content import HEADER, MinutesContentJSON, part_name
from agenda.minutes.content import ParagraphJSON as RecordedParagraph
from agenda.minutes.models import CommitteeSeat, Minutes, MinutesParagraph
from agenda.minutes.operations import correction_outcome_change, current_content, problems
from agenda.minutes.rules import serving_at
from agenda.minutes.seats import as_rule_seats, seats_of
from agenda.minutes.signing import BuiltinApproval, SigningRefused
from agenda.minutes.signing import reject as signing_reject
from agenda.models import AgendaItem, MeetingStatus
from agenda.outcomes import outcome_conflict, record_justerat_outcome
from app import audit
from app.auth.models import CommitteeRole, Role, User
from app.clock import to_local, utcnow
from app.extensions import db
from app.notifications import queue_message
from app.validation import ConflictError, ForbiddenError, ValidationError, clean_text

NOT_AN_APPROVER = "Du är inte ordförande eller justerare vid sammanträdet och kan inte justera protokollet."
CHANGED = "Protokollet har ändrats sedan du öppnade det. Läs den nya versionen och justera den i stället."
NOT_STARTED = "Sammanträdet har inte börjat ännu. Protokollet justeras vid eller efter sammanträdet."
COMMENT_MAX = 4_000
#: app.extensions' key of what follows a completed justering (``init_app``)
ADJUSTED_HOOK = "minutes.on_adjusted"


@dataclass(frozen=True)
class ReviewedDocument:
    """The rendered PDF of a round: the protokoll's revision it was made from and its exact bytes."""

    revision: int
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass(frozen=True)
class Approver:
    """A person who justerar a round, and their last word on its current PDF (None: not yet given)."""

    seat: CommitteeSeat
    #: "Ordförande" (or the vice chair presiding in the chair's place) or "Justerare"
    role: str
    decision: MinutesApproval | None

    @property
    def has_approved(self) -> bool:
        return self.decision is not None and self.decision.is_approved

    @property
    def has_rejected(self) -> bool:
        return self.decision is not None and not self.decision.is_approved


@dataclass(frozen=True)
class Round:
    """What is to be justerat now, by whom, and how far it has come."""

    kind: AdjustmentKind
    #: the § numbers justerade at once (empty: the whole protokoll)
    paragraphs: tuple[int, ...]
    revision: int
    approvers: tuple[Approver, ...]
    #: the sha256 of the PDF the approvals count for (None: not rendered yet)
    pdf_sha256: str | None
    correction: MinutesCorrection | None = None
    #: why the round cannot be justerat as it stands (no justerare elected, problems in the protokoll)
    obstacles: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        if self.kind is AdjustmentKind.immediate:
            return f"Omedelbar justering av {paragraph_list(self.paragraphs)}"
        return self.kind.label if self.kind is AdjustmentKind.correction else "Justering av protokollet"

    def approver_for(self, user: User) -> Approver | None:
        return next((a for a in self.approvers if a.seat.user_id == user.id), None)


def paragraph_list(numbers: Sequence[int]) -> str:
    """ "§ 4", "§§ 4, 7" or "§§ 1–21" (a run of three or more as a range)."""
    ordered = sorted(set(numbers))
    if not ordered:
        return ""
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(str(n) for n in r) for r in runs]
    return ("§ " if len(ordered) == 1 else "§§ ") + ", ".join(parts)


# --- reading what is to be justerat -----------------------------------------------------------------------


def _paragraph_rows(minutes: Minutes) -> dict[int, MinutesParagraph]:
    return {p.number: p for p in minutes.paragraphs}


def immediate_pending(minutes: Minutes) -> tuple[int, ...]:
    """The paragraphs declared omedelbart justerade in the current revision and not justerade yet."""
    if minutes.is_adjusted:
        return ()
    rows = _paragraph_rows(minutes)
    return tuple(
        p["number"]
        for p in current_content(minutes)["paragraphs"]
        if p["immediately_adjusted"] and p["number"] in rows and not rows[p["number"]].is_adjusted
    )


def _approver_seats(minutes: Minutes, paragraphs: Sequence[int]) -> list[tuple[CommitteeSeat, str]]:
    """The chair (the seat presiding at the round's first paragraph) and the justerare elected in the header."""
    content = current_content(minutes)
    seats = seats_of(minutes.committee_id, active_only=False)
    by_id = {s.id: s for s in seats}
    header = content["header"]
    numbers = list(paragraphs) or [p["number"] for p in content["paragraphs"]]
    first = min(numbers) if numbers else None
    recorded = next((p for p in content["paragraphs"] if p["number"] == first), None)
    presiding = serving_at(
        as_rule_seats(seats), header["attendance"], first, recorded["conflicts"] if recorded else ()
    ).presiding
    out: list[tuple[CommitteeSeat, str]] = []
    if presiding is not None:
        seat = by_id[presiding]
        out.append((seat, seat.office.label if seat.office is not None else "Ordförande"))
    for seat_id in header["adjusters"]:
        if seat_id in by_id and seat_id != presiding:
            out.append((by_id[seat_id], "Justerare"))
    return out


def _decisions(
    minutes: Minutes, kind: AdjustmentKind, paragraphs: Sequence[int], pdf_sha256: str | None, since: datetime | None
) -> dict[int, MinutesApproval]:
    """Each approver's last approval or rejection of the PDF with ``pdf_sha256`` in this round (by seat id)."""
    if pdf_sha256 is None:
        return {}
    query = (
        select(MinutesApproval)
        .where(
            MinutesApproval.minutes_id == minutes.id,
            MinutesApproval.kind == kind,
            MinutesApproval.pdf_sha256 == pdf_sha256,
        )
        .order_by(MinutesApproval.created_dt, MinutesApproval.id)
    )
    if since is not None:
        query = query.where(MinutesApproval.created_dt >= since)
    out: dict[int, MinutesApproval] = {}
    for decision in db.session.scalars(query):
        if sorted(decision.paragraphs) == sorted(paragraphs):
            out[decision.seat_id] = decision
    return out


def _obstacles(
    minutes: Minutes,
    kind: AdjustmentKind,
    paragraphs: Sequence[int],
    approvers: list[tuple[CommitteeSeat, str]],
    at: datetime | None = None,
) -> list[str]:
    """Why the round cannot be justerat (at ``at``, by default now): before the meeting has begun, without
    paragraphs, justerare or a chair, or with errors in what it covers."""
    content = current_content(minutes)
    out: list[str] = []
    if minutes.meeting.start_dt > (at or utcnow()):
        out.append(NOT_STARTED)
    if not content["paragraphs"]:
        out.append("Protokollet har inga paragrafer ännu.")
    if not content["header"]["adjusters"]:
        out.append("Ingen justerare är vald i protokollet.")
    if not any(role != "Justerare" for _seat, role in approvers):
        out.append("Ingen ordförande tjänstgör vid sammanträdet enligt närvaron.")
    if kind is AdjustmentKind.correction:
        found_changes = (correction_outcome_change(minutes, p) for p in content["paragraphs"])
        out += [change for change in found_changes if change is not None]
    else:
        out += _outcome_conflicts(minutes, paragraphs)
    found = problems(minutes)
    parts = [HEADER] + [part_name(n) for n in (paragraphs or [p["number"] for p in content["paragraphs"]])]
    wrong = [part for part in parts if part in found]
    if wrong:
        named = ", ".join("närvaron" if p == HEADER else p for p in wrong)
        out.append(f"Protokollet har fel som måste rättas först ({named}).")
    return out


def _covered(minutes: Minutes, paragraphs: Sequence[int]) -> list[tuple[RecordedParagraph, AgendaItem]]:
    """The recorded paragraphs a round covers (none named: all), each with its agenda item."""
    items = {i.id: i for i in minutes.meeting.items}
    return [
        (p, items[p["agenda_item_id"]])
        for p in current_content(minutes)["paragraphs"]
        if (not paragraphs or p["number"] in paragraphs) and p["agenda_item_id"] in items
    ]


def _outcome_conflicts(minutes: Minutes, paragraphs: Sequence[int]) -> list[str]:
    """A paragraph whose outcome differs from the one recorded by hand on the agenda for its item."""
    found = (outcome_conflict(item, p["outcome"], p["number"]) for p, item in _covered(minutes, paragraphs))
    return [problem for problem in found if problem is not None]


def _record_outcomes(minutes: Minutes, done: Round, *, user: User) -> None:
    """The justerade paragraphs' outcomes onto their agenda items (agenda.outcomes): the justering is the legal
    moment. A rättelse changes none: one that would change an outcome is refused (``correction_outcome_change``:
    a rättelse corrects writing, not decisions)."""
    if done.kind is AdjustmentKind.correction:
        return
    for recorded, item in _covered(minutes, done.paragraphs):
        record_justerat_outcome(item, user=user, outcome=recorded["outcome"], paragraph=recorded["number"])


def _round(
    minutes: Minutes,
    kind: AdjustmentKind,
    paragraphs: tuple[int, ...],
    document: ReviewedDocument | None,
    correction: MinutesCorrection | None = None,
    at: datetime | None = None,
) -> Round:
    seats = _approver_seats(minutes, paragraphs)
    sha = document.sha256 if document is not None and document.revision == minutes.current_revision else None
    decisions = _decisions(minutes, kind, paragraphs, sha, correction.opened_dt if correction else None)
    return Round(
        kind=kind,
        paragraphs=paragraphs,
        revision=minutes.current_revision,
        approvers=tuple(Approver(seat=s, role=role, decision=decisions.get(s.id)) for s, role in seats),
        pdf_sha256=sha,
        correction=correction,
        obstacles=tuple(_obstacles(minutes, kind, paragraphs, seats, at)),
    )


def rounds_to_adjust(minutes: Minutes) -> list[tuple[AdjustmentKind, tuple[int, ...]]]:
    """What is to be justerat now, most urgent first: an open rättelse; else the paragraphs justerade at once,
    then the whole protokoll (until it is justerat)."""
    correction = open_correction(minutes)
    if correction is not None:
        return [(AdjustmentKind.correction, ())]
    if minutes.is_adjusted:
        return []
    out: list[tuple[AdjustmentKind, tuple[int, ...]]] = []
    pending = immediate_pending(minutes)
    if pending:
        out.append((AdjustmentKind.immediate, pending))
    out.append((AdjustmentKind.full, ()))
    return out


def current_round(
    minutes: Minutes, kind: AdjustmentKind, paragraphs: tuple[int, ...], document: ReviewedDocument | None
) -> Round:
    """The round of ``kind`` as it stands, the approvals counted for ``document`` (the current revision's PDF)."""
    return _round(minutes, kind, paragraphs, document, open_correction(minutes))


def round_of(minutes: Minutes, kind: object) -> tuple[AdjustmentKind, tuple[int, ...]]:
    """The round of ``kind`` ("full", "immediate", "correction") that is open now; 409 when there is none."""
    try:
        wanted = AdjustmentKind(kind)
    except ValueError:
        raise ValidationError({"kind": "Ange vad som justeras: full, immediate eller correction."}) from None
    for found, paragraphs in rounds_to_adjust(minutes):
        if found is wanted:
            return found, paragraphs
    if minutes.is_adjusted and wanted is not AdjustmentKind.correction:
        raise ConflictError("Protokollet är redan justerat; en ändring görs som rättelse.")
    if wanted is AdjustmentKind.immediate:
        raise ConflictError("Inga paragrafer väntar på omedelbar justering.")
    raise ConflictError("Det finns ingen rättelse att justera.")


def adjustments_of(minutes: Minutes) -> list[MinutesAdjustment]:
    return list(
        db.session.scalars(
            select(MinutesAdjustment)
            .where(MinutesAdjustment.minutes_id == minutes.id)
            .order_by(MinutesAdjustment.adjusted_dt, MinutesAdjustment.id)
        )
    )


def corrections_of(minutes: Minutes) -> list[MinutesCorrection]:
    return list(
        db.session.scalars(
            select(MinutesCorrection)
            .where(MinutesCorrection.minutes_id == minutes.id)
            .order_by(MinutesCorrection.opened_dt, MinutesCorrection.id)
        )
    )


def is_approver(minutes: Minutes, user: User) -> bool:
    """Whether ``user`` holds the seat of the chair or of a justerare of the meeting (of any open round)."""
    return any(
        seat.user_id == user.id
        for kind, paragraphs in rounds_to_adjust(minutes) or [(AdjustmentKind.full, ())]
        for seat, _role in _approver_seats(minutes, paragraphs)
    )


# --- approving and rejecting -------------------------------------------------------------------------------


def _verify_password(user_id: int, password: str) -> bool:
    user = db.session.get(User, user_id)
    return user is not None and user.check_password(password)


def _prepare(
    minutes: Minutes, user: User, kind: object, document: ReviewedDocument, at: datetime
) -> tuple[Round, Approver]:
    db.session.execute(select(Minutes.id).where(Minutes.id == minutes.id).with_for_update())
    db.session.refresh(minutes, ["current_revision", "adjusted_dt"])
    found, paragraphs = round_of(minutes, kind)
    wanted = _round(minutes, found, paragraphs, document, open_correction(minutes), at)
    approver = wanted.approver_for(user)
    if approver is None:
        raise ForbiddenError(NOT_AN_APPROVER)
    if document.revision != minutes.current_revision:
        raise ConflictError(CHANGED)
    if wanted.obstacles:
        raise ConflictError(" ".join(wanted.obstacles))
    return wanted, approver


def _refused(exc: SigningRefused) -> Exception:
    """A refusal of agenda.minutes.signing as the product answers it: a changed PDF 409, the rest 422."""
    message = str(exc)
    if "har ändrats" in message:
        return ConflictError(message)
    field_name = "password" if "Lösenordet" in message else "comment"
    return ValidationError({field_name: message})


def approve(
    minutes: Minutes,
    *,
    user: User,
    kind: object,
    document: ReviewedDocument,
    seen_sha256: object,
    password: object,
    now: datetime | None = None,
) -> MinutesApproval:
    """The chair or a justerare approves the PDF they saw, their password entered again; when every approver has
    approved that PDF the round is justerad (``_complete``). Refused in Swedish: someone who is not chair or
    justerare of the meeting (403), a PDF that is not the current one or a meeting not begun yet (409), a wrong
    password (422)."""
    moment = now or utcnow()
    wanted, approver = _prepare(minutes, user, kind, document, moment)
    try:
        given = BuiltinApproval(_verify_password).approve(
            user_id=user.id,
            password=password if isinstance(password, str) else "",
            pdf=document.pdf,
            seen_sha256=seen_sha256 if isinstance(seen_sha256, str) else "",
            now=moment,
        )
    except SigningRefused as exc:
        raise _refused(exc) from None
    row = MinutesApproval(
        minutes=minutes,
        kind=wanted.kind,
        paragraphs=list(wanted.paragraphs),
        revision=document.revision,
        user=user,
        seat=approver.seat,
        is_approved=True,
        pdf_sha256=given.pdf_sha256,
        method=given.method.value,
        created_dt=given.approved_at,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "minutes.approved",
        minutes,
        f"{approver.seat.name} ({approver.role.lower()}) godkände {wanted.label.lower()} "
        f"{_meeting_label(minutes)}, version {document.revision}.",
        user=user,
        committee_id=minutes.committee_id,
        after={"revision": document.revision, "pdf_sha256": given.pdf_sha256, "kind": wanted.kind.value},
    )
    done = _round(minutes, wanted.kind, wanted.paragraphs, document, wanted.correction)
    if all(a.has_approved for a in done.approvers):
        _complete(minutes, done, user=user, at=moment)
    return row


def reject(
    minutes: Minutes,
    *,
    user: User,
    kind: object,
    document: ReviewedDocument,
    seen_sha256: object,
    comment: object,
    now: datetime | None = None,
) -> MinutesApproval:
    """The chair or a justerare does not approve the PDF they saw and says what the secretary must correct."""
    wanted, approver = _prepare(minutes, user, kind, document, now or utcnow())
    text = clean_text(comment, field="comment", label="Kommentaren", max_length=COMMENT_MAX, required=False)
    try:
        given = signing_reject(
            user_id=user.id,
            pdf=document.pdf,
            seen_sha256=seen_sha256 if isinstance(seen_sha256, str) else "",
            comment=text,
            now=now or utcnow(),
        )
    except SigningRefused as exc:
        raise _refused(exc) from None
    row = MinutesApproval(
        minutes=minutes,
        kind=wanted.kind,
        paragraphs=list(wanted.paragraphs),
        revision=document.revision,
        user=user,
        seat=approver.seat,
        is_approved=False,
        pdf_sha256=given.pdf_sha256,
        comment=given.comment,
        created_dt=given.rejected_at,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "minutes.rejected",
        minutes,
        f"{approver.seat.name} ({approver.role.lower()}) godkände inte {wanted.label.lower()} "
        f"{_meeting_label(minutes)}, version {document.revision}: {given.comment}",
        user=user,
        committee_id=minutes.committee_id,
        after={"revision": document.revision, "pdf_sha256": given.pdf_sha256, "kind": wanted.kind.value},
    )
    committee = minutes.meeting.committee.name
    _tell_secretaries(
        minutes,
        f"Protokollet godkändes inte: {committee} {_meeting_label(minutes)}",
        f"{approver.seat.label} ({approver.role.lower()}) godkände inte {wanted.label.lower()} "
        f"{_meeting_label(minutes)}, version {document.revision}:\n\n{given.comment}\n\n"
        "Rätta protokollet; den nya versionen går runt till ordföranden och justerarna igen.",
    )
    return row


def _meeting_label(minutes: Minutes) -> str:
    return f"{to_local(minutes.meeting.start_dt):%Y-%m-%d}"


def justering_path(minutes: Minutes) -> str:
    return f"/sammantraden/{minutes.meeting_id}/justering"


def _tell_secretaries(minutes: Minutes, subject: str, text: str) -> None:
    """A message to each secretary of the committee (the outbox; sent when the transaction commits)."""
    secretaries = db.session.scalars(
        select(User)
        .join(CommitteeRole, CommitteeRole.user_id == User.id)
        .where(CommitteeRole.committee_id == minutes.committee_id, CommitteeRole.role == Role.secretary)
        .order_by(User.id)
    ).all()
    link = justering_path(minutes)
    for secretary in secretaries:
        if secretary.is_enabled:
            queue_message(
                secretary,
                subject,
                f"Hej {secretary.name},\n\n{text}\n\nJusteringen: {link}\n\nHälsningar\nNämndflöde",
                link=link,
            )


def _complete(minutes: Minutes, done: Round, *, user: User, at: datetime) -> MinutesAdjustment:
    """Every approver has approved the round's PDF: lock what it covers, record the justering and announce it."""
    assert done.pdf_sha256 is not None
    adjustment = MinutesAdjustment(
        minutes=minutes,
        kind=done.kind,
        paragraphs=list(done.paragraphs),
        revision=done.revision,
        pdf_sha256=done.pdf_sha256,
        adjusted_dt=at,
        correction=done.correction,
    )
    db.session.add(adjustment)
    if done.kind is AdjustmentKind.full:
        minutes.adjusted_dt = at
        what = "Protokollet"
    elif done.kind is AdjustmentKind.immediate:
        rows = _paragraph_rows(minutes)
        for number in done.paragraphs:
            rows[number].adjusted_dt = at
        what = paragraph_list(done.paragraphs).capitalize()
    else:
        correction = cast(MinutesCorrection, done.correction)
        correction.closed_dt = at
        correction.parts = parts_changed_since(minutes, correction.based_on_revision)
        what = "Protokollet (rättelse)"
    db.session.flush()
    audit.record(
        "minutes.adjusted",
        minutes,
        f"{what} {_meeting_label(minutes)} justerat {to_local(at):%Y-%m-%d %H:%M} (version {done.revision}).",
        user=user,
        committee_id=minutes.committee_id,
        after={
            "kind": done.kind.value,
            "paragraphs": list(done.paragraphs),
            "revision": done.revision,
            "pdf_sha256": done.pdf_sha256,
        },
    )
    _record_outcomes(minutes, done, user=user)
    if done.kind is AdjustmentKind.full:
        _mark_minutes_done(minutes, user=user)
    if done.kind is not AdjustmentKind.correction:
        announce(adjustment, user=user)
    hook = current_app.extensions.get(ADJUSTED_HOOK) if has_app_context() else None
    if hook is not None:
        hook(minutes, adjustment, user)
    _tell_secretaries(
        minutes,
        f"{what} är justerat: {minutes.meeting.committee.name} {_meeting_label(minutes)}",
        f"{what} {_meeting_label(minutes)} justerades {to_local(at):%Y-%m-%d %H:%M} (version {done.revision})"
        + (". Anslaget är uppe på anslagstavlan." if done.kind is not AdjustmentKind.correction else ".")
        + (
            " Protokollet skapas nu som dokument och förseglas; expediera sedan besluten under Expediering."
            if hook is not None
            else " Skapa protokollet som dokument så att det förseglas."
        ),
    )
    return adjustment


def _mark_minutes_done(minutes: Minutes, *, user: User) -> None:
    """The whole protokoll is justerat (every paragraph: those justerade at once earlier and the rest now): the
    meeting is "Protokoll klart". Outcomes are then no longer recorded by hand (agenda.outcomes); a rättelse stays
    possible and leaves the status as it is."""
    meeting = minutes.meeting
    if meeting.status is MeetingStatus.minutes_done:
        return
    before = meeting.status
    meeting.status = MeetingStatus.minutes_done
    db.session.flush()
    audit.record(
        "agenda.minutes_done",
        meeting,
        f"Sammanträdet {_meeting_label(minutes)}: {MeetingStatus.minutes_done.label.lower()} (protokollet justerat).",
        user=user,
        committee_id=meeting.committee_id,
        before={"status": before.value},
        after={"status": MeetingStatus.minutes_done.value},
    )


def init_app(app: Flask, *, on_adjusted: Callable[[Minutes, MinutesAdjustment, User], object]) -> None:
    """Name what follows a completed justering in its transaction: the factory passes the start of the render of
    the justerat revision (tasks.protocol_jobs.start_after_adjustment, enqueued after the commit)."""
    app.extensions[ADJUSTED_HOOK] = on_adjusted


def parts_changed_since(minutes: Minutes, revision: int) -> list[str]:
    """The parts ("Rubrik", "§ 12") changed in the revisions after ``revision``, in the order first changed."""
    parts: list[str] = []
    for r in minutes.revisions:
        if r.number > revision:
            parts += [p for p in r.changed_parts if p not in parts]
    return parts


# --- rättelse ----------------------------------------------------------------------------------------------


def start_correction(minutes: Minutes, *, user: User, description: object) -> MinutesCorrection:
    """Open a rättelse of a justerat protokoll: the secretary may edit it again, and the corrected revision goes
    round to the chair and the justerare; the rättelse shows on the anslag and in the protokoll."""
    db.session.execute(select(Minutes.id).where(Minutes.id == minutes.id).with_for_update())
    db.session.refresh(minutes, ["current_revision", "adjusted_dt"])
    if not minutes.is_adjusted and not any(p.is_adjusted for p in minutes.paragraphs):
        raise ConflictError("Protokollet är inte justerat; ändra det som vanligt.")
    if open_correction(minutes) is not None:
        raise ConflictError("En rättelse av protokollet pågår redan.")
    text = clean_text(description, field="description", label="Vad som rättas och varför", max_length=COMMENT_MAX)
    correction = MinutesCorrection(
        minutes=minutes, description=text, based_on_revision=minutes.current_revision, opened_by_id=user.id
    )
    db.session.add(correction)
    db.session.flush()
    audit.record(
        "minutes.correction_started",
        minutes,
        f"Rättelse av protokollet {_meeting_label(minutes)} påbörjad (från version {minutes.current_revision}): {text}",
        user=user,
        committee_id=minutes.committee_id,
    )
    return correction


def content_of(minutes: Minutes, revision: int) -> MinutesContentJSON:
    found = minutes.revision(revision)
    if found is None:
        raise LookupError(f"minutes {minutes.id} have no revision {revision}")
    return cast(MinutesContentJSON, found.content)


def announcements_of(minutes: Minutes) -> list[Announcement]:
    return list(
        db.session.scalars(select(Announcement).where(Announcement.minutes_id == minutes.id).order_by(Announcement.id))
    )
