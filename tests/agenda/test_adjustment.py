"""Justering on the real database: who may approve, the exact PDF, rejections and new versions, the lock after
justering, rättelse, omedelbar justering, and the announcement with its dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from agenda import outcomes
from agenda.minutes import adjustment as adj
from agenda.minutes import announcements as anslag
from agenda.minutes import operations as minutes_ops
from agenda.minutes.adjustment_models import AdjustmentKind, MinutesApproval
from agenda.models import ItemOutcome, MeetingStatus
from app.audit import AuditEntry
from app.clock import LOCAL_TZ
from app.extensions import db
from app.notifications import OutboxMessage
from app.validation import ConflictError, ForbiddenError, ValidationError
from tests.agenda.test_minutes import recorded, seats  # noqa: F401 - fixtures
from tests.factories import person
from workflows import operations as report_ops
from workflows.models import ReportState

CHAIR_PASSWORD = "demo-ordforande"
ADJUSTER_PASSWORD = "demo-ledamot"


def document(minutes, marker: str = "") -> adj.ReviewedDocument:
    """Stand-in bytes for the current revision's rendered PDF (the operations judge bytes, not their layout)."""
    return adj.ReviewedDocument(
        revision=minutes.current_revision, pdf=f"%PDF-1.7 protokoll r{minutes.current_revision}{marker}".encode()
    )


@pytest.fixture
def before_the_meeting(recorded, secretary):  # noqa: F811
    """The recorded protokoll of the meeting two weeks ahead with Ali Karimi (the demo's ledamot) elected
    justerare and § 1 decided."""
    minutes, paragraph, ids = recorded
    minutes_ops.save_header(
        minutes,
        user=secretary,
        based_on=minutes.current_revision,
        raw={"adjusters": [ids["Ali Karimi"]], "adjustment_place": "Kommunhuset", "adjustment_at": "2027-03-02T15:00"},
    )
    minutes_ops.save_paragraph(paragraph, user=secretary, based_on=minutes.current_revision, raw={"outcome": "decided"})
    db.session.commit()
    return minutes, paragraph, ids


@pytest.fixture
def ready(before_the_meeting):
    """``before_the_meeting`` with the clock moved (ticking on) to the meeting's evening: a protokoll is justerat
    once its meeting has begun."""
    minutes = before_the_meeting[0]
    with time_machine.travel(minutes.meeting.start_dt + timedelta(hours=3), tick=True):
        yield before_the_meeting


def held_on(minutes, day: datetime) -> None:
    """Move the fixture's meeting to ``day`` (for the tests of dates that need it held then), committed."""
    minutes.meeting.start_dt = day
    db.session.commit()


def approve(minutes, key: str, password: str, doc=None, kind="full", now=None):
    doc = doc or document(minutes)
    return adj.approve(
        minutes, user=person(key), kind=kind, document=doc, seen_sha256=doc.sha256, password=password, now=now
    )


