"""How a committee writes its agendas, kept in its meeting template: the document's name, the first number,
named sections and the closed part, item markers and the later-handling wording (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from agenda import conventions
from agenda import operations as agenda_ops
from agenda.models import AgendaConventions, AgendaItem, AgendaSection, ItemMarker, Meeting
from app.audit import AuditEntry
from app.validation import ValidationError
from tests.api_helpers import SPEC_URL, conforms
from tests.factories import committee, fresh, page, person, post, publish, publish_with_conventions, rows


def url(prefix: str = "SN", tail: str = "") -> str:
    return f"/sammantraden/mall/{committee(prefix).id}{tail}"


def stored() -> tuple:
    """Everything the conventions keep, to show that a refused change stored nothing."""
    session = fresh()
    return (
        session.scalars(select(AgendaConventions)).all(),
        session.scalars(select(AgendaSection.name)).all(),
        session.scalars(select(ItemMarker.label)).all(),
    )


CONVENTIONS = {
    "notice_title": "Föredragningslista",
    "first_number": "0",
    "closed_section": "Slutet sammanträde",
    "handling_later_text": "Handlingar senare",
}


def test_a_committee_without_its_own_conventions_writes_as_the_demo(demo, meeting):
    own = conventions.conventions_for(committee())
    assert (own.notice_title, own.first_number, own.closed_section, own.handling_later_text) == (
        "Kallelse",
        1,
        "Sekretessärenden",
        "Handling kommer senare",
    )
    assert fresh().scalar(select(func.count()).select_from(AgendaConventions)) == 0
    assert [item.number for item in meeting.items] == [1, 2, 3, 4]


def test_the_secretary_sets_the_conventions_and_the_agenda_follows(login_as, meeting):
    client = login_as("sekreterare")
    html = page(client, url())
    assert "Föredragningslistans form" in html and 'value="Sekretessärenden"' in html
    response = post(client, url(tail="/foredragningslista"), **CONVENTIONS)
    assert response.status_code == 302 and response.headers["Location"].endswith("#foredragningslistans-form")
    assert "Föredragningslistans form är sparad." in page(client, response.headers["Location"])
    for name in ("Beslutsärenden", "Informationsärenden"):
        assert post(client, url(tail="/avsnitt"), name=name).status_code == 302
    assert post(client, url(tail="/markeringar"), label="(KF)").status_code == 302
    html = page(client, url())
    assert (
        "Beslutsärenden" in html and "(KF)" in html and "rubriken blir ”Föredragningslista till Socialnämnden”" in html
    )

    own = conventions.conventions_for(committee())
    assert (own.notice_title, own.first_number, own.closed_section, own.handling_later_text) == (
        "Föredragningslista",
        0,
        "Slutet sammanträde",
        "Handlingar senare",
    )
    decisions, kf = conventions.sections_for(committee())[0], conventions.markers_for(committee())[0]
    meeting = fresh().get(Meeting, meeting.id)
    item = agenda_ops.add_item(
        meeting, user=person("sekreterare"), kind="other", title="Lokalfrågor", section=decisions.id, markers=[kf.id]
    )
    fresh()
    meeting = fresh().get(Meeting, meeting.id)
    assert [i.number for i in meeting.items] == [0, 1, 2, 3, 4]
    item = fresh().get(AgendaItem, item.id)
    assert (item.number, item.section, [m.label for m in item.markers]) == (2, "Beslutsärenden", ["(KF)"])
    # A second item of the same section goes after the first one.
    second = agenda_ops.add_item(
        meeting, user=person("sekreterare"), kind="other", title="Städning", section=str(decisions.id)
    )
    assert second.number == 3 and second.section == "Beslutsärenden"

    actions = fresh().scalars(select(AuditEntry.action).where(AuditEntry.action.like("committee.%"))).all()
    assert sorted(set(actions)) == [
        "committee.agenda_conventions_changed",
        "committee.agenda_section_added",
        "committee.item_marker_added",
    ]
    entry = fresh().scalar(select(AuditEntry).where(AuditEntry.action == "committee.agenda_conventions_changed"))
    assert entry.data["before"]["first_number"] == 1 and entry.data["after"]["first_number"] == 0


def test_sections_and_markers_are_renamed_and_removed(login_as, meeting):
    client = login_as("sekreterare")
    section = conventions.add_section(committee(), user=person("sekreterare"), name="Beslutsärenden")
    marker = conventions.add_marker(committee(), user=person("sekreterare"), label="(KF)")
    item = agenda_ops.add_item(
        meeting, user=person("sekreterare"), kind="other", title="Lokalfrågor", section=section.id, markers=[marker.id]
    )
    fresh()
    assert "Byt namn på avsnittet ”Beslutsärenden”" in page(client, url(tail=f"/avsnitt/{section.id}"))
    assert post(client, url(tail=f"/avsnitt/{section.id}"), name="Ärenden för beslut").status_code == 302
    assert post(client, url(tail=f"/markeringar/{marker.id}"), label="(KF-beslut)").status_code == 302
    item = fresh().get(AgendaItem, item.id)
    assert item.section == "Ärenden för beslut" and [m.label for m in item.markers] == ["(KF-beslut)"]
    assert post(client, url(tail=f"/avsnitt/{section.id}/ta-bort")).status_code == 302
    assert post(client, url(tail=f"/markeringar/{marker.id}/ta-bort")).status_code == 302
    item = fresh().get(AgendaItem, item.id)
    assert item.section is None and item.markers == []
    assert stored()[1:] == ([], [])


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"notice_title": ""}, "Dokumentets namn måste fyllas i."),
        ({"notice_title": "K" * 101}, "Dokumentets namn får vara högst 100 tecken"),
        ({"closed_section": " "}, "Den slutna delens namn måste fyllas i."),
        ({"handling_later_text": "Senare\x07"}, "otillåtna tecken"),
        ({"first_number": "2"}, "Välj ett av alternativen i listan."),
    ],
)
def test_bad_conventions_are_refused_in_swedish_and_nothing_is_stored(login_as, demo, fields, message):
    client = login_as("sekreterare")
    before = stored()
    response = post(client, url(tail="/foredragningslista"), **{**CONVENTIONS, **fields})
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    assert stored() == before


def test_the_operations_refuse_what_the_form_cannot_send(demo):
    secretary = person("sekreterare")
    for value in (2, -1, True, "ett", None):
        with pytest.raises(ValidationError) as refused:
            conventions.set_conventions(committee(), user=secretary, **{**CONVENTIONS, "first_number": value})
        assert refused.value.errors == {"first_number": "Första punktens nummer ska vara 0 eller 1."}
    assert stored() == ([], [], [])


def test_duplicate_names_are_refused(login_as, demo):
    client = login_as("sekreterare")
    assert post(client, url(tail="/avsnitt"), name="Beslutsärenden").status_code == 302
    assert post(client, url(tail="/markeringar"), label="(KF)").status_code == 302
    before = stored()
    for path, fields, message in (
        ("/avsnitt", {"name": "beslutsärenden "}, "Det finns redan ett avsnitt som heter ”beslutsärenden”."),
        ("/avsnitt", {"name": "Sekretessärenden"}, "”Sekretessärenden” är namnet på den slutna delen"),
        ("/avsnitt", {"name": ""}, "Avsnittets namn måste fyllas i."),
        ("/avsnitt", {"name": "A" * 101}, "högst 100 tecken"),
        ("/markeringar", {"label": "(kf)"}, "Det finns redan en markering ”(kf)”."),
        ("/markeringar", {"label": "M" * 31}, "högst 30 tecken"),
        (
            "/foredragningslista",
            {**CONVENTIONS, "closed_section": "Beslutsärenden"},
            "Det finns redan ett avsnitt som heter ”Beslutsärenden”",
        ),
    ):
        response = post(client, url(tail=path), **fields)
        assert response.status_code == 422, (path, fields)
        assert message in response.get_data(as_text=True)
    assert stored() == before


def test_an_item_is_placed_only_in_its_own_committees_sections_and_markers(meeting):
    secretary = person("sekreterare")
    ks_section = conventions.add_section(committee("KS"), user=person("admin"), name="Beslutsärenden")
    ks_marker = conventions.add_marker(committee("KS"), user=person("admin"), label="(KF)")
    fresh()
    count = len(meeting.items)
    with pytest.raises(ValidationError) as refused:
        agenda_ops.add_item(meeting, user=secretary, kind="other", title="Lokalfrågor", section=ks_section.id)
    assert refused.value.errors == {"section": "Avsnittet finns inte bland Socialnämndens avsnitt."}
    with pytest.raises(ValidationError) as refused:
        agenda_ops.add_item(meeting, user=secretary, kind="other", title="Lokalfrågor", markers=[ks_marker.id])
    assert refused.value.errors == {"markers": "Markeringen finns inte bland Socialnämndens markeringar."}
    item = meeting.items[0]
    with pytest.raises(ValidationError):
        agenda_ops.update_item(item, user=secretary, section=ks_section.id)
    fresh()
    assert len(fresh().get(Meeting, meeting.id).items) == count
    assert fresh().get(AgendaItem, item.id).section_id is None


def test_only_the_committees_secretary_keeps_its_conventions(login_as, demo, client):
    ks_section = conventions.add_section(committee("KS"), user=person("admin"), name="Beslutsärenden")
    fresh()
    before = stored()
    assert client.post(url(tail="/avsnitt"), data={"name": "X"}).status_code in (302, 400, 401)  # anonymous
    for key in ("ledamot", "handlaggare"):
        other = login_as(key)
        assert post(other, url(tail="/foredragningslista"), **CONVENTIONS).status_code == 403
        assert post(other, url(tail="/avsnitt"), name="X").status_code == 403
    secretary = login_as("sekreterare")
    # Another committee's section is not found under this one.
    assert secretary.get(url(tail=f"/avsnitt/{ks_section.id}")).status_code == 404
    assert post(secretary, url(tail=f"/avsnitt/{ks_section.id}/ta-bort")).status_code == 404
    # Without the CSRF token nothing is changed.
    assert secretary.post(url(tail="/avsnitt"), data={"name": "X"}).status_code in (400, 422)
    assert stored() == before


# --- an agenda written in a committee's own conventions, built, published and read back -----------------


@pytest.fixture
def conventional(meeting):
    """Socialnämnden's agenda in conventions of its own, published (tests.factories.publish_with_conventions)."""
    published = publish_with_conventions(meeting)
    fresh()
    return published


