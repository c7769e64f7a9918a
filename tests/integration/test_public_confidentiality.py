"""Nothing confidential reaches the public: every page, feed, API response and file an anonymous
visitor can reach, followed link by link from the start page, is searched for every confidential
title, name and document text of the demo (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from agenda.models import Meeting
from app.demo import data
from app.extensions import db
from app.registry.models import Case
from tests.canaries import CANARIES, complete, make_confidential, signed_case_with_canaries
from tests.factories import add_case_item, publish
from workflows.models import ReportAttachment

START = ["/", "/offentligt", "/api/v1/public/meetings", "/api/v1/public/anslagstavla"]
LINK = re.compile(r'(?:href|src)="([^"#]+)')
MAX_PAGES = 400


def secrets() -> dict[str, str]:
    """Every confidential text of the demo, with what it is."""
    found = {}
    for number, title, public_title, _registered in data.CONFIDENTIAL_CASES:
        found[title] = f"the title of {number}"
        found[number] = f"the number of confidential case {number}"
        # The names in the confidential titles (the words the public title does not have).
        for word in set(title.split()) - set(public_title.split()):
            if word[0].isupper():
                found[word] = f"a name in {number}"
    _number, attachment_title, attachment_text = data.CONFIDENTIAL_ATTACHMENT
    found[attachment_title] = "the confidential bilaga's title"
    found["Hemligsson"] = "the name in the confidential bilaga"
    found[attachment_text.split(".")[1].strip()] = "the confidential bilaga's text"
    for _day, _maker, _point, number, summary in data.DELEGATION_DECISIONS:
        if number is not None:
            found[summary] = f"a delegated decision on confidential case {number}"
    return found


def links(body: str, content_type: str, base: str) -> list[str]:
    if content_type.startswith("text/html"):
        return [urljoin(base, href.replace("&amp;", "&")) for href in LINK.findall(body)]
    if content_type.startswith(("application/json", "application/atom+xml", "text/calendar")):
        return [u for u in re.findall(r"https?://[^\s\"<>]+|(?<=\")/[^\s\"<>]*(?=\")", body)]
    return []


def crawl(client, wanted: dict[str, str]) -> set[str]:
    """Follow every public link from START, asserting that no wanted text is anywhere; return the paths reached."""
    queue, seen, visited = deque(START), set(START), []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        visited.append((url, response.status_code))
        if response.status_code in (301, 302, 303):
            target = urljoin(url, response.headers["Location"])
            if urlsplit(target).path.startswith("/logga-in"):
                continue
            queue.append(target)
            continue
        body = (
            response.get_data(as_text=True)
            if not response.mimetype.startswith(("application/pdf", "image/"))
            else response.get_data().decode("latin-1")
        )
        for text, what in wanted.items():
            assert text not in body, f"{what} ({text!r}) is on the public {url}"
        found = links(body, response.mimetype, url)
        if url == "/api/v1/public/meetings" and response.status_code == 200:
            found += [f"/api/v1/public/meetings/{m['id']}/kallelse" for m in json.loads(body)["items"]]
        for link in found:
            parts = urlsplit(link)
            if parts.netloc and parts.netloc != "localhost":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith(("/logga-in", "/static/")) or path in seen:
                continue
            seen.add(path)
            queue.append(path)
    return {u for u, status in visited if status == 200}


def test_nothing_confidential_on_any_public_page_feed_api_response_or_file(app, demo, client):
    wanted = secrets()
    assert len(wanted) >= 10
    # The demo does hold the confidential texts, so the search below can find them.
    with app.app_context():
        assert db.session.scalar(select(Case).where(Case.title == data.CONFIDENTIAL_CASES[0][1])) is not None
        assert db.session.scalar(select(ReportAttachment).where(ReportAttachment.is_confidential.is_(True)))
    reached = crawl(client, wanted)
    # The crawl did reach the published kallelse, its handlingar, a bilaga and both feeds.
    assert any(re.fullmatch(r"/offentligt/sammantraden/\d+", u) for u in reached), sorted(reached)
    assert any("/punkt/" in u for u in reached), sorted(reached)
    assert any("/bilaga/" in u for u in reached), sorted(reached)
    assert any(u.endswith(".ics") for u in reached) and any(u.endswith(".atom") for u in reached), sorted(reached)
    assert any(re.fullmatch(r"/api/v1/public/meetings/\d+/kallelse", u) for u in reached), sorted(reached)


def test_nothing_of_a_case_made_confidential_after_it_was_put_on_an_agenda_is_public(app, demo, client, meeting):
    """The canaries of a case published open in version 1, then marked confidential and renamed, and the
    kallelse corrected in version 2: neither version shows anything of it anywhere public."""
    case = signed_case_with_canaries()
    add_case_item(meeting, case)
    complete(meeting)
    publish(meeting)
    db.session.commit()
    make_confidential(case, rename=True)
    publish(db.session.get(Meeting, meeting.id))
    db.session.commit()
    wanted = {canary: "a canary of the late confidential case" for canary in CANARIES}
    wanted[case.number] = "the late confidential case's number"
    reached = crawl(client, wanted)
    assert f"/offentligt/sammantraden/{meeting.id}" in reached, sorted(reached)
    assert any(u.startswith(f"/offentligt/sammantraden/{meeting.id}?version=1") for u in reached), sorted(reached)
    assert f"/api/v1/public/meetings/{meeting.id}/kallelse" in reached


def test_nothing_confidential_on_the_anslagstavla(app, demo, client):
    """The demo meeting's protokoll, its three sekretessärenden among the paragraphs, justerat and announced: the
    anslagstavla, the announcement, its feed and the public API name them by their public titles only."""
    from tests.integration.test_justering import justera_demo_meeting

    announcement = justera_demo_meeting()
    reached = crawl(client, secrets())
    assert "/offentligt/anslagstavla" in reached and f"/offentligt/anslagstavla/{announcement.id}" in reached
    assert "/offentligt/anslagstavla.atom" in reached and "/api/v1/public/anslagstavla" in reached
    detail = client.get(f"/offentligt/anslagstavla/{announcement.id}").get_data(as_text=True)
    assert data.CONFIDENTIAL_CASES[0][2] in detail  # the public title stands in its place
