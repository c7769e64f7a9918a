"""Expediering in the browser: after the justering, the secretary goes from the protokoll's documents to the
Expediering page, sees each recipient waiting, presses Expediera and sees what went by e-mail (registered in the
diarium when the paragraph has a case) and what failed with its reason; a member may not open the page. Each page
is checked (one h1, axe) at a desktop and on a phone (390 px). The protokoll and its sealed extract are made
through the operations on stand-in PDFs (rendering is tests/rendering/test_expediering.py's subject).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

import pytest
import time_machine

from tests.browser import steps
from tests.browser.ui import PHONE, check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXTERNAL = "info@curanova.example"


def _justerat_protokoll(served_app) -> tuple[int, int, datetime]:
    """A meeting of Socialnämnden ahead, its protokoll with a paragraph per standing item, the first one sent to
    an address and to a recipient without one; justerat by the chair and the justerare at the meeting's evening
    (the clock moved there), with a stand-in sealed extract of that paragraph. Returns the meeting's id, the §
    and the moment the clock was moved to."""
    from agenda.minutes import adjustment as adj
    from agenda.minutes import operations as minutes_ops
    from agenda.minutes.documents import DocumentKind, MinutesDocument
    from agenda.minutes.seats import seat_of_user
    from app.extensions import db
    from app.storage import get_storage
    from tests.factories import approve_as_chair_and_justerare, person, plan_meeting

    with served_app.app.app_context():
        secretary = person("sekreterare")
        meeting = plan_meeting("SN", days=random.randint(300, 700), secretary=secretary)
        evening = meeting.start_dt + timedelta(hours=3)
        minutes = minutes_ops.start_minutes(meeting, user=secretary)
        paragraph, *_rest = minutes_ops.open_paragraphs(minutes, user=secretary)
        adjuster = seat_of_user(meeting.committee_id, person("ledamot"))
        minutes_ops.save_header(
            minutes, user=secretary, based_on=minutes.current_revision, raw={"adjusters": [adjuster.id]}
        )
        with time_machine.travel(evening, tick=True):
            minutes_ops.save_paragraph(
                paragraph,
                user=secretary,
                based_on=minutes.current_revision,
                raw={"outcome": "decided", "recipients": [f"CuraNova Omsorg AB <{EXTERNAL}>", "Kommunstyrelsen"]},
            )
            db.session.commit()
            document = adj.ReviewedDocument(revision=minutes.current_revision, pdf=b"%PDF-1.7 approved")
            approve_as_chair_and_justerare(minutes, document)
        stored = get_storage().save(b"%PDF-1.7 sealed extract " + str(meeting.id).encode())
        db.session.add(
            MinutesDocument(
                minutes_id=minutes.id,
                revision=minutes.current_revision,
                kind=DocumentKind.extract,
                paragraph_number=paragraph.number,
                is_adjusted=True,
                input_hash=hashlib.sha256(stored.sha256.encode()).hexdigest(),
                title=f"Protokollsutdrag § {paragraph.number}",
                docx_key=stored.key,
                docx_sha256=stored.sha256,
                docx_size=stored.size,
                docx_name="utdrag.docx",
                pdf_key=stored.key,
                pdf_sha256=stored.sha256,
                pdf_size=stored.size,
                pdf_name="utdrag.pdf",
            )
        )
        db.session.commit()
        result = meeting.id, paragraph.number, evening
        db.session.remove()
    return result


def test_the_secretary_expedierar_and_sees_what_went_and_what_failed(new_page, served_app):
    meeting_id, number, evening = _justerat_protokoll(served_app)
    page_path = f"/sammantraden/{meeting_id}/protokoll/expediering"
    with time_machine.travel(evening + timedelta(minutes=5), tick=True):
        secretary = new_page("sekreterare", fresh=True)
        secretary.goto(f"/sammantraden/{meeting_id}/protokoll/dokument")
        follow(secretary.get_by_role("link", name="Expediering", exact=True))
        assert secretary.url.endswith(page_path)
        check_page(secretary, "expediering-vantar", screenshot=True)
        table = secretary.get_by_role("table", name=f"§ {number}", exact=False)
        rows = table.get_by_role("row").all_inner_texts()
        assert any(f"CuraNova Omsorg AB <{EXTERNAL}>" in r and "Väntar" in r for r in rows)
        assert "2 mottagare väntar" in secretary.locator("main").inner_text()

        follow(secretary.get_by_role("button", name="Expediera"))
        assert steps.flash_text(secretary).startswith("Besluten är expedierade")
        assert secretary.get_by_role("button", name="Expediera").count() == 0
        rows = table.get_by_role("row").all_inner_texts()
        sent = next(r for r in rows if EXTERNAL in r and r.startswith("CuraNova"))
        failed = next(r for r in rows if r.startswith("Kommunstyrelsen"))
        assert f"E-post ({EXTERNAL})" in sent and "Misslyckades" not in sent
        assert "Mottagaren har ingen e-postadress" in failed
        check_page(secretary, "expediering-skickad")
        secretary.set_viewport_size(PHONE)
        check_page(secretary, "expediering-telefon", screenshot=True)

        member = new_page("ledamot", fresh=True)
        response = member.goto(page_path)
        assert response is not None and response.status == 403