EXPECTED = [
    (0, "Val av justerare", None),
    (1, "Godkännande av föredragningslistan", None),
    (2, "Taxor för färdtjänst 2027", "Beslutsärenden"),
    (3, "Riktlinjer för hemtjänst 2027", "Beslutsärenden"),
    (4, "Övriga frågor", None),
    (5, "Vårdnad om Alva Exempelsson enligt 6 kap. 8 § föräldrabalken", "Slutet sammanträde"),
    (6, "Delgivningar och anmälda delegationsbeslut", None),
]


def section_headings(html: str) -> list[str]:
    return re.findall(r'<tr class="agenda-section"[^>]*><th scope="row" colspan="\d">([^<]*)</th></tr>', html)


def test_the_published_snapshot_keeps_the_conventions(conventional):
    publication = fresh().get(Meeting, conventional.id).latest_publication
    members, public = publication.members_snapshot, publication.public_snapshot
    assert members["meeting"]["title"] == "Föredragningslista till Socialnämnden"
    assert {key: members["meeting"][key] for key in ("document_name", "first_number", "closed_section")} == {
        "document_name": "Föredragningslista",
        "first_number": 0,
        "closed_section": "Slutet sammanträde",
    }
    assert members["meeting"]["handling_later_text"] == "Handling delas ut på sammanträdet"
    assert [(i["number"], i["title"], i["section"]) for i in members["items"]] == EXPECTED
    adjusted, later, secret = members["items"][2], members["items"][3], members["items"][5]
    assert (adjusted["markers"], adjusted["immediate_adjustment"], adjusted["is_handling_later"]) == (
        ["(KF)"],
        True,
        False,
    )
    assert (later["markers"], later["immediate_adjustment"], later["is_handling_later"]) == ([], False, True)
    assert (secret["kind"], secret["markers"]) == ("confidential_case", ["(KF)"])
    # The public reads the confidential item by its public title only, in the closed part, without its markers.
    shown = public["items"][5]
    assert (shown["number"], shown["title"], shown["section"], shown["markers"]) == (
        5,
        "Ansökan enligt föräldrabalken",
        "Slutet sammanträde",
        [],
    )
    assert public["items"][2]["markers"] == ["(KF)"] and public["items"][2]["immediate_adjustment"] is True