def test_the_chair_and_the_justerare_approve_and_the_protokoll_is_justerat_and_announced(ready):
    minutes, paragraph, _ids = ready
    doc = document(minutes)
    (full,) = [r for r in adj.rounds_to_adjust(minutes)]
    state = adj.current_round(minutes, *full, doc)
    assert [(a.seat.name, a.role) for a in state.approvers] == [
        ("Gunnel Hedberg", "Ordförande"),
        ("Ali Karimi", "Justerare"),
    ]
    assert state.obstacles == ()
    approve(minutes, "ordforande", CHAIR_PASSWORD, doc)
    db.session.commit()
    assert not minutes.is_adjusted
    last = approve(minutes, "ledamot", ADJUSTER_PASSWORD, doc)
    db.session.commit()
    assert minutes.adjusted_dt == last.created_dt  # the justering's date is the last approval
    rows = db.session.scalars(
        select(MinutesApproval).where(MinutesApproval.minutes_id == minutes.id).order_by(MinutesApproval.id)
    ).all()
    assert [(r.user.name, r.pdf_sha256, r.revision, r.is_approved) for r in rows] == [
        ("Gunnel Hedberg", doc.sha256, doc.revision, True),
        ("Ali Karimi", doc.sha256, doc.revision, True),
    ]
    (announcement,) = adj.announcements_of(minutes)
    assert (announcement.organ, announcement.kind, announcement.paragraphs) == (
        "Socialnämnden",
        AdjustmentKind.full,
        [paragraph.number],
    )
    assert announcement.put_up_on == announcement.adjusted_on == last.created_dt.astimezone(LOCAL_TZ).date()
    assert announcement.kept_at.startswith("Social- och äldreomsorgsförvaltningen")
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-7:] == [
        "minutes.approved",
        "minutes.approved",
        "minutes.adjusted",
        "agenda.outcome",  # the paragraph's outcome onto its agenda item (agenda.outcomes)
        "agenda.minutes_done",  # the meeting: "Protokoll klart"
        "announcement.created",
        "job.protocol_documents.requested",  # the justerat revision is rendered and sealed without being asked
    ]
    # After justering the protokoll is not edited outside a rättelse.
    with pytest.raises(minutes_ops.MinutesAdjusted) as exc:
        minutes_ops.save_paragraph(paragraph, user=person("sekreterare"), based_on=minutes.current_revision, raw={})
    assert exc.value.message == "Protokollet är justerat och kan inte ändras; en ändring görs som rättelse."
    with pytest.raises(ConflictError) as exc:
        approve(minutes, "ordforande", CHAIR_PASSWORD)
    assert exc.value.message == "Protokollet är redan justerat; en ändring görs som rättelse."


@pytest.mark.parametrize(
    "key, password, seen, error, message",
    [
        ("sekreterare", "demo-sekreterare", None, ForbiddenError, adj.NOT_AN_APPROVER),
        ("direktor", "demo-direktor", None, ForbiddenError, adj.NOT_AN_APPROVER),
        ("ordforande", CHAIR_PASSWORD, "0" * 64, ConflictError, "Protokollet har ändrats sedan du öppnade det."),
        ("ordforande", "fel-lösenord", None, ValidationError, "Lösenordet stämmer inte. Protokollet är inte justerat."),
        ("ordforande", "", None, ValidationError, "Lösenordet stämmer inte."),
    ],
)
def test_an_approval_is_refused_in_swedish_and_nothing_stored(ready, key, password, seen, error, message):
    minutes, _paragraph, _ids = ready
    doc = document(minutes)
    with pytest.raises(error) as exc:
        adj.approve(
            minutes, user=person(key), kind="full", document=doc, seen_sha256=seen or doc.sha256, password=password
        )
    text = exc.value.message if hasattr(exc.value, "message") else str(exc.value)
    assert message in text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(MinutesApproval.minutes_id == minutes.id)) == 0


def test_a_pdf_of_an_older_revision_is_refused(ready, secretary):
    minutes, paragraph, _ids = ready
    old = document(minutes)
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"decision": ["Ny lydelse."]}
    )
    db.session.commit()
    with pytest.raises(ConflictError) as exc:
        approve(minutes, "ordforande", CHAIR_PASSWORD, old)
    assert "Protokollet har ändrats sedan du öppnade det" in exc.value.message


