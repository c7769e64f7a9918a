"""§ numbers under concurrency: several meetings' protokoll opened at once get unique numbers through the year,
without gaps among the committed paragraphs, each meeting's in its agenda order."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime

import pytest
from sqlalchemy import select

from agenda import operations as agenda_ops
from agenda.minutes import operations as minutes_ops
from agenda.minutes.models import Minutes, MinutesParagraph, ParagraphCounter
from agenda.models import ItemKind
from app.auth.models import User
from app.clock import LOCAL_TZ, local_today
from app.extensions import db
from tests.factories import committee, person, plan_meeting
from tests.services import FAST_HASH

MEETINGS = 4
EXTRA_ITEMS = 8  # besides the four standing items: 12 paragraphs per meeting, one transaction each


def _open_one_by_one(minutes_id: int, user_id: int) -> None:
    while True:
        minutes = db.session.get(Minutes, minutes_id)
        user = db.session.get(User, user_id)
        done = {p.agenda_item_id for p in minutes.paragraphs}
        item = next((i for i in minutes.meeting.items if i.id not in done), None)
        if item is None:
            break
        minutes_ops.open_paragraph(minutes, item, user=user)
        db.session.commit()
    db.session.remove()


def _process_main(url: str, instance: str, minutes_id: int, user_id: int) -> None:
    from app import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": FAST_HASH}, environ={"INSTANCE_PATH": instance}
    )
    with app.app_context():
        _open_one_by_one(minutes_id, user_id)
        db.engine.dispose()


@pytest.fixture
def protokolls(app, demo) -> tuple[list[int], int]:
    """``MEETINGS`` meetings of Socialnämnden in one coming year, each with a protokoll and its items."""
    secretary = person("sekreterare")
    year = local_today().year + 1
    ids = []
    for n in range(MEETINGS):
        meeting = plan_meeting("SN", days=14, secretary=secretary)
        for i in range(EXTRA_ITEMS):
            agenda_ops.add_item(meeting, user=secretary, kind=ItemKind.other, title=f"Ärende {n}.{i}")
        meeting.start_dt = datetime(year, 2, 1 + n, 18, tzinfo=LOCAL_TZ)
        ids.append(minutes_ops.start_minutes(meeting, user=secretary).id)
    db.session.commit()
    ids_and_user = ids, secretary.id
    db.session.remove()  # no open transaction in the test's own session while the others write
    return ids_and_user


@pytest.mark.slow
def test_meetings_opened_at_once_get_unique_gapless_paragraph_numbers(app, backend, protokolls, tmp_path):
    minutes_ids, user_id = protokolls
    if backend == "postgresql":
        ctx = multiprocessing.get_context("spawn")
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        procs = [
            ctx.Process(target=_process_main, args=(url, str(tmp_path / "instance"), minutes_id, user_id))
            for minutes_id in minutes_ids
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=300)
        assert [p.exitcode for p in procs] == [0] * MEETINGS
    else:
        errors: list[BaseException] = []

        def run(minutes_id: int) -> None:
            try:
                with app.app_context():
                    _open_one_by_one(minutes_id, user_id)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(minutes_id,)) for minutes_id in minutes_ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors

    db.session.remove()
    per_meeting = 4 + EXTRA_ITEMS
    total = MEETINGS * per_meeting
    rows = db.session.execute(
        select(
            MinutesParagraph.minutes_id, MinutesParagraph.number, MinutesParagraph.year, MinutesParagraph.agenda_item_id
        ).where(MinutesParagraph.minutes_id.in_(minutes_ids))
    ).all()
    assert sorted(r.number for r in rows) == list(range(1, total + 1))
    assert {r.year for r in rows} == {local_today().year + 1}
    for minutes_id in minutes_ids:
        minutes = db.session.get(Minutes, minutes_id)
        numbers = [p.number for p in sorted(minutes.paragraphs, key=lambda p: p.item.position)]
        assert len(numbers) == per_meeting and numbers == sorted(numbers)  # the agenda's order
        content = minutes_ops.current_content(minutes)
        assert [p["number"] for p in content["paragraphs"]] == sorted(numbers)  # each revision kept them all
    counter = db.session.scalar(
        select(ParagraphCounter.last_number).where(
            ParagraphCounter.committee_id == committee("SN").id, ParagraphCounter.year == local_today().year + 1
        )
    )
    assert counter == total


def test_a_rolled_back_paragraph_gives_its_number_back(app, protokolls):
    minutes_ids, user_id = protokolls
    user = db.session.get(User, user_id)
    minutes = db.session.get(Minutes, minutes_ids[0])
    assert minutes_ops.open_paragraph(minutes, minutes.meeting.items[0], user=user).number == 1
    db.session.rollback()
    minutes = db.session.get(Minutes, minutes_ids[1])
    assert minutes_ops.open_paragraph(minutes, minutes.meeting.items[0], user=user).number == 1
    db.session.commit()
