"""Building an agenda: standing items, case items and their reports, order and numbers, rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agenda import operations as ops
from agenda import outcomes
from agenda.models import ItemKind, ItemOutcome, Meeting, MeetingStatus
from app.audit import AuditEntry
from app.extensions import db
from app.validation import ConflictError, ValidationError
from tests.factories import committee, next_week, person
from workflows import operations as report_ops
from workflows.models import ReportState

# Dates and deadlines: also run at the year's end, the leap day, the DST days and midsommarafton.
pytestmark = pytest.mark.moments


def titles(meeting: Meeting) -> list[tuple[int, str]]:
    db.session.expire(meeting, ["items"])
    return [(item.position, item.title) for item in meeting.items]


def test_a_planned_meeting_gets_the_standing_items(meeting):
    assert titles(meeting) == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Övriga frågor"),
        (4, "Delgivningar och anmälda delegationsbeslut"),
    ]
    assert meeting.status is MeetingStatus.planned
    assert meeting.notice_deadline == next_week(14).date() - timedelta(days=7)  # Socialnämnden: 7 days


def test_a_meeting_in_the_past_is_refused(demo, secretary):
    with pytest.raises(ValidationError) as caught:
        ops.plan_meeting(committee(), user=secretary, start="2020-01-01T18:00", place="Plenum")
    assert caught.value.errors == {"start": "Sammanträdet kan inte läggas i det förflutna."}


def test_items_go_before_the_closing_items_and_confidential_ones_after_övriga_frågor(meeting, secretary, new_case):
    first, second = new_case("Riktlinjer A"), new_case("Riktlinjer B")
    secret = new_case("Vårdnad om Barn Testsson", confidential=True)
    ops.add_item(
        meeting,
        user=secretary,
        kind="information",
        parts=[{"title": "Ekonomisk rapport", "presenter": "Omar Berg, ekonomichef"}],
    )
    ops.add_item(meeting, user=secretary, kind="case", case=first)
    ops.add_item(meeting, user=secretary, kind="case", case=secret)
    ops.add_item(meeting, user=secretary, kind="case", case=second)
    db.session.commit()
    assert titles(meeting) == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Information"),
        (4, "Riktlinjer A"),
        (5, "Riktlinjer B"),
        (6, "Övriga frågor"),
        (7, "Vårdnad om Barn Testsson"),
        (8, "Delgivningar och anmälda delegationsbeslut"),
    ]
    kinds = [item.shown_kind for item in meeting.items]
    assert kinds[6] is ItemKind.confidential_case and meeting.items[6].section == "Sekretessärenden"
    # Placing a case moved its signed report to "on agenda".
    assert report_ops.report_for(first).state is ReportState.on_agenda
    assert meeting.agenda_version == 5


def test_only_signed_reports_go_on_unless_the_handling_comes_later(meeting, secretary, new_case):
    draft = new_case("Utkast", state=ReportState.draft)
    with pytest.raises(ConflictError) as caught:
        ops.add_item(meeting, user=secretary, kind="case", case=draft)
    assert "inte undertecknat" in caught.value.message and "Handling kommer senare" in caught.value.message
    db.session.rollback()
    no_report = new_case("Utan utlåtande", state=None)
    with pytest.raises(ConflictError):
        ops.add_item(meeting, user=secretary, kind="case", case=no_report)
    db.session.rollback()
    item = ops.add_item(meeting, user=secretary, kind="case", case=draft, is_handling_later=True)
    db.session.commit()
    assert item.is_handling_later and report_ops.report_for(draft).state is ReportState.draft
    # Once signed, the handling is attached and the report goes on the agenda.
    report = report_ops.report_for(draft)
    for name, who in (("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")):
        report_ops.transition(report, user=person(who), name=name, notify=False)
    ops.attach_handling(item, user=secretary)
    db.session.commit()
    assert not item.is_handling_later and report.state is ReportState.on_agenda


def test_a_case_of_another_committee_is_refused(meeting, secretary, new_case):
    other = new_case("Motion om bänkar", prefix="KS", state=None)
    with pytest.raises(ConflictError) as caught:
        ops.add_item(meeting, user=secretary, kind="case", case=other, is_handling_later=True)
    assert caught.value.message.endswith("hör till Kommunstyrelsen, inte till Socialnämnden.")


def test_a_case_is_on_at_most_one_upcoming_agenda(meeting, secretary, new_case):
    case = new_case()
    ops.add_item(meeting, user=secretary, kind="case", case=case)
    later = ops.plan_meeting(committee(), user=secretary, start=next_week(60), place="Plenum")
    db.session.commit()
    with pytest.raises(ConflictError) as caught:
        ops.add_item(later, user=secretary, kind="case", case=case, is_handling_later=True)
    assert "står redan på föredragningslistan" in caught.value.message


def test_removing_an_item_renumbers_and_gives_the_report_back(meeting, secretary, new_case):
    case = new_case()
    item = ops.add_item(meeting, user=secretary, kind="case", case=case)
    db.session.commit()
    ops.remove_item(item, user=secretary)
    db.session.commit()
    assert [p for p, _ in titles(meeting)] == [1, 2, 3, 4]
    assert report_ops.report_for(case).state is ReportState.signed


def test_reorder_needs_every_item_once_and_the_current_version(meeting, secretary):
    ids = [item.id for item in meeting.items]
    version = meeting.agenda_version
    for bad in ([ids[0]], ids + [ids[0]], [*ids[:-1], 999999], ["x", *ids[1:]]):
        with pytest.raises(ValidationError):
            ops.reorder(meeting, user=secretary, order=bad, expected_version=version)
    ops.reorder(meeting, user=secretary, order=list(reversed(ids)), expected_version=version)
    db.session.commit()
    assert [item.id for item in meeting.items] == list(reversed(ids))
    assert [item.position for item in meeting.items] == [1, 2, 3, 4]
    # The second secretary, who saw the old version, gets a conflict; nothing changes.
    with pytest.raises(ConflictError) as caught:
        ops.reorder(meeting, user=secretary, order=ids, expected_version=version)
    assert "har ändrats av någon annan" in caught.value.message
    db.session.rollback()
    assert [item.id for item in meeting.items] == list(reversed(ids))


def test_move_an_item_with_the_keyboard_alternative(meeting, secretary):
    last = meeting.items[-1]
    ops.move_item(last, user=secretary, to_position=1, expected_version=meeting.agenda_version)
    db.session.commit()
    assert titles(meeting)[0] == (1, "Delgivningar och anmälda delegationsbeslut")
    with pytest.raises(ValidationError):
        ops.move_item(last, user=secretary, to_position=9, expected_version=meeting.agenda_version)


def test_bad_item_input_is_refused(meeting, secretary, new_case):
    for kwargs, field in (
        ({"kind": "nonsense", "title": "x"}, "kind"),
        ({"kind": "procedural", "title": ""}, "title"),
        ({"kind": "procedural", "title": "x" * 1001}, "title"),
        ({"kind": "information", "parts": [{"title": ""}]}, "parts.1"),
        ({"kind": "information", "parts": "text"}, "parts"),
        ({"kind": "case"}, "case"),
        ({"kind": "procedural", "title": "x", "position": 99}, "position"),
    ):
        with pytest.raises(ValidationError) as caught:
            ops.add_item(meeting, user=secretary, **kwargs)
        assert field in caught.value.errors, kwargs
        db.session.rollback()
    assert len(titles(meeting)) == 4


def test_outcomes_after_the_meeting(meeting, secretary, new_case):
    decided, postponed = new_case("Beslutas"), new_case("Bordläggs")
    first = ops.add_item(meeting, user=secretary, kind="case", case=decided)
    second = ops.add_item(meeting, user=secretary, kind="case", case=postponed)
    db.session.commit()
    with pytest.raises(ConflictError):
        outcomes.record_outcome(first, user=secretary, outcome="decided")  # not yet held
    db.session.rollback()
    meeting.start_dt = meeting.start_dt.replace(year=meeting.start_dt.year - 1)
    db.session.commit()
    outcomes.record_outcome(first, user=secretary, outcome="decided")
    outcomes.record_outcome(second, user=secretary, outcome=ItemOutcome.postponed)
    db.session.commit()
    assert meeting.status is MeetingStatus.held
    assert report_ops.report_for(decided).state is ReportState.decided
    assert report_ops.report_for(postponed).state is ReportState.signed
    assert [item.case_id for item in ops.offered_again(committee())] == [postponed.id]
    # Offered again: it can go on the next meeting.
    nxt = ops.plan_meeting(committee(), user=secretary, start=next_week(40), place="Plenum")
    ops.add_item(nxt, user=secretary, kind="case", case=postponed)
    db.session.commit()
    assert ops.offered_again(committee()) == []
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "agenda.outcome")) is not None
