"""Skapa handlingar: from the meeting page and the API to the job, its files on the members' and the public
kallelse page, stored parts reused, and bilagor that fail the job by name. The task runs in this process here
(its Celery ``apply``) on the session's warm LibreOffice; test_meeting_documents_worker.py runs a real worker.
SQLite only: the database work is the agenda's, tested on both backends there."""

from __future__ import annotations

import copy
import io
import re

import docx
import pytest
from sqlalchemy import select

from agenda.models import Meeting, Publication
from app.demo import data
from app.extensions import db, sqlite_read_only
from app.storage import get_storage
from tasks.models import Job, JobState
from tasks.rendering.batch import SPLIT_OPTIONS
from tasks.rendering.meeting_documents import render_meeting_documents
from tasks.rendering.meeting_jobs import MEETING_DOCUMENTS
from tasks.rendering.meeting_plan import plan_documents
from tasks.rendering.meeting_renderer import Renderer
from tasks.rendering.parts import StoredParts
from tests.factories import body_of, csrf_token
from tests.rendering.pdf_checks import blank_pdf, encrypted_pdf, outline, reader, structure_problems, text

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

SECRETS = [title for _n, title, _p, _d in data.CONFIDENTIAL_CASES] + [
    "Elin Testsson",
    "Noah Provsson",
    "Alva Exempelsson",
    "Kalle Hemligsson",
    "SN-2017/12.754",
    data.CONFIDENTIAL_ATTACHMENT[1],
    data.CONFIDENTIAL_ATTACHMENT[2].strip(),
]


def demo_meeting() -> Meeting:
    return db.session.scalar(select(Meeting).join(Meeting.publications).order_by(Meeting.id))


def run_job(job_id: int) -> Job:
    db.session.commit()
    render_meeting_documents.apply(args=[job_id])
    db.session.expire_all()
    return db.session.get(Job, job_id)


def latest_job() -> Job:
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.kind == MEETING_DOCUMENTS).order_by(Job.id.desc()))


def links(html: str, pattern: str) -> list[str]:
    """The files' links, each once: the "Ladda ned" twin of a PDF's link (``?nedladdning=1``) left out."""
    return [link for link in re.findall(rf'href="([^"]*{pattern}[^"]*)"', html) if "nedladdning" not in link]


