"""Fixtures for case reports: demo users and a report brought to any state."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.registry.models import Case
from tests.factories import CASE_NUMBER, COMPLETE, create_report
from workflows.models import CaseReport, ReportState


@pytest.fixture
def user(demo):
    def _user(key: str) -> User:
        return db.session.scalar(select(User).where(User.email == f"{key}@huddinge.example"))

    return _user


@pytest.fixture
def case(demo) -> Case:
    return db.session.scalar(select(Case).where(Case.number == CASE_NUMBER))


@pytest.fixture
def report_in(case, user):
    """Return a report on the demo case brought to ``state`` through the real transitions."""

    def _report(state: ReportState) -> CaseReport:
        report = create_report(case, state, author=user("controller"), raw=COMPLETE, comment="Kommentar")
        db.session.commit()
        return report

    return _report
