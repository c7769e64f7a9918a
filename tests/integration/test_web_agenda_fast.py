"""The agenda builder's fast paths: the ready cases added at once, a removal confirmed and undone, and the answers
the builder's script gets (JSON with the changed parts of the page), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import select

from agenda.models import AgendaItem, Meeting
from app.audit import AuditEntry
from app.extensions import db
from tests.factories import csrf_token, fresh, page, post
from workflows import operations as report_ops
from workflows.models import ReportState

JSON = {"Accept": "application/json"}


def titles(meeting_id: int) -> list[str]:
    return [item.title for item in fresh().get(Meeting, meeting_id).items]


def version(meeting_id: int) -> int:
    return fresh().get(Meeting, meeting_id).agenda_version


def post_json(client, path: str, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **fields}, headers=JSON)


def test_the_ready_cases_are_listed_and_added_at_once(login_as, meeting, new_case):
    first, second = new_case("Riktlinjer A"), new_case("Riktlinjer B")
    unsigned = new_case("Riktlinjer C", state=ReportState.approved)
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    html = page(client, base)
    ready = html[html.index('id="ready-cases"') : html.index("Lägg till valda ärenden")]
    assert f'value="{first.id}"' in ready and f'value="{second.id}"' in ready
    assert f'value="{unsigned.id}"' not in ready
    # the add forms come before the list
    assert html.index('id="lagg-till"') < html.index('id="agenda-table"')

    response = post(
        client,
        f"{base}/klara-arenden",
        version=version(meeting.id),
        case=[str(first.id), str(second.id)],
        **{f"note_{first.id}": "Remisshandlingar: https://example.se", f"note_{second.id}": ""},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#dagordning")
    assert titles(meeting.id)[2:4] == ["Riktlinjer A", "Riktlinjer B"]
    item = next(i for i in fresh().get(Meeting, meeting.id).items if i.case_id == first.id)
    assert item.note == "Remisshandlingar: https://example.se"
    assert report_ops.report_for(second).state is ReportState.on_agenda
    assert "2 ärenden har lagts till på föredragningslistan som punkt 3, 4." in page(client, base)


def test_adding_ready_cases_refuses_bad_input_in_swedish_and_stores_nothing(login_as, meeting, new_case):
    ready, unsigned = new_case("Riktlinjer A"), new_case("Riktlinjer B", state=ReportState.approved)
    client = login_as("sekreterare")
    path = f"/sammantraden/{meeting.id}/klara-arenden"
    before = titles(meeting.id)

    nothing = post(client, path, version=version(meeting.id))
    assert nothing.status_code == 422 and "Kryssa i minst ett ärende" in nothing.get_data(as_text=True)
    mixed = post(client, path, version=version(meeting.id), case=[str(ready.id), str(unsigned.id)])
    assert mixed.status_code == 409 and "inte undertecknat" in mixed.get_data(as_text=True)
    stale = post(client, path, version=version(meeting.id) - 1, case=[str(ready.id)])
    assert stale.status_code == 409 and "Ladda om sidan" in stale.get_data(as_text=True)
    assert post(client, path, version=version(meeting.id), case=["x"]).status_code == 400
    assert post(client, path, version=version(meeting.id), case=["99999999"]).status_code == 400
    no_token = client.post(path, data={"version": version(meeting.id), "case": [str(ready.id)]})
    assert no_token.status_code == 400
    answer = post_json(client, path, version=version(meeting.id), case=[str(unsigned.id)])
    assert answer.status_code == 409 and "inte undertecknat" in answer.get_json()["error"]["message"]
    assert titles(meeting.id) == before and report_ops.report_for(ready).state is ReportState.signed


def test_the_script_gets_the_changed_parts_of_the_page(login_as, meeting, new_case):
    case = new_case("Riktlinjer A")
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    answer = post_json(client, f"{base}/klara-arenden", version=version(meeting.id), case=[str(case.id)])
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["message"] == "Punkt 3 ”Riktlinjer A” har lagts till på föredragningslistan."
    assert body["version"] == version(meeting.id)
    assert set(body["fragments"]) == {"agenda-list", "ready-cases", "publish-body"}
    assert "Riktlinjer A" in body["fragments"]["agenda-list"] and "Åtgärder" in body["fragments"]["agenda-list"]
    assert f'value="{case.id}"' not in body["fragments"]["ready-cases"]

    item = next(i for i in fresh().get(Meeting, meeting.id).items if i.case_id == case.id)
    edited = post_json(client, f"{base}/punkter/{item.id}", version=version(meeting.id), title="Riktlinjer A 2027")
    assert edited.status_code == 200 and edited.get_json()["focus"] == f"punkt-{item.id}"
    assert "Riktlinjer A 2027" in edited.get_json()["fragments"]["agenda-list"]
    refused = post_json(client, f"{base}/punkter/{item.id}", version=version(meeting.id), title="")
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {"title": "Rubrik måste fyllas i."}
    information = post_json(client, f"{base}/punkter", kind="information", part_title_1="Ekonomisk rapport")
    assert information.status_code == 200 and "Punkt 4 ”Information”" in information.get_json()["message"]


def test_removing_asks_first_and_ångra_puts_the_item_back(login_as, meeting, new_case):
    case = new_case("Riktlinjer A")
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    post(client, f"{base}/klara-arenden", version=version(meeting.id), case=[str(case.id)])
    item = next(i for i in fresh().get(Meeting, meeting.id).items if i.case_id == case.id)
    before = titles(meeting.id)

    # the confirm step (a page of its own without the script) changes nothing
    confirm = page(client, f"{base}/punkter/{item.id}/ta-bort")
    assert "Ta bort punkt 3?" in confirm and "Ta bort punkten" in confirm and titles(meeting.id) == before

    removed = post(client, f"{base}/punkter/{item.id}/ta-bort")
    assert removed.status_code == 302
    location = removed.headers["Location"]
    removal = int(re.search(r"borttagen=(\d+)", location).group(1))
    assert location.endswith("#dagordning") and "Riktlinjer A" not in titles(meeting.id)
    html = page(client, location)
    status = html[html.index('id="agenda-status"') : html.index('id="agenda-list"')]
    assert "Punkt 3 ”Riktlinjer A” borttagen från föredragningslistan." in status and "Ångra" in status
    assert report_ops.report_for(case).state is ReportState.signed

    undone = post(client, f"{base}/angra-borttagning", removal=removal)
    assert undone.status_code == 302 and titles(meeting.id) == before
    assert report_ops.report_for(case).state is ReportState.on_agenda
    again = post(client, f"{base}/angra-borttagning", removal=removal)
    assert again.status_code == 409 and "redan återställd" in again.get_data(as_text=True)
    assert "Ångra" not in page(client, location)[html.index('id="agenda-status"') :].split('id="agenda-list"')[0]
    actions = [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == meeting.id))]
    assert "agenda.item_removed" in actions and "agenda.item_restored" in actions


def test_removing_and_undoing_answer_the_script_in_json(login_as, meeting):
    client = login_as("sekreterare")
    base = f"/sammantraden/{meeting.id}"
    first = fresh().get(Meeting, meeting.id).items[0]
    answer = post_json(client, f"{base}/punkter/{first.id}/ta-bort")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["message"] == "Punkt 1 ”Val av justerare” är borttagen. Övriga punkter har numrerats om."
    assert body["undo"]["minutes"] == 30
    undone = post_json(client, f"{base}/angra-borttagning", removal=body["undo"]["removal"])
    assert undone.status_code == 200 and undone.get_json()["message"] == "Punkt 1 ”Val av justerare” är återställd."
    assert titles(meeting.id)[0] == "Val av justerare"
    unknown = post_json(client, f"{base}/angra-borttagning", removal="abc")
    assert unknown.status_code == 422
    assert post_json(client, f"{base}/angra-borttagning", removal=1).status_code == 409


def test_only_the_committees_secretary_may_use_the_builder(login_as, meeting):
    item_id = fresh().get(Meeting, meeting.id).items[0].id
    base = f"/sammantraden/{meeting.id}"
    member = login_as("ledamot")  # sees the meeting, may not change it
    assert member.get(f"{base}/punkter/{item_id}/ta-bort").status_code == 403
    assert post(member, f"{base}/punkter/{item_id}/ta-bort").status_code == 403
    assert post(member, f"{base}/klara-arenden", version=1, case=["1"]).status_code == 403
    assert post(member, f"{base}/angra-borttagning", removal=1).status_code == 403
    outsider = login_as("ks-handlaggare")  # another committee's: the meeting is not there
    assert outsider.get(f"{base}/punkter/{item_id}/ta-bort").status_code == 404
    assert post(outsider, f"{base}/angra-borttagning", removal=1).status_code == 404
    assert fresh().get(AgendaItem, item_id) is not None