def test_secretary_makes_the_documents_and_members_and_public_download_them(app, login_as, converter, client):
    meeting_id = demo_meeting().id
    secretary = login_as("sekreterare")
    page = secretary.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "Skapa handlingar" in page
    token = csrf_token(secretary, f"/sammantraden/{meeting_id}")
    response = secretary.post(f"/sammantraden/{meeting_id}/handlingar", data={"csrf_token": token})
    assert response.status_code == 303
    job = latest_job()
    assert response.headers["Location"].endswith(f"/sammantraden/{meeting_id}/handlingar/{job.id}")
    status = secretary.get(response.headers["Location"]).get_data(as_text=True)
    assert "I kö" in status and f'data-status-url="/api/v1/jobs/{job.id}"' in status

    job = run_job(job.id)
    assert job.state is JobState.done, job.error
    # two kallelser, six reports (item 4's twice: its public version lists the confidential bilaga by number
    # only), four bilagor, two packages
    assert (job.progress_done, job.progress_total) == (15, 15)
    status = secretary.get(response.headers["Location"]).get_data(as_text=True)
    files = links(status, f"/handlingar/{job.id}/")
    assert ["/".join(f.rsplit("/", 2)[1:]) for f in files] == [
        f"{v}/{n}" for v in ("members", "public") for n in ("kallelse.pdf", "kallelse.docx", "motespaket.pdf")
    ]

    # The members' page offers the members' files to the secretary …
    notice = secretary.get(f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    member_links = links(notice, "/handlingar/")
    assert sorted(link.rsplit("/", 1)[1] for link in member_links) == [
        "kallelse.docx",
        "kallelse.pdf",
        "motespaket.pdf",
    ]
    assert "Du får den offentliga versionen" not in notice
    package = reader(secretary.get([link for link in member_links if link.endswith("motespaket.pdf")][0]).data)
    entries = outline(package)
    assert entries[2][0] == "4 Verksamhetsberättelse 2016 för Socialnämnden – SN-2016/3342.181"
    assert [c[0] for c in entries[2][2]] == [
        "Tjänsteutlåtande",
        "Bilaga 1 Verksamhetsberättelse 2016 för socialnämnden",
        "Bilaga 2 Utredning om enskild brukare, Kalle Hemligsson",
    ]
    assert [e[0].split(" ", 1)[0] for e in entries[2:]] == ["4", "5", "6", "7", "8", "9"]
    assert package.trailer["/Root"]["/Lang"] == "sv-SE" and structure_problems(package) == []
    assert package.page_labels[-1] == str(len(package.pages))
    assert data.CONFIDENTIAL_ATTACHMENT[2].strip() in text(package)
    kallelse = docx.Document(
        io.BytesIO(secretary.get([link for link in member_links if link.endswith(".docx")][0]).data)
    )
    # the members' kallelse lists a confidential matter by its public title (its names are in its handlingar)
    listed = "\n".join(c.text for r in kallelse.tables[0].rows for c in r.cells)
    assert data.CONFIDENTIAL_CASES[0][2] in listed and data.CONFIDENTIAL_CASES[0][1] not in listed
    # the confidential bilaga (no provision recorded on it) is marked at the head of its page in the package
    bilaga_page = next(e for e in entries if e[0].startswith("4 "))[2][2][1]
    assert "Sekretessbelagd handling" in package.pages[bilaga_page - 1].extract_text()
    assert "Sekretessbelagd handling" not in package.pages[bilaga_page - 2].extract_text()
    # the kallelse as PDF (converted with the reports, cut out again): a document of its own
    kallelse_pdf = reader(secretary.get([link for link in member_links if link.endswith("kallelse.pdf")][0]).data)
    assert kallelse_pdf.metadata.title == "Kallelse till Socialnämnden 2017-02-23"
    assert outline(kallelse_pdf) == [("Kallelse till Socialnämnden", 1, [])]
    assert kallelse_pdf.trailer["/Root"]["/Lang"] == "sv-SE" and structure_problems(kallelse_pdf) == []
    last = len(kallelse_pdf.pages)
    assert f"SIDA {last} ({last})" in kallelse_pdf.pages[-1].extract_text()

    # … a member, who decides on the sekretessärenden, gets the members' files too; a case officer who may
    # not read those cases gets the public ones there, and so does anyone on the public page.
    member = login_as("ledamot")
    members_notice = body_of(member.get(f"/sammantraden/{meeting_id}/kallelse"))
    assert "Du får den offentliga versionen" not in members_notice
    assert (
        member.get(links(members_notice, "/handlingar/")[2]).data
        == secretary.get([link for link in member_links if link.endswith("motespaket.pdf")][0]).data
    )
    officer = login_as("controller")
    notice = officer.get(f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    assert "Du får den offentliga versionen" in notice
    public_page = client.get(f"/offentligt/sammantraden/{meeting_id}").get_data(as_text=True)
    public_links = links(public_page, "/handlingar/")
    assert [link.rsplit("/", 1)[1] for link in public_links] == ["kallelse.pdf", "kallelse.docx", "motespaket.pdf"]
    public_package = client.get(public_links[2])
    assert public_package.status_code == 200
    assert officer.get(links(notice, "/handlingar/")[2]).data == public_package.data
    public = reader(public_package.data)
    public_text = text(public) + "\n".join(e[0] for e in outline(public))
    for secret in SECRETS:
        assert secret not in public_text, secret
    assert "Bilaga 2 (sekretess)" in public_text
    assert [c[0] for c in outline(public)[2][2]] == [
        "Tjänsteutlåtande",
        "Bilaga 1 Verksamhetsberättelse 2016 för socialnämnden",
    ]
    assert structure_problems(public) == []
    public_kallelse = docx.Document(io.BytesIO(client.get(public_links[1]).data))
    kallelse_text = "\n".join(c.text for r in public_kallelse.tables[0].rows for c in r.cells)
    assert not [s for s in SECRETS if s in kallelse_text] and "Sekretessärenden" in kallelse_text
    assert client.get(public_links[2].replace("motespaket", "annat")).status_code == 404

    # Again, unchanged, however many renders (of other meetings) came between: every part comes from storage
    # and the same files result.
    for _ in range(25):
        db.session.add(Job(kind=MEETING_DOCUMENTS, state=JobState.done, params={"parts": {}, "outputs": {}}))
    db.session.commit()
    token = csrf_token(secretary, f"/sammantraden/{meeting_id}")
    secretary.post(f"/sammantraden/{meeting_id}/handlingar", data={"csrf_token": token})
    again = run_job(latest_job().id)
    assert again.state is JobState.done
    assert again.params["outputs"] == job.params["outputs"] and again.params["parts"] == job.params["parts"]


def test_one_changed_report_is_converted_alone_and_the_packages_remerged(app, demo, converter):
    publication = demo_meeting().latest_publication
    plan = plan_documents(publication)
    conversions = []

    def convert(document: bytes, export_filter: str = "writer_pdf_Export", options=()) -> bytes:
        conversions.append(tuple(options))
        return converter.convert(document, export_filter, options)

    db.session.commit()
    with sqlite_read_only():  # as in the task: the session reads, the parts are recorded on their own
        first = Renderer(plan, StoredParts(), convert=convert).run()
    # the two kallelser, the seven reports and the four text bilagor in one call; the contents pages are drawn
    assert conversions == [SPLIT_OPTIONS]
    changed = plan_documents(publication)
    item5 = next(i for i in changed.items["members"] if i.number == 5)
    item5.report.document.title = "Justering av budgetram 2017 – reviderad"
    item5.report.key = item5.report.document.input_hash()
    for item in changed.items["public"]:
        if item.number == 5:
            item.report = item5.report
    conversions.clear()
    db.session.rollback()  # the next job reads what the first recorded
    with sqlite_read_only():
        second = Renderer(changed, StoredParts(), convert=convert).run()
    assert conversions == [()]  # that report only (alone: as itself); contents and bilagor from storage
    assert second["members"]["kallelse.pdf"] == first["members"]["kallelse.pdf"]
    assert second["members"]["motespaket.pdf"] != first["members"]["motespaket.pdf"]
    package = reader(get_storage().read(second["members"]["motespaket.pdf"]["key"]))
    assert "Justering av budgetram 2017 – reviderad" in text(package)


def _publish_with_bilaga(content: bytes) -> Publication:
    """A next version of the demo kallelse whose item 4 bilaga 1 is ``content`` claiming to be a PDF.

    Uploads are sniffed, so the file is written straight into storage, as a broken disk or a bad import would.
    """
    from workflows.models import StoredFileRecord

    meeting = demo_meeting()
    latest = meeting.latest_publication
    stored = get_storage().save(content)
    if db.session.scalar(select(StoredFileRecord).where(StoredFileRecord.sha256 == stored.sha256)) is None:
        db.session.add(
            StoredFileRecord(
                storage_key=stored.key, sha256=stored.sha256, size=stored.size, content_type="application/pdf"
            )
        )
    members, public = copy.deepcopy(latest.members_snapshot), copy.deepcopy(latest.public_snapshot)
    for snapshot in (members, public):
        item = next(i for i in snapshot["items"] if i["number"] == 4)
        item["attachments"][0].update(sha256=stored.sha256, content_type="application/pdf", filename="vb.pdf")
    publication = Publication(
        meeting=meeting,
        version=latest.version + 1,
        members_snapshot=members,
        public_snapshot=public,
        changes=["Punkt 4: bilagorna har ändrats."],
        published_by=latest.published_by,
    )
    db.session.add(publication)
    db.session.commit()
    return publication


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"%PDF-1.7\nVerksamhetsber\xe4ttelse som text, ingen PDF.\n", "inte en läsbar PDF"),
        (encrypted_pdf(blank_pdf()), "lösenordsskyddad"),
    ],
)
def test_a_bad_bilaga_fails_the_job_by_name_and_nothing_else_is_lost(app, api_as, converter, content, reason):
    client, headers = api_as("sekreterare")
    meeting_id = demo_meeting().id
    made = client.post(f"/api/v1/meetings/{meeting_id}/documents", headers=headers)
    assert made.status_code == 202, made.get_json()
    good = run_job(made.get_json()["job"]["id"])
    assert good.state is JobState.done

    _publish_with_bilaga(content)
    response = client.post(f"/api/v1/meetings/{meeting_id}/documents", headers=headers)
    body = response.get_json()
    assert response.status_code == 202 and body["publication_version"] == 2
    failed = run_job(body["job"]["id"])
    assert failed.state is JobState.failed
    assert failed.error.startswith(
        "Bilaga 1 ”Verksamhetsberättelse 2016 för socialnämnden” till punkt 4 (SN-2016/3342.181)"
    )
    assert reason in failed.error
    body = client.get(response.headers["Location"], headers=headers).get_json()
    assert body["job"]["state"] == "failed" and body["job"]["error"] == failed.error
    # The kallelser were made and stay; the packages were not; version 1's files are still served.
    assert body["files"]["members"]["kallelse.pdf"] and body["files"]["members"]["motespaket.pdf"] is None
    assert client.get(body["files"]["public"]["kallelse.docx"], headers=headers).data.startswith(b"PK")
    public_v1 = client.get(f"/offentligt/sammantraden/{meeting_id}/version/1/handlingar/motespaket.pdf")
    assert public_v1.status_code == 200 and public_v1.data.startswith(b"%PDF")
    assert client.get(f"/offentligt/sammantraden/{meeting_id}/version/2/handlingar/motespaket.pdf").status_code == 404