def test_the_builder_shows_the_conventions(login_as, conventional):
    html = page(login_as("sekreterare"), f"/sammantraden/{conventional.id}")
    assert [(n, t) for n, t, _section in EXPECTED] == rows(html)
    assert section_headings(html) == ["Beslutsärenden", "Slutet sammanträde"]
    assert 'data-first-number="0"' in html
    assert html.count('<span class="agenda-marker">(KF)</span>') == 2
    assert html.count('<span class="badge">Omedelbar justering</span>') == 1
    assert '<span class="badge">Handling delas ut på sammanträdet</span>' in html
    # The add forms offer the committee's section and marker.
    assert '<option value="">Inget avsnitt</option>' in html and "Beslutsärenden</option>" in html
    assert '<label for="is_handling_later-arende">Handling delas ut på sammanträdet</label>' in html


def test_members_and_the_public_read_the_conventions(login_as, client, conventional):
    member = login_as("ledamot")
    html = page(member, f"/sammantraden/{conventional.id}/kallelse")
    assert '<h1 id="kallelse-rubrik">Föredragningslista till Socialnämnden</h1>' in html
    assert "SOCIALNÄMNDEN · FÖREDRAGNINGSLISTA" in html
    assert section_headings(html) == ["Beslutsärenden", "Slutet sammanträde"]
    assert re.findall(r'<tr id="punkt-(\d+)"', html) == [str(n) for n, _t, _s in EXPECTED]
    assert html.count('<span class="agenda-marker">(KF)</span>') == 2
    assert '<span class="badge">Omedelbar justering</span>' in html
    assert '<span class="badge">Handling delas ut på sammanträdet</span>' in html
    item = page(member, f"/sammantraden/{conventional.id}/kallelse/punkt/2")
    assert "Omedelbar justering: tjänsteutlåtandet föreslår" in item and "(KF)</span></h1>" in item

    public = page(client, f"/offentligt/sammantraden/{conventional.id}")
    assert '<h1 id="kallelse-rubrik">Föredragningslista till Socialnämnden</h1>' in public
    assert section_headings(public) == ["Beslutsärenden", "Slutet sammanträde"]
    assert public.count('<span class="agenda-marker">(KF)</span>') == 1  # not on the confidential item
    assert "Ansökan enligt föräldrabalken" in public and "Alva" not in public
    assert "Omedelbar justering" in page(client, f"/offentligt/sammantraden/{conventional.id}/punkt/2")
    feed = client.get("/offentligt/SN/kallelser.atom").get_data(as_text=True)
    assert re.search(r"<title>Föredragningslista till Socialnämnden \d{4}-\d\d-\d\d \(version 1\)</title>", feed)


