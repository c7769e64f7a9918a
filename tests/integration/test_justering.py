"""Justering and the anslagstavla through the pages and the API: who may read and approve (exact 403 and 404),
the password and the PDF's hash in the request, Swedish JSON errors with nothing stored, and the public
anslagstavla, its archive, feed and API with nothing confidential in them."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from agenda.minutes import adjustment as adj
from agenda.minutes import announcements as anslag
from agenda.minutes.adjustment_models import AdjustmentKind, Announcement, MinutesApproval
from agenda.minutes.models import Minutes
from app.clock import local_today, utcnow
from app.extensions import db
from tasks import jobs
from tasks.protocol_jobs import pending_job
from tests.agenda.test_adjustment import before_the_meeting, ready  # noqa: F401 - fixtures
from tests.agenda.test_minutes import recorded, seats  # noqa: F401 - fixtures
from tests.factories import add_case_item, approve_as_chair_and_justerare, csrf_token, fresh

SECRET = "Placering av Kim Hemligsson enligt LVU"
PUBLIC = "Ärende enligt LVU"


@pytest.fixture(autouse=True)
def fake_converter(monkeypatch):
    """The protokoll's DOCX is built for real; LibreOffice is not the subject here, so the PDF is stand-in bytes
    made from it (tests/rendering convert for real)."""
    from tasks import adjustment_documents

    def convert(docx: bytes) -> bytes:
        return b"%PDF-1.7\n% protokoll " + hashlib.sha256(docx).hexdigest().encode() + b"\n%%EOF\n"

    monkeypatch.setattr(adjustment_documents, "convert", convert)


def _count(model) -> int:
    """The rows of ``model`` beside the demo's (its protokoll of 2017 is justerat)."""
    demo = select(Minutes.id).order_by(Minutes.id).limit(1).scalar_subquery()
    return db.session.scalar(select(func.count()).select_from(model).where(model.minutes_id != demo))


