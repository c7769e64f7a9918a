"""Fixtures for meetings and agendas: demo people, a future meeting, cases with signed reports."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from agenda import operations as agenda_ops
from agenda.models import Meeting
from app.auth.models import User
from app.clock import LOCAL_TZ, local_today
from app.extensions import db
from app.organisation.models import Committee
from app.registry import operations as registry_ops
from app.registry.models import Case
from workflows import operations as report_ops
from workflows.models import ReportState

REPORT = {
    "title": "Riktlinjer för ekonomiskt bistånd 2027",
    "report_date": "2026-11-20",
    "sections": {"description": "<p>Förvaltningen föreslår nya riktlinjer för ekonomiskt bistånd.</p>"},
    "proposals": [{"text": "Socialnämnden antar riktlinjerna.", "immediately_adjusted": False}],
    "recipients": ["Kommunstyrelsen"],
}


def person(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{key}@huddinge.example"))


def committee(prefix: str = "SN") -> Committee:
    return db.session.scalar(select(Committee).where(Committee.registry_prefix == prefix))


def next_week(days: int = 30, hour: int = 18) -> datetime:
    day = local_today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def secretary(demo) -> User:
    return person("sekreterare")


@pytest.fixture
def meeting(demo, secretary) -> Meeting:
    """A planned meeting of Socialnämnden two weeks ahead (before the demo's next one), with the standing items."""
    found = agenda_ops.plan_meeting(committee(), user=secretary, start=next_week(14), place="Plenum, Gymnasietorget 1")
    db.session.commit()
    return found


@pytest.fixture
def new_case(demo):
    """Return a new open case of Socialnämnden, its report brought to ``state`` (or none)."""

    def _case(title: str = "Riktlinjer för ekonomiskt bistånd 2027", state: ReportState | None = ReportState.signed,
              prefix: str = "SN", confidential: bool = False) -> Case:
        officer = person("handlaggare") if prefix == "SN" else person("ks-handlaggare")
        case = registry_ops.register_case(committee=committee(prefix), user=person("registrator"), title=title,
                                          classification_code="181",
                                          case_officer=officer)
        if confidential:
            registry_ops.set_confidentiality(case, user=person("registrator"), is_confidential=True,
                                             secrecy_provision="26 kap. 1 § OSL",
                                             public_title="Ansökan enligt föräldrabalken")
        if state is not None:
            report = report_ops.create_report(case, user=officer)
            report_ops.save_revision(report, user=officer, raw={**REPORT, "title": title}, based_on=1)
            steps = {ReportState.draft: [], ReportState.in_review: [("submit", officer)],
                     ReportState.signed: [("submit", officer), ("approve", person("enhetschef")),
                                          ("sign", person("direktor"))]}[state]
            for name, who in steps:
                report_ops.transition(report, user=who, name=name, notify=False)
        db.session.commit()
        return case

    return _case
