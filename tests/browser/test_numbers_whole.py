"""No diarienummer or date breaks across lines ("SN-" on one line, "2016/3342.181" on the next) in the tables and
timelines of the pages people read them on, at phone (390 px) and desktop (1280 px) width: the diarium, a case, a
report's timeline, Mina ärenden, the review queue, the agenda builder, the members' and the public kallelse and
item, the year plan, the outbox and the protokoll's pages.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.browser.layout import assert_numbers_and_dates_whole
from tests.browser.ui import check_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIGNED = "SN-2016/3342.181"  # the demo's signed report, on the 2017-02-23 kallelse


@pytest.fixture(scope="module")
def demo_ids(served_app) -> dict:
    """The ids in the addresses of the demo's pages: its case, its held meeting (kallelse, protokoll) and the next;
    and a report submitted for review, so that the review queue and the reviewer's outbox have a row."""
    from agenda.minutes.models import Minutes, MinutesParagraph
    from agenda.models import Meeting, MeetingStatus
    from app.extensions import db
    from app.registry.models import Case
    from tests.factories import create_case, person, submit_report

    with served_app.app.app_context():
        # a report waiting for the enhetschef: a row in the review queue, a message in the outbox
        officer = person("handlaggare")
        submit_report(
            create_case(f"Uppföljning av avtal om hemtjänst ({uuid.uuid4().hex[:6]})", officer=officer), officer
        )
        db.session.commit()
        held = db.session.scalar(select(Meeting).join(Meeting.publications).order_by(Meeting.start_dt))
        minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == held.id))
        found = {
            "case": db.session.scalar(select(Case.id).where(Case.number == SIGNED)),
            "held": held.id,
            "year": held.start_dt.year,
            "paragraph": db.session.scalar(
                select(MinutesParagraph.id)
                .where(MinutesParagraph.minutes_id == minutes.id)
                .order_by(MinutesParagraph.id)
            ),
            "next": db.session.scalar(
                select(Meeting.id)
                .where(Meeting.committee_id == held.committee_id, Meeting.status == MeetingStatus.planned)
                .order_by(Meeting.start_dt)
            ),
        }
        db.session.remove()
    return found


#: (who, what, address): the pages to read, as the user who reads them
PAGES = [
    ("registrator", "the diarium", "/diarium"),
    ("registrator", "the case", "/arenden/{case}"),
    ("enhetschef", "the report's timeline", "/arenden/{case}/utlatande/tidslinje"),
    ("handlaggare", "Mina ärenden", "/mina-arenden"),
    ("enhetschef", "the review queue", "/granskning"),
    ("sekreterare", "the agenda builder", "/sammantraden/{next}"),
    ("sekreterare", "the held meeting", "/sammantraden/{held}"),
    ("ledamot", "the members' kallelse", "/sammantraden/{held}/kallelse"),
    ("ledamot", "the members' item", "/sammantraden/{held}/kallelse/punkt/4"),
    (None, "the public kallelse", "/offentligt/sammantraden/{held}"),
    (None, "the public item", "/offentligt/sammantraden/{held}/punkt/4"),
    ("sekreterare", "the year plan", "/sammantraden?ar={year}"),
    ("enhetschef", "the outbox", "/utkorg"),
    ("sekreterare", "the protokoll", "/sammantraden/{held}/protokoll"),
    ("sekreterare", "a paragraph", "/sammantraden/{held}/protokoll/paragrafer/{paragraph}"),
    ("sekreterare", "the protokoll's documents", "/sammantraden/{held}/protokoll/dokument"),
    ("sekreterare", "the justering", "/sammantraden/{held}/justering"),
    ("sekreterare", "the expediering", "/sammantraden/{held}/protokoll/expediering"),
    (None, "the anslagstavla's archive", "/offentligt/anslagstavla/arkiv"),
]


@pytest.mark.parametrize("user", sorted({who or "" for who, _, _ in PAGES}))
def test_no_diarienummer_or_date_breaks_across_lines(new_page, demo_ids, user):
    page = new_page(user or None)
    for who, label, address in PAGES:
        if (who or "") != user:
            continue
        response = page.goto(address.format(**demo_ids))
        assert response.ok, f"{label}: {address} answered {response.status}"
        check_page(page)
        assert_numbers_and_dates_whole(page, label)
