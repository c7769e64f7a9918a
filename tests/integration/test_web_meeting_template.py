"""The committee's meeting template: standing items and the notice deadline, kept by the secretary
(on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agenda import operations as agenda_ops
from agenda.models import AgendaItem, Meeting, StandingItem
from agenda.standing_items import template_for
from app.audit import AuditEntry
from app.clock import LOCAL_TZ, local_today
from app.organisation.models import Committee
from tests.factories import committee, fresh, next_week, page, person, post, rows
from tests.page_structure import structure_problems


def template(prefix: str = "SN") -> list[tuple[str, str, bool]]:
    fresh()
    return [(item.title, item.kind.value, item.closes_agenda) for item in template_for(committee(prefix))]


def url(prefix: str = "SN", tail: str = "") -> str:
    return f"/sammantraden/mall/{committee(prefix).id}{tail}"


def item_id(title: str, prefix: str = "SN") -> int:
    return next(item.id for item in template_for(committee(prefix)) if item.title == title)


DEFAULT = [
    ("Val av justerare", "procedural", False),
    ("Godkännande av föredragningslistan", "procedural", False),
    ("Övriga frågor", "procedural", True),
    ("Delgivningar och anmälda delegationsbeslut", "delegation_report", True),
]


def test_every_committee_starts_with_the_customary_template(demo):
    assert template("SN") == DEFAULT and template("KS") == DEFAULT


def test_the_secretary_changes_the_template_and_new_meetings_follow_it(login_as, demo):
    client = login_as("sekreterare")
    html = page(client, f"/sammantraden?ar={next_week().year}")
    assert f'href="{url()}"' in html  # the year plan links the committee's template
    html = page(client, url())
    assert "<h1>Mall för Socialnämndens sammanträden</h1>" in html and structure_problems(html) == []

    added = post(
        client,
        url(tail="/punkter"),
        title="Information från förvaltningschefen",
        kind="information",
        placement="opening",
    )
    assert added.status_code == 302 and added.headers["Location"].endswith("#staende-punkter")
    assert "”Information från förvaltningschefen” har lagts till" in page(client, added.headers["Location"])
    assert (
        post(client, url(tail="/punkter"), title="Anmälan av jäv", kind="procedural", placement="closing").status_code
        == 302
    )
    # Move "Anmälan av jäv" (last) above Övriga frågor, rename Delgivningar, remove Val av justerare.
    for _ in range(2):
        assert post(client, url(tail=f"/punkter/{item_id('Anmälan av jäv')}/flytta"), direction="up").status_code == 302
    assert (
        post(
            client,
            url(tail=f"/punkter/{item_id('Delgivningar och anmälda delegationsbeslut')}"),
            title="Delgivningar",
            kind="delegation_report",
            placement="closing",
        ).status_code
        == 302
    )
    assert post(client, url(tail=f"/punkter/{item_id('Val av justerare')}/ta-bort")).status_code == 302
    assert template() == [
        ("Godkännande av föredragningslistan", "procedural", False),
        ("Information från förvaltningschefen", "information", False),
        ("Anmälan av jäv", "procedural", True),
        ("Övriga frågor", "procedural", True),
        ("Delgivningar", "delegation_report", True),
    ]
    # Positions stay 1 … n in each group.
    positions = [(i.closes_agenda, i.position) for i in template_for(committee())]
    assert positions == [(False, 1), (False, 2), (True, 1), (True, 2), (True, 3)]

    day = local_today() + timedelta(days=40)
    planned = post(
        client, "/sammantraden/planera", committee=committee().id, day=day.isoformat(), time="18:00", place="Plenum"
    )
    assert planned.status_code == 302
    html = page(client, planned.headers["Location"])
    assert rows(html) == [
        (1, "Godkännande av föredragningslistan"),
        (2, "Information från förvaltningschefen"),
        (3, "Anmälan av jäv"),
        (4, "Övriga frågor"),
        (5, "Delgivningar"),
    ]
    # A new item goes before the template's closing items, whatever they are called.
    meeting = fresh().scalar(select(Meeting).order_by(Meeting.id.desc()))
    agenda_ops.add_item(meeting, user=person("sekreterare"), kind="other", title="Lokalfrågor")
    fresh()
    assert [i.title for i in meeting.items][2:4] == ["Lokalfrågor", "Anmälan av jäv"]
    # The other committee's template did not change.
    assert template("KS") == DEFAULT
    actions = set(fresh().scalars(select(AuditEntry.action).where(AuditEntry.action.like("committee.%"))))
    assert actions == {
        "committee.standing_item_added",
        "committee.standing_item_moved",
        "committee.standing_item_updated",
        "committee.standing_item_removed",
    }


def test_a_template_change_leaves_planned_agendas_alone(login_as, meeting):
    before = [(i.position, i.title) for i in meeting.items]
    client = login_as("sekreterare")
    assert post(client, url(tail=f"/punkter/{item_id('Övriga frågor')}/ta-bort")).status_code == 302
    fresh()
    assert [(i.position, i.title) for i in fresh().get(Meeting, meeting.id).items] == before


def test_the_notice_deadline_is_the_committees_rule(login_as, meeting):
    client = login_as("sekreterare")
    response = post(client, url(tail="/tidsfrist"), notice_days="10")
    assert response.status_code == 302
    assert "senast 10 dagar före sammanträdet" in page(client, response.headers["Location"])
    assert fresh().get(Meeting, meeting.id).notice_deadline == next_week(14).date() - timedelta(days=10)
    entry = fresh().scalar(select(AuditEntry).where(AuditEntry.action == "committee.notice_days_changed"))
    assert entry.data == {"before": {"notice_days": 7}, "after": {"notice_days": 10}}


@pytest.mark.parametrize(
    "fields, status, message",
    [
        ({"title": "", "kind": "procedural", "placement": "opening"}, 422, "Rubrik måste fyllas i."),
        ({"title": "x" * 301, "kind": "procedural", "placement": "opening"}, 422, "högst 300 tecken"),
        ({"title": "Ärende", "kind": "case", "placement": "opening"}, 400, "Välj ett av alternativen"),
        ({"title": "Punkt", "kind": "procedural", "placement": "mitten"}, 400, "Välj ett av alternativen"),
        ({"title": "Punkt\x07", "kind": "procedural", "placement": "opening"}, 422, "otillåtna tecken"),
    ],
)
def test_bad_standing_items_are_refused_and_nothing_changes(login_as, demo, fields, status, message):
    client = login_as("sekreterare")
    response = post(client, url(tail="/punkter"), **fields)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert template() == DEFAULT


@pytest.mark.parametrize("days", ["0", "61", "sju", "", "7.5"])
def test_bad_notice_days_are_refused(login_as, demo, days):
    client = login_as("sekreterare")
    response = post(client, url(tail="/tidsfrist"), notice_days=days)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ange ett helt antal dagar från 1 till 60." in html or "Ange ett heltal." in html
    assert fresh().scalar(select(Committee.notice_days).where(Committee.registry_prefix == "SN")) == 7


def test_moving_past_the_end_of_a_group_is_refused(login_as, demo):
    client = login_as("sekreterare")
    first = post(client, url(tail=f"/punkter/{item_id('Val av justerare')}/flytta"), direction="up")
    assert first.status_code == 422 and "Punkten står redan först." in first.get_data(as_text=True)
    last = post(
        client, url(tail=f"/punkter/{item_id('Delgivningar och anmälda delegationsbeslut')}/flytta"), direction="down"
    )
    assert last.status_code == 422 and "Punkten står redan sist." in last.get_data(as_text=True)
    odd = post(client, url(tail=f"/punkter/{item_id('Val av justerare')}/flytta"), direction="sideways")
    assert odd.status_code == 422 and "Välj att flytta upp eller ner." in odd.get_data(as_text=True)
    assert template() == DEFAULT


def test_only_the_committees_secretary_keeps_its_template(login_as, demo, client):
    sn_item = item_id("Val av justerare")
    assert client.get(url()).status_code in (302, 401)  # anonymous: to the log-in page
    for key in ("ledamot", "handlaggare"):
        other = login_as(key)
        assert other.get(url()).status_code == 403
        assert post(other, url(tail="/punkter"), title="X", kind="other", placement="opening").status_code == 403
        assert post(other, url(tail=f"/punkter/{sn_item}/ta-bort")).status_code == 403
    secretary = login_as("sekreterare")
    # A standing item of another committee is not found under this one.
    ks_item = item_id("Val av justerare", "KS")
    assert secretary.get(url(tail=f"/punkter/{ks_item}")).status_code == 404
    assert secretary.get("/sammantraden/mall/999999").status_code == 404
    # Without the CSRF token nothing is changed.
    assert secretary.post(url(tail=f"/punkter/{sn_item}/ta-bort")).status_code in (400, 422)
    assert secretary.post(
        url(tail="/punkter"), data={"title": "X", "kind": "other", "placement": "opening"}
    ).status_code in (400, 422)
    assert template() == DEFAULT


def test_no_more_than_twenty_standing_items(login_as, demo):
    client = login_as("sekreterare")
    for n in range(16):
        assert (
            post(client, url(tail="/punkter"), title=f"Punkt {n}", kind="other", placement="opening").status_code == 302
        )
    html = page(client, url())
    assert "Mallen har 20 stående punkter, det högsta antalet." in html
    refused = post(client, url(tail="/punkter"), title="En till", kind="other", placement="opening")
    assert refused.status_code == 422 and "högst 20 stående punkter" in refused.get_data(as_text=True)
    assert (
        fresh().scalar(
            select(func.count()).select_from(StandingItem).where(StandingItem.committee_id == committee().id)
        )
        == 20
    )


def test_an_empty_template_plans_an_empty_agenda(login_as, demo):
    client = login_as("sekreterare")
    for title, _kind, _closes in DEFAULT:
        assert post(client, url(tail=f"/punkter/{item_id(title)}/ta-bort")).status_code == 302
    assert "Mallen har inga stående punkter" in page(client, url())
    day = local_today() + timedelta(days=45)
    planned = post(
        client, "/sammantraden/planera", committee=committee().id, day=day.isoformat(), time="18:00", place="Plenum"
    )
    assert planned.status_code == 302
    meeting_id = int(re.search(r"/sammantraden/(\d+)", planned.headers["Location"]).group(1))
    assert fresh().scalar(select(func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == meeting_id)) == 0


# --- the year plan: several meetings at once ---------------------------------------------------


def test_the_secretary_plans_the_years_meetings_at_once(login_as, demo):
    client = login_as("sekreterare")
    html = page(client, "/sammantraden")
    assert "Planera årets sammanträden" in html and structure_problems(html) == []
    assert len(re.findall(r'id="serie-time"', html)) == 1 and len(re.findall(r'id="time"', html)) == 1
    year = local_today().year + 1
    days = [f"{year}-02-23", f"{year}-01-26", f"{year}-03-23"]
    response = post(
        client,
        "/sammantraden/planera-flera",
        committee=committee().id,
        days="\n".join(days) + "\n\n",
        time="18:00",
        place="Plenum",
        is_public="y",
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/sammantraden?ar={year}"
    html = page(client, response.headers["Location"])
    assert f"3 sammanträden för Socialnämnden är planerade, det första {year}-01-26." in html
    planned = (
        fresh()
        .scalars(
            select(Meeting).where(Meeting.place == "Plenum", Meeting.is_public.is_(True)).order_by(Meeting.start_dt)
        )
        .all()
    )
    assert [f"{m.start_dt.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}" for m in planned] == [
        f"{year}-01-26 18:00",
        f"{year}-02-23 18:00",
        f"{year}-03-23 18:00",
    ]
    assert all(len(m.items) == 4 for m in planned)  # each with the template's standing items


@pytest.mark.parametrize(
    "days, time, message",
    [
        ("2027-02-30", "18:00", "Kan inte läsas: 2027-02-30"),
        ("23/2", "18:00", "Ange datumen som ÅÅÅÅ-MM-DD"),
        ("", "18:00", "Ange minst ett datum."),
        ("2020-01-09", "18:00", "2020-01-09: Sammanträdet kan inte läggas i det förflutna."),
        ("{next}\n{next}", "18:00", "datumet står två gånger."),
        ("{next}", "25:00", "Ange klockslaget som TT:MM"),
        ("\n".join(["{next}"] * 25), "18:00", "Planera högst 24 sammanträden åt gången."),
    ],
)
def test_a_bad_series_plans_nothing(login_as, demo, days, time, message):
    client = login_as("sekreterare")
    before = fresh().scalar(select(func.count()).select_from(Meeting))
    nxt = (local_today() + timedelta(days=50)).isoformat()
    # One good date beside the bad one: all or nothing.
    response = post(
        client,
        "/sammantraden/planera-flera",
        committee=committee().id,
        days=days.replace("{next}", nxt),
        time=time,
        place="Plenum",
    )
    assert response.status_code == 422, response.status_code
    assert message in response.get_data(as_text=True)
    assert fresh().scalar(select(func.count()).select_from(Meeting)) == before


def test_only_secretaries_plan_series(login_as, demo):
    member = login_as("ledamot")
    assert "Planera årets sammanträden" not in page(member, "/sammantraden")
    nxt = (local_today() + timedelta(days=50)).isoformat()
    assert (
        post(
            member, "/sammantraden/planera-flera", committee=committee().id, days=nxt, time="18:00", place="P"
        ).status_code
        == 403
    )
    secretary = login_as("sekreterare")
    assert (
        post(
            secretary, "/sammantraden/planera-flera", committee=committee("KS").id, days=nxt, time="18:00", place="P"
        ).status_code
        == 400
    )  # a committee the form never offered
