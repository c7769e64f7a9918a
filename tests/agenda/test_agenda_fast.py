"""Building an agenda fast: the ready cases, several added at once, and a removal undone ("Ångra")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agenda import conventions
from agenda import operations as ops
from agenda.models import Meeting
from app.audit import AuditEntry
from app.extensions import db
from app.validation import ConflictError, ValidationError
from tests.factories import committee, person
from workflows import operations as report_ops
from workflows.models import ReportState


def titles(meeting: Meeting) -> list[str]:
    db.session.expire(meeting, ["items"])
    return [item.title for item in meeting.items]


def test_ready_cases_are_signed_and_on_no_upcoming_agenda(meeting, secretary, new_case):
    signed, unsigned = new_case("Riktlinjer A"), new_case("Riktlinjer B", state=ReportState.approved)
    without = new_case("Riktlinjer C", state=None)
    ready = ops.ready_cases(committee())
    assert signed in ready and unsigned not in ready and without not in ready
    ops.add_item(meeting, user=secretary, kind="case", case=signed)
    db.session.commit()
    assert signed not in ops.ready_cases(committee())


def test_several_ready_cases_are_added_at_once_each_under_its_section(meeting, secretary, new_case):
    section = conventions.add_section(committee(), user=secretary, name="Beslutsärenden")
    first, second = new_case("Riktlinjer A"), new_case("Riktlinjer B")
    secret = new_case("Vårdnad om Barn Testsson", confidential=True)
    first.external_reference = "KSL/12/0177-37"
    version = meeting.agenda_version
    items = ops.add_cases(
        meeting,
        user=secretary,
        cases=[
            (first, {"section": section.id, "note": "Remisshandlingar: https://example.se"}),
            (secret, {}),
            (second, {}),
        ],
        expected_version=version,
    )
    db.session.commit()
    assert [item.number for item in items] == [3, 6, 4]
    assert titles(meeting) == [
        "Val av justerare",
        "Godkännande av föredragningslistan",
        "Riktlinjer A",
        "Riktlinjer B",
        "Övriga frågor",
        "Vårdnad om Barn Testsson",
        "Delgivningar och anmälda delegationsbeslut",
    ]
    assert items[0].agenda_section is section and items[0].note == "Remisshandlingar: https://example.se"
    assert items[0].external_reference == "KSL/12/0177-37"  # the case's reference comes with it
    assert all(report_ops.report_for(c).state is ReportState.on_agenda for c in (first, second, secret))
    added = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "agenda.item_added")).all()
    assert {entry.case_id for entry in added} >= {first.id, second.id, secret.id}


def test_adding_several_is_all_or_nothing(meeting, secretary, new_case):
    ready, unsigned = new_case("Riktlinjer A"), new_case("Riktlinjer B", state=ReportState.approved)
    with pytest.raises(ConflictError, match="inte undertecknat"):
        ops.add_cases(meeting, user=secretary, cases=[(ready, {}), (unsigned, {})])
    db.session.rollback()
    assert len(titles(meeting)) == 4 and report_ops.report_for(ready).state is ReportState.signed
    with pytest.raises(ValidationError, match="minst ett"):
        ops.add_cases(meeting, user=secretary, cases=[])
    with pytest.raises(ValidationError, match="två gånger"):
        ops.add_cases(meeting, user=secretary, cases=[(ready, {}), (ready, {})])
    with pytest.raises(ConflictError, match="ändrats av någon annan"):
        ops.add_cases(meeting, user=secretary, cases=[(ready, {})], expected_version=meeting.agenda_version - 1)


def test_a_removed_item_is_put_back_at_its_place_with_its_content(meeting, secretary, new_case):
    case = new_case("Riktlinjer A")
    section = conventions.add_section(committee(), user=secretary, name="Beslutsärenden")
    marker = conventions.add_marker(committee(), user=secretary, label="(KF)")
    item = ops.add_item(
        meeting, user=secretary, kind="case", case=case, note="Se bilagan.", section=section.id, markers=[marker.id]
    )
    db.session.commit()
    before = titles(meeting)
    removal = ops.remove_item(item, user=secretary)
    db.session.commit()
    assert "Riktlinjer A" not in titles(meeting)
    assert report_ops.report_for(case).state is ReportState.signed

    restored = ops.restore_item(meeting, user=secretary, removal_id=removal.id)
    db.session.commit()
    assert titles(meeting) == before and restored.number == 3
    assert (restored.note, restored.agenda_section, restored.markers) == ("Se bilagan.", section, [marker])
    assert report_ops.report_for(case).state is ReportState.on_agenda
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "agenda.item_restored")).all()[-1]
    assert entry.data["after"]["removal"] == removal.id and "återställd" in entry.summary

    with pytest.raises(ConflictError, match="redan återställd"):
        ops.restore_item(meeting, user=secretary, removal_id=removal.id)


def test_a_confidential_title_stays_out_of_the_removal_and_comes_back_from_the_case(meeting, secretary, new_case):
    secret = new_case("Vårdnad om Barn Testsson", confidential=True)
    item = ops.add_item(meeting, user=secretary, kind="case", case=secret)
    db.session.commit()
    removal = ops.remove_item(item, user=secretary)
    db.session.commit()
    assert "Testsson" not in str(removal.data) and "Testsson" not in removal.summary
    restored = ops.restore_item(meeting, user=secretary, removal_id=removal.id)
    assert restored.title == "Vårdnad om Barn Testsson" and restored.is_confidential


def test_an_undo_is_refused_when_too_late_elsewhere_or_the_case_moved_on(meeting, secretary, new_case, monkeypatch):
    case = new_case("Riktlinjer A")
    item = ops.add_item(meeting, user=secretary, kind="case", case=case)
    db.session.commit()
    removal = ops.remove_item(item, user=secretary)
    db.session.commit()

    other = ops.plan_meeting(committee(), user=secretary, start=meeting.start_dt + timedelta(days=7), place="Plenum")
    with pytest.raises(ConflictError, match="ingen borttagen punkt"):
        ops.restore_item(other, user=secretary, removal_id=removal.id)  # another meeting's removal
    with pytest.raises(ConflictError, match="ingen borttagen punkt"):
        ops.restore_item(meeting, user=secretary, removal_id="1")

    # the case was put on another agenda meanwhile: refused, as adding it twice is
    ops.add_item(other, user=secretary, kind="case", case=case)
    with pytest.raises(ConflictError, match="står redan på föredragningslistan"):
        ops.restore_item(meeting, user=secretary, removal_id=removal.id)
    db.session.rollback()

    later = ops.utcnow() + timedelta(minutes=ops.UNDO_MINUTES + 1)
    monkeypatch.setattr(ops, "utcnow", lambda: later)
    with pytest.raises(ConflictError, match="inom 30 minuter"):
        ops.restore_item(meeting, user=secretary, removal_id=removal.id)
    assert person("sekreterare") == secretary
