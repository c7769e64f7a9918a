"""Reading a published kallelse on a phone (issue 17, item 6): Föregående and Nästa punkt on every item page of
the members' and the public version, the items counted with their bilagor, bilagor described as "PDF, 1,2 MB",
a PDF opened in the browser with "Ladda ned" beside it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from agenda import operations as agenda_ops
from agenda.models import Meeting
from app.demo import data
from tests.factories import body_of, demo_meeting, fresh, page, sign_notice, signed_report_with_bilagor


def nav_links(html: str) -> dict[str, tuple[str, str]]:
    """The item page's Föregående and Nästa punkt: rel → (href, text)."""
    nav = re.search(r'<nav class="item-nav"[^>]*>(.*?)</nav>', html, re.S)
    if nav is None:
        return {}
    found = {}
    for rel, href, inner in re.findall(r'<a [^>]*rel="(prev|next)" href="([^"]+)">(.*?)</a>', nav.group(1), re.S):
        found[rel] = (href.replace("&amp;", "&"), " ".join(re.sub(r"<[^>]+>", " ", inner).split()))
    return found


def head_links(html: str) -> dict[str, str]:
    head = html[: html.index("</head>")]
    return {
        rel: href.replace("&amp;", "&") for rel, href in re.findall(r'<link rel="(prev|next)" href="([^"]+)">', head)
    }


def test_members_item_pages_link_the_item_before_and_after(login_as, demo):
    meeting = demo_meeting()
    base = f"/sammantraden/{meeting.id}/kallelse/punkt"
    member = login_as("ledamot")
    titles = {}
    for number in range(1, 22):
        html = page(member, f"{base}/{number}?version=1")
        titles[number] = re.search(r"<h1>(.*?)(?:<span|</h1>)", html, re.S).group(1).strip()
        links = nav_links(html)
        assert set(links) == ({"next"} if number == 1 else {"prev"} if number == 21 else {"prev", "next"}), number
        assert head_links(html) == {rel: href for rel, (href, _text) in links.items()}
        if "prev" in links:
            assert links["prev"][0] == f"{base}/{number - 1}?version=1"
        if "next" in links:
            assert links["next"][0] == f"{base}/{number + 1}?version=1"
    # each link says where it goes: its direction, the item's number and title
    links = nav_links(page(member, f"{base}/4?version=1"))
    assert links["prev"][1] == f"← Föregående punkt 3. {titles[3]}"
    assert links["next"][1] == f"Nästa punkt → 5. {titles[5]}"
    # the sekretessärenden are the member's to read, in their place in the sequence
    assert nav_links(page(member, f"{base}/18?version=1"))["prev"][0] == f"{base}/17?version=1"


def test_a_reader_without_the_right_skips_the_withheld_items(login_as, demo):
    """A case officer who may not read the confidential cases (18–20) goes from 17 to 21 and back."""
    meeting = demo_meeting()
    base = f"/sammantraden/{meeting.id}/kallelse/punkt"
    staff = login_as("controller")
    assert nav_links(page(staff, f"{base}/17"))["next"][0] == f"{base}/21?version=1"
    assert nav_links(page(staff, f"{base}/21"))["prev"][0] == f"{base}/17?version=1"
    withheld = page(staff, f"{base}/19")
    assert [href for href, _ in nav_links(withheld).values()] == [f"{base}/17?version=1", f"{base}/21?version=1"]
    for _number, title, _public, _registered in data.CONFIDENTIAL_CASES:
        assert title not in page(staff, f"{base}/17") and title not in withheld


def test_public_item_pages_skip_the_confidential_items(client, demo):
    meeting = demo_meeting()
    base = f"/offentligt/sammantraden/{meeting.id}/punkt"
    first = body_of(client.get(f"{base}/1"))
    assert set(nav_links(first)) == {"next"} and nav_links(first)["next"][0] == f"{base}/2?version=1"
    before = body_of(client.get(f"{base}/17"))
    assert nav_links(before)["next"][0] == f"{base}/21?version=1"
    last = body_of(client.get(f"{base}/21"))
    assert set(nav_links(last)) == {"prev"} and nav_links(last)["prev"][0] == f"{base}/17?version=1"
    for html in (before, last):
        for case_number, title, _public_title, _registered in data.CONFIDENTIAL_CASES:
            assert title not in html and case_number not in html