def test_a_rejection_sends_it_back_and_the_new_version_goes_round_again(ready, secretary):
    minutes, paragraph, _ids = ready
    first = document(minutes)
    approve(minutes, "ordforande", CHAIR_PASSWORD, first)
    with pytest.raises(ValidationError) as exc:
        adj.reject(minutes, user=person("ledamot"), kind="full", document=first, seen_sha256=first.sha256, comment=" ")
    assert exc.value.errors == {"comment": "Skriv vad som behöver rättas när du inte godkänner protokollet."}
    adj.reject(
        minutes,
        user=person("ledamot"),
        kind="full",
        document=first,
        seen_sha256=first.sha256,
        comment="Beslutet i § 1 saknar en punkt.",
    )
    db.session.commit()
    state = adj.current_round(minutes, AdjustmentKind.full, (), first)
    assert [(a.has_approved, a.has_rejected) for a in state.approvers] == [(True, False), (False, True)]
    assert state.approvers[1].decision.comment == "Beslutet i § 1 saknar en punkt."
    # The secretary corrects: a new revision, a new PDF; the chair's approval of the old one no longer counts.
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"decision": ["Punkt ett.", "Punkt två."]}
    )
    db.session.commit()
    second = document(minutes)
    assert [a.decision for a in adj.current_round(minutes, AdjustmentKind.full, (), second).approvers] == [None, None]
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, second)
    assert not minutes.is_adjusted
    approve(minutes, "ordforande", CHAIR_PASSWORD, second)
    db.session.commit()
    assert minutes.is_adjusted
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "minutes.rejected")) == 1
    # The secretary was told of the rejection, with its comment, and of the justering.
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.link == adj.justering_path(minutes)).order_by(OutboxMessage.id)
    ).all()
    subjects = [(m.recipient.name, m.subject.split(":")[0]) for m in told]
    assert subjects == [
        ("Sara Lindqvist", "Protokollet godkändes inte"),
        ("Sara Lindqvist", "Protokollet är justerat"),
    ]
    assert "Beslutet i § 1 saknar en punkt." in told[0].body and told[0].link.endswith("/justering")


def test_a_rattelse_is_a_new_visible_revision_approved_again(ready, secretary):
    minutes, paragraph, _ids = ready
    approve(minutes, "ordforande", CHAIR_PASSWORD)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD)
    db.session.commit()
    justerad = minutes.adjusted_dt
    with pytest.raises(ValidationError):
        adj.start_correction(minutes, user=secretary, description="")
    correction = adj.start_correction(minutes, user=secretary, description="Fel datum i § 1.")
    db.session.commit()
    with pytest.raises(ConflictError):
        adj.start_correction(minutes, user=secretary, description="En till.")
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"decision": ["Rättad lydelse."]}
    )
    db.session.commit()
    assert [k for k, _p in adj.rounds_to_adjust(minutes)] == [AdjustmentKind.correction]
    doc = document(minutes)
    approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind="correction")
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, doc, kind="correction")
    db.session.commit()
    assert not correction.is_open and correction.parts == [f"§ {paragraph.number}"]
    assert minutes.adjusted_dt == justerad  # the justering's date stays the first one's
    (announcement,) = adj.announcements_of(minutes)  # the rättelse shows on the same anslag
    assert [c.description for c in anslag.corrections_shown(announcement)] == ["Fel datum i § 1."]
    with pytest.raises(minutes_ops.MinutesAdjusted):
        minutes_ops.save_paragraph(paragraph, user=secretary, based_on=minutes.current_revision, raw={"decision": []})
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("minutes.correction%"))).all()
    assert actions == ["minutes.correction_started"]


def test_omedelbart_justerade_paragraphs_are_justerade_on_their_own_at_the_meeting(ready, secretary, meeting):
    minutes, paragraph, _ids = ready
    other = minutes_ops.open_paragraph(minutes, meeting.items[0], user=secretary)
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"immediately_adjusted": True}
    )
    db.session.commit()
    assert adj.rounds_to_adjust(minutes) == [
        (AdjustmentKind.immediate, (paragraph.number,)),
        (AdjustmentKind.full, ()),
    ]
    doc = document(minutes, " utdrag")
    approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind="immediate")
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, doc, kind="immediate")
    db.session.commit()
    assert paragraph.is_adjusted and not other.is_adjusted and not minutes.is_adjusted
    (announcement,) = adj.announcements_of(minutes)
    assert (announcement.kind, announcement.paragraphs) == (AdjustmentKind.immediate, [paragraph.number])
    with pytest.raises(minutes_ops.MinutesAdjusted):
        minutes_ops.save_paragraph(paragraph, user=secretary, based_on=minutes.current_revision, raw={"decision": []})
    # The rest of the protokoll is still written, then justerat as a whole: a second announcement.
    minutes_ops.save_paragraph(other, user=secretary, based_on=minutes.current_revision, raw={"outcome": "decided"})
    assert [k for k, _p in adj.rounds_to_adjust(minutes)] == [AdjustmentKind.full]
    with pytest.raises(ConflictError) as exc:
        approve(minutes, "ordforande", CHAIR_PASSWORD, kind="immediate")
    assert exc.value.message == "Inga paragrafer väntar på omedelbar justering."
    approve(minutes, "ordforande", CHAIR_PASSWORD)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD)
    db.session.commit()
    assert minutes.is_adjusted
    assert [a.kind for a in adj.announcements_of(minutes)] == [
        AdjustmentKind.immediate,
        AdjustmentKind.full,
    ]


