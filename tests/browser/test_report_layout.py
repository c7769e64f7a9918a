"""The report page laid out cleanly at phone and desktop width: nothing in its Översikt panel overlaps anything
else or its edge (Förhandsgranska among its buttons), no diarienummer or date breaks across lines, and
Återkalla utlåtandet stands apart from the workflow buttons and asks before it happens.
"""

from __future__ import annotations

import pytest

from tests.browser import steps
from tests.browser.layout import assert_numbers_and_dates_whole, overlaps
from tests.browser.ui import DESKTOP, PHONE, check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def assert_laid_out(page, label: str) -> None:
    """At phone and desktop width: the panel's and the actions' boxes apart and inside, numbers and dates whole."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        where = f"{label} at {size['width']} px"
        problems = overlaps(page, ".report-state, .report-state__tools, .action-forms, .danger-zone")
        assert not problems, f"{where}:\n" + "\n".join(problems)
        # Förhandsgranska among the panel's buttons, inside its edge
        panel = page.get_by_role("region", name="Översikt").bounding_box()
        preview = page.get_by_role("button", name="Förhandsgranska").bounding_box()
        assert panel and preview
        assert panel["x"] <= preview["x"] and preview["x"] + preview["width"] <= panel["x"] + panel["width"], where
        assert panel["y"] <= preview["y"] and preview["y"] + preview["height"] <= panel["y"] + panel["height"], where
    page.set_viewport_size(DESKTOP)
    assert_numbers_and_dates_whole(page, label, at_least=3)


def test_the_report_page_is_laid_out_cleanly_and_withdrawing_is_confirmed(new_page):
    officer = new_page("handlaggare")
    number = steps.register_case(officer, steps.unique_title("Riktlinjer för ekonomiskt bistånd med en lång rubrik"))
    steps.start_report(officer)
    steps.write_report(
        officer,
        proposals=["Socialnämnden antar riktlinjerna."],
        description="Förvaltningen har tagit fram nya riktlinjer.",
        signatory="Eva Strand",
    )
    overview = officer.get_by_role("region", name="Översikt")
    assert overview.get_by_role("heading", level=2).inner_text() == "Översikt"
    assert overview.locator("dt").first.inner_text() == "Läge"
    check_page(officer, "utlatande-utkast", screenshot=True)
    assert_laid_out(officer, f"the draft of {number}")

    # Återkalla utlåtandet: not among the workflow buttons, but closed in a place of its own below them
    actions = officer.get_by_role("region", name="Åtgärder")
    assert actions.get_by_role("button", name="Skicka på granskning").is_visible()
    assert not actions.get_by_role("button", name="Återkalla utlåtandet").count()
    withdraw = officer.get_by_role("button", name="Återkalla utlåtandet", exact=True)
    assert withdraw.is_hidden()
    officer.locator(".danger-zone summary").click()
    zone = officer.locator(".danger-zone")
    submit_box = actions.get_by_role("button", name="Skicka på granskning").bounding_box()  # as scrolled now
    assert zone.bounding_box()["y"] > submit_box["y"] + submit_box["height"]
    assert withdraw.bounding_box()["height"] < submit_box["height"]  # the small danger button
    assert_laid_out(officer, f"the draft of {number}, Återkalla opened")
    check_page(officer, "utlatande-aterkalla", screenshot=True)

    # with JavaScript the browser asks as well: no, and nothing happens; yes, and it is withdrawn
    zone.get_by_label("Kommentar").fill("Ärendet har återtagits av sökanden.")
    zone.get_by_label("Ja, återkalla utlåtandet").check()
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    officer.once("dialog", lambda dialog: answer(dialog, False))
    withdraw.click()
    assert asked and number in asked[0]
    officer.wait_for_timeout(300)
    assert steps.state(officer) == "Utkast"
    officer.once("dialog", lambda dialog: answer(dialog, True))
    follow(withdraw)
    assert "återkallat" in steps.flash_text(officer)
    assert steps.state(officer) == "Återkallad"
    assert len(asked) == 2


def test_the_demo_reports_signed_page_is_laid_out_cleanly(new_page):
    officer = new_page("controller")
    steps.open_case(officer, "SN-2016/3342.181")
    follow(officer.get_by_role("region", name="Tjänsteutlåtande").get_by_role("link", name="Öppna tjänsteutlåtandet"))
    check_page(officer)
    assert officer.get_by_role("region", name="Översikt").locator("code").inner_text()  # the signed hash, long
    assert_laid_out(officer, "the signed SN-2016/3342.181")


def test_the_editors_underrubrik_makes_a_subheading_kept_on_the_page(new_page):
    officer = new_page("handlaggare")
    steps.register_case(officer, steps.unique_title("Uppföljning av hemtjänsten"))
    steps.start_report(officer)
    officer.get_by_label("Beslutspunkt 1", exact=True).fill("Socialnämnden godkänner uppföljningen.")
    area = steps.rich_text(officer, "Beskrivning av ärendet")
    toolbar = officer.get_by_role("toolbar", name="Formatering: Beskrivning av ärendet")
    assert toolbar.get_by_role("button").all_inner_texts() == [
        "Fet",
        "Kursiv",
        "Underrubrik",
        "Punktlista",
        "Numrerad lista",
        "Länk",
    ]
    area.click()
    area.type("Bakgrund")
    toolbar.get_by_role("button", name="Underrubrik").click()
    assert area.locator("h3").inner_text() == "Bakgrund"
    area.press("End")
    area.press("Enter")
    area.type("Hemtjänsten följdes upp under hösten.")
    toolbar.get_by_role("button", name="Underrubrik").click()  # the second line: a subheading, then back again
    toolbar.get_by_role("button", name="Underrubrik").click()
    assert area.locator("h3").count() == 1
    check_page(officer)
    follow(officer.get_by_role("button", name=steps.SAVE))
    assert "version 1" in steps.flash_text(officer)
    section = officer.locator("[data-section=description]")
    assert section.get_by_role("heading", level=2).inner_text() == "Beskrivning av ärendet"
    assert section.get_by_role("heading", level=3).inner_text() == "Bakgrund"
    assert "Hemtjänsten följdes upp under hösten." in section.locator("p").first.inner_text()
    check_page(officer, "utlatande-underrubrik", screenshot=True)
    assert_laid_out(officer, "a report with a subheading")
