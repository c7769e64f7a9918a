"""The draft kallelse and ordförandeberedning, end to end: the nämndsekreterare previews the unpublished agenda
(the worker renders it; the PDF opened and read: "Utkast" on every page) and gives the draft to the ordförande →
the ordförande, on a 390 px phone, finds the message under Utkorg, opens the draft and comments on an item → the
secretary sees the comment beside the item in the builder and marks it handled. axe on every page; no box
overlaps another at 390 and 1280 px on the new pages; screenshots saved.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.extensions import db
from tests import factories
from tests.browser import steps
from tests.browser.layout import overlaps
from tests.browser.ui import DESKTOP, PHONE, check_page, follow
from workflows.models import ReportState

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CASE_TITLE = "Riktlinjer för färdtjänst och riksfärdtjänst 2027"
COMMENT = "Lägg till hur avgifterna jämförs med grannkommunernas."


def prepared_meeting(app) -> tuple[int, str]:
    """A meeting of Socialnämnden with a signed case on its agenda and its closing filled: (id, the case's number)."""
    with app.app_context():
        meeting = factories.plan_meeting("SN", days=17, place="Sessionssalen, Stadshuset")
        officer = factories.person("handlaggare")
        case = factories.create_case(steps.unique_title(CASE_TITLE), officer=officer)
        factories.create_report(case, ReportState.signed, author=officer, notify=False)
        factories.add_case_item(meeting, case)
        factories.sign_notice(meeting)
        db.session.commit()
        found = meeting.id, case.number, case.title
        db.session.remove()
    return found


def assert_apart(page, selector: str, label: str) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        problems = overlaps(page, selector)
        assert not problems, f"{label} at {size['width']} px:\n" + "\n".join(problems)


def test_secretary_previews_the_draft_and_the_chair_comments_on_a_phone(new_page, served_app, render_worker):
    meeting_id, number, title = prepared_meeting(served_app.app)

    # 1. the secretary previews the draft: a job page, then the PDF, "Utkast" on every page
    office = new_page("sekreterare")
    office.goto(f"/sammantraden/{meeting_id}")
    draft = office.get_by_role("region", name="Utkast och ordförandeberedning")
    follow(draft.get_by_role("button", name="Förhandsgranska utkast"))
    assert office.get_by_role("heading", level=1).inner_text() == "Utkast till kallelse"
    steps.wait_for_job(office)
    check_page(office, "draft-job", screenshot=True)
    pdf_link = office.get_by_role("link", name="Öppna utkastet som PDF")
    response = office.request.get(pdf_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.body())).pages
    assert all("Utkast – inte publicerad" in p.extract_text() for p in pages), "a page is not marked Utkast"
    assert title in " ".join(" ".join(p.extract_text().split()) for p in pages)

    # 2. … and gives it to the chair, with a message
    office.goto(f"/sammantraden/{meeting_id}#utkast")
    draft = office.get_by_role("region", name="Utkast och ordförandeberedning")
    assert "Senaste utkastet" in draft.inner_text() and "Ordförande: Gunnel Hedberg." in draft.inner_text()
    draft.get_by_label("Meddelande till ordföranden (frivilligt)").fill("Titta särskilt på färdtjänsten.")
    follow(draft.get_by_role("button", name="Ge utkastet till ordföranden"))
    assert "Utkastet är skickat till ordföranden Gunnel Hedberg." in steps.flash_text(office)
    check_page(office, "draft-panel", screenshot=True)
    assert_apart(office, ".draft-panel", "the draft panel")

    # 3. the chair, on a phone: the message under Utkorg, the draft, a comment on the item
    chair = new_page("ordforande")
    chair.set_viewport_size(PHONE)
    chair.goto("/utkorg")
    message = chair.locator("tbody tr").filter(has_text="Ordförandeberedning: utkast till kallelse").first
    message.locator("summary").click()
    follow(message.get_by_role("link", name="Gå till sidan som meddelandet gäller"))
    assert chair.url.endswith(f"/sammantraden/{meeting_id}/beredning")
    assert chair.get_by_role("heading", level=1).inner_text() == "Ordförandeberedning"
    assert "Titta särskilt på färdtjänsten." in chair.content()
    check_page(chair, "chair-review", screenshot=True)
    chair_pdf = chair.request.get(chair.get_by_role("link", name="Öppna utkastet som PDF").get_attribute("href"))
    assert (
        chair_pdf.ok and "Utkast – inte publicerad" in PdfReader(io.BytesIO(chair_pdf.body())).pages[0].extract_text()
    )
    item = chair.locator(".review-item").filter(has_text=title)
    item_number = item.locator(".agenda-number").inner_text().strip(". ")
    item.get_by_label(f"Kommentar till punkt {item_number}").fill(COMMENT)
    follow(item.get_by_role("button", name=f"Spara kommentaren till punkt {item_number}"))
    assert f"Din kommentar om punkt {item_number} är sparad." in steps.flash_text(chair)
    assert COMMENT in chair.locator(".review-item").filter(has_text=title).inner_text()
    check_page(chair, "chair-review-commented", screenshot=True)
    assert_apart(chair, ".review-item, .review-form, .facts, .draft-files", "the chair's page")

    # 4. the secretary sees the comment beside the item and marks it handled
    office.set_viewport_size(DESKTOP)
    office.goto(f"/sammantraden/{meeting_id}")
    row = steps.item_row(office, title)
    assert COMMENT in row.inner_text() and number in row.inner_text()
    check_page(office, "builder-chair-comment", screenshot=True)
    follow(row.get_by_role("button", name=re.compile("^Markera som hanterad")))
    assert "Kommentaren är markerad som hanterad." in steps.flash_text(office)
    row = steps.item_row(office, title)
    assert "Hanterad" in row.inner_text() and row.get_by_role("button", name=re.compile("^Markera")).count() == 0
    assert_apart(office, "#agenda-table tbody tr[data-item-id], .chair-comment", "the builder's rows with the comment")
