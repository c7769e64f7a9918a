"""Live validation (app/static/js/forms.js): an error shows as the user leaves a field, tied to it as the
server's errors are, and goes away when the value is right; a server's message about a value the user
has not changed stays."""

from __future__ import annotations

import pytest

from tests.browser import steps
from tests.browser.ui import check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def error_of(page, field_id: str) -> str | None:
    """The error line tied to the field (aria-describedby + aria-invalid), or None when it has none."""
    return page.evaluate(
        """id => {
        const field = document.getElementById(id);
        const line = document.getElementById(id + "-error");
        if (!line) return null;
        const tied = (field.getAttribute("aria-describedby") || "").split(" ").includes(line.id);
        return (tied && field.getAttribute("aria-invalid") === "true") ? line.textContent.trim() : "untied";
    }""",
        field_id,
    )


def test_the_year_plan_checks_fields_as_they_are_left(new_page):
    page = new_page("sekreterare")
    steps.main_menu(page, "Sammanträden")
    form = page.get_by_role("region", name="Planera sammanträde", exact=True)
    clock = form.get_by_label("Klockan")
    clock.fill("25:61")
    page.keyboard.press("Tab")
    assert error_of(page, "time") == "Ange klockslaget som TT:MM, till exempel 18:00."
    check_page(page)  # the page stays accessible with the error on it
    clock.fill("18:30")  # typing the right value takes the error away at once
    assert error_of(page, "time") is None

    place = form.get_by_label("Plats")
    place.focus()
    page.keyboard.press("Tab")  # left empty
    assert error_of(page, "place") == "Plats måste fyllas i."
    place.fill("Plenum")
    assert error_of(page, "place") is None
    # The series form's fields have their own ids and their own errors.
    series = page.get_by_role("region", name="Planera årets sammanträden")
    series.get_by_label("Klockan").fill("7")
    page.keyboard.press("Tab")
    assert error_of(page, "serie-time") == "Ange klockslaget som TT:MM, till exempel 18:00."
    assert error_of(page, "time") is None


def test_a_server_message_stays_until_the_value_changes(new_page):
    page = new_page("sekreterare")
    steps.main_menu(page, "Sammanträden")
    form = page.get_by_role("region", name="Planera sammanträde", exact=True)
    form.get_by_label("Datum").fill("2020-01-09")
    form.get_by_label("Plats").fill("Plenum")
    follow(form.get_by_role("button", name="Planera sammanträdet"))
    assert error_of(page, "day") == "Sammanträdet kan inte läggas i det förflutna."
    # Tabbing through the field does not hide what only the server could know.
    page.locator("#day").focus()
    page.keyboard.press("Tab")
    assert error_of(page, "day") == "Sammanträdet kan inte läggas i det förflutna."


def test_the_notice_deadline_range(new_page):
    page = new_page("sekreterare")
    steps.main_menu(page, "Sammanträden")
    follow(page.get_by_role("link", name="Mall för sammanträden").first)
    check_page(page, "mall-for-sammantraden", screenshot=True)
    days = page.get_by_label("Dagar före sammanträdet")
    days.fill("90")
    page.keyboard.press("Tab")
    assert error_of(page, "notice_days") == "Ange ett helt antal från 1 till 60."
    days.fill("7")
    assert error_of(page, "notice_days") is None
    # the standing item's own form, as the secretary edits it
    follow(page.get_by_role("link", name="Ändra Val av justerare"))
    check_page(page, "mall-staende-punkt")
    title = page.get_by_label("Rubrik")
    title.fill("")
    page.keyboard.press("Tab")
    assert error_of(page, "title") == "Rubrik måste fyllas i."