def test_a_published_version_keeps_the_conventions_it_was_published_with(login_as, client, conventional):
    secretary = person("sekreterare")
    conventions.set_conventions(
        committee(),
        user=secretary,
        notice_title="Kallelse",
        first_number=1,
        closed_section="Sekretessärenden",
        handling_later_text="Handling kommer senare",
    )
    conventions.remove_section(conventions.sections_for(committee())[0], user=secretary)
    fresh()
    public = page(client, f"/offentligt/sammantraden/{conventional.id}")
    assert section_headings(public) == ["Beslutsärenden", "Slutet sammanträde"]
    assert '<h1 id="kallelse-rubrik">Föredragningslista till Socialnämnden</h1>' in public
    builder = page(login_as("sekreterare"), f"/sammantraden/{conventional.id}")
    assert [n for n, _t in rows(builder)] == [1, 2, 3, 4, 5, 6, 7]
    assert section_headings(builder) == ["Sekretessärenden"]
    # Publishing again says what changed.
    meeting = fresh().get(Meeting, conventional.id)
    changes = publish(meeting).changes
    assert "Rubrik ändrad: Föredragningslista till Socialnämnden → Kallelse till Socialnämnden." in changes
    assert "”Taxor för färdtjänst 2027” är nu punkt 3 (var 2)." in changes
    assert "Punkt 3 står nu under –." in changes


