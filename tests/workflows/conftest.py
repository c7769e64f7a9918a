"""Fixtures for case reports: demo users and a report brought to any state."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.registry.models import Case
from workflows import operations as ops
from workflows.models import CaseReport, ReportState

CASE_NUMBER = "SN-2017/30.909"  # no demo report yet; its case officer is the demo user "controller"

COMPLETE = {
    "title": "Verksamhetsberättelse 2016 för Socialnämnden",
    "report_date": "2017-02-01",
    "sections": {"summary": "<p>Verksamhetsberättelsen redovisar 2016 års resultat.</p>",
                 "description": "<p>Socialnämnden redovisar ett negativt resultat.</p>"},
    "proposals": [{"text": "Socialnämnden godkänner förvaltningens förslag till verksamhetsberättelse 2016.",
                   "immediately_adjusted": True}],
    "recipients": ["Kommunstyrelsen"],
}

#: the steps that bring a new report to each state: (transition, user key)
PATHS = {
    ReportState.draft: [],
    ReportState.in_review: [("submit", "controller")],
    ReportState.returned: [("submit", "controller"), ("return_review", "enhetschef")],
    ReportState.approved: [("submit", "controller"), ("approve", "enhetschef")],
    ReportState.signed: [("submit", "controller"), ("approve", "enhetschef"), ("sign", "direktor")],
    ReportState.withdrawn: [("withdraw", "controller")],
}


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
        report = ops.create_report(case, user=user("controller"))
        ops.save_revision(report, user=user("controller"), raw=COMPLETE, based_on=1)
        for name, key in PATHS[state]:
            ops.transition(report, user=user(key), name=name, comment="Kommentar")
        db.session.commit()
        assert report.state is state
        return report

    return _report