def test_no_justerare_elected_means_nothing_to_approve_yet(recorded):  # noqa: F811
    minutes, _paragraph, _ids = recorded
    state = adj.current_round(minutes, AdjustmentKind.full, (), document(minutes))
    assert "Ingen justerare är vald i protokollet." in state.obstacles
    with pytest.raises(ConflictError) as exc:
        approve(minutes, "ordforande", CHAIR_PASSWORD)
    assert "Ingen justerare är vald i protokollet." in exc.value.message


@pytest.mark.parametrize(
    "approved_at, put_up, last_appeal, taken_down",
    [
        # A Friday three weeks before midsommarafton: the appeal's last day moves to the Monday after it.
        (datetime(2027, 6, 4, 16, 0, tzinfo=LOCAL_TZ), date(2027, 6, 4), date(2027, 6, 28), date(2027, 6, 29)),
        # The Friday a week before midsommarafton, late in the evening (Swedish time: still the 18th).
        (datetime(2027, 6, 18, 23, 30, tzinfo=LOCAL_TZ), date(2027, 6, 18), date(2027, 7, 9), date(2027, 7, 10)),
        # Three weeks on is julafton: juldagen, annandag jul and the weekend pass, Monday the 28th.
        (datetime(2026, 12, 3, 10, 0, tzinfo=LOCAL_TZ), date(2026, 12, 3), date(2026, 12, 28), date(2026, 12, 29)),
        # Justerat on 10 December: three weeks on is nyårsafton, then nyårsdagen: 4 January.
        (datetime(2026, 12, 10, 9, 0, tzinfo=LOCAL_TZ), date(2026, 12, 10), date(2027, 1, 4), date(2027, 1, 5)),
    ],
)
def test_the_announcements_dates(ready, approved_at, put_up, last_appeal, taken_down):
    minutes, _paragraph, _ids = ready
    held_on(minutes, approved_at - timedelta(hours=2))
    approve(minutes, "ordforande", CHAIR_PASSWORD, now=approved_at)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, now=approved_at)
    db.session.commit()
    (announcement,) = adj.announcements_of(minutes)
    assert (announcement.adjusted_on, announcement.put_up_on) == (put_up, put_up)
    assert (announcement.last_appeal_day, announcement.taken_down_on) == (last_appeal, taken_down)
    assert announcement.is_up_on(taken_down - timedelta(days=1)) and not announcement.is_up_on(taken_down)