def test_the_api_answers_in_the_conventions_and_places_items(api_as, client, conventional):
    api, headers = api_as("sekreterare")
    path = f"/api/v1/meetings/{conventional.id}/items"
    agenda = api.get(path, headers=headers).get_json()
    assert [(i["number"], i["section"]) for i in agenda["items"]] == [(n, s) for n, _t, s in EXPECTED]
    adjusted = agenda["items"][2]
    assert (adjusted["markers"], adjusted["immediate_adjustment"]) == (["(KF)"], True)
    published = client.get(f"/api/v1/public/meetings/{conventional.id}/kallelse").get_json()["kallelse"]
    assert json.dumps(published, ensure_ascii=False).count("(KF)") == 1  # not on the confidential item
    assert [(i["number"], i.get("markers")) for i in published["items"]][2] == (2, ["(KF)"])
    spec = client.get(SPEC_URL).get_json()
    conforms(spec, "Agenda", agenda)

    ks_section = conventions.add_section(committee("KS"), user=person("admin"), name="Remissärenden")
    section = conventions.sections_for(committee())[0]
    marker = conventions.markers_for(committee())[0]
    fresh()
    version = agenda["agenda_version"]
    refused = api.post(
        path,
        json={"kind": "other", "title": "Lokalfrågor", "section_id": ks_section.id, "version": version},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"section": "Avsnittet finns inte bland Socialnämndens avsnitt."}
    added = api.post(
        path,
        json={
            "kind": "other",
            "title": "Lokalfrågor",
            "section_id": section.id,
            "markers": [marker.id],
            "version": version,
        },
        headers=headers,
    )
    assert added.status_code == 201, added.get_json()
    item = added.get_json()["item"]
    assert (item["number"], item["section"], item["markers"]) == (4, "Beslutsärenden", ["(KF)"])
    cleared = api.patch(
        f"{path}/{item['id']}", json={"section_id": None, "markers": [], "version": version + 1}, headers=headers
    )
    assert cleared.status_code == 200, cleared.get_json()
    assert (cleared.get_json()["item"]["section"], cleared.get_json()["item"]["markers"]) == (None, [])


