"""Justering and the anslagstavla: the justerare, on a phone (390 px), opens the justering from the meeting page,
reads the protokoll's PDF, enters the password again and approves; the chair approves at a desktop and the
justering is done; the public, without logging in, finds the announcement on the anslagstavla with its dates and
where the protokoll is kept. Each page is checked (one h1, axe) and saved as a screenshot.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
import time_machine

from agenda.minutes import announcements as anslag
from app.clock import local_today, to_local
from tests.browser import steps
from tests.browser.ui import PHONE, check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _protokoll_for_justering(served_app) -> tuple[int, datetime]:
    """A meeting of Socialnämnden with its protokoll: a paragraph per standing item, the demo's ledamot (Ali Karimi)
    elected justerare. Made through the operations (the recording is the minutes journey's subject). Returns the
    meeting's id and start."""
    from agenda.minutes import operations as minutes_ops
    from agenda.minutes.seats import seat_of_user
    from app.extensions import db
    from tests.factories import person, plan_meeting

    with served_app.app.app_context():
        secretary = person("sekreterare")
        meeting = plan_meeting("SN", days=random.randint(300, 700), secretary=secretary)
        minutes = minutes_ops.start_minutes(meeting, user=secretary)
        minutes_ops.open_paragraphs(minutes, user=secretary)
        adjuster = seat_of_user(meeting.committee_id, person("ledamot"))
        minutes_ops.save_header(
            minutes,
            user=secretary,
            based_on=minutes.current_revision,
            raw={"adjusters": [adjuster.id], "adjustment_place": "Kommunhuset"},
        )
        db.session.commit()
        result = meeting.id, meeting.start_dt
        db.session.remove()
    return result


def test_a_justerare_approves_on_a_phone_and_the_public_finds_the_announcement(new_page, served_app):
    from tasks.rendering import pdf

    if pdf.unavailable_reason():
        pytest.skip(f"LibreOffice is not available: {pdf.unavailable_reason()}")
    meeting_id, start = _protokoll_for_justering(served_app)
    day = to_local(start).date().isoformat()
    # the meeting is in the future: the clock (the server's, in this process) moves to its evening, when a
    # protokoll may be justerat
    with time_machine.travel(start + timedelta(hours=3), tick=True):
        # the justerare, on a phone: from the meeting page to the justering, the PDF, the password, approved
        adjuster = new_page("ledamot", fresh=True)
        adjuster.set_viewport_size(PHONE)
        adjuster.goto(f"/sammantraden/{meeting_id}")
        follow(adjuster.get_by_role("link", name="Justering av protokollet"))
        check_page(adjuster, "justering-justerare", screenshot=True)
        round_ = adjuster.get_by_role("region", name="Justering av protokollet")
        approvers = round_.get_by_role("table").inner_text()
        assert "Ordförande" in approvers and "Justerare" in approvers and "Väntar" in approvers
        link = round_.get_by_role("link", name="Läs protokollet (PDF")
        document = adjuster.request.get(link.get_attribute("href"))
        assert document.ok and document.headers["content-type"] == "application/pdf"
        assert document.body().startswith(b"%PDF")
        adjuster.get_by_label("Ditt lösenord").fill("fel lösenord")
        follow(adjuster.get_by_role("button", name="Justera protokollet"))
        assert (
            "Lösenordet stämmer inte. Protokollet är inte justerat." in adjuster.locator(".field__error").inner_text()
        )
        check_page(adjuster, "justering-fel-losenord")
        adjuster.get_by_label("Ditt lösenord").fill("demo-ledamot")
        follow(adjuster.get_by_role("button", name="Justera protokollet"))
        assert steps.flash_text(adjuster) == "Du har justerat protokollet."
        assert (
            "Du har godkänt den här versionen."
            in adjuster.get_by_role("region", name="Justering av protokollet").inner_text()
        )
        check_page(adjuster, "justering-godkand", screenshot=True)

        # the chair, at a desktop: the last approval is the justering, and the anslag goes up
        chair = new_page("ordforande", fresh=True)
        chair.goto(f"/sammantraden/{meeting_id}/justering")
        chair.get_by_label("Ditt lösenord").fill("demo-ordforande")
        follow(chair.get_by_role("button", name="Justera protokollet"))
        assert steps.flash_text(chair) == "Du har justerat protokollet. Justeringen är klar och anslaget är uppe."
        check_page(chair, "justering-klar")

        # the secretary sees who approved; the anslag's day is fixed now: the completed justering's render seals
        # the protokoll with its dates (queued here, with no worker), so no form offers to move it
        secretary = new_page("sekreterare", fresh=True)
        secretary.set_viewport_size(PHONE)
        secretary.goto(f"/sammantraden/{meeting_id}/justering")
        check_page(secretary, "justering-sekreterare", screenshot=True)
        assert secretary.get_by_label("Datum då anslaget sätts upp").count() == 0
        assert anslag.SEALING in secretary.locator("main").inner_text()

        # the public: the start page → Anslagstavla → the announcement
        public = new_page()
        public.set_viewport_size(PHONE)
        public.goto("/")
        follow(public.get_by_role("link", name="Anslagstavla"))
        check_page(public, "anslagstavla", screenshot=True)
        follow(public.get_by_role("link", name=f"Socialnämnden {day}"))
        check_page(public, "anslag", screenshot=True)
        facts = public.locator("dl.facts").inner_text()
        today = local_today().isoformat()
        assert f"Justeringens datum\n{today}" in facts and f"Datum då anslaget sätts upp\n{today}" in facts
        assert "Sista dag för överklagande" in facts and "Social- och äldreomsorgsförvaltningen" in facts