def test_the_put_up_day_may_be_later_but_never_before_the_justering_nor_past_the_law(ready, secretary):
    minutes, _paragraph, _ids = ready
    friday = datetime(2027, 6, 18, 15, 0, tzinfo=LOCAL_TZ)  # a Friday: the second day after is a Sunday
    held_on(minutes, friday - timedelta(days=1))
    approve(minutes, "ordforande", CHAIR_PASSWORD, now=friday)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, now=friday)
    db.session.commit()
    (announcement,) = adj.announcements_of(minutes)
    with time_machine.travel(friday, tick=False):
        with pytest.raises(ValidationError) as exc:
            anslag.move_put_up_date(announcement, user=secretary, put_up_on=date(2027, 6, 17), sealing=False)
        assert exc.value.errors == {
            "put_up_on": "Anslaget kan inte sättas upp 2027-06-17, före justeringen 2027-06-18."
        }
        with pytest.raises(ValidationError) as exc:
            anslag.move_put_up_date(announcement, user=secretary, put_up_on=date(2027, 6, 22), sealing=False)
        assert "senast 2027-06-21" in exc.value.errors["put_up_on"]  # the Sunday moves to Monday, no further
        db.session.rollback()
        anslag.move_put_up_date(announcement, user=secretary, put_up_on=date(2027, 6, 21), sealing=False)
        db.session.commit()
    assert (announcement.put_up_on, announcement.last_appeal_day) == (date(2027, 6, 21), date(2027, 7, 12))
    assert anslag.current_announcements(date(2027, 6, 20)) == []
    assert anslag.current_announcements(date(2027, 6, 21)) == [announcement]
    assert anslag.archived_announcements(date(2027, 7, 13))[0] == announcement  # (before the demo's of 2017)
    with time_machine.travel(datetime(2027, 6, 21, 9, 0, tzinfo=LOCAL_TZ), tick=False), pytest.raises(ConflictError):
        anslag.move_put_up_date(announcement, user=secretary, put_up_on=date(2027, 6, 21), sealing=False)


def test_nothing_is_justerat_before_the_meeting_has_begun(before_the_meeting):
    minutes, paragraph, _ids = before_the_meeting
    minutes_ops.save_paragraph(
        paragraph, user=person("sekreterare"), based_on=minutes.current_revision, raw={"immediately_adjusted": True}
    )
    db.session.commit()
    doc = document(minutes)
    for kind, paragraphs in adj.rounds_to_adjust(minutes):
        assert adj.NOT_STARTED in adj.current_round(minutes, kind, paragraphs, doc).obstacles
        for attempt in (
            lambda kind=kind: approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind=kind.value),
            lambda kind=kind: adj.reject(
                minutes, user=person("ledamot"), kind=kind, document=doc, seen_sha256=doc.sha256, comment="Fel."
            ),
        ):
            with pytest.raises(ConflictError) as exc:
                attempt()
            assert exc.value.message == adj.NOT_STARTED
            db.session.rollback()
    stored = select(func.count()).select_from(MinutesApproval).where(MinutesApproval.minutes_id == minutes.id)
    assert db.session.scalar(stored) == 0
    # An omedelbar justering at the meeting itself: a minute after it began.
    with time_machine.travel(minutes.meeting.start_dt + timedelta(minutes=1), tick=False):
        approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind="immediate")
        approve(minutes, "ledamot", ADJUSTER_PASSWORD, doc, kind="immediate")
        db.session.commit()
    assert paragraph.is_adjusted and not minutes.is_adjusted


def test_an_approval_is_never_changed(ready):
    minutes, _paragraph, _ids = ready
    row = approve(minutes, "ordforande", CHAIR_PASSWORD)
    db.session.commit()
    row.pdf_sha256 = "0" * 64
    with pytest.raises(RuntimeError, match="written once"):
        db.session.commit()
    db.session.rollback()


def test_each_justerad_paragraphs_outcome_goes_onto_its_agenda_item(ready, secretary, meeting):
    """The justering is the legal moment: a paragraph justerad at once gives its item its outcome then, the rest at
    the protokoll's justering; the case's report follows whoever completed the justering, and the meeting is held."""
    minutes, paragraph, _ids = ready
    other = minutes_ops.open_paragraph(minutes, meeting.items[0], user=secretary)
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"immediately_adjusted": True}
    )
    db.session.commit()
    decided, postponed = paragraph.item, other.item
    assert decided.outcome is None and postponed.outcome is None
    doc = document(minutes, " utdrag")
    approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind="immediate")
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, doc, kind="immediate")
    db.session.commit()
    assert decided.outcome is ItemOutcome.decided and postponed.outcome is None
    assert minutes.meeting.status is MeetingStatus.held
    report = report_ops.report_for(decided.case) if decided.case is not None else None
    assert report is None or report.state is ReportState.decided
    minutes_ops.save_paragraph(other, user=secretary, based_on=minutes.current_revision, raw={"outcome": "postponed"})
    db.session.commit()
    assert postponed.outcome is None  # a saved paragraph is a draft: nothing on the agenda yet
    approve(minutes, "ordforande", CHAIR_PASSWORD)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD)
    db.session.commit()
    assert (decided.outcome, postponed.outcome) == (ItemOutcome.decided, ItemOutcome.postponed)
    logged = db.session.scalars(
        select(AuditEntry.summary).where(AuditEntry.action == "agenda.outcome").order_by(AuditEntry.id)
    ).all()
    assert [s.rsplit(":", 1)[1] for s in logged[-2:]] == [
        f" Beslutat (§ {paragraph.number}).",
        f" Bordlagt (§ {other.number}).",
    ]