def _state(client, headers, meeting_id: int) -> dict:
    answer = client.get(f"/api/v1/meetings/{meeting_id}/minutes/justering", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["justering"]


def test_the_justering_through_the_api(api_as, ready):  # noqa: F811
    minutes, _paragraph, _ids = ready
    meeting_id = minutes.meeting_id
    path = f"/api/v1/meetings/{meeting_id}/minutes/justering"
    client, chair = api_as("ordforande")
    state = _state(client, chair, meeting_id)
    (full,) = state["rounds"]
    assert full["kind"] == "full" and full["obstacles"] == [] and len(full["pdf_sha256"]) == 64
    assert [(a["name"], a["role"], a["decision"]) for a in full["approvers"]] == [
        ("Gunnel Hedberg", "Ordförande", None),
        ("Ali Karimi", "Justerare", None),
    ]
    pdf = client.get(full["pdf_url"], headers=chair)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == full["pdf_sha256"]
    body = {"kind": "full", "pdf_sha256": full["pdf_sha256"], "password": "demo-ordforande"}

    # Refusals: Swedish JSON, exact statuses, nothing stored.
    client, secretary = api_as("sekreterare")
    answer = client.post(f"{path}/approve", json={**body, "password": "demo-sekreterare"}, headers=secretary)
    assert answer.status_code == 403 and answer.get_json()["error"]["message"] == adj.NOT_AN_APPROVER
    client, officer = api_as("handlaggare")  # staff of the committee without view_minutes
    assert client.get(path, headers=officer).status_code == 403
    assert client.post(f"{path}/approve", json=body, headers=officer).status_code == 403
    client, outsider = api_as("ks-handlaggare")
    assert client.get(path, headers=outsider).status_code == 404
    assert client.post(f"{path}/approve", json=body, headers=outsider).status_code == 404
    client, chair = api_as("ordforande")
    answer = client.post(f"{path}/approve", json={**body, "password": "fel"}, headers=chair)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {
        "password": "Lösenordet stämmer inte. Protokollet är inte justerat."
    }
    answer = client.post(f"{path}/approve", json={**body, "pdf_sha256": "a" * 64}, headers=chair)
    assert (
        answer.status_code == 409
        and "Protokollet har ändrats sedan du öppnade det" in answer.get_json()["error"]["message"]
    )
    answer = client.post(f"{path}/approve", json={**body, "kind": "immediate"}, headers=chair)
    assert answer.status_code == 409
    answer = client.post(f"{path}/approve", json={**body, "kind": "sometime"}, headers=chair)
    assert answer.status_code == 400
    answer = client.post(f"{path}/reject", json={"kind": "full", "pdf_sha256": body["pdf_sha256"]}, headers=chair)
    assert answer.status_code == 422 and "Skriv vad som behöver rättas" in answer.get_json()["error"]["message"]
    assert _count(MinutesApproval) == 0

    answer = client.post(f"{path}/approve", json=body, headers=chair)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["justering"]["rounds"][0]["approvers"][0]["decision"]["approved"] is True
    client, adjuster = api_as("ledamot")
    answer = client.post(f"{path}/approve", json={**body, "password": "demo-ledamot"}, headers=adjuster)
    assert answer.status_code == 200
    done = answer.get_json()["justering"]
    assert done["is_adjusted"] and done["rounds"] == [] and done["adjustments"][0]["pdf_sha256"] == body["pdf_sha256"]
    (announcement,) = done["announcements"]
    assert announcement["put_up_on"] == local_today().isoformat() and announcement["is_up"]

    # After justering: a save is 409, and a rättelse by the secretary opens it again.
    paragraph_id = fresh().scalars(select(Minutes).where(Minutes.meeting_id == meeting_id)).one().paragraphs[0].id
    client, secretary = api_as("sekreterare")
    saved = client.patch(
        f"/api/v1/meetings/{meeting_id}/minutes/paragraphs/{paragraph_id}",
        json={"based_on": done["revision"], "decision": ["Ändrat."]},
        headers=secretary,
    )
    assert saved.status_code == 409 and "en ändring görs som rättelse" in saved.get_json()["error"]["message"]
    correction = f"/api/v1/meetings/{meeting_id}/minutes/corrections"
    assert client.post(correction, json={"description": "x"}, headers=chair).status_code == 403
    answer = client.post(correction, json={"description": "Fel lydelse i beslutet."}, headers=secretary)
    assert answer.status_code == 201 and answer.get_json()["justering"]["rounds"][0]["kind"] == "correction"
    assert client.post(correction, json={"description": "Igen."}, headers=secretary).status_code == 409


def test_the_justering_page_for_the_justerare_and_the_secretary(login_as, ready):  # noqa: F811
    minutes, _paragraph, _ids = ready
    meeting_id = minutes.meeting_id
    page = f"/sammantraden/{meeting_id}/justering"
    member = login_as("ledamot")
    html = member.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert page in html  # the meeting page links to it
    html = member.get(page).get_data(as_text=True)
    assert "Justering av protokollet" in html and "Justera protokollet" in html and 'type="password"' in html
    document = member.get(f"{page}/protokoll.pdf?kind=full")
    assert document.status_code == 200 and document.mimetype == "application/pdf"
    sha = hashlib.sha256(document.data).hexdigest()
    assert sha in html
    token = csrf_token(member, page)
    wrong = member.post(
        f"{page}/godkann", data={"csrf_token": token, "kind": "full", "pdf_sha256": sha, "password": "x"}
    )
    assert wrong.status_code == 422 and "Lösenordet stämmer inte" in wrong.get_data(as_text=True)
    no_csrf = member.post(f"{page}/godkann", data={"kind": "full", "pdf_sha256": sha, "password": "demo-ledamot"})
    assert no_csrf.status_code == 400
    good = member.post(
        f"{page}/godkann", data={"csrf_token": token, "kind": "full", "pdf_sha256": sha, "password": "demo-ledamot"}
    )
    assert good.status_code == 302
    # The secretary sees who has approved, and has no form to approve with.
    secretary = login_as("sekreterare")
    html = secretary.get(page).get_data(as_text=True)
    assert "Godkänt" in html and "Väntar" in html and 'type="password"' not in html
    token = csrf_token(secretary, page)
    refused = secretary.post(
        f"{page}/godkann", data={"csrf_token": token, "kind": "full", "pdf_sha256": sha, "password": "demo-sekreterare"}
    )
    assert refused.status_code == 403
    assert login_as("handlaggare").get(page).status_code == 403
    assert login_as("ks-handlaggare").get(page).status_code == 404
    assert _count(MinutesApproval) == 1


def test_before_the_meeting_the_page_and_the_api_refuse_the_justering(login_as, api_as, before_the_meeting):  # noqa: F811
    minutes, _paragraph, _ids = before_the_meeting
    meeting_id = minutes.meeting_id
    page = f"/sammantraden/{meeting_id}/justering"
    member = login_as("ledamot")
    html = member.get(page).get_data(as_text=True)
    assert "Kan inte justeras ännu" in html and adj.NOT_STARTED in html and 'type="password"' not in html
    sha = hashlib.sha256(member.get(f"{page}/protokoll.pdf?kind=full").data).hexdigest()
    form = {"csrf_token": csrf_token(member, page), "kind": "full", "pdf_sha256": sha, "password": "demo-ledamot"}
    refused = member.post(f"{page}/godkann", data=form)
    assert refused.status_code == 409 and adj.NOT_STARTED in refused.get_data(as_text=True)
    client, chair = api_as("ordforande")
    path = f"/api/v1/meetings/{meeting_id}/minutes/justering"
    assert adj.NOT_STARTED in _state(client, chair, meeting_id)["rounds"][0]["obstacles"]
    body = {"kind": "full", "pdf_sha256": sha, "password": "demo-ordforande"}
    answer = client.post(f"{path}/approve", json=body, headers=chair)
    assert answer.status_code == 409 and answer.get_json()["error"]["message"] == adj.NOT_STARTED
    rejection = {"kind": "full", "pdf_sha256": sha, "comment": "Fel i § 1."}
    answer = client.post(f"{path}/reject", json=rejection, headers=chair)
    assert answer.status_code == 409 and answer.get_json()["error"]["message"] == adj.NOT_STARTED
    assert _count(MinutesApproval) == 0


@pytest.fixture
def announced(ready, new_case, secretary, meeting):  # noqa: F811
    """The protokoll with a confidential case's paragraph, justerat and announced today."""
    minutes, _paragraph, ids = ready
    case = new_case(SECRET, confidential=True)
    case.public_title = PUBLIC
    item = add_case_item(meeting, case)
    from agenda.minutes import operations as minutes_ops

    paragraph = minutes_ops.open_paragraph(minutes, item, user=secretary)
    minutes_ops.save_paragraph(paragraph, user=secretary, based_on=minutes.current_revision, raw={"outcome": "decided"})
    db.session.commit()
    document = adj.ReviewedDocument(revision=minutes.current_revision, pdf=b"%PDF-1.7 stand-in")
    for key, password in (("ordforande", "demo-ordforande"), ("ledamot", "demo-ledamot")):
        from tests.factories import person

        adj.approve(
            minutes,
            user=person(key),
            kind="full",
            document=document,
            seen_sha256=document.sha256,
            password=password,
        )
    db.session.commit()
    return db.session.scalars(select(Announcement).where(Announcement.minutes_id == minutes.id)).one()


def test_the_public_anslagstavla_lists_the_announcement_without_anything_confidential(client, announced):
    board = client.get("/offentligt/anslagstavla")
    html = board.get_data(as_text=True)
    assert board.status_code == 200 and "Socialnämnden" in html
    assert f"/offentligt/anslagstavla/{announced.id}" in html
    detail = client.get(f"/offentligt/anslagstavla/{announced.id}").get_data(as_text=True)
    assert PUBLIC in detail and "Förvaringsplats för protokollet" in detail
    assert announced.last_appeal_day.isoformat() in detail
    feed = client.get("/offentligt/anslagstavla.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    api = client.get("/api/v1/public/anslagstavla")
    assert api.status_code == 200
    (entry,) = api.get_json()["announcements"]
    assert entry["is_up"] and PUBLIC in [p["title"] for p in entry["paragraphs"]]
    assert client.get(f"/api/v1/public/anslagstavla/{announced.id}").status_code == 200
    assert client.get("/api/v1/public/anslagstavla/999999").status_code == 404
    for text in (html, detail, feed.get_data(as_text=True), api.get_data(as_text=True)):
        assert SECRET not in text and "Hemligsson" not in text
    archived = client.get("/api/v1/public/anslagstavla?archive=true").get_json()["announcements"]
    assert announced.id not in [a["id"] for a in archived]  # (the archive holds the demo's anslag of 2017)


def test_an_announcement_goes_to_the_archive_when_the_appeal_period_is_over(client, announced):
    later = utcnow() + timedelta(days=(announced.taken_down_on - local_today()).days + 1)
    with time_machine.travel(later, tick=False):
        current = client.get("/offentligt/anslagstavla").get_data(as_text=True)
        archive = client.get("/offentligt/anslagstavla/arkiv").get_data(as_text=True)
        api = client.get("/api/v1/public/anslagstavla?archive=true").get_json()["announcements"]
    assert f"/offentligt/anslagstavla/{announced.id}" not in current
    assert f"/offentligt/anslagstavla/{announced.id}" in archive
    assert [a["id"] for a in api if a["id"] == announced.id] == [announced.id]
    assert all(a["is_up"] is False for a in api)


def demo_announcement() -> Announcement:
    """The anslag of the demo meeting's justerat protokoll (app.demo.minutes: its sekretessärenden among the
    paragraphs, approved by the chair and Ali Karimi on 2 March 2017)."""
    return db.session.scalars(
        select(Announcement).where(Announcement.kind == AdjustmentKind.full).order_by(Announcement.id)
    ).first()


def justera(minutes: Minutes) -> Announcement:
    """The protokoll approved by the chair and Ali Karimi on stand-in PDF bytes: returns its announcement."""

    document = adj.ReviewedDocument(revision=minutes.current_revision, pdf=b"%PDF-1.7 the protokoll")
    approve_as_chair_and_justerare(minutes, document)
    return db.session.scalars(select(Announcement).where(Announcement.minutes_id == minutes.id)).one()


def test_the_rendered_protokoll_of_the_current_revision_is_what_is_approved_and_the_public_reads(
    api_as,
    client,
    ready,  # noqa: F811
):
    from agenda.minutes.documents import DocumentKind
    from tests.agenda.test_minutes_documents import _document

    minutes, _paragraph, _ids = ready
    rendered = _document(minutes, DocumentKind.full, revision=minutes.current_revision, pdf=b"%PDF-1.7 rendered")
    draft_public = _document(minutes, DocumentKind.public, revision=minutes.current_revision, pdf=b"%PDF draft pub")
    db.session.commit()
    client_chair, chair = api_as("ordforande")
    (full,) = _state(client_chair, chair, minutes.meeting_id)["rounds"]
    assert full["pdf_sha256"] == rendered.pdf_sha256
    assert client_chair.get(full["pdf_url"], headers=chair).data == b"%PDF-1.7 rendered"
    path = f"/api/v1/meetings/{minutes.meeting_id}/minutes/justering/approve"
    body = {"kind": "full", "pdf_sha256": rendered.pdf_sha256}
    assert client_chair.post(path, json={**body, "password": "demo-ordforande"}, headers=chair).status_code == 200
    client_adj, adjuster = api_as("ledamot")
    done = client_adj.post(path, json={**body, "password": "demo-ledamot"}, headers=adjuster).get_json()["justering"]
    assert done["adjustments"][0]["pdf_sha256"] == rendered.pdf_sha256
    (announcement,) = done["announcements"]
    detail = client.get(f"/offentligt/anslagstavla/{announcement['id']}").get_data(as_text=True)
    link = f"/offentligt/sammantraden/{minutes.meeting_id}/protokoll.pdf"
    assert link not in detail and client.get(link).status_code == 404  # a draft's public version is never shown
    sealed = _document(
        fresh().get(Minutes, minutes.id),
        DocumentKind.public,
        revision=done["revision"],
        adjusted=True,
        pdf=b"%PDF sealed public",
    )
    db.session.commit()
    assert link in client.get(f"/offentligt/anslagstavla/{announcement['id']}").get_data(as_text=True)
    answer = client.get(link)
    assert answer.status_code == 200 and answer.data == b"%PDF sealed public" and sealed is not draft_public


def test_the_committees_forvaringsplats_is_the_one_the_anslag_states(api_as, ready):  # noqa: F811
    from tests.factories import committee

    sn = committee("SN").id
    client, admin = api_as("admin")
    path = f"/api/v1/committees/{sn}"
    answer = client.patch(path, json={"minutes_kept_at": "Kommunarkivet, Sjödalsvägen 3"}, headers=admin)
    assert (
        answer.status_code == 200
        and answer.get_json()["committee"]["minutes_kept_at"] == "Kommunarkivet, Sjödalsvägen 3"
    )
    assert client.patch(path, json={"minutes_kept_at": "x" * 301}, headers=admin).status_code in (400, 422)
    announcement = justera(ready[0])
    assert announcement.kept_at == "Kommunarkivet, Sjödalsvägen 3"
    answer = client.patch(path, json={"minutes_kept_at": ""}, headers=admin)
    assert answer.get_json()["committee"]["minutes_kept_at"] is None
    client, secretary = api_as("sekreterare")
    assert client.patch(path, json={"minutes_kept_at": "Hos mig"}, headers=secretary).status_code == 403


def test_wrong_passwords_on_approvals_are_limited_as_log_ins_are(app, api_as, ready):  # noqa: F811
    minutes, _paragraph, _ids = ready
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client, chair = api_as("ordforande")
    (full,) = _state(client, chair, minutes.meeting_id)["rounds"]
    path = f"/api/v1/meetings/{minutes.meeting_id}/minutes/justering/approve"
    body = {"kind": "full", "pdf_sha256": full["pdf_sha256"], "password": "fel"}
    assert [client.post(path, json=body, headers=chair).status_code for _ in range(4)] == [422, 422, 422, 429]
    answer = client.post(path, json={**body, "password": "demo-ordforande"}, headers=chair)
    assert answer.status_code == 429 and "för många försök" in answer.get_json()["error"]["message"]
    assert _count(MinutesApproval) == 0


def render_failed(announcement: Announcement) -> None:
    """The render the justering started failed (the worker could not make the documents): nothing is sealed."""
    job = pending_job(fresh().get(Minutes, announcement.minutes_id))
    assert job is not None and job.params["adjustment_id"] == announcement.adjustment_id
    jobs.fail(job.id, "Protokollet kunde inte skapas.")


def test_the_secretary_puts_the_anslag_up_a_later_day_the_law_allows(api_as, announced):
    path = f"/api/v1/meetings/{announced.minutes.meeting_id}/minutes/announcements/{announced.id}"
    client, chair = api_as("ordforande")
    assert client.patch(path, json={"put_up_on": local_today().isoformat()}, headers=chair).status_code == 403
    client, secretary = api_as("sekreterare")
    before = (local_today() - timedelta(days=1)).isoformat()
    answer = client.patch(path, json={"put_up_on": before}, headers=secretary)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {
        "put_up_on": f"Anslaget kan inte sättas upp {before}, före justeringen {local_today().isoformat()}."
    }
    far = (local_today() + timedelta(days=10)).isoformat()
    assert client.patch(path, json={"put_up_on": far}, headers=secretary).status_code == 422
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    # The justering started the render that seals the protokoll with the anslag's dates: while it is queued the
    # day is fixed (the sealed PDF will print it).
    answer = client.patch(path, json={"put_up_on": tomorrow}, headers=secretary)
    assert answer.status_code == 409 and answer.get_json()["error"]["message"] == anslag.SEALING
    assert fresh().get(Announcement, announced.id).put_up_on == local_today()
    render_failed(announced)  # nothing was sealed: the day may still be chosen
    answer = client.patch(path, json={"put_up_on": tomorrow}, headers=secretary)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["announcement"]["put_up_on"] == tomorrow
    assert client.get(f"/api/v1/public/anslagstavla/{announced.id}").status_code == 404  # not up until tomorrow
    assert client.patch(f"{path}9", json={"put_up_on": tomorrow}, headers=secretary).status_code == 404


def test_the_secretary_moves_the_put_up_day_on_the_justering_page(login_as, announced):
    page = f"/sammantraden/{announced.minutes.meeting_id}/justering"
    secretary = login_as("sekreterare")
    html = secretary.get(page).get_data(as_text=True)
    field = f"anslag{announced.id}-put_up_on"
    # While the render the justering started is queued, the day is fixed: the page says why, without the form.
    assert f'name="{field}"' not in html and anslag.SEALING in html
    action = f"{page}/anslag/{announced.id}"
    token = csrf_token(secretary, page)
    tomorrow = local_today() + timedelta(days=1)
    refused = secretary.post(action, data={"csrf_token": token, field: tomorrow.isoformat()})
    assert refused.status_code == 409 and anslag.SEALING in refused.get_data(as_text=True)
    render_failed(announced)  # nothing was sealed: the day may still be chosen
    html = secretary.get(page).get_data(as_text=True)
    assert f'name="{field}"' in html and anslag.SEALING not in html
    before = (local_today() - timedelta(days=1)).isoformat()
    refused = secretary.post(action, data={"csrf_token": token, field: before})
    assert refused.status_code == 422 and "före justeringen" in refused.get_data(as_text=True)
    moved = secretary.post(action, data={"csrf_token": token, field: tomorrow.isoformat()})
    assert moved.status_code == 302
    assert fresh().get(Announcement, announced.id).put_up_on == tomorrow
    assert f'name="{field}"' not in login_as("ledamot").get(page).get_data(as_text=True)


def test_the_meeting_page_year_plan_and_api_show_protokoll_klart(login_as, api_as, announced):
    """Once the whole protokoll is justerat the meeting is "Protokoll klart" wherever its status shows, and the
    meeting page no longer offers outcomes to record by hand."""
    meeting_id = announced.minutes.meeting_id
    year = announced.meeting_date.year
    secretary = login_as("sekreterare")
    page = secretary.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert '<span class="badge badge--state">Protokoll klart</span>' in page
    assert 'id="utfall"' not in page
    plan = secretary.get(f"/sammantraden?ar={year}").get_data(as_text=True)
    row = next(r for r in plan.split("<tr>") if f'/sammantraden/{meeting_id}"' in r)
    assert '<td data-label="Läge">Protokoll klart</td>' in row
    client, headers = api_as("sekreterare")
    shown = client.get(f"/api/v1/meetings/{meeting_id}", headers=headers).get_json()
    assert (shown["meeting"]["status"], shown["meeting"]["status_label"]) == ("minutes_done", "Protokoll klart")
