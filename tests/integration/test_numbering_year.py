"""Diarienummer at the year boundary: the series follows the local (Swedish) calendar year, not UTC."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from app.auth.models import Role
from app.clock import LOCAL_TZ
from app.extensions import db
from app.registry.models import Case
from app.registry.operations import register_case
from tests.factories import create_committee, create_user


def _register_at(moment: datetime, committee, officer, title: str) -> Case:
    with time_machine.travel(moment, tick=False):
        case = register_case(
            committee=committee, user=officer, title=title, classification_code="181", case_officer=officer
        )
        db.session.commit()
    return case


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_last_second_of_the_year_is_the_old_series_and_midnight_starts_the_new_at_one(app, demo, year):
    committee = create_committee("ÅR")
    officer = create_user("ar-officer", {committee: [Role.case_officer]})
    db.session.commit()
    first = _register_at(datetime(year, 12, 31, 10, 0, tzinfo=LOCAL_TZ), committee, officer, "Första")
    last = _register_at(datetime(year, 12, 31, 23, 59, 59, tzinfo=LOCAL_TZ), committee, officer, "Årets sista")
    new = _register_at(datetime(year + 1, 1, 1, 0, 0, 0, tzinfo=LOCAL_TZ), committee, officer, "Årets första")
    after = _register_at(datetime(year + 1, 1, 1, 0, 0, 1, tzinfo=LOCAL_TZ), committee, officer, "Och nästa")

    # 23:59:59 local is 22:59:59 UTC: still the old year, the next serial of its series.
    assert (last.year, last.serial, last.registered_on.isoformat()) == (year, first.serial + 1, f"{year}-12-31")
    # Midnight local is 23:00 UTC on 31 December: already the new year, whose series starts at 1.
    assert (new.year, new.serial, new.registered_on.isoformat()) == (year + 1, 1, f"{year + 1}-01-01")
    assert (after.year, after.serial) == (year + 1, 2)
    fmt_year = str(year + 1)
    assert fmt_year in new.number and str(year) in last.number and new.number != last.number
    # Read back from the database: four distinct numbers, each series gapless.
    db.session.expire_all()
    rows = db.session.execute(
        select(Case.year, Case.serial, Case.number).where(Case.committee_id == committee.id).order_by(Case.id)
    ).all()
    assert [(r.year, r.serial) for r in rows] == [(year, 1), (year, 2), (year + 1, 1), (year + 1, 2)]
    assert len({r.number for r in rows}) == 4


@pytest.mark.moments(postgresql=True)
def test_a_case_registered_now_is_in_the_series_of_the_local_year(app, demo, moment):
    """At 00:05 on New Year's Day in Stockholm it is still the old year in UTC: the new series it is."""
    expected = (moment or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
    committee = create_committee("NU")
    officer = create_user("nu-officer", {committee: [Role.case_officer]})
    case = register_case(
        committee=committee, user=officer, title="Registrerat nu", classification_code="181", case_officer=officer
    )
    db.session.commit()
    assert (case.year, case.serial, case.registered_on) == (expected.year, 1, expected)
    assert str(expected.year) in case.number