def test_a_paragraph_saying_otherwise_than_the_agenda_is_not_justerat(ready, secretary):
    minutes, paragraph, _ids = ready
    outcomes.record_outcome(paragraph.item, user=secretary, outcome="sent_back")
    db.session.commit()
    doc = document(minutes)
    message = (
        f"Punkt {paragraph.item.number} är registrerad som återremitterat på föredragningslistan, men § "
        f"{paragraph.number} säger beslutat. Rätta paragrafen."
    )
    assert message in adj.current_round(minutes, AdjustmentKind.full, (), doc).obstacles
    with pytest.raises(ConflictError) as exc:
        approve(minutes, "ordforande", CHAIR_PASSWORD, doc)
    assert message in exc.value.message
    db.session.rollback()
    count = select(func.count()).select_from(MinutesApproval).where(MinutesApproval.minutes_id == minutes.id)
    assert db.session.scalar(count) == 0
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"outcome": "sent_back"}
    )
    db.session.commit()
    approve(minutes, "ordforande", CHAIR_PASSWORD)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD)
    db.session.commit()
    assert minutes.is_adjusted and paragraph.item.outcome is ItemOutcome.sent_back


def test_the_meeting_is_protokoll_klart_once_the_whole_protokoll_is_justerat(ready, secretary, meeting):
    """A paragraph justerad at once leaves the meeting held; the justering of the whole protokoll (the rest of its
    paragraphs, the one justerad earlier included) makes it "Protokoll klart". An outcome is then no longer recorded
    by hand, and a rättelse is still made, leaving the status as it is."""
    minutes, paragraph, _ids = ready
    other = minutes_ops.open_paragraph(minutes, meeting.items[0], user=secretary)
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"immediately_adjusted": True}
    )
    db.session.commit()
    doc = document(minutes, " utdrag")
    approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind="immediate")
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, doc, kind="immediate")
    db.session.commit()
    assert paragraph.is_adjusted and minutes.meeting.status is MeetingStatus.held
    approve(minutes, "ordforande", CHAIR_PASSWORD)
    assert minutes.meeting.status is MeetingStatus.held  # one approval is no justering
    approve(minutes, "ledamot", ADJUSTER_PASSWORD)
    db.session.commit()
    assert minutes.meeting.status is MeetingStatus.minutes_done
    assert minutes.meeting.status.label == "Protokoll klart"
    done_logged = select(AuditEntry).where(
        AuditEntry.action == "agenda.minutes_done",
        AuditEntry.object_type == "Meeting",
        AuditEntry.object_id == minutes.meeting_id,
    )
    (logged,) = db.session.scalars(done_logged).all()  # (the demo's meeting has its own)
    assert "protokoll klart" in logged.summary
    # The other item had no outcome in its paragraph: it is not recorded by hand after the protokoll is done.
    assert other.item.outcome is None
    with pytest.raises(ConflictError) as exc:
        outcomes.record_outcome(other.item, user=secretary, outcome="decided")
    assert exc.value.message == "Protokollet är klart; utfallet kan inte ändras."
    db.session.rollback()
    # A rättelse is still made and justerad; the meeting stays "Protokoll klart" and nothing is logged again.
    adj.start_correction(minutes, user=secretary, description="Stavfel i § 1.")
    minutes_ops.save_paragraph(
        paragraph, user=secretary, based_on=minutes.current_revision, raw={"decision": ["Rättad lydelse."]}
    )
    db.session.commit()
    doc = document(minutes, " rättelse")
    approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind="correction")
    approve(minutes, "ledamot", ADJUSTER_PASSWORD, doc, kind="correction")
    db.session.commit()
    assert adj.corrections_of(minutes)[0].closed_dt is not None
    assert minutes.meeting.status is MeetingStatus.minutes_done
    assert len(db.session.scalars(done_logged).all()) == 1


