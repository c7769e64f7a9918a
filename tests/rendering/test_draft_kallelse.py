"""Förhandsgranska utkast: the unpublished agenda as Word and PDF through the worker's task, "Utkast" on every page,
nothing published; who may open it (the secretaries, the chair once given it; never a member or the public); a
newer draft supersedes the older; the published kallelse never says "Utkast". The task runs in this process (its
Celery ``apply``) on the session's warm LibreOffice. SQLite only: the database work is the agenda's, tested on both
backends in tests/agenda/test_chair_review.py."""

from __future__ import annotations

import io
import re

import docx
import pytest
from sqlalchemy import select

from agenda import chair_review_operations as review_ops
from agenda import operations as ops
from agenda.models import Publication
from app.extensions import db
from tasks.models import Job, JobState
from tasks.rendering.document_templates import upload_template
from tasks.rendering.draft_kallelse import DRAFT_KALLELSE, render_draft_kallelse
from tasks.rendering.kallelse_docx import build_kallelse_docx
from tasks.rendering.pdf import docx_to_pdf
from tests.factories import csrf_token, person, sign_notice
from tests.rendering.pdf_checks import reader
from tests.sample_files import TEMPLATE_EVEN_HEADER_TEXT, word_template

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def long_agenda(meeting, secretary, new_case):
    """The meeting with a signed case and enough information items for the kallelse to run over several pages."""
    ops.add_item(meeting, user=secretary, kind="case", case=new_case("Riktlinjer för ekonomiskt bistånd 2027"))
    for n in range(1, 31):
        ops.add_item(
            meeting,
            user=secretary,
            kind="information",
            title=f"Information om verksamhetsområde {n}",
            parts=[{"title": f"Uppföljning av område {n}", "presenter": "Förvaltningschef Anna Berg"}],
        )
    sign_notice(meeting)
    db.session.commit()
    return meeting


def run_job(job_id: int) -> Job:
    db.session.commit()
    render_draft_kallelse.apply(args=[job_id])
    db.session.expire_all()
    return db.session.get(Job, job_id)


