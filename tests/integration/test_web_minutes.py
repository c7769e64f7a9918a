"""The protokoll's pages: förhinder, the committee's seats, yrkanden filed in advance, and the protokoll's header
and paragraphs; each form's success, its Swedish refusal with the status and nothing stored, 403 and 404, CSRF,
and a stale save answered 409 with both texts."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from agenda.minutes.models import Absence, CommitteeSeat, FiledMotion, Minutes, MinutesConflict, MinutesRevision
from app.extensions import db
from tests.factories import csrf_token, fresh_session


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _seat(name: str) -> CommitteeSeat:
    return db.session.scalar(select(CommitteeSeat).where(CommitteeSeat.name == name))


def _post(client, path: str, data: dict | None = None, *, token_from: str | None = None):
    token = csrf_token(client, token_from or "/")
    return client.post(path, data={"csrf_token": token, **(data or {})})


def test_a_member_reports_forhinder_on_the_attendance_page_and_withdraws_it(login_as, meeting):
    member = login_as("ledamot")
    page = member.get(f"/sammantraden/{meeting.id}/narvaro")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Du står som närvarande" in html and "Anmäl förhinder" in html
    answer = _post(member, f"/sammantraden/{meeting.id}/forhinder", {"reason": "Bortrest"})
    assert answer.status_code == 302
    html = member.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Förhinder anmält för Ali Karimi (S). Mona Nilsson (S) är inkallad." in html
    assert "Du har anmält förhinder" in html and "Tjänstgör för Ali Karimi (S)" in html

    again = _post(member, f"/sammantraden/{meeting.id}/forhinder", {"reason": "Igen"})
    assert again.status_code == 409
    assert "har redan anmält förhinder" in again.get_data(as_text=True)

    chair = _seat("Gunnel Hedberg")
    refused = _post(member, f"/sammantraden/{meeting.id}/forhinder", {"seat": chair.id})
    assert refused.status_code == 403
    assert "Du kan bara anmäla förhinder för din egen plats." in refused.get_data(as_text=True)
    assert _count(Absence) == 1

    too_long = _post(member, f"/sammantraden/{meeting.id}/forhinder", {"reason": "x" * 1001})
    assert too_long.status_code == 422
    assert "Meddelande får vara högst 1000 tecken" in too_long.get_data(as_text=True)

    absence = db.session.scalar(select(Absence))
    withdrawn = _post(member, f"/sammantraden/{meeting.id}/forhinder/{absence.id}/ta-tillbaka")
    assert withdrawn.status_code == 302
    with fresh_session():
        assert _count(Absence) == 0


def test_the_secretary_reports_for_anyone_and_sees_who_is_called_in(login_as, meeting):
    secretary = login_as("sekreterare")
    chair = _seat("Gunnel Hedberg")
    answer = _post(secretary, f"/sammantraden/{meeting.id}/forhinder", {"seat": chair.id, "reason": "Sjuk"})
    assert answer.status_code == 302
    html = secretary.get(f"/sammantraden/{meeting.id}/narvaro").get_data(as_text=True)
    assert "Förhinder (Sjuk)" in html and "Ta tillbaka förhindret" in html
    other = _post(secretary, f"/sammantraden/{meeting.id}/forhinder", {"seat": 999_999})
    assert other.status_code == 404
    none = _post(secretary, f"/sammantraden/{meeting.id}/forhinder", {})
    assert none.status_code == 422
    assert "Du har ingen plats i nämnden; välj vem som har förhinder." in none.get_data(as_text=True)


def test_forhinder_needs_csrf_and_a_role_in_the_committee(login_as, meeting):
    member = login_as("ledamot")
    assert member.post(f"/sammantraden/{meeting.id}/forhinder", data={"reason": "x"}).status_code == 400
    outsider = login_as("ks-handlaggare")
    assert outsider.get(f"/sammantraden/{meeting.id}/narvaro").status_code == 404
    assert _post(outsider, f"/sammantraden/{meeting.id}/forhinder").status_code == 404
    officer = login_as("handlaggare")
    assert _post(officer, f"/sammantraden/{meeting.id}/forhinder").status_code == 403
    assert _count(Absence) == 0


def test_the_secretary_adds_changes_and_moves_seats(login_as, meeting):
    sn = meeting.committee_id
    secretary = login_as("sekreterare")
    page = secretary.get(f"/sammantraden/ledamoter/{sn}")
    assert page.status_code == 200 and "Gunnel Hedberg" in page.get_data(as_text=True)
    added = _post(secretary, f"/sammantraden/ledamoter/{sn}", {"kind": "deputy", "name": "Nora Vik", "party": "KD"})
    assert added.status_code == 302
    seat = _seat("Nora Vik")
    assert seat.position == 8
    seat_id = seat.id
    bad = _post(secretary, f"/sammantraden/ledamoter/{sn}", {"kind": "deputy", "name": "", "party": "KD"})
    assert bad.status_code == 422 and "Namn måste fyllas i." in bad.get_data(as_text=True)
    office = _post(
        secretary,
        f"/sammantraden/ledamoter/{sn}/{seat.id}",
        {"kind": "deputy", "name": "Nora Vik", "party": "KD", "office": "chair", "is_active": "y"},
    )
    assert office.status_code == 422
    assert "Bara en ledamot kan vara ordförande eller vice ordförande." in office.get_data(as_text=True)
    changed = _post(
        secretary,
        f"/sammantraden/ledamoter/{sn}/{seat.id}",
        {"kind": "deputy", "name": "Nora Vik", "party": "L", "is_active": "y"},
    )
    assert changed.status_code == 302
    moved = _post(secretary, f"/sammantraden/ledamoter/{sn}/{seat.id}/flytta", {"direction": "up"})
    assert moved.status_code == 302
    moved = _post(secretary, f"/sammantraden/ledamoter/{sn}/{seat.id}/flytta", {"position": "1"})
    assert moved.status_code == 302
    wrong = _post(secretary, f"/sammantraden/ledamoter/{sn}/{seat.id}/flytta", {"position": "99"})
    assert wrong.status_code == 422
    with fresh_session():
        again = _seat("Nora Vik")
        assert (again.party, again.position) == ("L", 1)

    member = login_as("ledamot")
    assert member.get(f"/sammantraden/ledamoter/{sn}").status_code == 200
    assert (
        _post(member, f"/sammantraden/ledamoter/{sn}", {"kind": "deputy", "name": "X", "party": "S"}).status_code == 403
    )
    assert member.get(f"/sammantraden/ledamoter/{sn}/{seat_id}").status_code == 403
    outsider = login_as("ks-handlaggare")
    assert outsider.get(f"/sammantraden/ledamoter/{sn}").status_code == 404
    assert secretary.get(f"/sammantraden/ledamoter/{sn}/999999").status_code == 404


def test_a_member_files_a_yrkande_and_withdraws_it(login_as, meeting):
    item = meeting.items[0]
    path = f"/sammantraden/{meeting.id}/punkter/{item.id}/yrkanden"
    member = login_as("ledamot")
    assert "Inga yrkanden har lämnats" in member.get(path).get_data(as_text=True)
    bad = _post(member, path, {"kind": "amendment", "text": ""})
    assert bad.status_code == 422 and "Yrkandet måste fyllas i." in bad.get_data(as_text=True)
    assert _count(FiledMotion) == 0
    filed = _post(member, path, {"kind": "amendment", "text": "Lägg till en punkt 3."})
    assert filed.status_code == 302
    chair = login_as("ordforande")
    html = chair.get(path).get_data(as_text=True)
    assert "Lägg till en punkt 3." in html and "Ali Karimi (S)" in html and "Dra tillbaka" not in html
    motion = db.session.scalar(select(FiledMotion))
    assert _post(chair, f"{path}/{motion.id}/ta-tillbaka").status_code == 403
    assert _post(member, f"{path}/{motion.id}/ta-tillbaka").status_code == 302
    officer = login_as("handlaggare")
    assert officer.get(path).status_code == 403
    outsider = login_as("ks-handlaggare")
    assert outsider.get(path).status_code == 404
    other_item = f"/sammantraden/{meeting.id}/punkter/999999/yrkanden"
    assert member.get(other_item).status_code == 404


def _start(secretary, meeting) -> Minutes:
    assert _post(secretary, f"/sammantraden/{meeting.id}/protokoll").status_code == 302
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))


def _paragraph_form(client, path: str) -> dict[str, str]:
    """The paragraph page's form as it stands: its text fields, selects and checked boxes."""
    html = client.get(path).get_data(as_text=True)
    form = html[html.index('class="stack minutes-paragraph"') :]
    data: dict[str, str] = {}
    for name, value in re.findall(r'<input type="(?:text|hidden)" id="[^"]*" name="([^"]+)" value="([^"]*)"', form):
        data[name] = value
    data["based_on"] = re.search(r'name="based_on" value="(\d+)"', form).group(1)
    for name, body in re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data[name] = body
    for name in re.findall(r'name="([^"]+)" value="y" checked', form):
        data[name] = "y"
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_the_secretary_records_the_protokoll(login_as, meeting):
    member = login_as("ledamot")
    assert member.get(f"/sammantraden/{meeting.id}/protokoll").status_code == 404  # none yet
    assert _post(member, f"/sammantraden/{meeting.id}/protokoll").status_code == 403
    secretary = login_as("sekreterare")
    assert "Påbörja protokollet" in secretary.get(f"/sammantraden/{meeting.id}").get_data(as_text=True)
    minutes = _start(secretary, meeting)
    assert minutes.current_revision == 1
    assert _post(secretary, f"/sammantraden/{meeting.id}/protokoll").status_code == 409

    page = secretary.get(f"/sammantraden/{meeting.id}/protokoll").get_data(as_text=True)
    assert "Närvaro och justering" in page and page.count('value="y" checked') == 11
    # the header: a justerare who is not there is refused, nothing stored
    karimi, nilsson = _seat("Ali Karimi"), _seat("Mona Nilsson")
    header = {f"present_{s.id}": "y" for s in db.session.scalars(select(CommitteeSeat)) if s.kind.value == "member"}
    before = _count(MinutesRevision)
    bad = _post(
        secretary,
        f"/sammantraden/{meeting.id}/protokoll/narvaro",
        {"based_on": "1", **header, f"adjuster_{nilsson.id}": "y"},
    )
    assert bad.status_code == 422
    assert "Justerare Mona Nilsson (S) är inte närvarande vid sammanträdet." in bad.get_data(as_text=True)
    assert _count(MinutesRevision) == before
    saved = _post(
        secretary,
        f"/sammantraden/{meeting.id}/protokoll/narvaro",
        {
            "based_on": "1",
            **header,
            f"adjuster_{karimi.id}": "y",
            "adjustment_place": "Kommunhuset",
            "adjustment_at": "2027-03-20 10:00",
            "others_present": "Sara Lindqvist, nämndsekreterare",
        },
    )
    assert saved.status_code == 302
    stale = _post(secretary, f"/sammantraden/{meeting.id}/protokoll/narvaro", {"based_on": "1", **header})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Någon annan har sparat medan du skrev" in html and "Ali Karimi (S)" in html

    # a paragraph for the first item, then its page
    opened = _post(secretary, f"/sammantraden/{meeting.id}/protokoll/paragrafer", {"item": meeting.items[0].id})
    assert opened.status_code == 302
    path = opened.headers["Location"]
    form = _paragraph_form(secretary, path)
    assert form["title"] == "Val av justerare"
    ballots = {k: "yes" for k in (f"ballot_{s}" for s in _serving_ids(secretary, path))}
    short = {**form, "has_vote": "y", "yes_means": "bifall", "no_means": "avslag", **dict(list(ballots.items())[:1])}
    refused = _post(secretary, path, short)
    assert refused.status_code == 422
    assert "har 1 röster men 11 tjänstgör" in refused.get_data(as_text=True)
    counted = {
        **form,
        "outcome": "decided",
        "motion_seat_1": str(karimi.id),
        "motion_kind_1": "approval",
        "motion_text_1": "",
        "has_vote": "y",
        "yes_means": "bifall till förslaget",
        "no_means": "avslag",
        **ballots,
        "decision_1": "Ali Karimi (S) utses att justera.",
    }
    done = _post(secretary, path, counted)
    assert done.status_code == 302, done.get_data(as_text=True)
    html = secretary.get(path).get_data(as_text=True)
    assert "Med 11 ja-röster, 0 nej-röster och 0 som avstår har nämnden beslutat enligt ja." in html
    stale = _post(secretary, path, {**counted, "decision_1": "Per Olsson (M) utses att justera."})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Per Olsson (M) utses att justera." in html and "Ali Karimi (S) utses att justera." in html
    assert _count(MinutesConflict) == 2

    assert "Ali Karimi (S) utses att justera." in member.get(path).get_data(as_text=True)
    assert _post(member, path, counted).status_code == 403
    officer = login_as("handlaggare")
    assert officer.get(path).status_code == 403
    outsider = login_as("ks-handlaggare")
    assert outsider.get(path).status_code == 404
    assert secretary.get(f"/sammantraden/{meeting.id}/protokoll/paragrafer/999999").status_code == 404
    assert secretary.post(path, data=counted).status_code == 400  # no CSRF token


def _serving_ids(client, path: str) -> list[str]:
    return re.findall(r'name="ballot_(\d+)" value="yes"', client.get(path).get_data(as_text=True))
