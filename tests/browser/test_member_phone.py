"""The politician reading on a phone (issue 17, item 6), at 390 × 844 px: the demo kallelse's 21 items read one after
the other with Nästa punkt and back with Föregående punkt, a PDF bilaga opened in the browser and saved with Ladda
ned, a note on an item, and "Nytt sedan ditt senaste besök" after a correction; every page axe-checked, the main ones
photographed, and laid out without overlaps and with whole diarienummer and dates at 390 and 1280 px.
"""

from __future__ import annotations

import random
import re

import pytest

from app.demo import data
from tests.browser import steps
from tests.browser.layout import broken, overlaps
from tests.browser.ui import DESKTOP, PHONE, check_page, download, follow, press_and_load

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: the containers whose boxes must stand apart: the list's rows, the item page's bilagor, notes and Föregående/Nästa
CONTAINERS = ".kallelse__items tr[id], .kallelse__news, .attachment-list, .personal-note, .item-nav"
#: diarienummer and dates that must stay whole
WHOLE = '.nowrap, .kallelse__items td[data-label="Diarienummer"]:not(:empty), .report-doc__meta dd'


def assert_laid_out(page, label: str, *, whole_at_least: int = 1) -> None:
    """At phone and desktop width: no box over another or out of its container, no number or date broken."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        where = f"{label} at {size['width']} px"
        problems = overlaps(page, CONTAINERS)
        assert not problems, f"{where}:\n" + "\n".join(problems)
        found = broken(page, WHOLE)
        assert found["count"] >= whole_at_least, f"{where}: {found['count']} diarienummer and dates found"
        assert not found["problems"], f"{where}:\n" + "\n".join(found["problems"])
    page.set_viewport_size(PHONE)


def published_with_a_pdf(app) -> dict:
    """A meeting of Socialnämnden of its own, months ahead, whose one case has a signed report with a PDF bilaga
    (and a confidential one), published as version 1 through the operations."""
    from agenda import operations as agenda_ops
    from app.extensions import db
    from tests.factories import create_case, person, plan_meeting, sign_notice, signed_report_with_bilagor

    def new_case(title: str, state=None, confidential: bool = False):
        return create_case(title, officer=person("handlaggare"), confidential=confidential)

    with app.app_context():
        case, _bilagor = signed_report_with_bilagor(new_case, steps.unique_title("Riktlinjer för färdtjänst"))
        meeting = plan_meeting("SN", days=random.randint(60, 330))
        agenda_ops.add_item(meeting, user=person("sekreterare"), kind="case", case=case)
        sign_notice(meeting)
        agenda_ops.publish(meeting, user=person("sekreterare"))
        db.session.commit()
        return {"meeting_id": meeting.id, "case_id": case.id, "title": case.title}


def correct_with_a_new_item(app, meeting_id: int) -> str:
    """The secretary publishes version 2 with an information item added first; return its title."""
    from agenda import operations as agenda_ops
    from agenda.models import Meeting
    from app.extensions import db
    from tests.factories import person

    title = steps.unique_title("Information om färdtjänstens nya avtal")
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        agenda_ops.add_item(meeting, user=person("sekreterare"), kind="information", title=title, position=1)
        agenda_ops.publish(meeting, user=person("sekreterare"))
        db.session.commit()
    return title


def test_member_reads_every_item_of_the_demo_kallelse_on_a_phone(new_page):
    page = new_page("ledamot")
    page.set_viewport_size(PHONE)
    page.goto("/sammantraden?ar=2017")
    follow(page.get_by_role("link", name="Version 1 av kallelsen 2017-02-23"))
    check_page(page, "kallelse-telefon", screenshot=True)
    kallelse_url = page.url
    # one compact block per item (a stacked table of labelled lines took twice as much)
    rows = page.locator(".kallelse__items tbody tr[id^=punkt-]")
    assert rows.count() == 21
    height = page.locator(".kallelse__items").bounding_box()["height"]
    assert height < 21 * 140, f"the list is {height:.0f} px high"
    assert "2 bilagor" in page.locator("#punkt-4").inner_text()
    assert_laid_out(page, "the members' kallelse", whole_at_least=16)

    # from the first item to the last with Nästa punkt, each page checked; none after the last
    follow(page.locator("#punkt-1").get_by_role("link"))
    seen = []
    while True:
        check_page(page)
        number = int(re.search(r"punkt (\d+)$", page.locator(".eyebrow").inner_text().strip()).group(1))
        seen.append((number, page.get_by_role("heading", level=1).inner_text()))
        nav = page.get_by_role("navigation", name="Föregående och nästa punkt")
        following = nav.locator("a[rel=next]")
        if number == 4:
            check_page(page, "kallelse-punkt-telefon", screenshot=True)
            assert_laid_out(page, "item 4", whole_at_least=2)
        if not following.count():
            break
        assert re.match(rf"Nästa punkt →\s+{number + 1}\. \S", following.inner_text()), following.inner_text()
        follow(following)
    assert [n for n, _title in seen] == list(range(1, 22))
    for (case_number, title, _public, _registered), number in zip(data.CONFIDENTIAL_CASES, (18, 19, 20)):
        assert seen[number - 1][1] == title, case_number

    # and back with Föregående punkt, by the keyboard: the link takes the focus and Enter follows it
    page.locator("a[rel=prev]").focus()
    press_and_load(page, "Enter")
    assert page.url.split("?")[0].endswith("/punkt/20")
    page.goto(kallelse_url.split("?")[0] + "/punkt/1?version=1")
    assert not page.locator("a[rel=prev]").count()  # none before the first
    assert page.locator("link[rel=next]").get_attribute("href").endswith("/punkt/2?version=1")


def test_member_opens_a_pdf_writes_an_item_note_and_sees_what_is_new(served_app, new_page):
    setup = published_with_a_pdf(served_app.app)
    base = f"/sammantraden/{setup['meeting_id']}/kallelse"
    page = new_page("ledamot")
    page.set_viewport_size(PHONE)
    page.goto(base)
    check_page(page)
    assert page.url.split("?")[0].endswith(base), page.url  # the members' kallelse, not the log-in page
    assert page.get_by_role("link", name=setup["title"]).count() == 1, page.locator("main").inner_text()
    assert not page.get_by_role("region", name="Nytt sedan ditt senaste besök").count()  # the first visit
    follow(page.get_by_role("link", name=setup["title"]))
    check_page(page, "kallelse-punkt-pdf-telefon", screenshot=True)
    item_url = page.url

    # the PDF bilaga: its type and size, opened in the browser (sent inline), saved with Ladda ned
    bilagor = page.locator("ul.attachment-list")
    entry = bilagor.locator("li").filter(has_text="Verksamhetsberättelse 2016")
    assert re.search(r"\(PDF, \d+(,\d)? (byte|kB)\)", entry.inner_text()), entry.inner_text()
    link = entry.get_by_role("link", name="Bilaga 1 Verksamhetsberättelse 2016", exact=True)
    assert link.get_attribute("download") is None
    with page.expect_response(lambda r: "/kallelse/bilaga/" in r.url) as opened:
        link.click()
    response = opened.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert "/kallelse/bilaga/" in page.url  # the browser shows it (its PDF viewer), nothing was downloaded
    shown = page.request.get(response.url).body()
    assert shown.startswith(b"%PDF")
    page.goto(item_url)
    saved = download(page, entry.get_by_role("link", name="Ladda ned bilaga 1 Verksamhetsberättelse 2016"))
    assert saved == shown

    # a note on the item as a whole, kept after a reload, its field on the phone's width
    notes = page.get_by_role("region", name="Mina anteckningar")
    note = "Fråga om kostnaden per resa och om avtalets längd."
    notes.get_by_label("Min anteckning om punkten").fill(note)
    follow(notes.get_by_role("button", name="Spara anteckningen om punkten"))
    assert steps.flash_text(page) == "Anteckningen är sparad. Den syns bara för dig."
    page.reload()
    assert page.get_by_label("Min anteckning om punkten").input_value() == note
    check_page(page, "kallelse-punkt-anteckning-telefon", screenshot=True)
    assert_laid_out(page, "the item with its note")

    # the secretary corrects the kallelse: the member sees what is new since the version they read
    added = correct_with_a_new_item(served_app.app, setup["meeting_id"])
    page.goto(base)
    check_page(page, "kallelse-nytt-sedan-besok", screenshot=True)
    news = page.get_by_role("region", name="Nytt sedan ditt senaste besök")
    assert "Du läste senast version 1." in news.inner_text()
    assert news.get_by_role("listitem").count() == 1 and added in news.inner_text()
    assert page.locator("#punkt-1 .badge--news").inner_text().startswith("Ny")
    assert_laid_out(page, "the corrected kallelse")
    news.get_by_role("link", name="Punkt 1", exact=True).click()
    page.wait_for_url(re.compile(r"#punkt-1$"))
    # the note kept its item, now under another number
    follow(page.get_by_role("link", name=setup["title"]))
    assert page.get_by_label("Min anteckning om punkten").input_value() == note

    # nobody else reads the note
    other = new_page("ordforande")
    other.goto(page.url)
    check_page(other)
    assert note not in other.content()
