"""The meeting pages: the year plan, the agenda builder (add, edit, remove, move, reorder), the
kallelse facts, publishing and republishing, the members' kallelse with its handlingar and bilagor,
outcomes and delegated decisions (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agenda import operations as agenda_ops
from agenda.models import AgendaItem, DelegationDecision, ItemOutcome, Meeting, Publication
from app.clock import local_today, to_local, utcnow
from app.extensions import db
from tests.factories import (
    PDF,
    PUBLIC_TITLE,
    SECRET_BILAGA,
    SECRET_TITLE,
    body_of,
    committee,
    csrf_token,
    fresh,
    next_week,
    page,
    person,
    post,
    rows,
    signed_report_with_bilagor,
)
from tests.page_structure import structure_problems
from workflows import operations as report_ops
from workflows.models import ReportState


def published_versions(meeting_id: int) -> list[int]:
    return list(fresh().scalars(select(Publication.version).where(Publication.meeting_id == meeting_id)))


def version(meeting_id: int) -> int:
    return fresh().get(Meeting, meeting_id).agenda_version


def items(meeting_id: int) -> list[AgendaItem]:
    return list(fresh().get(Meeting, meeting_id).items)


def fill_facts(client, meeting_id: int, **overrides):
    m = fresh().get(Meeting, meeting_id)
    from app.clock import to_local

    start = to_local(m.start_dt)
    fields = {
        "day": start.date().isoformat(),
        "time": f"{start:%H:%M}",
        "place": m.place,
        "notice_place": "Huddinge",
        "notice_date": local_today().isoformat(),
        "chair_name": "Gunnel Hedberg",
        "secretary_name": "Sara Lindqvist",
        **overrides,
    }
    return post(client, f"/sammantraden/{meeting_id}/uppgifter", **fields)


# --- the year plan and planning --------------------------------------------------------------


@pytest.mark.moments
def test_the_secretary_plans_a_meeting_from_the_year_plan(login_as, demo):
    client = login_as("sekreterare")
    day = local_today() + timedelta(days=40)
    html = page(client, f"/sammantraden?ar={day.year}")
    assert "<h1>Sammanträden " in html and "Planera sammanträde" in html
    assert structure_problems(html) == []

    response = post(
        client,
        "/sammantraden/planera",
        committee=committee().id,
        day=day.isoformat(),
        time="18:00",
        place="Plenum, Gymnasietorget 1",
        is_public="y",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = fresh().scalar(select(Meeting).order_by(Meeting.id.desc()))
    assert response.headers["Location"] == f"/sammantraden/{meeting.id}"
    assert meeting.is_public and meeting.place == "Plenum, Gymnasietorget 1"
    html = page(client, response.headers["Location"])
    assert "är planerat" in html
    assert rows(html) == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Övriga frågor"),
        (4, "Delgivningar och anmälda delegationsbeslut"),
    ]
    assert structure_problems(html) == []
    # The year plan lists it.
    assert f'href="/sammantraden/{meeting.id}"' in page(client, f"/sammantraden?ar={day.year}")


@pytest.mark.moments
def test_planning_refuses_bad_input_in_swedish_and_stores_nothing(login_as, demo):
    client = login_as("sekreterare")
    before = fresh().scalar(select(func.count()).select_from(Meeting))
    past = post(
        client, "/sammantraden/planera", committee=committee().id, day="2020-01-09", time="18:00", place="Plenum"
    )
    assert past.status_code == 422
    assert "Sammanträdet kan inte läggas i det förflutna." in past.get_data(as_text=True)
    future = (local_today() + timedelta(days=30)).isoformat()
    bad_time = post(client, "/sammantraden/planera", committee=committee().id, day=future, time="25:61", place="Plenum")
    assert bad_time.status_code == 422 and "Ange klockslaget som TT:MM" in bad_time.get_data(as_text=True)
    no_place = post(client, "/sammantraden/planera", committee=committee().id, day=future, time="18:00", place="")
    assert no_place.status_code == 422 and "Plats måste fyllas i." in no_place.get_data(as_text=True)
    bad_date = post(client, "/sammantraden/planera", committee=committee().id, day="23/2", time="18:00", place="P")
    assert bad_date.status_code == 422 and "ÅÅÅÅ-MM-DD" in bad_date.get_data(as_text=True)
    other = post(client, "/sammantraden/planera", committee=committee("KS").id, day=future, time="18:00", place="P")
    assert other.status_code == 400  # a committee the form never offered
    assert fresh().scalar(select(func.count()).select_from(Meeting)) == before
    bad_year = client.get("/sammantraden?ar=tjugo")
    assert bad_year.status_code == 400 and "Ange året med fyra siffror" in bad_year.get_data(as_text=True)


@pytest.mark.moments
def test_members_see_the_year_plan_but_cannot_plan(login_as, meeting):
    member = login_as("ledamot")
    # The year plan of the meeting's own (local) year: "two weeks ahead" may be next year.
    html = page(member, f"/sammantraden?ar={to_local(meeting.start_dt).year}")
    assert f'href="/sammantraden/{meeting.id}"' in html and "Planera sammanträde" not in html
    assert (
        post(
            member,
            "/sammantraden/planera",
            committee=committee().id,
            day=(local_today() + timedelta(days=30)).isoformat(),
            time="18:00",
            place="P",
        ).status_code
        == 403
    )
    # The member's meeting page shows no builder and no draft agenda.
    html = page(member, f"/sammantraden/{meeting.id}")
    assert "Lägg till punkt" not in html and "Val av justerare" not in html and "Inte publicerad ännu." in html
    assert post(member, f"/sammantraden/{meeting.id}/punkter", kind="other", title="Ny punkt").status_code == 403
    assert len(items(meeting.id)) == 4


def test_users_of_other_committees_get_404(login_as, meeting):
    outsider = login_as("ks-handlaggare")
    for path in (
        f"/sammantraden/{meeting.id}",
        f"/sammantraden/{meeting.id}/kallelse",
        f"/sammantraden/{meeting.id}/punkter/{meeting.items[0].id}",
    ):
        assert outsider.get(path).status_code == 404, path
    assert post(outsider, f"/sammantraden/{meeting.id}/punkter", kind="other", title="X").status_code == 404
    assert f"/sammantraden/{meeting.id}" not in body_of(outsider.get("/sammantraden"))


# --- building the agenda ----------------------------------------------------------------------


def test_the_secretary_builds_the_agenda_with_every_kind_of_item(login_as, meeting, new_case):
    signed = new_case("Riktlinjer för ekonomiskt bistånd 2027")
    draft = new_case("Tillsyn av serveringstillstånd", state=ReportState.draft)
    secret = new_case(SECRET_TITLE, confidential=True)
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    html = page(client, base)
    # The case choices: signed reports, and other open cases (for "handling kommer senare").
    assert "Undertecknade tjänsteutlåtanden" in html and f"{signed.number} Riktlinjer" in html
    assert "Övriga öppna ärenden (handling kommer senare)" in html and draft.number in html

    response = post(
        client,
        f"{base}/punkter",
        kind="case",
        case=signed.id,
        note="Remisshandlingar: https://example.se/remiss (hämtad 2026-11-01)",
        external_reference="KSL/12/0177-37",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "har lagts till" in page(client, base)
    assert report_ops.report_for(fresh().get(type(signed), signed.id)).state is ReportState.on_agenda

    # An unsigned report is refused unless the handling comes later; nothing is stored.
    refused = post(client, f"{base}/punkter", kind="case", case=draft.id)
    assert refused.status_code == 409
    assert "inte undertecknat" in refused.get_data(as_text=True) and "Handling kommer senare" in refused.get_data(
        as_text=True
    )
    assert len(items(meeting.id)) == 5
    assert post(client, f"{base}/punkter", kind="case", case=draft.id, is_handling_later="y").status_code == 302

    info = post(
        client,
        f"{base}/punkter",
        kind="information",
        title="Information från förvaltningen",
        part_title_1="Ekonomisk rapport",
        part_presenter_1="Omar Berg, ekonomichef",
        part_title_2="Kvalitetsarbetet",
        part_presenter_2="",
        part_title_3="",
        part_presenter_3="",
    )
    assert info.status_code == 302, info.get_data(as_text=True)
    assert post(client, f"{base}/punkter", kind="procedural", title="Anmälan om jäv").status_code == 302
    assert (
        post(
            client, f"{base}/punkter", kind="other", title="Studiebesök i mars", note="Anmälan till sekreteraren"
        ).status_code
        == 302
    )
    assert post(client, f"{base}/punkter", kind="case", case=secret.id).status_code == 302
    assert post(client, f"{base}/punkter", kind="delegation_report", title="").status_code == 302

    html = page(client, base)
    assert rows(html) == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Riktlinjer för ekonomiskt bistånd 2027"),
        (4, "Tillsyn av serveringstillstånd"),
        (5, "Information från förvaltningen"),
        (6, "Anmälan om jäv"),
        (7, "Studiebesök i mars"),
        (8, "Övriga frågor"),
        (9, SECRET_TITLE),
        (10, "Delgivningar och anmälda delegationsbeslut"),
        (11, "Delgivningar och anmälda delegationsbeslut"),
    ]
    # The Sekretessärenden heading comes before the confidential item; numbering runs on.
    assert re.search(
        r'<th scope="row" colspan="4">Sekretessärenden</th></tr>\s*<tr id="punkt-\d+" '
        r'data-item-id="\d+" data-confidential="true"',
        html,
    )
    assert "Omar Berg, ekonomichef" in html and "Kvalitetsarbetet" in html
    assert "Remisshandlingar: https://example.se/remiss (hämtad 2026-11-01)" in html and "KSL/12/0177-37" in html
    assert "Handling kommer senare" in html and signed.number in html
    assert structure_problems(html) == []

    # Bad input: an empty title, an unknown kind, a case of another committee.
    empty = post(client, f"{base}/punkter", kind="other", title="")
    assert empty.status_code == 422 and "Rubrik måste fyllas i." in empty.get_data(as_text=True)
    assert post(client, f"{base}/punkter", kind="bogus", title="X").status_code == 400
    ks_case = new_case("Kommunstyrelsens ärende", prefix="KS", state=None)
    assert post(client, f"{base}/punkter", kind="case", case=ks_case.id).status_code == 400
    assert len(items(meeting.id)) == 11


def test_edit_remove_and_attach_the_handling(login_as, meeting, new_case):
    draft = new_case("Tillsyn av serveringstillstånd", state=ReportState.draft)
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    assert post(client, f"{base}/punkter", kind="case", case=draft.id, is_handling_later="y").status_code == 302
    assert (
        post(
            client,
            f"{base}/punkter",
            kind="information",
            title="Information",
            part_title_1="Ekonomisk rapport",
            part_presenter_1="Omar Berg",
        ).status_code
        == 302
    )
    info = next(i for i in items(meeting.id) if i.title == "Information")
    case_item = next(i for i in items(meeting.id) if i.case_id == draft.id)

    form = page(client, f"{base}/punkter/{info.id}")
    assert 'value="Ekonomisk rapport"' in form and structure_problems(form) == []
    response = post(
        client,
        f"{base}/punkter/{info.id}",
        version=version(meeting.id),
        title="Information om budget",
        note="Underlag delas ut",
        external_reference="",
        part_title_1="Budget 2027",
        part_presenter_1="Omar Berg, ekonomichef",
        part_title_2="Uppföljning",
        part_presenter_2="",
        part_title_3="",
        part_presenter_3="",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    edited = fresh().get(AgendaItem, info.id)
    assert (edited.title, edited.note, edited.parts) == (
        "Information om budget",
        "Underlag delas ut",
        [{"title": "Budget 2027", "presenter": "Omar Berg, ekonomichef"}, {"title": "Uppföljning", "presenter": None}],
    )
    # A stale version is refused; an empty title too.
    stale = post(client, f"{base}/punkter/{info.id}", version=1, title="Annat")
    assert stale.status_code == 409 and "Ladda om sidan" in stale.get_data(as_text=True)
    empty = post(client, f"{base}/punkter/{info.id}", version=version(meeting.id), title="")
    assert empty.status_code == 422 and "Rubrik måste fyllas i." in empty.get_data(as_text=True)
    assert fresh().get(AgendaItem, info.id).title == "Information om budget"

    # "Handlingen är klar" before the report is signed is refused; after signing it is attached.
    early = post(client, f"{base}/punkter/{case_item.id}/handling")
    assert early.status_code == 409 and "kan läggas till när det är undertecknat" in early.get_data(as_text=True)
    report = report_ops.report_for(draft)
    for name, who in (("submit", "handlaggare"), ("approve", "enhetschef"), ("sign", "direktor")):
        report_ops.transition(report, user=person(who), name=name, notify=False)
    db.session.commit()
    assert post(client, f"{base}/punkter/{case_item.id}/handling").status_code == 302
    assert not fresh().get(AgendaItem, case_item.id).is_handling_later
    assert report_ops.report_for(draft).state is ReportState.on_agenda

    # Removing renumbers the rest and gives the report back.
    assert post(client, f"{base}/punkter/{case_item.id}/ta-bort").status_code == 302
    assert [(i.position, i.title) for i in items(meeting.id)] == [
        (1, "Val av justerare"),
        (2, "Godkännande av föredragningslistan"),
        (3, "Information om budget"),
        (4, "Övriga frågor"),
        (5, "Delgivningar och anmälda delegationsbeslut"),
    ]
    assert report_ops.report_for(draft).state is ReportState.signed
    assert "är borttagen" in page(client, f"/sammantraden/{meeting.id}")


def test_move_with_the_keyboard_alternative_and_reorder_with_drag_and_drop(login_as, meeting):
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    ids = [i.id for i in items(meeting.id)]
    html = page(client, base)
    assert html.count("Flytta till plats") >= 4 and "Flytta upp" in html and "Flytta ned" in html
    assert f'name="version" type="hidden" value="{version(meeting.id)}"' in html
    assert "js/agenda.js" in html

    # A place number.
    response = post(client, f"{base}/punkter/{ids[3]}/flytta", version=version(meeting.id), position=1)
    assert response.status_code == 302
    assert [i.id for i in items(meeting.id)] == [ids[3], ids[0], ids[1], ids[2]]
    # One step down, one step up.
    assert (
        post(
            client, f"{base}/punkter/{ids[3]}/flytta", version=version(meeting.id), position=1, direction="down"
        ).status_code
        == 302
    )
    assert [i.id for i in items(meeting.id)] == [ids[0], ids[3], ids[1], ids[2]]
    assert (
        post(client, f"{base}/punkter/{ids[1]}/flytta", version=version(meeting.id), direction="up").status_code == 302
    )
    assert [i.id for i in items(meeting.id)] == [ids[0], ids[1], ids[3], ids[2]]
    # A place out of range and a stale version are refused with Swedish messages, nothing moved.
    out = post(client, f"{base}/punkter/{ids[0]}/flytta", version=version(meeting.id), position=9)
    assert out.status_code == 422 and "Platsen ska vara ett tal från 1 till 4." in out.get_data(as_text=True)
    stale = post(client, f"{base}/punkter/{ids[0]}/flytta", version=1, position=2)
    assert stale.status_code == 409
    assert "har ändrats av någon annan" in stale.get_data(as_text=True)
    assert [i.id for i in items(meeting.id)] == [ids[0], ids[1], ids[3], ids[2]]

    # Drag and drop: the script's fetch gets JSON with the new numbers and version.
    current = version(meeting.id)
    order = [ids[2], ids[3], ids[1], ids[0]]
    response = client.post(
        f"{base}/ordning",
        headers={"Accept": "application/json"},
        data={"csrf_token": csrf_token(client, "/"), "version": current, "order": ",".join(map(str, order))},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["version"] == current + 1
    assert body["items"] == [{"id": i, "number": n} for n, i in enumerate(order, start=1)]
    assert [i.id for i in items(meeting.id)] == order
    # The same order from the stale page: 409 and the Swedish conflict message.
    stale = client.post(
        f"{base}/ordning",
        headers={"Accept": "application/json"},
        data={"csrf_token": csrf_token(client, "/"), "version": current, "order": ",".join(map(str, ids))},
    )
    assert stale.status_code == 409
    assert "Ladda om sidan" in stale.get_json()["error"]["message"]
    assert [i.id for i in items(meeting.id)] == order
    # A bad order: 422.
    bad = client.post(
        f"{base}/ordning",
        headers={"Accept": "application/json"},
        data={"csrf_token": csrf_token(client, "/"), "version": current + 1, "order": f"{ids[0]},{ids[0]}"},
    )
    assert bad.status_code == 422 and "exakt en gång" in bad.get_json()["error"]["message"]
    junk = client.post(
        f"{base}/ordning",
        headers={"Accept": "application/json"},
        data={"csrf_token": csrf_token(client, "/"), "version": "x", "order": "a,b"},
    )
    assert junk.status_code == 422
    # A plain form gets a redirect.
    plain = post(client, f"{base}/ordning", version=current + 1, order=",".join(map(str, ids)))
    assert plain.status_code == 302 and plain.headers["Location"].startswith(base)
    assert [i.id for i in items(meeting.id)] == ids
    # Without a token nothing happens.
    assert (
        client.post(
            f"{base}/ordning",
            data={"version": current + 2, "order": ",".join(map(str, order))},
            headers={"Accept": "application/json"},
        ).status_code
        == 400
    )
    assert [i.id for i in items(meeting.id)] == ids


# --- publishing and reading -------------------------------------------------------------------


def test_publish_read_and_republish(app, login_as, meeting, new_case):
    case, (public_bilaga, secret_bilaga) = signed_report_with_bilagor(new_case, "Verksamhetsberättelse 2016")
    secret = new_case(SECRET_TITLE, confidential=True)
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    assert post(client, f"{base}/punkter", kind="case", case=case.id).status_code == 302
    assert post(client, f"{base}/punkter", kind="case", case=secret.id).status_code == 302

    # The publication check lists what is missing; publishing is refused with every problem.
    html = page(client, base)
    assert "Kontroll före publicering" in html
    assert "Kallelsen saknar ort, datum, ordförande i avslutningen." in html
    assert "Sista dag för kallelsen" in html and "Skäl till sen publicering" not in html
    refused = post(client, f"{base}/publicera")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "Kallelsen publicerades inte" in text and "Kallelsen saknar ort, datum, ordförande" in text
    assert published_versions(meeting.id) == []

    # The facts complete the kallelse; a bad date is refused.
    bad = fill_facts(client, meeting.id, notice_date="2 februari")
    assert bad.status_code == 422 and "ÅÅÅÅ-MM-DD" in bad.get_data(as_text=True)
    assert fill_facts(client, meeting.id).status_code == 302
    html = page(client, base)
    assert "Kontrollen hittade inget som hindrar publicering." in html
    published = post(client, f"{base}/publicera")
    assert published.status_code == 302, published.get_data(as_text=True)
    assert "Kallelsen är publicerad som version 1." in page(client, base)

    # A member reads the kallelse: Tid, Plats, the items, the closing, and the confidential item in full:
    # the members decide on it, so their version has all handlingar (DOMAIN.md).
    member = login_as("ledamot")
    html = page(member, f"{base}/kallelse")
    assert '<h1 id="kallelse-rubrik">Kallelse till Socialnämnden</h1>' in html
    assert "klockan 18:00" in html and "Plenum, Gymnasietorget 1" in html
    assert "Huddinge den " in html and "Gunnel Hedberg" in html and "Sara Lindqvist" in html
    assert case.number in html and "Verksamhetsberättelse 2016" in html
    assert SECRET_TITLE in html and secret.number in html
    assert (
        PUBLIC_TITLE not in html
        and "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet." not in html
    )
    assert structure_problems(html) == []
    number = next(i.position for i in items(meeting.id) if i.case_id == case.id)
    secret_number = next(i.position for i in items(meeting.id) if i.case_id == secret.id)
    assert f'href="/sammantraden/{meeting.id}/kallelse/punkt/{number}?version=1"' in html
    assert f'href="/sammantraden/{meeting.id}/kallelse/punkt/{secret_number}?version=1"' in html

    # The handlingar: the signed tjänsteutlåtande and both bilagor, the confidential one too.
    handling = page(member, f"{base}/kallelse/punkt/{number}")
    assert "Socialnämnden godkänner förslaget." in handling and "Förvaltningen beskriver ärendet." in handling
    assert f"/kallelse/bilaga/{public_bilaga}?version=1" in handling
    assert SECRET_BILAGA in handling and f"/kallelse/bilaga/{secret_bilaga}?version=1" in handling
    assert structure_problems(handling) == []
    download = member.get(f"{base}/kallelse/bilaga/{public_bilaga}?version=1")
    assert download.status_code == 200
    assert download.data == PDF + b"Verksamhetsber\xc3\xa4ttelse 2016"
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'inline; filename="Bilaga ett.pdf"'  # a PDF: the browser shows it
    secret_download = member.get(f"{base}/kallelse/bilaga/{secret_bilaga}?version=1")
    assert secret_download.status_code == 200
    assert secret_download.data == PDF + b"secret" + "Verksamhetsberättelse 2016".encode()
    assert secret_download.headers["Cache-Control"] == "private, no-store"
    secret_page = page(member, f"{base}/kallelse/punkt/{secret_number}")
    assert SECRET_TITLE in secret_page and secret.number in secret_page
    assert (
        "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet."
        not in secret_page
    )
    assert "Socialnämnden antar riktlinjerna." in secret_page  # its signed tjänsteutlåtande
    assert structure_problems(secret_page) == []

    # A case officer of the committee who is not the officer of these cases (controller) has no right to
    # read them: the confidential item by its public title, the confidential bilaga withheld.
    assert {case.case_officer.email, secret.case_officer.email} == {"handlaggare@huddinge.example"}
    no_right = login_as("controller")
    html = page(no_right, f"{base}/kallelse")
    assert (
        PUBLIC_TITLE in html
        and "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet." in html
    )
    assert SECRET_TITLE not in html and secret.number not in html
    assert structure_problems(html) == []
    handling = page(no_right, f"{base}/kallelse/punkt/{number}")
    assert "Socialnämnden godkänner förslaget." in handling
    assert f"/kallelse/bilaga/{public_bilaga}?version=1" in handling
    assert SECRET_BILAGA not in handling and f"/kallelse/bilaga/{secret_bilaga}" not in handling
    assert no_right.get(f"{base}/kallelse/bilaga/{public_bilaga}?version=1").status_code == 200
    assert no_right.get(f"{base}/kallelse/bilaga/{secret_bilaga}?version=1").status_code == 404
    secret_page = page(no_right, f"{base}/kallelse/punkt/{secret_number}")
    assert PUBLIC_TITLE in secret_page and SECRET_TITLE not in secret_page and secret.number not in secret_page
    assert "Sekretessärende: handlingarna visas för nämndens ledamöter och för den som får läsa ärendet." in secret_page
    assert "Socialnämnden antar riktlinjerna." not in secret_page
    # Staff who may see confidential matters read the title and get the confidential bilaga.
    assert SECRET_TITLE in page(login_as("registrator"), f"{base}/kallelse")
    assert SECRET_BILAGA in page(client, f"{base}/kallelse/punkt/{number}")
    assert client.get(f"{base}/kallelse/bilaga/{secret_bilaga}").status_code == 200
    # Other committees' users: 404 everywhere.
    outsider = login_as("ks-handlaggare")
    for path in (f"{base}/kallelse", f"{base}/kallelse/punkt/{number}", f"{base}/kallelse/bilaga/{public_bilaga}"):
        assert outsider.get(path).status_code == 404, path

    # A correction: republishing without a change is refused; after one, version 2 says what changed.
    same = post(client, f"{base}/publicera")
    assert same.status_code == 409 and "Inget har ändrats sedan version 1" in same.get_data(as_text=True)
    item = next(i for i in items(meeting.id) if i.case_id == case.id)
    assert (
        post(
            client,
            f"{base}/punkter/{item.id}",
            version=version(meeting.id),
            title=item.title,
            note="Rättad anteckning",
            external_reference="",
        ).status_code
        == 302
    )
    pending = page(client, base)  # the secretary sees what the correction will say before publishing it
    assert "Ändringar sedan version 1" in pending and f"Punkt {number}: anteckningen ändrad." in pending
    assert post(client, f"{base}/publicera").status_code == 302
    html = page(client, base)
    assert "Version 2" in html and f"Punkt {number}: anteckningen ändrad." in html
    assert "Inget har ändrats sedan version 2; en rättelse behövs inte." in html
    assert "Publicera rättelse (version 3)" not in html
    latest = page(member, f"{base}/kallelse")
    assert "Version 2, publicerad" in latest and "Rättad anteckning" in latest
    assert f"Punkt {number}: anteckningen ändrad." in latest
    old = page(member, f"{base}/kallelse?version=1")
    assert "Rättad anteckning" not in old and "Det finns en nyare version av kallelsen: version 2." in old
    bad_version = member.get(f"{base}/kallelse?version=ett")
    assert bad_version.status_code == 400 and "Ange versionen som ett heltal" in bad_version.get_data(as_text=True)
    assert member.get(f"{base}/kallelse?version=9").status_code == 404
    assert member.get(f"{base}/kallelse/punkt/99").status_code == 404
    # The bilaga of version 1 stays reachable from version 1.
    assert member.get(f"{base}/kallelse/bilaga/{public_bilaga}?version=1").status_code == 200


def test_an_empty_agenda_is_not_published(login_as, meeting):
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    assert fill_facts(client, meeting.id).status_code == 302
    for item in items(meeting.id):
        assert post(client, f"{base}/punkter/{item.id}/ta-bort").status_code == 302
    html = page(client, base)
    assert "Föredragningslistan är tom" in html
    refused = post(client, f"{base}/publicera")
    assert refused.status_code == 409
    assert "Föredragningslistan är tom; lägg till punkter innan kallelsen publiceras." in refused.get_data(as_text=True)
    assert published_versions(meeting.id) == []
    assert login_as("ledamot").get(f"{base}/kallelse").status_code == 404


@pytest.mark.moments
def test_publishing_after_the_deadline_needs_a_reason(login_as, demo, secretary):
    late = agenda_ops.plan_meeting(committee(), user=secretary, start=next_week(days=3), place="Plenum")
    db.session.commit()
    client = login_as("sekreterare")
    base = f"/sammantraden/{late.id}"
    assert fill_facts(client, late.id).status_code == 302
    html = page(client, base)
    assert "Sista dagen har passerat" in html and "Skäl till sen publicering" in html
    # the check asks for the reason as what is needed, never "nothing prevents publishing" beside it
    assert "Kontrollen hittade inget som hindrar publicering." not in html
    assert "Det här behövs innan kallelsen kan publiceras:" in html
    target = re.search(r'<a href="#([^"]+)">Skriv skälet till sen publicering</a>: sista dagen', html)
    assert target and re.search(rf'<textarea [^>]*id="{target.group(1)}"', html)  # the link leads to the field
    refused = post(client, f"{base}/publicera", late_reason="")
    assert refused.status_code == 422
    assert "Ange skälet till att den publiceras sent." in refused.get_data(as_text=True)
    assert post(client, f"{base}/publicera", late_reason="Extra sammanträde om budgeten.").status_code == 302
    publication = fresh().scalar(select(Publication).where(Publication.meeting_id == late.id))
    assert publication.late_reason == "Extra sammanträde om budgeten."
    assert "Publicerad efter sista dag: Extra sammanträde om budgeten." in page(client, base)


def test_many_handlings_coming_later_are_listed_beside_the_publish_button_but_do_not_block(login_as, meeting, new_case):
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    assert fill_facts(client, meeting.id).status_code == 302
    html = page(client, base)
    assert "Handling kommer senare" not in html.split('id="publicera"')[1]  # none yet: no warning
    later = [new_case(f"Ärende utan handling {n}", state=None) for n in range(3)]
    for case in later:
        assert post(client, f"{base}/punkter", kind="case", case=case.id, is_handling_later="y").status_code == 302
    total = len(items(meeting.id))
    html = page(client, base)
    publish = html.split('id="publicera"')[1]
    assert f"<h3>3 av {total} punkter: Handling kommer senare</h3>" in publish
    listed = re.findall(r"<li>Punkt (\d+): ([^<(]+?) \(<span", publish)
    assert [title for _, title in listed] == [case.title for case in later]
    assert [int(n) for n, _ in listed] == [i.number for i in items(meeting.id) if i.is_handling_later]
    # a warning before the button, not a block: the kallelse is published
    assert publish.index("Handling kommer senare") < publish.index("Publicera kallelsen</button>")
    assert post(client, f"{base}/publicera").status_code == 302
    assert published_versions(meeting.id) == [1]


@pytest.mark.moments
def test_outcomes_after_the_meeting_and_postponed_cases_offered_again(login_as, meeting, new_case, secretary):
    case = new_case("Riktlinjer för ekonomiskt bistånd 2027")
    agenda_ops.add_item(meeting, user=secretary, kind="case", case=case)
    db.session.commit()
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    item = next(i for i in items(meeting.id) if i.case_id == case.id)
    early = post(client, f"{base}/punkter/{item.id}/utfall", outcome="postponed")
    assert early.status_code == 409 and "när sammanträdet har börjat" in early.get_data(as_text=True)
    m = db.session.get(Meeting, meeting.id)
    m.start_dt = utcnow() - timedelta(hours=2)
    db.session.commit()
    html = page(client, base)
    assert "Registrera vad sammanträdet gjorde" in html
    bad = post(client, f"{base}/punkter/{item.id}/utfall", outcome="kanske")
    assert bad.status_code == 400
    assert post(client, f"{base}/punkter/{item.id}/utfall", outcome="postponed").status_code == 302
    assert fresh().get(AgendaItem, item.id).outcome is ItemOutcome.postponed
    # The next meeting offers the postponed case again.
    following = agenda_ops.plan_meeting(
        committee(), user=person("sekreterare"), start=next_week(days=40), place="Plenum"
    )
    db.session.commit()
    html = page(client, f"/sammantraden/{following.id}")
    offered = html[html.index("Bordlagda och återremitterade") :]
    assert case.number in offered[: offered.index("</optgroup>")]


# --- delegated decisions ----------------------------------------------------------------------


@pytest.mark.moments
def test_delegated_decisions_are_registered_and_listed(login_as, meeting, new_case):
    open_case = new_case("Riktlinjer för ekonomiskt bistånd 2027")
    secret = new_case(SECRET_TITLE, confidential=True)
    client = login_as("sekreterare")
    before = fresh().scalar(select(func.count()).select_from(DelegationDecision))
    html = page(client, "/delegationsbeslut")
    assert "Registrera delegationsbeslut" in html and structure_problems(html) == []
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    response = post(
        client,
        "/delegationsbeslut",
        committee=committee().id,
        decided_on=yesterday,
        decision_maker="Eva Strand, socialdirektör",
        delegation_point="3.1.2",
        case=open_case.id,
        summary="Bistånd till boende beviljat.",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert (
        post(
            client,
            "/delegationsbeslut",
            committee=committee().id,
            decided_on=yesterday,
            decision_maker="Per Sundberg, enhetschef",
            delegation_point="4.2",
            case=secret.id,
            summary="Placering av barnet Alva beslutad.",
        ).status_code
        == 302
    )
    future = post(
        client,
        "/delegationsbeslut",
        committee=committee().id,
        decided_on=(local_today() + timedelta(days=2)).isoformat(),
        decision_maker="X",
        delegation_point="1",
        case="",
        summary="Y",
    )
    assert future.status_code == 422 and "Beslutsdatum kan inte ligga i framtiden." in future.get_data(as_text=True)
    missing = post(
        client,
        "/delegationsbeslut",
        committee=committee().id,
        decided_on=yesterday,
        decision_maker="",
        delegation_point="",
        case="",
        summary="",
    )
    assert missing.status_code == 422 and "Beslutsfattare måste fyllas i." in missing.get_data(as_text=True)
    assert fresh().scalar(select(func.count()).select_from(DelegationDecision)) == before + 2

    html = page(client, "/delegationsbeslut")
    assert "Bistånd till boende beviljat." in html and "Placering av barnet Alva beslutad." in html
    # The builder of the committee's next meeting counts them under the delegation report item.
    following = agenda_ops.upcoming_meetings([committee().id])[0]
    reported = agenda_ops.delegation_decisions_for(following)
    assert {"Bistånd till boende beviljat.", "Placering av barnet Alva beslutad."} <= {d.summary for d in reported}
    builder = page(client, f"/sammantraden/{following.id}")
    assert f"{len(reported)} delegationsbeslut anmäls." in builder
    # A member sees the list, the confidential one masked, and cannot register.
    member = login_as("ledamot")
    html = page(member, "/delegationsbeslut")
    assert "Bistånd till boende beviljat." in html and "Alva" not in html and secret.number not in html
    assert "Registrera delegationsbeslut" not in html
    assert (
        post(
            member,
            "/delegationsbeslut",
            committee=committee().id,
            decided_on=yesterday,
            decision_maker="X",
            delegation_point="1",
            summary="Y",
        ).status_code
        == 403
    )


def test_the_menu_and_the_start_page_link_the_meetings(login_as, demo, client):
    secretary_home = page(login_as("sekreterare"), "/")
    assert ">Sammanträden</a>" in secretary_home and ">Delegationsbeslut</a>" in secretary_home
    assert 'href="/offentligt"' in secretary_home and "Sammanträden och kallelser" in secretary_home
    member_home = page(login_as("ledamot"), "/")
    assert ">Sammanträden</a>" in member_home and ">Delegationsbeslut</a>" not in member_home
    anonymous = page(client, "/")
    assert 'href="/offentligt"' in anonymous and "Sammanträden och kallelser" in anonymous


@pytest.mark.parametrize(
    "path",
    [
        "/sammantraden",
        "/sammantraden/1",
        "/sammantraden/1/kallelse",
        "/sammantraden/1/kallelse/punkt/1",
        "/delegationsbeslut",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]
