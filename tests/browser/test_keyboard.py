"""Keyboard only: the editor (decision points, formatting, saving) and the workflow buttons, with Tab and Enter.

Every element the Tab key stops at must show a visible focus indicator (``tab_to`` asserts it).
"""

from __future__ import annotations

import re

import pytest

from tests.browser import steps
from tests.browser.ui import assert_focus_visible, check_page, focused, press_and_load, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def named(text: str, group: str | None = None):
    """Match the focused element by its label or text (and the fieldset or toolbar it is in)."""
    return lambda info: (info["label"] or info["name"]) == text and (group is None or group in info["group"])


def test_skip_link_is_first_and_visible(new_page):
    page = new_page("handlaggare")
    page.keyboard.press("Tab")
    info = assert_focus_visible(page)
    assert info["name"] == "Hoppa till innehållet"
    box = page.get_by_role("link", name="Hoppa till innehållet").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "innehall"


def test_editor_and_workflow_buttons_by_keyboard(new_page):
    officer = new_page("handlaggare")
    number = steps.register_case(officer, steps.unique_title("Yttrande över motion om trygghetsboende"))
    steps.start_report(officer)
    editor = officer

    # decision points: write one, add another with the button, move it up, mark it immediately adjusted
    tab_to(editor, named("Beslutspunkt 1"))
    editor.keyboard.type("Socialnämnden antar yttrandet.")
    tab_to(editor, named("Lägg till beslutspunkt"))
    editor.keyboard.press("Enter")
    info = focused(editor)
    assert info["label"] == "Beslutspunkt 4", info  # the new, fourth row has the focus
    editor.keyboard.type("Paragrafen justeras omedelbart.")
    tab_to(editor, named("Flytta upp beslutspunkt 4"))
    for expected in (3, 2):  # the focus stays on the button as the row moves
        editor.keyboard.press("Enter")
        assert f"nummer {expected}" in editor.locator("#proposal-status").inner_text()
        assert assert_focus_visible(editor)["name"] == f"Flytta upp beslutspunkt {expected}"
    tab_to(editor, named("Omedelbart justerad (beslutspunkt 2)"), backwards=True)
    editor.keyboard.press("Space")

    # a section, with bold from its toolbar: one Tab stop per toolbar, arrow keys inside it
    tab_to(editor, named("Fet", "Beskrivning av ärendet"))
    editor.keyboard.press("ArrowRight")
    assert assert_focus_visible(editor)["name"] == "Kursiv"
    editor.keyboard.press("End")
    assert focused(editor)["name"] == "Länk"
    editor.keyboard.press("ArrowRight")  # wraps around
    assert focused(editor)["name"] == "Fet"
    editor.keyboard.press("Enter")
    assert focused(editor)["label"].startswith("Beskrivning av ärendet")
    editor.keyboard.type("Viktigt:")
    editor.keyboard.press("Control+b")
    editor.keyboard.type(" motionen behandlas i kommunfullmäktige.")

    # save
    tab_to(editor, named("Spara"))
    press_and_load(editor, "Enter")
    assert "version 1" in steps.flash_text(editor)  # the first save: nothing was stored before it
    check_page(editor)
    doc = editor.get_by_role("article")
    points = doc.locator("ol.proposals > li")
    assert points.nth(0).inner_text().startswith("Socialnämnden antar yttrandet.")
    assert points.nth(1).inner_text().startswith("Paragrafen justeras omedelbart.")
    assert "omedelbart justerad" in points.nth(1).inner_text()
    assert doc.locator("[data-section=description] strong").inner_text() == "Viktigt:"

    # submit with the keyboard
    tab_to(editor, named("Skicka på granskning"))
    press_and_load(editor, "Enter")
    assert steps.state(editor) == "Under granskning"

    # the reviewer: menu → queue → report → comment → return, all with the keyboard
    reviewer = new_page("enhetschef")
    tab_to(reviewer, named("Granskning"))
    press_and_load(reviewer, "Enter")
    tab_to(reviewer, named(number))
    press_and_load(reviewer, "Enter")
    tab_to(reviewer, named("Kommentar", "Returnera till handläggaren"))
    reviewer.keyboard.type("Lägg till ett förslag om uppföljning.")
    tab_to(reviewer, named("Returnera till handläggaren", "Returnera till handläggaren"))
    press_and_load(reviewer, "Enter")
    assert steps.state(reviewer) == "Returnerad"
    check_page(reviewer)

    # the officer reads the comment and reaches the editor from the report by keyboard
    editor.reload()
    assert "uppföljning" in editor.get_by_role("region", name="Returnerat med kommentar").inner_text()
    tab_to(editor, named("Redigera utlåtandet"))
    press_and_load(editor, "Enter")
    assert re.search(r"/redigera$", editor.url)
