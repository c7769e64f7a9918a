"""The documents of a kallelse whose case became confidential after it was put on the agenda: rendered
and read back (python-docx, pypdf), the public kallelse.pdf, kallelse.docx and motespaket.pdf hold
nothing of it, the members' package does. The task runs in this process on the session's LibreOffice."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import select

from agenda.models import Meeting
from app.extensions import db
from app.registry.models import Case
from tasks.models import Job, JobState
from tasks.rendering.meeting_documents import render_meeting_documents
from tasks.rendering.meeting_jobs import MEETING_DOCUMENTS
from tests.canaries import (
    BILAGA_TEXT,
    CANARIES,
    ITEM_TITLE,
    PUBLIC_TITLE,
    REPORT_TEXT,
    complete,
    make_confidential,
    signed_case_with_canaries,
)
from tests.factories import add_case_item, body_of, csrf_token, publish
from tests.rendering.pdf_checks import outline, reader, text

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _render(secretary, meeting_id: int) -> None:
    """Skapa handlingar as the secretary, the task run here."""
    secretary.post(
        f"/sammantraden/{meeting_id}/handlingar",
        data={"csrf_token": csrf_token(secretary, f"/sammantraden/{meeting_id}")},
    )
    job_id = db.session.scalar(select(Job.id).where(Job.kind == MEETING_DOCUMENTS).order_by(Job.id.desc()))
    db.session.remove()  # the task's session must not wait for the test's
    render_meeting_documents.apply(args=[job_id])
    job = db.session.get(Job, job_id)
    assert job.state is JobState.done, job.error


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("way", ["registrar-renames", "own-item-title"])
def test_the_public_files_hold_nothing_of_a_case_made_confidential_late(app, client, login_as, converter, meeting, way):
    case = signed_case_with_canaries()
    add_case_item(meeting, case, title=ITEM_TITLE if way == "own-item-title" else None)
    complete(meeting)
    db.session.commit()
    make_confidential(case, rename=way == "registrar-renames")
    meeting_id, number = meeting.id, case.number
    publish(db.session.get(Meeting, meeting_id))
    db.session.commit()

    secretary = login_as("sekreterare")
    _render(secretary, meeting_id)

    base = f"/offentligt/sammantraden/{meeting_id}/version/1/handlingar"
    public = {name: client.get(f"{base}/{name}") for name in ("kallelse.pdf", "kallelse.docx", "motespaket.pdf")}
    assert all(r.status_code == 200 for r in public.values())
    texts = {
        "kallelse.pdf": text(reader(public["kallelse.pdf"].data)),
        "kallelse.docx": _docx_text(public["kallelse.docx"].data),
        "motespaket.pdf": text(reader(public["motespaket.pdf"].data)),
    }
    for name, body in texts.items():
        found = [c for c in CANARIES if c in body]
        assert not found and number not in body, (name, found)
    assert PUBLIC_TITLE in texts["kallelse.docx"] and "Sekretessärenden" in texts["kallelse.docx"]

    # The members' package has all of it: the render did include the case, so the check above can fail.
    members = secretary.get(f"/sammantraden/{meeting_id}/kallelse/version/1/handlingar/motespaket.pdf")
    assert members.status_code == 200
    members_text = " ".join(text(reader(members.data)).split())
    assert REPORT_TEXT.split(":")[1].strip().split()[0] in members_text and BILAGA_TEXT.split()[1] in members_text


def test_files_rendered_before_the_marking_are_no_longer_handed_out_to_the_public(
    app, client, login_as, converter, meeting
):
    case = signed_case_with_canaries()
    add_case_item(meeting, case)
    complete(meeting)
    publish(meeting)
    db.session.commit()
    meeting_id, case_id = meeting.id, case.id
    _render(login_as("sekreterare"), meeting_id)
    public_file = f"/offentligt/sammantraden/{meeting_id}/version/1/handlingar/motespaket.pdf"
    officer_file = f"/sammantraden/{meeting_id}/kallelse/version/1/handlingar/motespaket.pdf"
    officer = login_as("controller")
    assert client.get(public_file).status_code == 200 and officer.get(officer_file).status_code == 200
    assert "KANARI" in text(reader(client.get(public_file).data))  # published open, as it was then

    make_confidential(db.session.get(Case, case_id), rename=False)
    for who, path in ((client, public_file), (officer, officer_file)):
        gone = who.get(path)
        assert gone.status_code == 410, path
        assert "sekretessmarkerats" in gone.get_data(as_text=True)
    page = body_of(client.get(f"/offentligt/sammantraden/{meeting_id}"))
    assert "/handlingar/motespaket.pdf" not in page and "KANARI" not in page
    # The members who may read the case still get the members' files of version 1.
    member = login_as("ledamot").get(officer_file)
    assert member.status_code == 200 and "KANARI" in text(reader(member.data))


def test_every_page_of_a_confidential_cases_handlingar_in_the_members_package_is_marked(
    app, login_as, converter, meeting
):
    case = signed_case_with_canaries()
    add_case_item(meeting, case)
    complete(meeting)
    db.session.commit()
    make_confidential(case, rename=False)  # "26 kap. 1 § OSL"
    meeting_id, title = meeting.id, case.title
    publish(db.session.get(Meeting, meeting_id))
    db.session.commit()
    secretary = login_as("sekreterare")
    _render(secretary, meeting_id)

    base = f"/sammantraden/{meeting_id}/kallelse/version/1/handlingar"
    r = reader(secretary.get(f"{base}/motespaket.pdf").data)
    entries = outline(r)
    assert [e[0] for e in entries[:2]] == ["Kallelse", "Innehåll"]
    (item,) = entries[2:]
    assert [d[0] for d in item[2]][:1] == ["Tjänsteutlåtande"] and len(item[2]) == 2  # the report and its bilaga
    marking = "Sekretess enligt 26 kap. 1 § OSL"
    for number, page in enumerate(r.pages, start=1):
        shown = page.extract_text()
        assert (marking in shown) is (number >= item[1]), number  # the handlingar are the package's last pages
    # the members' kallelse lists the matter by its public title: its real one is in its handlingar only
    kallelse = _docx_text(secretary.get(f"{base}/kallelse.docx").data)
    assert PUBLIC_TITLE in kallelse and title not in kallelse
