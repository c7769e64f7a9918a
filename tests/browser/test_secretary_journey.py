"""The nämndsekreterare's journey: the year plan → plan a meeting → build its föredragningslista (an
information item with two parts and presenters, a case whose report was signed through the pages, a
confidential case) → reorder it by drag and drop and by keyboard → the kallelse's facts → the
publication check (a personnummer in a note is listed, then gone) → publish → correct → republish:
version 2 says what changed, and the public version holds nothing confidential → Skapa handlingar:
the worker makes the kallelse and the meeting package while a progress bar follows it; the members'
kallelse (Word) and package (PDF) are downloaded and read back, items in order, bookmarks per item.

The keyboard-only test reorders an agenda and publishes its kallelse (after the deadline, with the
reason) with Tab, Enter, Space, Escape and the arrow keys alone.

Each test plans a meeting of its own on a random day, so tests (and xdist workers) never share one;
the demo's planned next meeting (24 days ahead) is left alone and stays the committee's next one.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest

from app.clock import local_today
from tests.browser import steps
from tests.browser.ui import (
    check_page,
    docx_paragraphs,
    docx_text,
    download,
    focused,
    follow,
    pdf_outline,
    pdf_text,
    press_and_load,
    progressbars,
    tab_to,
    type_date,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STANDING = [
    "Val av justerare",
    "Godkännande av föredragningslistan",
    "Övriga frågor",
    "Delgivningar och anmälda delegationsbeslut",
]
#: a valid (Luhn-checked) test personnummer from Skatteverket's examples
PERSONNUMMER = "19121212-1212"


def day_ahead(low: int, high: int) -> date:
    return local_today() + timedelta(days=random.randint(low, high))


def open_year(page, year: int) -> None:
    """From the menu to the year plan of ``year`` (by the year links)."""
    steps.main_menu(page, "Sammanträden")
    check_page(page)
    if year != local_today().year:
        follow(page.get_by_role("navigation", name="Välj år").get_by_role("link", name=str(year), exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == f"Sammanträden {year}"


def edit_item(page, number: int, **fields: str) -> str:
    """Open "Ändra punkt N" from the item's menu (a dialog), fill the fields (by label), save; return the message."""
    title = dict(steps.agenda(page))[str(number)]
    row = steps.row_menu(page, title)
    row.get_by_role("link", name=f"Ändra punkt {number}", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Ändra punkt {number}")
    dialog.get_by_label(next(iter(fields)), exact=True).wait_for()
    check_page(page)
    for label, value in fields.items():
        dialog.get_by_label(label, exact=True).fill(value)
    dialog.get_by_role("button", name="Spara punkten").click()
    text = steps.agenda_status(page, f"Punkt {number} är ändrad")
    assert not dialog.is_visible()
    return text


def numbers_are_consecutive(page) -> None:
    assert [n for n, _ in steps.agenda(page)] == [str(i) for i in range(1, len(steps.agenda(page)) + 1)]


def test_secretary_builds_reorders_publishes_and_corrects(new_page, render_worker):
    signed = steps.signed_case(new_page, steps.unique_title("Riktlinjer för ekonomiskt bistånd 2027"))
    officer = new_page("handlaggare")
    secret_title = steps.unique_title("Ansökan om vårdnadsöverflyttning för Hemlig Testperson")
    secret_public = "Ansökan om vårdnadsöverflyttning enligt 6 kap. 8 § föräldrabalken"
    secret = steps.register_case(officer, secret_title, classification="754", public_title=secret_public)

    # the year plan → plan a meeting (the standing items come with it)
    page = new_page("sekreterare")
    day = day_ahead(40, 300)
    open_year(page, day.year)
    steps.plan_meeting(page, day.isoformat(), "Sammanträdesrum Tor, Kommunalvägen 28")
    check_page(page)
    meeting_url = page.url
    assert steps.agenda_titles(page) == STANDING
    assert "Planerat" in page.locator("dl.facts").inner_text()
    # the year plan lists it; its date leads back to it
    follow(page.get_by_role("link", name=f"Sammanträden {day.year}"))
    check_page(page, "sammantraden-arsplan", screenshot=True)
    # (another test's meeting may fall on the same random day: the row is the one at this place)
    rows = page.get_by_role("region", name="Socialnämnden").locator("tr").filter(has_text=day.isoformat())
    row = rows.filter(has_text="Sammanträdesrum Tor")
    assert "Planerat" in row.inner_text()
    follow(row.get_by_role("link", name=day.isoformat()))
    assert page.url == meeting_url

    # an information item with two parts and their presenters
    form = steps.add_form(page, "Information")
    form.get_by_label("Rubrik").fill("Information från förvaltningen")
    form.get_by_label("Del 1", exact=True).fill("Hemtjänstens kvalitet")
    form.get_by_label("Föredragande i del 1").fill("Lena Ås, medicinskt ansvarig sjuksköterska")
    form.get_by_label("Del 2", exact=True).fill("Ekonomisk rapport")
    form.get_by_label("Föredragande i del 2").fill("Omar Berg, ekonomichef")
    form.get_by_role("button", name="Lägg till informationen").click()  # no reload: the list changes in place
    steps.agenda_status(page, "Punkt 3 ”Information från förvaltningen” har lagts till")

    # the case whose report was signed: offered among the signed reports
    form = steps.add_form(page, "Ärende")
    option = form.locator('optgroup[label="Undertecknade tjänsteutlåtanden"] option', has_text=signed)
    form.get_by_label("Ärende", exact=True).select_option(option.get_attribute("value"))
    form.get_by_role("button", name="Lägg till ärendet").click()
    steps.agenda_status(page, "Punkt 4 ")
    case_title = steps.agenda_titles(page)[3]
    assert signed in steps.item_row(page, case_title).inner_text()

    # the confidential case, without a report yet: "Handling kommer senare"; it goes under Sekretessärenden
    form = steps.add_form(page, "Ärende")
    option = form.locator("option", has_text=secret)
    form.get_by_label("Ärende", exact=True).select_option(option.get_attribute("value"))
    form.get_by_label("Handling kommer senare").check()
    form.get_by_role("button", name="Lägg till ärendet").click()
    steps.agenda_status(page, "Punkt 6 ")
    check_page(page, "sammantrade-dagordning", screenshot=True)
    assert steps.agenda_titles(page) == [
        STANDING[0],
        STANDING[1],
        "Information från förvaltningen",
        case_title,
        STANDING[2],
        secret_title,
        STANDING[3],
    ]
    numbers_are_consecutive(page)
    table = page.get_by_role("table", name=re.compile("Föredragningslistans punkter"))
    assert table.locator("tr.agenda-section").inner_text().strip() == "Sekretessärenden"
    assert "Handling kommer senare" in steps.item_row(page, secret_title).inner_text()

    # drag and drop with the mouse: the case item (4) by its grip onto the information item (3)
    steps.item_row(page, case_title).locator(".agenda-grip").drag_to(
        steps.item_row(page, "Information från förvaltningen"), target_position={"x": 40, "y": 4}
    )
    expect_status(page, "är nu punkt 3")
    assert steps.agenda_titles(page)[2:4] == [case_title, "Information från förvaltningen"]
    numbers_are_consecutive(page)
    handle = steps.item_row(page, case_title).locator("button.agenda-handle")  # "Flytta" in the row's menu
    assert " ".join(handle.text_content().split()) == "Flytta punkt 3"
    page.reload()  # saved, not only shown
    assert steps.agenda_titles(page)[2:4] == [case_title, "Information från förvaltningen"]

    # and with the keyboard: "Flytta" in the item's menu, arrow up, Enter; the numbers change before the page is saved
    row = steps.row_menu(page, "Information från förvaltningen")
    row.get_by_role("button", name="Flytta punkt 4").focus()
    page.keyboard.press("Enter")
    expect_status(page, "är upplyft")
    page.keyboard.press("ArrowUp")
    assert steps.agenda(page)[2] == ("3", "Information från förvaltningen")
    page.keyboard.press("Enter")
    expect_status(page, "är nu punkt 3. Föredragningslistan är sparad.")
    page.reload()
    check_page(page)
    assert steps.agenda_titles(page)[2:4] == ["Information från förvaltningen", case_title]
    numbers_are_consecutive(page)

    # the publication check: the closing is missing; a personnummer typed into a note is listed
    assert "saknar" in steps.publication_check(page)
    assert "Punkt 3 är ändrad" in edit_item(page, 3, Anteckning=f"Kontakt: Kalle, {PERSONNUMMER}")
    check = steps.publication_check(page)
    assert "Punkt 3, anteckning: innehåller ett personnummer (19121212-****)" in check, check
    assert PERSONNUMMER not in check
    check_page(page, "sammantrade-publicera-kontroll", screenshot=True)

    # the facts of the kallelse
    facts = page.get_by_role("region", name="Kallelsens uppgifter")
    facts.get_by_label("Ort för kallelsen").fill("Huddinge")
    facts.get_by_label("Kallelsens datum").fill(local_today().isoformat())
    facts.get_by_label("Ordförande").fill("Gunnel Hedberg")
    facts.get_by_label("Sekreterare").fill("Sara Lindqvist")
    follow(facts.get_by_role("button", name="Spara uppgifterna"))
    assert "sparade" in steps.flash_text(page)
    assert "saknar" not in steps.publication_check(page)

    # publishing is refused while the personnummer is there, and the refusal says where
    follow(page.get_by_role("button", name="Publicera kallelsen"))
    check_page(page)
    refusal = page.get_by_role("alert").filter(has_text="Kallelsen publicerades inte")
    assert "Punkt 3, anteckning" in refusal.inner_text()
    assert not page.get_by_role("region", name="Publicerade versioner").count()

    # remove it: the check is clean; publish version 1
    edit_item(page, 3, Anteckning="Kontaktperson: Lena Ås.")
    assert "Kontrollen hittade inget som hindrar publicering." in steps.publication_check(page)
    follow(page.get_by_role("button", name="Publicera kallelsen"))
    assert "publicerad som version 1" in steps.flash_text(page)
    check_page(page)
    assert "Version 1" in steps.published_versions(page)

    # correct a presenter and republish: version 2 says what changed
    edit_item(page, 3, **{"Föredragande i del 2": "Omar Berg, ekonomichef, och Anna Kvist, controller"})
    follow(page.get_by_role("button", name="Publicera rättelse (version 2)"))
    assert "publicerad som version 2" in steps.flash_text(page)
    check_page(page, "sammantrade-publicerad", screenshot=True)
    versions = page.get_by_role("region", name="Publicerade versioner")
    latest = versions.locator("li").filter(has=page.get_by_role("heading", name="Version 2"))
    assert "Punkt 3: delarna ändrade." in latest.inner_text(), latest.inner_text()
    # with nothing changed there is no version 3 to publish, and the page says why
    assert not page.get_by_role("button", name="Publicera rättelse (version 3)").count()
    assert "Inget har ändrats sedan version 2" in page.get_by_role("region", name="Publicera kallelsen").inner_text()
    versions = page.get_by_role("region", name="Publicerade versioner")
    assert not versions.get_by_role("heading", name="Version 3").count()

    # the members' version 2 says the same; the secretary sees the confidential title there
    follow(latest.get_by_role("link", name="Ledamöternas version 2"))
    check_page(page)
    changes = page.get_by_role("region", name="Ändringar sedan version 1")
    assert "Punkt 3: delarna ändrade." in changes.inner_text()
    assert "Anna Kvist" in page.locator("#punkt-3").inner_text()
    assert page.locator("#punkt-6").get_attribute("data-kind") == "confidential_case"

    # the public version: the confidential case by its public title only, the signed report readable
    public = new_page()
    public.goto(page.url.replace("/sammantraden/", "/offentligt/sammantraden/").replace("/kallelse", ""))
    check_page(public)
    text = public.locator("main").inner_text()
    assert secret_public in text and secret_title not in text and secret not in text
    assert "Hemlig Testperson" not in public.content()
    assert "Anna Kvist" in text and signed in text
    follow(public.get_by_role("link", name=case_title))
    check_page(public)
    assert public.get_by_role("article", name="Tjänsteutlåtandet").is_visible()
    assert "Socialnämnden godkänner rapporten." in public.get_by_role("article", name="Tjänsteutlåtandet").inner_text()
    page.goto(meeting_url)
    assert "Läs kallelsen (version 2)" in page.locator("dl.facts").inner_text()

    # Skapa handlingar: the kallelse and the meeting package of version 2, made by the worker
    titles = steps.agenda_titles(page)
    make_documents(
        page,
        titles=titles,
        case_title=case_title,
        signed=signed,
        secret_title=secret_title,
        secret_public=secret_public,
    )


def in_order(paragraphs: list[str], titles: list[str]) -> list[int]:
    """The index of the first paragraph holding each title, each after the one before; fails when one is missing."""
    found, start = [], 0
    for title in titles:
        index = next((i for i in range(start, len(paragraphs)) if title in paragraphs[i]), None)
        assert index is not None, f"{title!r} is not after paragraph {start} in {paragraphs}"
        found.append(index)
        start = index + 1
    return found


def make_documents(
    page, *, titles: list[str], case_title: str, signed: str, secret_title: str, secret_public: str
) -> None:
    """On the meeting page: Skapa handlingar, follow the progress bar to the end, read the files back."""
    section = page.get_by_role("region", name="Handlingar")
    follow(section.get_by_role("button", name="Skapa handlingar"))
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Handlingar till sammanträdet")
    # the progress: a labelled progressbar, the state in a live region, the count in words
    [bar] = progressbars(page)  # as assistive technology gets it: named by its label, 0–100
    assert (bar["name"], bar["valuemin"], bar["valuemax"]) == ("Förlopp", 0, 100) and 0 <= bar["valuenow"] <= 100
    assert page.get_by_role("progressbar", name="Förlopp").is_visible()
    assert page.locator("#job-state").get_attribute("aria-live") == "polite"
    assert re.fullmatch(r"\d+ av \d+ klara", page.locator("#job-count").inner_text().strip())
    steps.wait_for_job(page)
    done, total = map(int, re.findall(r"\d+", page.locator("#job-count").inner_text()))
    assert done == total >= 5  # two kallelser, the report, two packages
    check_page(page, "handlingar-klara", screenshot=True)

    # the members' kallelse as Word: every item in the agenda's order, the confidential one by its public title
    # (the kallelse is sent by e-mail and printed; the handlingar behind the item carry the secret)
    members = page.get_by_role("list", name="Ledamöternas version")
    word = docx_paragraphs(
        download(page, members.get_by_role("link", name="Hämta Kallelse (Word) – ledamöternas version"))
    )
    in_order(word, ["Kallelse till Socialnämnden", *[secret_public if t == secret_title else t for t in titles]])
    assert not any(secret_title in p or "Hemlig Testperson" in p for p in word)
    assert any(signed in p for p in word)
    # the members' package: the kallelse, the contents, then the item with its tjänsteutlåtande
    package = download(
        page, members.get_by_role("link", name="Hämta Mötespaket med alla handlingar (PDF) – ledamöternas version")
    )
    number = titles.index(case_title) + 1
    outline = pdf_outline(package)
    top = [title for depth, title in outline if depth == 0]
    assert top[:2] == ["Kallelse", "Innehåll"], outline
    item = f"{number} {case_title} – {signed}"
    assert item in top, outline
    children = outline[[t for _d, t in outline].index(item) + 1 :]
    assert children and children[0] == (1, "Tjänsteutlåtande"), outline
    text = pdf_text(package)
    assert "Kallelse till Socialnämnden" in text and case_title in text and secret_title in text
    assert "Socialnämnden godkänner rapporten." in text
    # the public kallelse names the confidential case by its public title only
    public = docx_text(
        download(
            page,
            page.get_by_role("list", name="Offentlig version").get_by_role(
                "link", name="Hämta Kallelse (Word) – offentlig version"
            ),
        )
    )
    assert secret_public in public and secret_title not in public and "Hemlig Testperson" not in public

    # the members' kallelse page now offers the files
    follow(page.get_by_role("link", name=re.compile(r"^Socialnämnden ")))
    follow(page.get_by_role("link", name="Läs kallelsen (version 2)"))
    files = page.get_by_role("region", name="Kallelsen och handlingarna som filer")
    assert files.get_by_role("link", name=re.compile(r"^(Kallelse|Mötespaket)")).count() == 3
    check_page(page)


def expect_status(page, text: str) -> None:
    """Wait for the agenda's live region to say ``text``."""
    status = page.locator("#agenda-status")
    status.filter(has_text=text).wait_for(timeout=10_000)
    assert "agenda-status--error" not in (status.get_attribute("class") or ""), status.inner_text()


def named(text: str):
    return lambda info: (info["label"] or info["name"]) == text


def test_secretary_reorders_and_publishes_by_keyboard_only(new_page):
    page = new_page("sekreterare")
    day = day_ahead(2, 6)  # inside the committee's 7 days: publishing needs a reason
    page.goto(f"/sammantraden?ar={day.year}")
    steps.plan_meeting(page, day.isoformat(), "Sammanträdesrum Oden")
    assert steps.agenda_titles(page) == STANDING
    page.mouse.move(0, 0)

    # open item 3's menu, pick it up with its "Flytta" button, arrow up twice, drop with Enter: the numbers follow
    tab_to(page, named("Åtgärder för punkt 3"), max_steps=250)
    page.keyboard.press("Enter")
    tab_to(page, named("Flytta punkt 3"), max_steps=1)
    page.keyboard.press("Enter")
    expect_status(page, "är upplyft")
    assert focused(page)["name"] == "Flytta punkt 3"
    page.keyboard.press("ArrowUp")
    assert steps.agenda(page)[1] == ("2", "Övriga frågor")
    page.keyboard.press("ArrowUp")
    assert steps.agenda(page)[0] == ("1", "Övriga frågor")
    page.keyboard.press("ArrowUp")  # already first
    expect_status(page, "är redan först")
    page.keyboard.press("Enter")
    expect_status(page, "”Övriga frågor” är nu punkt 1. Föredragningslistan är sparad.")
    assert focused(page)["name"] == "Flytta punkt 1"  # the focus stays on the moved item's button

    # pick up again, move down, cancel with Escape: back where it was, nothing saved
    page.keyboard.press("Space")
    expect_status(page, "är upplyft")
    page.keyboard.press("ArrowDown")
    assert steps.agenda(page)[1] == ("2", "Övriga frågor")
    page.keyboard.press("Escape")
    expect_status(page, "Flyttningen avbröts")
    assert steps.agenda(page)[0] == ("1", "Övriga frågor")
    # a second Escape closes the menu and leaves the focus on its button
    page.keyboard.press("Escape")
    assert focused(page)["name"] == "Åtgärder för punkt 1"

    # move the delegation report up one with Space and drop with Space
    tab_to(page, named("Åtgärder för punkt 4"))
    page.keyboard.press("Space")
    tab_to(page, named("Flytta punkt 4"), max_steps=1)
    page.keyboard.press("Space")
    expect_status(page, "är upplyft")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    expect_status(page, "är nu punkt 3. Föredragningslistan är sparad.")
    page.reload()
    assert steps.agenda_titles(page) == [STANDING[2], STANDING[0], STANDING[3], STANDING[1]]

    # the closing of the kallelse, typed into its fields
    page.mouse.move(0, 0)
    tab_to(page, named("Ort för kallelsen"), max_steps=150)
    page.keyboard.type("Huddinge")
    tab_to(page, named("Kallelsens datum"))
    type_date(page, local_today().isoformat())
    for label, value in (("Ordförande", "Gunnel Hedberg"), ("Sekreterare", "Sara Lindqvist")):
        tab_to(page, named(label))
        page.keyboard.type(value)
    tab_to(page, named("Spara uppgifterna"))
    press_and_load(page, "Enter")
    assert "sparade" in steps.flash_text(page)

    # publish after the deadline: the reason is required, tied to its field; then given
    tab_to(page, named("Publicera kallelsen"), max_steps=200)
    press_and_load(page, "Enter")
    check_page(page)
    reason = page.get_by_label("Skäl till sen publicering")
    assert reason.get_attribute("aria-invalid") == "true"
    tab_to(page, named("Skäl till sen publicering"), max_steps=200)
    page.keyboard.type("Sammanträdet flyttades fram med kort varsel.")
    tab_to(page, named("Publicera kallelsen"))
    press_and_load(page, "Enter")
    assert "publicerad som version 1" in steps.flash_text(page)
    check_page(page)
    assert "Sammanträdet flyttades fram med kort varsel." in steps.published_versions(page)
