"""Administration → Diarier in a browser: accessible, and the preview follows the format as it is typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.clock import local_today
from tests.browser.ui import check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_next_number_follows_the_typing_and_errors_show_in_swedish(new_page):
    page = new_page("admin")
    follow(page.get_by_role("link", name="Administration"))
    follow(page.get_by_role("navigation", name="Administration").get_by_role("link", name="Diarier"))
    check_page(page, "admin-diarier", screenshot=True)
    preview = page.locator("#diarium-preview")
    page.get_by_label("Seriekod").fill("BUN")
    page.get_by_label("Format för diarienummer").fill("Dnr {prefix} {year}.{serial}")
    expect(preview).to_contain_text(f"Dnr BUN {local_today().year}.1")
    page.get_by_label("Format för diarienummer").fill("{year}{serial}")
    expect(preview).to_contain_text(re.compile("tvetydigt"))
    check_page(page)
