"""How a committee writes its agendas, kept in its meeting template: the document's name, the first number,
named sections and the closed part, item markers and the later-handling wording (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from agenda import conventions
from agenda import operations as agenda_ops
from agenda.models import AgendaConventions, AgendaItem, AgendaSection, ItemMarker, Meeting
from app.audit import AuditEntry
from app.validation import ValidationError
from tests.factories import committee, fresh, page, person, post


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
