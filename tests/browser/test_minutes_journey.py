"""The protokoll's journeys: before the meeting a member, on a phone (390 px), reports förhinder and an ersättare of
the same party is called in, and files a written yrkande on an item; at the meeting the secretary starts the
protokoll, records the attendance and the justering, and for a paragraph a yrkande, a vote with the result
computed and the decision; the next paragraph and the attendance are done by keyboard alone (Tab, Enter, Space,
the arrow keys), every stop showing its focus. Each page is checked (one h1, axe) and saved as a screenshot.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from app.clock import local_today
from tests.browser import steps
from tests.browser.ui import PHONE, check_page, follow, press_and_load, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: the serving members' votes in the first paragraph: Per Olsson (M) and Johan Sandberg (M) say nej
NEJ = ("Per Olsson", "Johan Sandberg")


def _plan(secretary) -> str:
    """Plan a meeting of Socialnämnden some weeks ahead through the year plan; return its page's address."""
    day = local_today() + timedelta(days=random.randint(40, 300))
    steps.main_menu(secretary, "Sammanträden")
    steps.plan_meeting(secretary, day.isoformat(), "Plenum, Gymnasietorget 1", time=f"{random.randint(8, 20):02d}:00")
    return secretary.url


def test_a_member_reports_forhinder_and_files_a_yrkande_on_a_phone(new_page):
    secretary = new_page("sekreterare")
    meeting_url = _plan(secretary)

    member = new_page("ledamot")
    member.set_viewport_size(PHONE)
    member.goto(meeting_url)
    check_page(member)
    follow(member.get_by_role("link", name="Närvaro, förhinder och yrkanden"))
    check_page(member, "forhinder-ledamot", screenshot=True)
    assert "Du står som närvarande." in member.get_by_role("region", name="Din plats").inner_text()
    member.get_by_label("Meddelande till sekreteraren").fill("Bortrest")
    follow(member.get_by_role("button", name="Anmäl förhinder"))
    assert steps.flash_text(member) == "Förhinder anmält för Ali Karimi (S). Mona Nilsson (S) är inkallad."
    place = member.get_by_role("region", name="Din plats").inner_text()
    assert "Du har anmält förhinder." in place and "Mona Nilsson (S) är inkallad i ditt ställe." in place
    ersattare = member.get_by_role("table", name="Ersättare i ersättarordningen")
    assert "Tjänstgör för Ali Karimi (S)" in ersattare.get_by_role("row").filter(has_text="Mona Nilsson").inner_text()
    check_page(member, "forhinder-anmalt", screenshot=True)

    # a written yrkande on the first item, read by the chair
    follow(member.get_by_role("region", name="Yrkanden i förväg").get_by_role("link").first)
    check_page(member, "yrkande-i-forvag", screenshot=True)
    member.get_by_label("Slag av yrkande").select_option(label="Avslag")
    member.get_by_label("Yrkandet").fill("Jag yrkar avslag på förslaget.")
    follow(member.get_by_role("button", name="Lämna yrkandet"))
    assert steps.flash_text(member) == "Ditt yrkande (avslag) är inlämnat."
    chair = new_page("ordforande")
    chair.goto(member.url)
    assert "Jag yrkar avslag på förslaget." in chair.get_by_role("region", name="Inlämnade yrkanden").inner_text()

    # the secretary sees who comes and who is called in, and can take the förhinder back
    secretary.goto(meeting_url)
    follow(secretary.get_by_role("link", name="Närvaro, förhinder och yrkanden"))
    check_page(secretary, "forhinder-sekreterare", screenshot=True)
    row = secretary.get_by_role("table", name="Ledamöter").get_by_role("row").filter(has_text="Ali Karimi")
    assert "Förhinder (Bortrest): Mona Nilsson (S) inkallad" in row.inner_text()
    follow(row.get_by_role("button", name="Ta tillbaka förhindret för Ali Karimi (S)"))
    assert steps.flash_text(secretary) == "Förhindret för Ali Karimi (S) är tillbakataget."


def _cast_votes_by_mouse(page) -> None:
    for legend in page.locator(".vote-row legend").all_inner_texts():
        name = legend.split(" (")[0]
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Nej" if name in NEJ else "Ja", exact=True).check()


