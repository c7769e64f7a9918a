"""The public's journey, without logging in: the start page → "Sammanträden och kallelser" → the
committees' meetings → the public kallelse of 2017-02-23 → an item's public handlingar → a bilaga
downloaded and read back; the sekretessärenden (items 18–20) only by their public title.

Then every public page, file and feed reachable from the public index is visited and searched for
the demo's confidential titles, names, diarienummer and documents: none may appear. The iCalendar
and Atom links answer with their content types.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit
from xml.etree import ElementTree as ET

import pytest

from app.demo import data
from tests.browser.ui import check_page, follow

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VERKSAMHETSBERATTELSE = "Verksamhetsberättelse 2016 för socialnämnden"


def secrets() -> list[str]:
    """What must never be public: the confidential cases' titles, numbers and the names in them (the
    words their public titles leave out), and the confidential bilaga's title, names and text."""
    found = []
    for number, title, public_title, _registered in data.CONFIDENTIAL_CASES:
        found += [number, title]
        found += [w for w in title.split() if w[:1].isupper() and w not in public_title.split()]
    _case, title, text = data.CONFIDENTIAL_ATTACHMENT
    found += [title, text.strip(), "Hemligsson"]
    return sorted(set(found))


def assert_nothing_secret(where: str, text: str) -> None:
    """The public diarium shows a confidential case's number by law (OSL 5 kap. 2 §), nothing else of it."""
    numbers = (
        {number for number, _title, _public, _day in data.CONFIDENTIAL_CASES}
        if "/offentligt/diarium" in where
        else set()
    )
    leaked = [s for s in secrets() if s not in numbers and s.casefold() in text.casefold()]
    assert not leaked, f"{where} shows confidential text: {leaked}"


def test_public_reads_the_kallelse_and_a_bilaga(page):
    page.goto("/")
    check_page(page)
    follow(page.get_by_role("link", name="Sammanträden och kallelser"))
    check_page(page, "offentligt-sammantraden", screenshot=True)
    section = page.get_by_role("region", name="Socialnämnden")
    follow(section.get_by_role("link", name="Kallelse 2017-02-23"))

    # the public kallelse: 21 items in order; 18–20 by their public title, without diarienummer or link
    check_page(page, "offentlig-kallelse", screenshot=True)
    table = page.get_by_role("table", name="Föredragningslistans punkter med diarienummer")
    rows = table.locator("tbody tr[id^=punkt-]")
    assert [r.locator("td.agenda-number").inner_text().strip() for r in rows.all()] == [str(n) for n in range(1, 22)]
    for number, (_case_number, _title, public_title, _registered) in zip((18, 19, 20), data.CONFIDENTIAL_CASES):
        row = page.locator(f"#punkt-{number}")
        assert row.locator("td").nth(1).inner_text().startswith(public_title)
        assert not row.get_by_role("link").count()
        assert row.locator("td").nth(2).inner_text().strip() == ""
    assert_nothing_secret(page.url, page.content())
    meeting_url = re.sub(r"[?#].*$", "", page.url)
    assert page.request.get(meeting_url + "/punkt/18").status == 404  # no public page for a sekretessärende

    # item 4: its public handlingar, the signed tjänsteutlåtande and the bilaga read back
    link = page.locator("#punkt-4").get_by_role("link")
    assert link.inner_text().casefold() == VERKSAMHETSBERATTELSE.casefold()
    follow(link)
    check_page(page, "offentlig-punkt", screenshot=True)
    assert page.get_by_role("article", name="Tjänsteutlåtandet").get_by_role("heading", name="Förslag till beslut")
    with page.expect_download() as download:
        page.locator("ul.attachment-list").get_by_role("link", name=re.compile(VERKSAMHETSBERATTELSE)).click()
    expected = data.ATTACHMENT_TEXT.format(title=VERKSAMHETSBERATTELSE, number="SN-2016/3342.181")
    assert download.value.path().read_text(encoding="utf-8") == expected
    assert_nothing_secret(page.url, page.content())


def test_nothing_confidential_on_any_public_page_file_or_feed(page):
    """Visit everything the public index links to, under /offentligt, breadth first."""
    page.goto("/offentligt")
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    queue, seen, pages, files = [page.url], set(), 0, {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.request.get(url)
        assert response.status == 200, f"{url}: {response.status}"
        kind = response.headers["content-type"].split(";")[0]
        if kind != "text/html":
            files[url] = kind
            assert_nothing_secret(url, response.body().decode("utf-8", "replace"))
            continue
        page.goto(url)
        check_page(page)
        pages += 1
        assert_nothing_secret(url, page.content())
        links = page.locator("main a[href]").evaluate_all("links => links.map(a => a.href)")
        for row in page.locator("tr[id^=punkt-][data-kind]").all():  # every item, linked or not
            item = re.sub(r"[?#].*$", "", url) + "/punkt/" + row.get_attribute("id").removeprefix("punkt-")
            if row.get_attribute("data-kind") == "confidential_case":
                assert page.request.get(item).status == 404, item
            else:
                links.append(item)
        for href in links:
            href = urldefrag(href)[0]
            if href.startswith(origin + "/offentligt") and href not in seen:
                queue.append(href)
    assert pages >= 8, f"only {pages} public pages found: {sorted(seen)}"
    print(f"{pages} public pages and {len(files)} files or feeds searched")
    assert any("/bilaga/" in url for url in files), files

    # the feeds: each link answers with its content type, and holds the published kallelse
    calendars = [u for u, kind in files.items() if u.endswith("kalender.ics")]
    feeds = [u for u, kind in files.items() if u.endswith("kallelser.atom")]
    assert calendars and feeds, files
    for url in calendars:
        assert files[url] == "text/calendar"
    for url in feeds:
        assert files[url] == "application/atom+xml"
    sn = next(u for u in calendars if "/SN/" in u)
    text = page.request.get(sn).text()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "DTSTART:20170223T170000Z" in text
    atom = ET.fromstring(page.request.get(sn.replace("kalender.ics", "kallelser.atom")).body())
    titles = [e.text for e in atom.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("2017-02-23" in t for t in titles), titles


def test_public_searches_the_diarium(page):
    """The public diarium from the start page: a search for a confidential case's number finds it masked."""
    page.goto("/")
    follow(page.get_by_role("link", name="Offentlig diarieförteckning"))
    check_page(page, "offentlig-diarieforteckning", screenshot=True)
    number, title, _public, _day = data.CONFIDENTIAL_CASES[0]
    page.get_by_label("Sökord").fill(number)
    follow(page.get_by_role("button", name="Sök"))
    check_page(page)
    row = page.get_by_role("table", name="Ärenden, de senast registrerade först").locator("tbody tr")
    assert row.count() == 1 and "Sekretessmarkerat ärende" in row.inner_text() and title not in page.content()
    follow(row.get_by_role("link", name=number))
    check_page(page, "offentligt-diariearende")
    assert "Sekretessmarkerad handling" in page.content()
    assert_nothing_secret(page.url, page.content())


def test_the_accessibility_statement_is_one_link_away_from_the_start_page(page):
    page.goto("/")
    follow(page.get_by_role("link", name="Tillgänglighetsredogörelse"))
    check_page(page, "tillganglighet", screenshot=True)
    assert page.get_by_role("heading", level=1).inner_text() == "Tillgänglighetsredogörelse"
    assert page.get_by_role("link", name="anmäla det till Digg").count() == 1
