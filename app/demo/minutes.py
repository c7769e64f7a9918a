"""The protokoll of the demo meeting (Socialnämnden 2017-02-23), kept, justerat and announced through the
operations the secretary's, the chair's and the justerare's pages call.

The attendance (Eva Ahlberg absent, Mona Nilsson serving for her), the justerare and the justering's place and
time; a paragraph per item from § 12 (the year's numbering taken over by hand, the rest from the counter), the
decisions as the signed reports give them, § 18 with yrkanden, an open vote and reservations, item 4 (§ 15)
omedelbart justerad at the meeting; then the whole protokoll justerad on 2 March 2017. Each justering puts its
announcement up on the anslagstavla, with dates counted from the justering's day (long since in the archive).

**The demo's one shortcut** (``review_document``): the chair and the justerare approve, with their demo passwords
through ``agenda.minutes.adjustment.approve`` as on the justering page, a small stand-in PDF made here naming the
revision and the paragraphs, since loading the demo must stay fast and LibreOffice may not be installed yet when
it runs. The approvals record that PDF's sha256 (its bytes are kept in the storage). The protokoll's real
documents (full, public version, extracts; justerat, so sealed) are rendered by the worker when ``make run``
starts it (``flask documents render-demo`` queues them; the demo's justeringar start no render themselves).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

import pikepdf
from flask import current_app
from pikepdf import Array, Dictionary, Name
from sqlalchemy import select

from agenda.minutes import adjustment as adj
from agenda.minutes import operations as minutes_ops
from agenda.minutes.content import paragraph_numbered
from agenda.minutes.models import CommitteeSeat, Minutes, SeatKind
from agenda.minutes.seats import seats_of
from agenda.models import Meeting
from app.auth.models import User
from app.clock import LOCAL_TZ, to_local
from app.demo import data
from app.extensions import db
from app.notifications import PENDING, OutboxMessage
from app.storage import get_storage


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def _pdf_text(text: str) -> bytes:
    """A PDF string literal in WinAnsi (the stand-in's Helvetica), its specials escaped."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252", errors="replace") + b")"


def stand_in_pdf(lines: list[str]) -> bytes:
    """A one-page PDF holding ``lines`` (the same lines always give the same bytes)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    )
    stream = b"BT /F1 11 Tf 56 780 Td 16 TL " + b" ".join(_pdf_text(line) + b" '" for line in lines) + b" ET"
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, 595, 842]),
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pdf.make_stream(stream),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.Root.Lang = pikepdf.String("sv-SE")
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def review_document(minutes: Minutes, paragraphs: tuple[int, ...]) -> adj.ReviewedDocument:
    """The demo's stand-in for the PDF a round's approvers read (see the module's docstring), kept in the storage."""
    meeting = minutes.meeting
    what = adj.paragraph_list(paragraphs) if paragraphs else "hela protokollet"
    pdf = stand_in_pdf(
        [
            f"{meeting.committee.name}: protokoll från sammanträdet {to_local(meeting.start_dt):%Y-%m-%d}",
            f"Version {minutes.current_revision}, {what}.",
            "Demons granskningsexemplar; protokollets dokument skapas av arbetaren.",
        ]
    )
    get_storage().save(pdf)
    return adj.ReviewedDocument(revision=minutes.current_revision, pdf=pdf)


def _approve(minutes: Minutes, kind: str, user: User, password: str, at: str) -> None:
    round_kind, paragraphs = adj.round_of(minutes, kind)
    document = review_document(minutes, paragraphs)
    adj.approve(
        minutes,
        user=user,
        kind=round_kind.value,
        document=document,
        seen_sha256=document.sha256,
        password=password,
        now=_at(at),
    )


def keep_minutes(meeting: Meeting, users: Mapping[str, User]) -> Minutes:
    """Keep, justera and announce the demo meeting's protokoll (see the module's docstring); the caller commits."""
    facts: dict[str, Any] = data.MINUTES
    secretary = users["sekreterare"]
    passwords = {key: password for key, *_rest, password, _token in data.USERS}
    seats: dict[str, CommitteeSeat] = {s.name: s for s in seats_of(meeting.committee_id)}
    absent, substitute = seats[facts["absent"]], seats[facts["substitute"]]

    already_queued = len(db.session.info.get(PENDING, []))
    minutes = minutes_ops.start_minutes(meeting, user=secretary)
    attendance = [
        {"seat_id": s.id, "from_paragraph": None, "until_paragraph": None, "serves_for": None}
        for s in seats.values()
        if s.kind is SeatKind.member and s is not absent
    ]
    attendance.append(
        {"seat_id": substitute.id, "from_paragraph": None, "until_paragraph": None, "serves_for": absent.id}
    )
    minutes_ops.save_header(
        minutes,
        user=secretary,
        based_on=minutes.current_revision,
        raw={
            "attendance": attendance,
            "others_present": [{"name": n, "title": t} for n, t in facts["others_present"]],
            "adjusters": [seats[facts["adjuster"]].id],
            "adjustment_place": facts["adjustment_place"],
            "adjustment_at": facts["adjustment_at"],
        },
    )

    items = list(meeting.items)
    minutes_ops.open_paragraph(minutes, items[0], user=secretary, number=facts["first_paragraph"])
    minutes_ops.open_paragraphs(minutes, user=secretary)
    by_item = {p.item.number: p for p in minutes.paragraphs}
    for item in items:
        paragraph = by_item[item.number]
        recorded = paragraph_numbered(minutes_ops.current_content(minutes), paragraph.number)
        assert recorded is not None
        raw: dict[str, object] = {"outcome": "decided"}
        if item.number in facts["decisions"]:
            raw["decision"] = facts["decisions"][item.number]
        elif not recorded["decision"]:
            raw["decision"] = facts["decision_without_report"]
        if item.number == facts["vote_item"]:
            raw.update(_vote(facts["vote"], seats, serving=[cast(int, a["seat_id"]) for a in attendance]))
        minutes_ops.save_paragraph(paragraph, user=secretary, based_on=minutes.current_revision, raw=raw)

    chair, adjuster = (users["ordforande"], passwords["ordforande"]), (users["ledamot"], passwords["ledamot"])
    with _no_render_on_justering():
        for user, password in (chair, adjuster):  # item 4 at the meeting, on its own
            _approve(minutes, "immediate", user, password, facts["immediately_at"])
        _approve(minutes, "full", *chair, facts["chair_approves_at"])
        _approve(minutes, "full", *adjuster, facts["adjuster_approves_at"])
    _drop_demo_messages(since=already_queued)
    return minutes


@contextmanager
def _no_render_on_justering() -> Iterator[None]:
    """A completed justering starts the render of its revision (``adjustment.init_app``'s hook); loading the demo
    starts none (no worker needs to run, nor LibreOffice to be installed): ``flask documents render-demo`` queues
    the justerat protokoll's render instead."""
    hooks = current_app.extensions
    hook = hooks.pop(adj.ADJUSTED_HOOK, None)
    try:
        yield
    finally:
        if hook is not None:
            hooks[adj.ADJUSTED_HOOK] = hook


def _drop_demo_messages(*, since: int) -> None:
    """The demo's justeringar of 2017 tell nobody: the messages they queued for the secretaries are taken out of
    the outbox again (nobody is e-mailed about 2017, and the demo's outbox holds only what its users do)."""
    pending: list[int] = db.session.info.get(PENDING, [])
    queued, pending[since:] = pending[since:], []
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(queued))):
        db.session.delete(message)
    db.session.flush()


def _vote(facts: Mapping[str, Any], seats: Mapping[str, CommitteeSeat], serving: list[int]) -> dict[str, object]:
    """The yrkanden, propositionsordning, open vote (every serving member's ballot) and reservations of § 18."""
    ballots = {seat_id: "yes" for seat_id in serving}
    for name in facts["no"]:
        ballots[seats[name].id] = "no"
    for name in facts["abstain"]:
        ballots[seats[name].id] = "abstain"
    return {
        "motions": [{"seat_id": seats[n].id, "kind": kind, "text": text} for n, kind, text in facts["motions"]],
        "order_of_questions": list(facts["order_of_questions"]),
        "vote": {
            "yes_means": facts["yes_means"],
            "no_means": facts["no_means"],
            "ballots": [{"seat_id": seat_id, "ballot": ballot} for seat_id, ballot in ballots.items()],
        },
        "reservations": [{"seat_id": seats[n].id, "text": text} for n, text in facts["reservations"]],
    }
