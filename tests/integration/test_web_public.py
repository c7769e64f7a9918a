"""The public pages and feeds: reachable without log-in, made from the public snapshot only, and
nothing confidential in any of them (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from xml.etree import ElementTree as ET

import pytest

from agenda import operations as agenda_ops
from app.clock import local_today
from app.extensions import db
from tests.factories import (
    PDF,
    PUBLIC_TITLE,
    SECRET_BILAGA,
    SECRET_TITLE,
    committee,
    next_week,
    signed_report_with_bilagor,
)
from tests.page_structure import structure_problems

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET_DECISION = "Placering av Alva Exempelsson i familjehem"


@pytest.fixture
def published(demo, secretary, new_case):
    """A meeting (before the demo's next one, so today's delegated decisions are reported at it) with a public case (a public and a confidential bilaga), a confidential case with its
    own report and bilagor, a delegated decision on the confidential case; published once."""
    meeting = agenda_ops.plan_meeting(committee(), user=secretary, start=next_week(days=10), place="Plenum")
    public_case, (public_bilaga, secret_bilaga) = signed_report_with_bilagor(new_case, "Verksamhetsberättelse 2016")
    secret_case, (secret_case_bilaga, _) = signed_report_with_bilagor(new_case, SECRET_TITLE, confidential_case=True)
    agenda_ops.add_item(
        meeting,
        user=secretary,
        kind="information",
        parts=[{"title": "Ekonomisk rapport", "presenter": "Omar Berg, ekonomichef"}],
    )
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=public_case, note="Remiss & svar <i>kursivt</i>")
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=secret_case)
    agenda_ops.register_delegation_decision(
        committee(),
        user=secretary,
        decided_on=local_today() - timedelta(days=1),
        decision_maker="Per Sundberg, enhetschef",
        delegation_point="4.2",
        summary=SECRET_DECISION,
        case=secret_case,
    )
    agenda_ops.update_meeting(
        meeting,
        user=secretary,
        values={
            "notice_place": "Huddinge",
            "notice_date": date.today().isoformat(),
            "chair_name": "Gunnel Hedberg",
            "secretary_name": "Sara Lindqvist",
            "place": "Plenum, Gymnasietorget 1",
        },
    )
    publication = agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    numbers = {item.case_id: item.position for item in meeting.items if item.case_id}
    return {
        "meeting": meeting,
        "public_case": public_case,
        "secret_case": secret_case,
        "public_number": numbers[public_case.id],
        "secret_number": numbers[secret_case.id],
        "public_bilaga": public_bilaga,
        "secret_bilaga": secret_bilaga,
        "secret_case_bilaga": secret_case_bilaga,
        "publication": publication,
    }


def get(client, path: str, status: int = 200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response


def confidential_strings(data) -> list[str]:
    case = data["secret_case"]
    return [SECRET_TITLE, "Exempelsson", case.number, SECRET_BILAGA, SECRET_DECISION]


def assert_nothing_confidential(text: str, data, where: str) -> None:
    for secret in confidential_strings(data):
        assert secret not in text, (where, secret)


def test_anonymous_visitors_reach_the_public_pages_from_the_start_page(client, published):
    start = get(client, "/").get_data(as_text=True)
    assert 'href="/offentligt"' in start and "Sammanträden och kallelser" in start
    html = get(client, "/offentligt").get_data(as_text=True)
    meeting_id = published["meeting"].id
    assert f'href="/offentligt/sammantraden/{meeting_id}"' in html
    assert "Socialnämnden" in html and "Plenum, Gymnasietorget 1" in html
    assert 'href="/offentligt/SN/kalender.ics"' in html and 'href="/offentligt/SN/kallelser.atom"' in html
    assert structure_problems(html) == []


def test_the_public_page_says_in_swedish_what_its_feeds_are(client, demo):
    """The feeds' links say what they do for a reader, not the formats' names alone."""
    links = dict(
        (href, re.sub(r"<[^>]+>", "", text))
        for href, text in re.findall(
            r'<a href="([^"]+)"[^>]*>(.*?)</a>', get(client, "/offentligt").get_data(as_text=True)
        )
    )
    assert links["/offentligt/SN/kalender.ics"] == "Lägg till sammanträdena i din kalender (Socialnämnden)"
    assert links["/offentligt/SN/kallelser.atom"] == "Prenumerera på nya kallelser (Atom-flöde) från Socialnämnden"
    assert "iCalendar" not in " ".join(links.values())


def test_the_public_kallelse_shows_the_public_version_only(client, published):
    meeting_id = published["meeting"].id
    html = get(client, f"/offentligt/sammantraden/{meeting_id}").get_data(as_text=True)
    assert '<h1 id="kallelse-rubrik">Kallelse till Socialnämnden</h1>' in html
    assert "klockan 18:00" in html and "Plenum, Gymnasietorget 1" in html and "Gunnel Hedberg" in html
    assert published["public_case"].number in html and "Verksamhetsberättelse 2016" in html
    assert "Omar Berg, ekonomichef" in html
    # The note is escaped, not markup.
    assert "Remiss &amp; svar &lt;i&gt;kursivt&lt;/i&gt;" in html
    # The confidential item: its public title under Sekretessärenden, its number kept, nothing else.
    secret_number = published["secret_number"]
    assert re.search(rf'<th scope="row" colspan="3">Sekretessärenden</th></tr>\s*<tr id="punkt-{secret_number}"', html)
    row = html[html.index(f'id="punkt-{secret_number}"') :]
    row = row[: row.index("</tr>")]
    assert PUBLIC_TITLE in row and "<a " not in row
    assert_nothing_confidential(html, published, "public page")
    assert structure_problems(html) == []


def test_the_public_handlingar_and_bilagor(client, published):
    meeting_id = published["meeting"].id
    base = f"/offentligt/sammantraden/{meeting_id}"
    html = get(client, f"{base}/punkt/{published['public_number']}").get_data(as_text=True)
    assert "Socialnämnden godkänner förslaget." in html and "Förvaltningen beskriver ärendet." in html
    assert f"{base}/bilaga/{published['public_bilaga']}?version=1" in html
    assert_nothing_confidential(html, published, "public item")
    assert f"/bilaga/{published['secret_bilaga']}" not in html
    assert structure_problems(html) == []
    download = get(client, f"{base}/bilaga/{published['public_bilaga']}")
    assert download.data.startswith(PDF) and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("inline;")  # a PDF: the browser shows it
    # The confidential bilaga, the confidential item and its documents: 404.
    get(client, f"{base}/bilaga/{published['secret_bilaga']}", 404)
    get(client, f"{base}/bilaga/{published['secret_case_bilaga']}", 404)
    get(client, f"{base}/punkt/{published['secret_number']}", 404)
    get(client, f"{base}/punkt/99", 404)
    get(client, f"{base}?version=2", 404)
    bad = get(client, f"{base}?version=x", 400)
    assert "Ange versionen som ett heltal" in bad.get_data(as_text=True)


def test_an_unpublished_meeting_has_no_public_page(client, demo, secretary):
    planned = agenda_ops.plan_meeting(committee(), user=secretary, start=next_week(days=50), place="Plenum")
    db.session.commit()
    get(client, f"/offentligt/sammantraden/{planned.id}", 404)
    get(client, f"/offentligt/sammantraden/{planned.id}/punkt/1", 404)
    get(client, "/offentligt/sammantraden/999999", 404)
    html = get(client, "/offentligt").get_data(as_text=True)
    assert "Inte publicerad" in html


def test_the_calendar_feed(client, published):
    meeting = published["meeting"]
    response = get(client, "/offentligt/SN/kalender.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.data
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), [line for line in lines if len(line) > 75]
    text = raw.decode("utf-8").replace("\r\n ", "")  # unfold
    assert "VERSION:2.0" in text and "PRODID:" in text
    start = meeting.start_dt.astimezone(__import__("datetime").timezone.utc)
    event = text[text.index(f"UID:sammantrade-{meeting.id}@") :]
    event = event[: event.index("END:VEVENT")]
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z" in event
    assert "SUMMARY:Socialnämnden – sammanträde" in event
    assert "LOCATION:Plenum\\, Gymnasietorget 1" in event
    assert f"/offentligt/sammantraden/{meeting.id}" in event
    # The UID is stable.
    assert text == get(client, "/offentligt/SN/kalender.ics").data.decode("utf-8").replace("\r\n ", "")
    assert_nothing_confidential(text, published, "calendar")
    get(client, "/offentligt/XX/kalender.ics", 404)
    get(client, "/offentligt/S%00N/kalender.ics", 404)


def test_the_atom_feed(client, published, secretary):
    meeting = published["meeting"]
    agenda_ops.update_item(meeting.items[0], user=secretary, note="Rättelse")
    agenda_ops.publish(meeting, user=secretary)
    db.session.commit()
    response = get(client, "/offentligt/SN/kallelser.atom")
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "Kallelser – Socialnämnden"
    entries = root.findall(f"{ATOM}entry")
    day = meeting.start_dt.astimezone(__import__("app.clock", fromlist=["LOCAL_TZ"]).LOCAL_TZ).date().isoformat()
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert f"Kallelse till Socialnämnden {day} (version 2)" in titles
    assert f"Kallelse till Socialnämnden {day} (version 1)" in titles
    entry = next(e for e in entries if e.find(f"{ATOM}title").text.endswith("(version 1)"))
    link = entry.find(f"{ATOM}link").get("href")
    assert link.endswith(f"/offentligt/sammantraden/{meeting.id}?version=1")
    assert entry.find(f"{ATOM}id").text and entry.find(f"{ATOM}updated").text.endswith("Z")
    assert_nothing_confidential(response.data.decode("utf-8"), published, "atom")
    get(client, "/offentligt/XX/kallelser.atom", 404)


def test_nothing_confidential_reaches_any_public_output(client, published):
    """Every public page, feed and file of the published meeting, searched for the confidential texts."""
    meeting_id = published["meeting"].id
    base = f"/offentligt/sammantraden/{meeting_id}"
    paths = [
        "/",
        "/offentligt",
        base,
        f"{base}?version=1",
        "/offentligt/SN/kalender.ics",
        "/offentligt/SN/kallelser.atom",
    ]
    paths += [f"{base}/punkt/{n}" for n in range(1, 10) if client.get(f"{base}/punkt/{n}").status_code == 200]
    paths.append(f"{base}/bilaga/{published['public_bilaga']}")
    for path in paths:
        body = get(client, path).data.decode("utf-8", errors="replace")
        assert_nothing_confidential(body, published, path)
    # The delegated decision on the confidential case shows only the case's public title.
    delegation = next(
        n for n in range(1, 10) if "Anmälda delegationsbeslut" in client.get(f"{base}/punkt/{n}").get_data(as_text=True)
    )
    html = get(client, f"{base}/punkt/{delegation}").get_data(as_text=True)
    assert "Per Sundberg, enhetschef" in html and PUBLIC_TITLE in html


def test_a_member_sees_the_confidential_delegated_decision_a_case_officer_without_the_right_does_not(
    login_as, published
):
    """The members' page is not public: the committee's members decide on the confidential case and read it
    in full, with its bilagor and the delegated decision in it; a case officer of the committee who is not
    the case's officer reads the members' page without any of it."""
    meeting_id = published["meeting"].id
    member = login_as("ledamot")
    html = get(member, f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    for secret in (SECRET_DECISION, SECRET_TITLE, published["secret_case"].number):
        assert secret in html, secret
    assert "Per Sundberg, enhetschef" in html
    item = get(member, f"/sammantraden/{meeting_id}/kallelse/punkt/{published['secret_number']}").get_data(as_text=True)
    assert SECRET_TITLE in item and SECRET_BILAGA in item
    assert f"/kallelse/bilaga/{published['secret_case_bilaga']}" in item
    item = get(member, f"/sammantraden/{meeting_id}/kallelse/punkt/{published['public_number']}").get_data(as_text=True)
    assert SECRET_BILAGA in item and f"/kallelse/bilaga/{published['secret_bilaga']}" in item
    for bilaga in (published["secret_case_bilaga"], published["secret_bilaga"]):
        get(member, f"/sammantraden/{meeting_id}/kallelse/bilaga/{bilaga}")

    assert {published["public_case"].case_officer.email, published["secret_case"].case_officer.email} == {
        "handlaggare@huddinge.example"
    }
    no_right = login_as("controller")
    html = get(no_right, f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    assert_nothing_confidential(html, published, "members' page for a case officer without the right")
    assert "Per Sundberg, enhetschef" in html and PUBLIC_TITLE in html
    item = get(no_right, f"/sammantraden/{meeting_id}/kallelse/punkt/{published['secret_number']}").get_data(
        as_text=True
    )
    assert_nothing_confidential(item, published, "an item page for a case officer without the right")
    item = get(no_right, f"/sammantraden/{meeting_id}/kallelse/punkt/{published['public_number']}").get_data(
        as_text=True
    )
    assert_nothing_confidential(item, published, "an item page for a case officer without the right")
    get(no_right, f"/sammantraden/{meeting_id}/kallelse/bilaga/{published['secret_case_bilaga']}", status=404)
    get(no_right, f"/sammantraden/{meeting_id}/kallelse/bilaga/{published['secret_bilaga']}", status=404)
    staff = get(login_as("sekreterare"), f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    assert SECRET_DECISION in staff and SECRET_TITLE in staff


def test_the_demo_kallelse_is_public_without_its_secrets(client, demo):
    """The demo's published kallelse (2017-02-23): reachable from /offentligt, nothing confidential in it."""
    from sqlalchemy import select

    from agenda.models import ItemKind, Meeting, Publication
    from agenda.secrecy import public_items_now
    from app.demo import data

    published_ids = db.session.scalars(select(Publication.meeting_id).distinct()).all()
    assert published_ids, "the demo publishes its kallelse of 2017-02-23"
    secrets = [title for _number, title, _public, _registered in data.CONFIDENTIAL_CASES]
    secrets += [number for number, _title, _public, _registered in data.CONFIDENTIAL_CASES]
    secrets += [data.CONFIDENTIAL_ATTACHMENT[1]]
    index = get(client, "/offentligt").get_data(as_text=True)
    for meeting_id in published_ids:
        base = f"/offentligt/sammantraden/{meeting_id}"
        assert f'href="{base}"' in index
        bodies = {base: get(client, base).get_data(as_text=True)}
        for item in public_items_now(db.session.get(Meeting, meeting_id).latest_publication):
            # A confidential case has no public page of its own (404): its body proves nothing, so it is not read.
            if item["kind"] == ItemKind.confidential_case.value:
                get(client, f"{base}/punkt/{item['number']}", status=404)
                continue
            bodies[f"{base}/punkt/{item['number']}"] = get(client, f"{base}/punkt/{item['number']}").get_data(
                as_text=True
            )
            for a in re.findall(
                rf'href="({re.escape(base)}/bilaga/\d+)[^"]*"', bodies[f"{base}/punkt/{item['number']}"]
            ):
                bodies[a] = get(client, a).data.decode("utf-8", errors="replace")
        for path, body in bodies.items():
            for secret in secrets:
                assert secret not in body, (path, secret)