def test_the_secretary_records_a_meeting_with_mouse_and_keyboard(new_page):
    secretary = new_page("sekreterare")
    meeting_url = _plan(secretary)
    secretary.goto(meeting_url)
    follow(secretary.get_by_role("button", name="Påbörja protokollet"))
    assert steps.flash_text(secretary) == "Protokollet är påbörjat med närvaron som förhindren ger."
    check_page(secretary, "protokoll", screenshot=True)

    # the attendance and the justering, by keyboard alone
    secretary.locator("h1").focus()
    info = tab_to(secretary, lambda i: i["id"].startswith("adjuster_") and "Birgitta Lund" in i["label"], max_steps=200)
    assert info["tag"] == "input"
    secretary.keyboard.press("Space")
    tab_to(secretary, re.compile("Justeringens plats"))
    secretary.keyboard.type("Kommunhuset, Huddinge")
    tab_to(secretary, re.compile("Justeringens tid"))
    secretary.keyboard.type("2027-03-20 10:00")
    tab_to(secretary, re.compile("Spara närvaro och justering"))
    press_and_load(secretary, "Enter")
    assert steps.flash_text(secretary) == "Närvaron och justeringen är sparade (version 2)."

    # every item gets its paragraph; the first opens
    secretary.get_by_label("Punkt", exact=True).select_option(label="Alla punkter utan paragraf")
    follow(secretary.get_by_role("button", name="Ge paragraf"))
    assert steps.flash_text(secretary).startswith("Paragrafer: § ")
    check_page(secretary, "protokoll-paragraf", screenshot=True)
    heading = secretary.locator("h1").inner_text()
    assert re.match(r"^§ \d+ ", heading), heading

    # § n by mouse: a yrkande, a vote, the decision
    secretary.get_by_label("Utfall").select_option(label="Beslutat")
    secretary.get_by_label("Yrkande 1: vem").select_option(label="Per Olsson (M)")
    secretary.get_by_label("Yrkande 1: slag").select_option(label="Avslag")
    secretary.get_by_label("Omröstning begärdes").check()
    secretary.get_by_label("Ja för").fill("bifall till förslaget")
    secretary.get_by_label("Nej för").fill("bifall till Per Olssons (M) avslagsyrkande")
    _cast_votes_by_mouse(secretary)
    secretary.get_by_label("Beslutspunkt 1").fill("Birgitta Lund (MP) utses att justera protokollet.")
    follow(secretary.get_by_role("button", name=re.compile(r"^Spara § \d+$")))
    assert re.match(r"^§ \d+ är sparad \(version \d+\)\.$", steps.flash_text(secretary)), steps.flash_text(secretary)
    result = secretary.locator("#resultat").inner_text()
    assert "Med 9 ja-röster, 2 nej-röster och 0 som avstår har nämnden beslutat enligt ja." in result
    check_page(secretary, "protokoll-omrostning", screenshot=True)

    # a vote with a missing ballot is refused in Swedish next to the vote, nothing stored
    group = secretary.get_by_role("group", name=re.compile("^Per Olsson"))
    assert group.get_by_label("Nej", exact=True).is_checked()
    secretary.get_by_label("Beslutspunkt 1").fill("Ändrat men inte sparat.")
    secretary.evaluate("() => document.querySelectorAll('input[name^=ballot_]').forEach(r => { r.checked = false; })")
    follow(secretary.get_by_role("button", name=re.compile(r"^Spara § \d+$")))
    summary = secretary.get_by_role("alert")
    assert "har 0 röster men 11 tjänstgör" in summary.inner_text()
    assert "har 0 röster men 11 tjänstgör" in secretary.locator("#has_vote-error").inner_text()
    check_page(secretary, "protokoll-fel", screenshot=True)

    # the next paragraph by keyboard alone: its access key, then Tab, Space, the arrows and Enter
    secretary.goto(secretary.url)
    first = secretary.locator("h1").inner_text()
    nav = secretary.get_by_role("navigation", name="Föregående och nästa paragraf")
    nav.get_by_role("link", name=re.compile("^Nästa")).focus()
    press_and_load(secretary, "Enter")
    assert secretary.locator("h1").inner_text() != first
    secretary.locator("h1").focus()
    tab_to(secretary, re.compile("^Utfall"))
    secretary.keyboard.press("B")  # Beslutat
    assert secretary.get_by_label("Utfall").input_value() == "decided"
    tab_to(secretary, re.compile("Omröstning begärdes"))
    secretary.keyboard.press("Space")
    secretary.keyboard.press("Tab")
    secretary.keyboard.type("bifall till förslaget")
    secretary.keyboard.press("Tab")
    secretary.keyboard.type("avslag")
    legends = secretary.locator(".vote-row legend").all_inner_texts()
    for legend in legends:
        info = tab_to(secretary, lambda i, group=legend: i["tag"] == "input" and i["group"] == group, max_steps=5)
        assert info["label"] == "Ja"
        secretary.keyboard.press("ArrowRight" if legend.split(" (")[0] in NEJ else "Space")
    tab_to(secretary, re.compile(r"^Beslutspunkt 1\b"))
    secretary.keyboard.press("Control+A")
    secretary.keyboard.type("Föredragningslistan godkänns.")
    tab_to(secretary, re.compile(r"^\s*Spara § \d+$"))
    press_and_load(secretary, "Enter")
    assert re.match(r"^§ \d+ är sparad", steps.flash_text(secretary)), steps.flash_text(secretary)
    assert "Med 9 ja-röster, 2 nej-röster" in secretary.locator("#resultat").inner_text()
    assert secretary.get_by_label("Beslutspunkt 1").input_value() == "Föredragningslistan godkänns."
    check_page(secretary, "protokoll-tangentbord", screenshot=True)

    # the member reads the protokoll
    member = new_page("ledamot")
    member.goto(meeting_url)
    follow(member.get_by_role("link", name="Protokollet", exact=True))
    check_page(member, "protokoll-ledamot", screenshot=True)
    assert "Birgitta Lund (MP)" in member.get_by_role("region", name="Närvaro och justering").inner_text()
