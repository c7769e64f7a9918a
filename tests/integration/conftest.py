"""Fixtures of the case report API's tests (the reports and their bilagor): a demo case and its report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.registry.models import Case
from tests.api_helpers import CASE_NUMBER, COMPLETE, scalar
from tests.factories import create_report, csrf_token, person
from workflows.models import ReportState


@pytest.fixture
def case_id(demo) -> int:
    return scalar(select(Case.id).where(Case.number == CASE_NUMBER))


@pytest.fixture
def report_in(case_id):
    """Return the case id after bringing its new report (revision 2: COMPLETE) to ``state`` through the operations."""

    def _report(state: ReportState) -> int:
        create_report(
            db.session.get(Case, case_id), state, author=person("controller"), raw=COMPLETE, comment="Motivering"
        )
        db.session.commit()
        return case_id

    return _report


@pytest.fixture
def askers(login_as, api_as):
    """Return (page client, CSRF token, API client, API headers) for a demo user, each logged in once: the
    access tests ask the same question of a page and of the API as each kind of user."""
    made: dict[str, tuple] = {}

    def _asker(key: str) -> tuple:
        if key not in made:
            page = login_as(key)
            made[key] = (page, csrf_token(page, "/"), *api_as(key))
        return made[key]

    return _asker