def test_the_conventions_are_kept_through_the_api(api_as, demo):
    api, headers = api_as("sekreterare")
    base = f"/api/v1/committees/{committee().id}"
    spec = api.get(SPEC_URL).get_json()
    shown = api.get(f"{base}/agenda-conventions", headers=headers).get_json()["conventions"]
    assert shown == {
        "notice_title": "Kallelse",
        "first_number": 1,
        "closed_section": "Sekretessärenden",
        "handling_later_text": "Handling kommer senare",
        "sections": [],
        "markers": [],
    }
    changed = api.patch(
        f"{base}/agenda-conventions", json={"notice_title": "Ärendelista", "first_number": 0}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["conventions"]["notice_title"] == "Ärendelista"
    assert changed.get_json()["conventions"]["closed_section"] == "Sekretessärenden"  # not sent: kept
    section = api.post(f"{base}/agenda-sections", json={"name": "Remissärenden"}, headers=headers)
    assert section.status_code == 201 and section.get_json()["section"]["name"] == "Remissärenden"
    section_id = section.get_json()["section"]["id"]
    marker = api.post(f"{base}/item-markers", json={"label": "(KF)"}, headers=headers)
    assert marker.status_code == 201
    marker_id = marker.get_json()["marker"]["id"]
    renamed = api.patch(f"{base}/agenda-sections/{section_id}", json={"name": "Remisser"}, headers=headers)
    assert renamed.get_json()["section"] == {"id": section_id, "name": "Remisser"}
    assert (
        api.patch(f"{base}/item-markers/{marker_id}", json={"label": "(KF-ärende)"}, headers=headers).status_code == 200
    )
    shown = api.get(f"{base}/agenda-conventions", headers=headers).get_json()
    conforms(spec, "AgendaConventionsReply", shown)
    assert shown["conventions"]["sections"] == [{"id": section_id, "name": "Remisser"}]
    assert shown["conventions"]["markers"] == [{"id": marker_id, "label": "(KF-ärende)"}]

    before = stored()
    for method, path, body, field, message in (
        (
            "patch",
            "/agenda-conventions",
            {"first_number": 2},
            "first_number",
            "Första punktens nummer ska vara 0 eller 1.",
        ),
        ("patch", "/agenda-conventions", {"first_number": True}, "first_number", None),
        ("patch", "/agenda-conventions", {"first_number": "0"}, "first_number", None),
        ("patch", "/agenda-conventions", {"notice_title": ""}, "notice_title", "Dokumentets namn måste fyllas i."),
        ("patch", "/agenda-conventions", {}, "body", None),
        ("patch", "/agenda-conventions", {"closed_section": "remisser"}, "closed_section", None),
        ("post", "/agenda-sections", {"name": "REMISSER"}, "name", "Det finns redan ett avsnitt som heter ”REMISSER”."),
        ("post", "/agenda-sections", {}, "name", "Avsnittets namn måste fyllas i."),
        ("post", "/item-markers", {"label": "M" * 31}, "label", None),
        ("post", "/item-markers", {"colour": "röd"}, "colour", None),
    ):
        answer = getattr(api, method)(f"{base}{path}", json=body, headers=headers)
        assert answer.status_code in (400, 422), (path, body, answer.status_code)
        fields = answer.get_json()["error"]["fields"]
        assert field in fields, (path, body, fields)
        if message:
            assert fields[field] == message
    assert stored() == before

    member, member_h = api_as("ledamot")
    assert member.get(f"{base}/agenda-conventions", headers=member_h).status_code == 200
    assert member.post(f"{base}/agenda-sections", json={"name": "X"}, headers=member_h).status_code == 403
    ks = f"/api/v1/committees/{committee('KS').id}"
    assert api.get(f"{ks}/agenda-conventions", headers=headers).status_code == 404
    assert api.delete(f"{ks}/agenda-sections/{section_id}", headers=headers).status_code == 404
    assert stored() == before

    assert api.delete(f"{base}/agenda-sections/{section_id}", headers=headers).status_code == 200
    gone = api.delete(f"{base}/item-markers/{marker_id}", headers=headers)
    assert gone.status_code == 200 and gone.get_json()["conventions"]["markers"] == []
    actions = fresh().scalars(select(AuditEntry.action).where(AuditEntry.action.like("committee.%"))).all()
    assert set(actions) >= {
        "committee.agenda_conventions_changed",
        "committee.agenda_section_renamed",
        "committee.agenda_section_removed",
        "committee.item_marker_renamed",
        "committee.item_marker_removed",
    }