@pytest.mark.parametrize("outcome", ["sent_back", "postponed", None])
def test_a_rattelse_cannot_change_an_outcome(ready, secretary, outcome):
    """A rättelse corrects writing, not decisions: a § justerad as decided cannot become återremitterad, bordlagd or
    be left without an outcome through a rättelse; the save is refused in Swedish, nothing stored, and the item
    and its report keep what the justering gave them."""
    minutes, paragraph, _ids = ready
    approve(minutes, "ordforande", CHAIR_PASSWORD)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD)
    db.session.commit()
    assert paragraph.item.outcome is ItemOutcome.decided
    adj.start_correction(minutes, user=secretary, description="Fel utfall i § 1.")
    db.session.commit()
    revisions = minutes.current_revision
    wanted = {"sent_back": "återremitterat", "postponed": "bordlagt", None: "inget utfall"}[outcome]
    with pytest.raises(ConflictError) as exc:
        minutes_ops.save_paragraph(
            paragraph, user=secretary, based_on=minutes.current_revision, raw={"outcome": outcome}
        )
    assert exc.value.message == (
        f"En rättelse rättar skrivfel, inte beslut: § {paragraph.number} kan inte ändras från beslutat till "
        f"{wanted} genom en rättelse. Ett ändrat beslut fattas av nämnden vid ett nytt sammanträde."
    )
    db.session.rollback()
    assert minutes.current_revision == revisions
    assert paragraph.item.outcome is ItemOutcome.decided
    # The same outcome with the writing corrected is a rättelse like any other.
    minutes_ops.save_paragraph(
        paragraph,
        user=secretary,
        based_on=minutes.current_revision,
        raw={"outcome": "decided", "decision": ["Rättad lydelse."]},
    )
    db.session.commit()
    assert minutes.current_revision == revisions + 1
    assert adj.current_round(minutes, AdjustmentKind.correction, (), document(minutes)).obstacles == ()


def test_a_rattelse_that_changed_an_outcome_is_not_justerad(ready, secretary):
    """Should a changed outcome reach a rättelse's revision all the same (written before this rule), the rättelse is
    not justerad: the round names it as an obstacle and an approval is refused."""
    minutes, paragraph, _ids = ready
    approve(minutes, "ordforande", CHAIR_PASSWORD)
    approve(minutes, "ledamot", ADJUSTER_PASSWORD)
    db.session.commit()
    adj.start_correction(minutes, user=secretary, description="Fel utfall i § 1.")
    db.session.commit()
    content = minutes_ops.current_content(minutes)
    changed = [{**p, "outcome": "sent_back"} if p["number"] == paragraph.number else p for p in content["paragraphs"]]
    minutes_ops._new_revision(
        minutes, secretary, {"header": content["header"], "paragraphs": changed}, minutes.current_revision, []
    )
    db.session.commit()
    doc = document(minutes, " ändrat utfall")
    message = f"§ {paragraph.number} kan inte ändras från beslutat till återremitterat genom en rättelse."
    assert any(message in o for o in adj.current_round(minutes, AdjustmentKind.correction, (), doc).obstacles)
    with pytest.raises(ConflictError) as exc:
        approve(minutes, "ordforande", CHAIR_PASSWORD, doc, kind="correction")
    assert message in exc.value.message
    db.session.rollback()
    assert paragraph.item.outcome is ItemOutcome.decided
