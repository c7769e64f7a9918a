"""Sök as staff use it: the header's search box, the hits with their marks, a facet, the next page, a hit's page."""

from __future__ import annotations

import re

import pytest

from tests.browser.ui import check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_registrar_searches_from_the_header(new_page):
    page = new_page("registrator")
    page.get_by_label("Sök i allt du får läsa").fill("bårhus")
    follow(page.get_by_role("button", name="Sök i allt"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sök"
    check_page(page, "sok", screenshot=True)
    hits = page.get_by_role("region", name="Träffar")
    assert hits.locator("mark").first.inner_text().casefold().startswith("bårhus")
    # a facet narrows the hits to the cases and says which is chosen
    follow(page.get_by_role("navigation", name="Typ").get_by_role("link", name=re.compile(r"^Ärende \(\d+\)")))
    assert page.get_by_role("navigation", name="Typ").locator("a[aria-current]").is_visible()
    check_page(page)
    follow(hits.get_by_role("heading", level=3).get_by_role("link").first)
    assert re.search(r"/arenden/\d+$", page.url)


def test_a_secretary_finds_a_paragraph_and_is_offered_the_word_with_its_ring(new_page):
    page = new_page("sekreterare")
    page.goto("/sok?q=%C2%A7+12")
    first = page.get_by_role("region", name="Träffar").get_by_role("listitem").first
    assert first.get_by_role("heading").inner_text().startswith("§ 12")
    page.get_by_label("Sökord").fill("bistand")
    follow(page.get_by_role("main").get_by_role("button", name="Sök", exact=True))
    follow(page.get_by_role("link", name="bistånd"))
    assert page.get_by_label("Sökord").input_value() == "bistånd"
    check_page(page, "sok-menade-du")