def test_the_kallelse_links_every_item_it_may_and_counts_its_bilagor(login_as, client, demo):
    meeting = demo_meeting()
    member = page(login_as("ledamot"), f"/sammantraden/{meeting.id}/kallelse")
    row = member[member.index('id="punkt-4"') : member.index('id="punkt-5"')]
    assert '<span class="kallelse__count nowrap">2 bilagor</span>' in row
    for number in range(1, 22):  # every item has its page, the sekretessärenden too
        assert f'href="/sammantraden/{meeting.id}/kallelse/punkt/{number}?version=1"' in member, number
    public = body_of(client.get(f"/offentligt/sammantraden/{meeting.id}"))
    row = public[public.index('id="punkt-4"') : public.index('id="punkt-5"')]
    assert '<span class="kallelse__count nowrap">1 bilaga</span>' in row  # the confidential bilaga is not public
    for number in (*range(1, 18), 21):
        assert f'href="/offentligt/sammantraden/{meeting.id}/punkt/{number}?version=1"' in public, number
    for number in (18, 19, 20):
        assert f"/punkt/{number}?" not in public


def test_a_pdf_bilaga_opens_in_the_browser_with_ladda_ned_beside_it(login_as, client, meeting, new_case, secretary):
    case, (public_id, secret_id) = signed_report_with_bilagor(new_case, "Uppföljning av hemtjänsten 2026")
    item = agenda_ops.add_item(meeting, user=secretary, kind="case", case=case)
    sign_notice(meeting, user=secretary)
    agenda_ops.publish(meeting, user=secretary)
    fresh_meeting = fresh().get(Meeting, meeting.id)
    number = next(i.position for i in fresh_meeting.items if i.id == item.id)
    member = login_as("ledamot")
    html = page(member, f"/sammantraden/{meeting.id}/kallelse/punkt/{number}")
    bilagor = html[html.index('<ul class="attachment-list">') :]
    bilagor = bilagor[: bilagor.index("</ul>")]
    url = f"/sammantraden/{meeting.id}/kallelse/bilaga/{public_id}?version=1"
    # the title opens it (no download attribute), "Ladda ned" saves it; its type and size in Swedish
    assert f'<a href="{url}">Bilaga 1 Verksamhetsberättelse 2016</a>' in bilagor
    assert f'href="{url}&amp;nedladdning=1" download>Ladda ned' in bilagor
    assert re.search(r"\(PDF, \d+(,\d)? (byte|kB)\)", bilagor), bilagor
    assert "application/pdf" not in html
    # the bilagor stand before the tjänsteutlåtande's text
    assert html.index('id="bilagor"') < html.index('id="utlatande"')
    opened = member.get(url)
    assert opened.status_code == 200 and opened.mimetype == "application/pdf"
    assert opened.headers["Content-Disposition"].startswith("inline")
    saved = member.get(url + "&nedladdning=1")
    assert saved.status_code == 200 and saved.headers["Content-Disposition"].startswith("attachment")
    assert saved.data == opened.data
    # the public version: the same, without the confidential bilaga
    public_url = f"/offentligt/sammantraden/{meeting.id}/bilaga/{public_id}?version=1"
    public_html = body_of(client.get(f"/offentligt/sammantraden/{meeting.id}/punkt/{number}"))
    assert f'<a href="{public_url}">Bilaga 1' in public_html and f"{public_url}&amp;nedladdning=1" in public_html
    assert f"/bilaga/{secret_id}" not in public_html
    assert client.get(public_url).headers["Content-Disposition"].startswith("inline")
    assert client.get(public_url + "&nedladdning=1").headers["Content-Disposition"].startswith("attachment")


def test_a_text_bilaga_is_downloaded_and_described(login_as, demo):
    meeting = demo_meeting()
    member = login_as("ledamot")
    html = page(member, f"/sammantraden/{meeting.id}/kallelse/punkt/4")
    bilagor = html[html.index('<ul class="attachment-list">') :]
    bilagor = bilagor[: bilagor.index("</ul>")]
    assert "Ladda ned" not in bilagor  # the browser saves a text file anyway: one link
    assert bilagor.count(" download>Bilaga ") == 2
    assert re.findall(r"\((Text, \d+ byte)\)", bilagor) and "text/plain" not in html