def start_draft(client, meeting_id: int) -> int:
    token = csrf_token(client, f"/sammantraden/{meeting_id}")
    response = client.post(f"/sammantraden/{meeting_id}/utkast", data={"csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"].endswith(f"/sammantraden/{meeting_id}/utkast/{job_id}")
    return job_id


def file_links(html: str, meeting_id: int, job_id: int) -> list[str]:
    return re.findall(rf'href="(/sammantraden/{meeting_id}/utkast/{job_id}/[^"]+)"', html)


def test_the_secretary_previews_the_draft_as_word_and_pdf_marked_on_every_page(login_as, converter, long_agenda):
    meeting_id, version = long_agenda.id, long_agenda.agenda_version
    secretary = login_as("sekreterare")
    page = secretary.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "Förhandsgranska utkast" in page
    job_id = start_draft(secretary, meeting_id)
    status = secretary.get(f"/sammantraden/{meeting_id}/utkast/{job_id}").get_data(as_text=True)
    assert "I kö" in status and "Utkast till kallelse" in status

    job = run_job(job_id)
    assert job.state is JobState.done, job.error
    assert (job.progress_done, job.progress_total) == (2, 2)
    status = secretary.get(f"/sammantraden/{meeting_id}/utkast/{job_id}").get_data(as_text=True)
    links = file_links(status, meeting_id, job_id)
    assert [link.rsplit("/", 1)[1] for link in links] == ["kallelse.pdf", "kallelse.docx"]

    pdf_response = secretary.get(links[0])
    assert pdf_response.status_code == 200 and pdf_response.headers["Cache-Control"] == "private, no-store"
    assert "kallelse-SN-" in pdf_response.headers["Content-Disposition"]
    assert "-utkast.pdf" in pdf_response.headers["Content-Disposition"]
    pdf = reader(pdf_response.data)
    assert len(pdf.pages) >= 2
    for number, pdf_page in enumerate(pdf.pages, start=1):
        assert "Utkast – inte publicerad" in pdf_page.extract_text(), f"page {number} is not marked"
    assert "Information om verksamhetsområde 30" in "".join(p.extract_text() for p in pdf.pages)
    assert pdf.metadata.title.startswith("Utkast: Kallelse till Socialnämnden")
    assert pdf.trailer["/Root"]["/Lang"] == "sv-SE" and "/StructTreeRoot" in pdf.trailer["/Root"]  # tagged

    document = docx.Document(io.BytesIO(secretary.get(links[1]).data))
    for section in document.sections:  # the first page's header and the others'
        for header in (section.header, section.first_page_header):
            assert "Utkast – inte publicerad" in "\n".join(p.text for p in header.paragraphs)
    assert "Riktlinjer för ekonomiskt bistånd 2027" in "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )

    # nothing was published, no version used, the agenda unchanged
    db.session.expire_all()
    assert db.session.scalars(select(Publication).where(Publication.meeting_id == meeting_id)).all() == []
    assert long_agenda.agenda_version == version
    meeting_page = secretary.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "Inte publicerad ännu." in meeting_page
    assert file_links(meeting_page, meeting_id, job_id) == links


def test_utkast_stands_on_every_page_on_a_template_with_different_even_pages(login_as, converter, long_agenda):
    """A municipality's Word template with "different odd and even pages" would show its own even header on the
    even pages (no "Utkast", no page number): the builders' header holds on every page all the same."""
    upload_template(
        long_agenda.committee.municipality,
        user=person("sekreterare"),
        data=word_template(even_pages=True),
        filename="Mall med jämna sidor.docx",
    )
    db.session.commit()
    secretary = login_as("sekreterare")
    job_id = start_draft(secretary, long_agenda.id)
    assert run_job(job_id).state is JobState.done
    links = file_links(
        secretary.get(f"/sammantraden/{long_agenda.id}/utkast/{job_id}").get_data(as_text=True), long_agenda.id, job_id
    )
    pdf = reader(secretary.get(links[0]).data)
    assert len(pdf.pages) >= 3  # an even page between odd ones
    for number, pdf_page in enumerate(pdf.pages, start=1):
        text = pdf_page.extract_text()
        assert "Utkast – inte publicerad" in text, f"page {number} is not marked"
        assert f"SIDA {number} ({len(pdf.pages)})" in text and TEMPLATE_EVEN_HEADER_TEXT not in text
    document = docx.Document(io.BytesIO(secretary.get(links[1]).data))
    assert not document.settings.odd_and_even_pages_header_footer


def test_only_the_secretaries_and_the_chair_given_the_draft_open_it(login_as, client, converter, long_agenda):
    meeting_id = long_agenda.id
    secretary = login_as("sekreterare")
    job_id = start_draft(secretary, meeting_id)
    assert run_job(job_id).state is JobState.done
    pdf = f"/sammantraden/{meeting_id}/utkast/{job_id}/kallelse.pdf"

    member, chair = login_as("ledamot"), login_as("ordforande")
    for outsider in (member, chair, login_as("handlaggare")):
        assert outsider.get(pdf).status_code == 404
        assert outsider.get(f"/sammantraden/{meeting_id}/utkast/{job_id}").status_code == 404
    assert client.get(pdf).status_code in (302, 401)  # not logged in: to the log-in
    token = csrf_token(member, f"/sammantraden/{meeting_id}")
    assert member.post(f"/sammantraden/{meeting_id}/utkast", data={"csrf_token": token}).status_code == 403
    assert (
        db.session.scalar(select(Job).where(Job.kind == DRAFT_KALLELSE, Job.created_by_id == person("ledamot").id))
        is None
    )

    review_ops.give_to_chair(long_agenda, user=person("sekreterare"))
    db.session.commit()
    assert chair.get(pdf).status_code == 200
    review_page = chair.get(f"/sammantraden/{meeting_id}/beredning").get_data(as_text=True)
    assert pdf in review_page
    assert member.get(pdf).status_code == 404
    assert member.get(f"/sammantraden/{meeting_id}/beredning").status_code == 404
    # the public page of the meeting knows of no draft
    assert client.get(f"/offentligt/sammantraden/{meeting_id}").status_code == 404


def test_a_newer_draft_supersedes_the_older(login_as, converter, long_agenda, secretary):
    meeting_id = long_agenda.id
    client = login_as("sekreterare")
    first = start_draft(client, meeting_id)
    assert run_job(first).state is JobState.done
    ops.add_item(long_agenda, user=secretary, kind="other", title="Övrig fråga om lokalerna")
    db.session.commit()
    page = client.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "Föredragningslistan har ändrats sedan utkastet gjordes" in page
    second = start_draft(client, meeting_id)
    assert run_job(second).state is JobState.done
    old = client.get(f"/sammantraden/{meeting_id}/utkast/{first}/kallelse.pdf")
    assert old.status_code == 410 and "ersatts av ett nyare" in old.get_data(as_text=True)
    assert "ersatts av ett nyare" in client.get(f"/sammantraden/{meeting_id}/utkast/{first}").get_data(as_text=True)
    new = client.get(f"/sammantraden/{meeting_id}/utkast/{second}/kallelse.pdf")
    assert new.status_code == 200
    assert "Övrig fråga om lokalerna" in "".join(p.extract_text() for p in reader(new.data).pages)
    page = client.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "Föredragningslistan har ändrats sedan utkastet gjordes" not in page
    assert file_links(page, meeting_id, second) and not file_links(page, meeting_id, first)


def test_the_published_kallelse_never_says_utkast(converter, long_agenda, secretary):
    publication = ops.publish(long_agenda, user=secretary)
    db.session.commit()
    for public in (False, True):
        snapshot = publication.public_snapshot if public else publication.members_snapshot
        built = build_kallelse_docx(snapshot, public=public)
        document = docx.Document(io.BytesIO(built))
        texts = [p.text for p in document.paragraphs]
        for section in document.sections:
            texts += [p.text for h in (section.header, section.first_page_header) for p in h.paragraphs]
            texts += [
                c.text
                for h in (section.header, section.first_page_header)
                for t in h.tables
                for r in t.rows
                for c in r.cells
            ]
        assert not any("utkast" in text.lower() for text in texts)
        pdf = reader(docx_to_pdf(built))
        assert len(pdf.pages) >= 2
        assert not any("utkast" in page.extract_text().lower() for page in pdf.pages)


def test_an_empty_agenda_is_not_previewed(login_as, meeting):
    client = login_as("sekreterare")
    for item in list(meeting.items):
        ops.remove_item(item, user=person("sekreterare"))
    db.session.commit()
    token = csrf_token(client, f"/sammantraden/{meeting.id}")
    response = client.post(f"/sammantraden/{meeting.id}/utkast", data={"csrf_token": token}, follow_redirects=True)
    assert "Föredragningslistan är tom; lägg till punkter innan utkastet förhandsgranskas." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Job).where(Job.kind == DRAFT_KALLELSE)) is None