def test_who_may_make_and_follow_the_documents(app, api_as, demo):
    meeting = demo_meeting()
    client, member = api_as("ledamot")
    assert client.post(f"/api/v1/meetings/{meeting.id}/documents", headers=member).status_code == 403
    client, secretary = api_as("sekreterare")
    unpublished = db.session.scalar(select(Meeting).where(Meeting.id != meeting.id))
    refused = client.post(f"/api/v1/meetings/{unpublished.id}/documents", headers=secretary)
    assert refused.status_code == 409 and "inte publicerad" in refused.get_json()["error"]["message"]
    made = client.post(f"/api/v1/meetings/{meeting.id}/documents", headers=secretary).get_json()
    assert made["job"]["state"] == "queued" and made["files"]["public"] == {
        "kallelse.pdf": None,
        "kallelse.docx": None,
        "motespaket.pdf": None,
    }
    job_url = f"/api/v1/meetings/{meeting.id}/documents/{made['job']['id']}"
    assert client.get(job_url, headers=member).status_code == 404  # only whoever asked follows the job
    registrar_client, registrar = api_as("registrator")
    assert registrar_client.get(job_url, headers=registrar).status_code == 404
    assert client.get(job_url + "/members/motespaket.pdf", headers=secretary).status_code == 404  # not made yet
    assert client.get(f"/offentligt/sammantraden/{meeting.id}/version/1/handlingar/kallelse.pdf").status_code == 404
