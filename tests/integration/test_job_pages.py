"""A job's page is headed by what is being made and for what (the meeting, the report, the committee's diarium),
never by the job's internal number."""

from __future__ import annotations

import re

from sqlalchemy import select

from agenda.minutes.models import Minutes
from agenda.models import Meeting
from app.extensions import db
from app.registry.models import Case
from tests.factories import body_of, csrf_token, request_export


def heading(html: str) -> str:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(found) == 1, found
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found[0])).strip()


def started_page(client, page: str, action: str) -> str:
    """Press the page's start button (its form posts to ``action``); return the job page's heading."""
    response = client.post(action, data={"csrf_token": csrf_token(client, page)})
    assert response.status_code in (302, 303), response.status_code
    return heading(body_of(client.get(response.headers["Location"])))


def test_the_diarium_extract_names_its_committee_and_what_it_holds(login_as):
    client = login_as("registrator")
    job_id = request_export(client, registered_from="2017-01-01", registered_to="2017-06-30", status="open")
    html = body_of(client.get(f"/jobb/{job_id}"))
    assert heading(html) == "Diarieutdrag för Socialnämnden"
    assert "Ärenden registrerade från och med 2017-01-01 till och med 2017-06-30, med status pågående" in html
    assert "<title>Diarieutdrag för Socialnämnden – Nämndflöde</title>" in html
    assert f"jobb {job_id}" not in html.lower()


def test_the_report_preview_names_the_case_and_version(login_as):
    case_id = db.session.scalar(select(Case.id).where(Case.number == "SN-2017/104.183"))
    page = f"/arenden/{case_id}/utlatande"
    title = started_page(login_as("handlaggare"), page, f"{page}/forhandsgranska")
    assert re.fullmatch(r"Förhandsgranskning av tjänsteutlåtandet i SN-2017/104\.183, version \d+", title), title


def test_the_meeting_documents_name_the_meeting_and_the_kallelse_version(login_as):
    meeting = db.session.scalar(select(Meeting).join(Meeting.publications).order_by(Meeting.id))
    version = meeting.latest_publication.version
    page = f"/sammantraden/{meeting.id}"
    title = started_page(login_as("sekreterare"), page, f"{page}/handlingar")
    assert title == f"Handlingar till sammanträdet 23 februari 2017: kallelsen version {version}"


def test_the_protokoll_job_names_the_meeting(login_as):
    meeting_id = db.session.scalar(select(Minutes.meeting_id).order_by(Minutes.id))
    page = f"/sammantraden/{meeting_id}/protokoll/dokument"
    title = started_page(login_as("sekreterare"), page, page)
    assert title == "Protokollet från sammanträdet 23 februari 2017 skapas"
