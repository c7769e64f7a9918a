"""The politician's (ledamot's) journey: the start page with the next meeting → Sammanträden → the published kallelse of
2017-02-23 (the members' version) → an item's handlingar (the signed tjänsteutlåtande) → a bilaga
downloaded and read back → the sekretessärenden, the confidential bilaga and the delegated decision in a
confidential case, all readable: the members decide on them, so their version has all handlingar (DOMAIN.md);
a case officer who is not the officer of those cases reads the same pages with them withheld. The
member's personal note on a handling, seen by no one else. And the members' package, made by the worker,
downloaded for reading offline and read back.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from app.clock import local_today
from app.demo import data
from app.swedish_dates import MONTHS
from tests.browser import steps
from tests.browser.ui import check_page, download, follow, pdf_outline, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WITHHELD = "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet."
VERKSAMHETSBERATTELSE = "Verksamhetsberättelse 2016 för socialnämnden"


def shown_date(text: str) -> date:
    """The date in a text like "Torsdag den 3 december 2026, klockan 18:00"."""
    match = re.search(r"den (\d{1,2}) (\w+) (\d{4})", text)
    assert match, text
    return date(int(match.group(3)), MONTHS.index(match.group(2)) + 1, int(match.group(1)))


def test_member_reads_the_kallelse_its_handlingar_and_a_bilaga(new_page):
    page = new_page("ledamot")
    check_page(page, "start-ledamot-nasta", screenshot=True)

    # the start page shows the committee's next meeting: the demo's planned one, 24 days ahead, or
    # one a secretary's test in this session has planned sooner
    card = page.get_by_role("region", name="Nästa sammanträde").locator("li.card").filter(has_text="Socialnämnden")
    assert card.count() == 1
    days, _hour, _place = data.NEXT_MEETING
    assert local_today() <= shown_date(card.inner_text()) <= local_today() + timedelta(days=days)
    assert (
        "Kallelsen är inte publicerad ännu." in card.inner_text()
        or card.get_by_role("link", name="Läs kallelsen med handlingar").count() == 1
    )
    assert not card.get_by_role("link", name="Föredragningslistan").count()  # that is the secretary's

    # Sammanträden: this year's plan shows the committee's next meeting, planned, not yet published
    steps.main_menu(page, "Sammanträden")
    check_page(page, "sammantraden-ledamot")
    assert page.get_by_role("heading", name="Socialnämnden", level=2).is_visible()
    assert not page.get_by_role("region", name="Planera sammanträde").count()  # members do not plan
    # the kallelse of 2017 is in the plan of 2017 (the year links go one year at a time)
    page.goto("/sammantraden?ar=2017")
    check_page(page)
    follow(page.get_by_role("link", name="Version 1 av kallelsen 2017-02-23"))

    # the members' version: every item in its place, the sekretessärenden with their real titles and
    # diarienummer, the delegated decision in a confidential case as it is
    check_page(page, "kallelse-ledamot", screenshot=True)
    kallelse_url = page.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kallelse")
    table = page.get_by_role("table", name="Föredragningslistans punkter med diarienummer")
    rows = table.locator("tbody tr[id^=punkt-]")
    assert rows.count() == len(data.AGENDA) == 21
    assert [r.locator("td.agenda-number").inner_text().strip() for r in rows.all()] == [str(n) for n in range(1, 22)]
    assert "Sekretessärenden" in table.locator("tr.agenda-section").inner_text()
    for number, (case_number, title, _public_title, _registered) in zip((18, 19, 20), data.CONFIDENTIAL_CASES):
        row = page.locator(f"#punkt-{number}")
        assert row.get_attribute("data-kind") == "confidential_case"
        assert title in row.inner_text() and case_number in row.inner_text()
        assert WITHHELD not in row.inner_text()
    decision_case, decision_summary = next(
        (case, summary)
        for *_rest, case, summary in data.DELEGATION_DECISIONS
        if case in {number for number, *_ in data.CONFIDENTIAL_CASES}
    )
    decisions = page.locator("#punkt-21")
    assert decision_summary in decisions.inner_text() and decision_case in decisions.inner_text()
    assert "Gunnel Hedberg" in page.locator(".kallelse__closing").inner_text()

    # a confidential item's own page: its real title and diarienummer, nothing held back
    case_number, title, _public_title, _registered = data.CONFIDENTIAL_CASES[0]
    page.goto(page.url.split("?")[0] + "/punkt/18?version=1")
    check_page(page)
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert case_number in page.locator("main").inner_text()
    assert WITHHELD not in page.locator("main").inner_text()
    page.go_back()

    # item 4: its handlingar, the signed tjänsteutlåtande with its proposals and signatories
    item_title = page.locator("#punkt-4").get_by_role("link").inner_text()
    assert item_title.casefold() == VERKSAMHETSBERATTELSE.casefold()
    follow(page.locator("#punkt-4").get_by_role("link", name=item_title))
    check_page(page, "kallelse-ledamot-punkt", screenshot=True)
    item_url = page.url.split("#")[0]
    assert page.get_by_role("heading", level=1).inner_text() == item_title
    assert "SN-2016/3342.181" in page.locator("main").inner_text()
    report = page.get_by_role("article", name="Tjänsteutlåtandet")
    assert report.get_by_role("heading", name="Förslag till beslut").is_visible()
    assert report.locator("ol.proposals li").count() >= 1
    assert "Eva Strand" in report.get_by_role("list", name="Undertecknare").inner_text()

    # the bilagor, downloaded: the demo's texts, byte for byte, the confidential one too
    bilagor = page.locator("ul.attachment-list")
    link = bilagor.get_by_role("link", name=re.compile(r"^Bilaga \d+ " + VERKSAMHETSBERATTELSE))
    with page.expect_download() as download:
        link.click()
    expected = data.ATTACHMENT_TEXT.format(title=VERKSAMHETSBERATTELSE, number="SN-2016/3342.181")
    assert download.value.path().read_text(encoding="utf-8") == expected
    _case, secret_title, secret_text = data.CONFIDENTIAL_ATTACHMENT
    assert "Delas ut vid sammanträdet." not in bilagor.inner_text()
    assert bilagor.get_by_role("link").count() == 2
    secret_link = bilagor.get_by_role("link", name=re.compile(r"^Bilaga \d+ " + re.escape(secret_title)))
    assert "Sekretess" in bilagor.locator("li").filter(has_text=secret_title).inner_text()
    with page.expect_download() as download:
        secret_link.click()
    assert download.value.path().read_text(encoding="utf-8") == secret_text

    # back to the kallelse at the item
    follow(page.get_by_role("link", name="Tillbaka till kallelsen"))
    assert page.url.endswith("#punkt-4")

    # a case officer of the committee who is not the officer of the confidential cases (controller; they are
    # handlaggare's) reads them by their public title only, their handlingar handed out at the meeting
    staff = new_page("controller")
    staff.goto(kallelse_url)
    check_page(staff)
    for number, (case_number, title, public_title, _registered) in zip((18, 19, 20), data.CONFIDENTIAL_CASES):
        row = staff.locator(f"#punkt-{number}")
        assert public_title in row.inner_text() and WITHHELD in row.inner_text()
        assert not row.get_by_role("link").count()
        assert case_number not in staff.content() and title not in staff.content()
    assert decision_summary not in staff.content()
    staff.goto(kallelse_url.split("?")[0] + "/punkt/18?version=1")
    check_page(staff)
    assert staff.get_by_role("heading", level=1).inner_text() == data.CONFIDENTIAL_CASES[0][2]
    assert WITHHELD in staff.locator("main").inner_text()
    # a case officer who is not the officer of item 4's case (handlaggare; it is controller's): its
    # confidential bilaga is held back
    staff = new_page("handlaggare")
    staff.goto(item_url)
    check_page(staff)
    bilagor = staff.locator("ul.attachment-list")
    assert "Delas ut vid sammanträdet." in bilagor.inner_text()
    assert secret_title not in staff.content() and "Hemligsson" not in staff.content()
    assert bilagor.get_by_role("link").count() == 1
    notes = staff.get_by_role("region", name="Mina anteckningar")  # no note on what they may not read
    assert [h.strip() for h in notes.get_by_role("heading", level=3).all_inner_texts()] == [
        "Punkten som helhet",
        "Tjänsteutlåtande",
        f"Bilaga 1 {VERKSAMHETSBERATTELSE}",
    ]


def test_member_writes_a_personal_note_that_only_they_see(new_page):
    marker = uuid.uuid4().hex[:8]  # in no page of its own
    note = f"Fråga om underskottet <b>{marker}</b> & prognosen för 2017."
    page = new_page("ledamot")
    page.goto("/sammantraden?ar=2017")
    follow(page.get_by_role("link", name="Version 1 av kallelsen 2017-02-23"))
    kallelse_url = page.url
    follow(page.locator("#punkt-4").get_by_role("link"))
    item_url = page.url.split("#")[0]

    # on the item and next to each handling the member reads: the tjänsteutlåtande and both bilagor, the
    # confidential one too
    notes = page.get_by_role("region", name="Mina anteckningar")
    assert "bara du ser dem" in notes.inner_text()
    assert [h.strip() for h in notes.get_by_role("heading", level=3).all_inner_texts()] == [
        "Punkten som helhet",
        "Tjänsteutlåtande",
        f"Bilaga 1 {VERKSAMHETSBERATTELSE}",
        f"Bilaga 2 {data.CONFIDENTIAL_ATTACHMENT[1]}",
    ]
    report = notes.get_by_role("region", name="Tjänsteutlåtande")
    field = report.get_by_label("Min anteckning om tjänsteutlåtandet")
    assert field.input_value() == ""

    # saving it empty is refused; the message is tied to the field
    follow(report.get_by_role("button", name="Spara anteckningen om tjänsteutlåtandet"))
    check_page(page, "anteckning-tom", screenshot=True)
    field = page.get_by_label("Min anteckning om tjänsteutlåtandet")
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator(f"#{field.get_attribute('id')}-error")
    assert error.inner_text() == "Anteckningen är tom. Skriv en text för att spara den."
    assert error.get_attribute("id") in field.get_attribute("aria-describedby")
    assert "Anteckningen sparades inte" in page.get_by_role("alert").inner_text()

    # written and saved; after a reload it is still there, as typed (not as markup)
    field.fill(note + "\nAndra raden.")
    follow(page.get_by_role("button", name="Spara anteckningen om tjänsteutlåtandet"))
    assert steps.flash_text(page) == "Anteckningen är sparad. Den syns bara för dig."
    assert page.url.endswith("#anteckning-utlatande-1")
    page.reload()
    field = page.get_by_label("Min anteckning om tjänsteutlåtandet")
    assert field.input_value() == note + "\nAndra raden."
    assert "Senast sparad" in page.get_by_role("region", name="Tjänsteutlåtande").inner_text()
    check_page(page, "anteckning-sparad", screenshot=True)

    # the kallelse lists the member's notes on the meeting, with a link to the handling
    page.goto(kallelse_url)
    mine = page.get_by_role("region", name="Mina anteckningar")
    assert note in mine.inner_text() and "Andra raden." in mine.inner_text()
    assert marker in page.content() and page.locator("b", has_text=marker).count() == 0  # as text, not markup
    check_page(page, "kallelse-mina-anteckningar", screenshot=True)
    follow(mine.get_by_role("link", name="Punkt 4: Tjänsteutlåtande"))
    assert page.url.startswith(item_url) and page.url.endswith("#anteckning-utlatande-1")

    # another member reads the same pages without it
    other = new_page("ordforande")
    for url in (item_url, kallelse_url):
        other.goto(url)
        check_page(other)
        assert marker not in other.content()
    other.goto(item_url)
    assert other.get_by_label("Min anteckning om tjänsteutlåtandet").input_value() == ""
    assert not other.get_by_role("button", name="Ta bort anteckningen om tjänsteutlåtandet").count()

    # the public pages of the kallelse do not have it, nor any note form
    public = new_page()
    public.goto("/offentligt")
    for url in (kallelse_url, item_url):
        public.goto(
            url.replace("/sammantraden/", "/offentligt/sammantraden/")
            .replace("/kallelse/punkt/", "/punkt/")
            .replace("/kallelse", "")
        )
        check_page(public)
        assert marker not in public.content() and "Mina anteckningar" not in public.content()

    # the writer deletes it
    follow(page.get_by_role("button", name="Ta bort anteckningen om tjänsteutlåtandet"))
    assert steps.flash_text(page) == "Anteckningen är borttagen."
    assert page.get_by_label("Min anteckning om tjänsteutlåtandet").input_value() == ""


def test_member_takes_the_package_for_reading_offline(new_page, render_worker):
    """The secretary makes the demo kallelse's files; the member downloads the members' package and reads it:
    the kallelse, the contents, every item with its handlingar, the sekretessärenden included."""
    secretary = new_page("sekreterare")
    secretary.goto("/sammantraden?ar=2017")
    follow(secretary.get_by_role("link", name=re.compile(r"^2017-02-23")).first)
    follow(secretary.get_by_role("region", name="Handlingar").get_by_role("button", name="Skapa handlingar"))
    steps.wait_for_job(secretary)

    page = new_page("ledamot")
    page.goto("/sammantraden?ar=2017")
    follow(page.get_by_role("link", name="Version 1 av kallelsen 2017-02-23"))
    files = page.get_by_role("region", name="Kallelsen och handlingarna som filer")
    assert "offentliga versionen" not in files.inner_text()  # the member gets the members' files
    check_page(page, "kallelse-ledamot-filer", screenshot=True)
    package = download(page, files.get_by_role("link", name="Ladda ned Mötespaket med alla handlingar (PDF)"))
    outline = pdf_outline(package)
    top = [title for depth, title in outline if depth == 0]
    assert top[:2] == ["Kallelse", "Innehåll"], outline
    item = "4 Verksamhetsberättelse 2016 för Socialnämnden – SN-2016/3342.181"
    assert item in top, outline
    start = outline.index((0, item)) + 1
    end = next(n for n in range(start, len(outline) + 1) if n == len(outline) or outline[n][0] == 0)
    handlingar = [title for depth, title in outline[start:end] if depth == 1]
    assert handlingar == [
        "Tjänsteutlåtande",
        f"Bilaga 1 {VERKSAMHETSBERATTELSE}",
        f"Bilaga 2 {data.CONFIDENTIAL_ATTACHMENT[1]}",
    ], outline
    assert (2, "Förslag till beslut") in outline[start:end]  # the report's own headings beneath it
    text = pdf_text(package)
    for case_number, title, _public, _registered in data.CONFIDENTIAL_CASES:
        assert case_number in text and " ".join(title.split()) in text, title
    assert "Utredningen om Kalle Hemligsson och hans behov av stöd." in text  # the confidential bilaga itself
    assert re.search(r"Sida 1 \(\d+\)", text)
