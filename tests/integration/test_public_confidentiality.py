"""Nothing confidential reaches the public: every page, feed, API response and file an anonymous
visitor can reach, followed link by link from the start page, is searched for every confidential
title, name and document text of the demo (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections import deque
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from sqlalchemy import select

from agenda.minutes.adjustment_models import AdjustmentKind, Announcement
from agenda.models import Meeting
from app.clock import LOCAL_TZ
from app.demo import data
from app.extensions import db
from app.registry.models import Case
from tasks.models import Job, JobState
from tests.canaries import CANARIES, complete, make_confidential, signed_case_with_canaries
from tests.factories import add_case_item, publish
from tests.rendering import pdf_checks
from tests.rendering.conftest import converter  # noqa: F401 - fixture
from workflows.models import ReportAttachment

START = ["/", "/offentligt", "/api/v1/public/meetings", "/api/v1/public/anslagstavla", "/oparl/v1/system"]
LINK = re.compile(r'(?:href|src)="([^"#]+)')
#: the public diarium shows a confidential case's number (and dates) by law, OSL 5 kap. 2 §: only there may the
#: numbers among the wanted texts be found
REGISTER = "/offentligt/diarium"
MAX_PAGES = 800


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
    # its sentence after the secrecy provision (the provision itself is public: every confidential § shows it)
    found[attachment_text.split("OSL.")[1].split(".")[0].strip()] = "the confidential bilaga's text"
    for _day, _maker, _point, number, summary in data.DELEGATION_DECISIONS:
        if number is not None:
            found[summary] = f"a delegated decision on confidential case {number}"
    return found


def pdf_text(pdf: bytes) -> str:
    """A PDF's text as a reader extracts it, its lines joined (a title may be broken over two)."""
    return " ".join(pdf_checks.text(pdf_checks.reader(pdf)).split())


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
        if response.mimetype == "application/pdf" and response.status_code == 200:
            body += "\n" + pdf_text(response.get_data())  # its text read back, the streams being compressed
        in_register = urlsplit(url).path.startswith(REGISTER)
        for text, what in wanted.items():
            if in_register and "number" in what:
                continue
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
    # the public diarium: its cases and documents, and the page of each case, the confidential ones among them
    assert {"/offentligt/diarium?visa=arenden", "/offentligt/diarium?visa=handlingar"} <= reached, sorted(reached)
    secret_ids = db.session.scalars(select(Case.id).where(Case.is_confidential.is_(True))).all()
    assert {f"/offentligt/diarium/{i}" for i in secret_ids} <= reached, sorted(reached)
    # open data: every list and the objects it names, the withdrawn (confidential) cases among them
    assert {f"/oparl/v1/paper/{i}" for i in secret_ids} <= reached, sorted(reached)
    assert {"/oparl/v1/body/1/meeting", "/oparl/v1/body/1/file"} <= reached, sorted(reached)


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
    assert f"/offentligt/diarium/{case.id}" in reached, sorted(reached)  # by its number only


def test_nothing_confidential_on_the_anslagstavla(app, demo, client):
    """The demo meeting's protokoll (app.demo.minutes), its three sekretessärenden among the paragraphs, justerat in
    2017: its anslag in the anslagstavla's archive, the announcement pages and the public API name them by their
    public titles only; on a day of 2017 when they were up, the anslagstavla and its Atom feed too."""
    from tests.integration.test_justering import demo_announcement

    wanted = secrets()
    announcement = demo_announcement()
    immediate = db.session.scalars(select(Announcement).where(Announcement.kind == AdjustmentKind.immediate)).one()
    reached = crawl(client, wanted)
    assert "/offentligt/anslagstavla" in reached and "/offentligt/anslagstavla/arkiv" in reached, sorted(reached)
    assert {f"/offentligt/anslagstavla/{a.id}" for a in (announcement, immediate)} <= reached, sorted(reached)
    assert "/offentligt/anslagstavla.atom" in reached and "/api/v1/public/anslagstavla" in reached
    detail = client.get(f"/offentligt/anslagstavla/{announcement.id}").get_data(as_text=True)
    assert all(public in detail for _number, _title, public, _day in data.CONFIDENTIAL_CASES)  # in their place

    up = datetime(2017, 3, 6, 12, tzinfo=LOCAL_TZ)  # the whole protokoll's anslag and § 15's are up
    with time_machine.travel(up, tick=False):
        reached = crawl(client, wanted)
        feed = client.get("/offentligt/anslagstavla.atom").get_data(as_text=True)
        board = client.get("/offentligt/anslagstavla").get_data(as_text=True)
    assert (
        f"/offentligt/anslagstavla/{announcement.id}" in board and f"/offentligt/anslagstavla/{immediate.id}" in board
    )
    assert f"/offentligt/anslagstavla/{announcement.id}" in feed and "/offentligt/anslagstavla.atom" in reached


@pytest.mark.parametrize("backend", ["sqlite"])
def test_nothing_confidential_in_the_public_protokoll(app, demo, client, converter):  # noqa: F811
    """The demo's justerat protokoll rendered (sealed, its public version made by the job's checks): the public
    protokoll linked from the anslag holds no confidential title, name or diarienummer, its text read back."""
    from tasks.protocol_documents import render_protocol_documents
    from tasks.protocol_jobs import start_protocol_documents
    from tests.factories import person
    from tests.integration.test_justering import demo_announcement
    from tests.rendering.protocol_minutes import demo_minutes

    minutes = demo_minutes()
    job_id = start_protocol_documents(person("sekreterare"), minutes).id
    db.session.commit()
    render_protocol_documents.apply(args=[job_id])
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state is JobState.done, job.error
    link = f"/offentligt/sammantraden/{minutes.meeting_id}/protokoll.pdf"
    assert link in client.get(f"/offentligt/anslagstavla/{demo_announcement().id}").get_data(as_text=True)
    reached = crawl(client, secrets())
    assert link in reached, sorted(reached)
    public = pdf_text(client.get(link).data)
    assert "SAMMANTRÄDESPROTOKOLL" in public and "§ 18" in public and "Johan Sandberg" in public
    assert data.CONFIDENTIAL_CASES[0][2] in public and "Sekretess" in public
