"""A case marked confidential after its item was put on the agenda (issue 13's critical finding).

Written as the attack: a signed case with planted texts (canaries) in its title, its report and its
bilaga goes on the agenda; then the registrar marks it confidential and renames it, or the secretary
had given the item a title of its own. Publishing must treat it as the sekretessärende it now is:
nothing of it on a public page or in the public API, withheld from a case officer without the right,
under "Sekretessärenden" with its public title. A version published before the marking stays as it
was, but the public no longer reads the case in it, and the secretary is told and offered a correction.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from agenda import operations as ops
from agenda.models import AgendaItem, ItemKind, Meeting
from app.extensions import db
from app.registry import operations as registry_ops
from tests.canaries import (
    ITEM_TITLE,
    PUBLIC_TITLE,
    REPORT_TEXT,
    TITLE,
    assert_no_canary,
    complete,
    make_confidential,
    signed_case_with_canaries,
)
from tests.factories import add_case_item, body_of, csrf_token, person, publish


def public_reads(client, meeting_id: int) -> dict[str, str]:
    """Every public page and API answer of the meeting's latest version (each must answer 200)."""
    out = {}
    for path in (
        f"/offentligt/sammantraden/{meeting_id}",
        f"/api/v1/public/meetings/{meeting_id}/kallelse",
        "/api/v1/public/meetings",
        "/offentligt",
        "/offentligt/SN/kallelser.atom",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        out[path] = response.get_data(as_text=True)
    kallelse = json.loads(out[f"/api/v1/public/meetings/{meeting_id}/kallelse"])["kallelse"]
    for item in kallelse["items"]:
        path = f"/offentligt/sammantraden/{meeting_id}/punkt/{item['number']}"
        response = client.get(path)
        assert response.status_code == (404 if item["kind"] == ItemKind.confidential_case.value else 200), path
        out[path] = response.get_data(as_text=True)
    return out


@pytest.mark.parametrize("way", ["registrar-renames", "own-item-title"])
def test_a_case_made_confidential_after_it_was_put_on_the_agenda_is_published_as_a_sekretessarende(
    app, client, login_as, api_as, meeting, way
):
    case = signed_case_with_canaries()
    title = ITEM_TITLE if way == "own-item-title" else None
    item = add_case_item(meeting, case, title=title)
    item_id, meeting_id, number = item.id, meeting.id, case.number
    complete(meeting)
    db.session.commit()
    assert not item.is_confidential and item.position < 7  # among the open items, before Övriga frågor
    make_confidential(case, rename=way == "registrar-renames")

    # The secretary's draft already says so, and that publishing moves it.
    builder = login_as("sekreterare").get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "När kallelsen publiceras flyttas den till Sekretessärenden" in builder
    # A case officer without the right to read the case sees only its public title in the API's draft items.
    officer, headers = api_as("controller")
    items = officer.get(f"/api/v1/meetings/{meeting_id}/items", headers=headers)
    assert items.status_code == 200
    shown = next(i for i in items.get_json()["items"] if i["id"] == item_id)
    assert (shown["withheld"], shown["kind"], shown["title"], shown["case_number"]) == (
        True,
        "confidential_case",
        PUBLIC_TITLE,
        None,
    )
    assert_no_canary(items.get_data(as_text=True), "the draft items in the API")
    assert number not in items.get_data(as_text=True)

    publication = publish(db.session.get(Meeting, meeting_id))
    db.session.commit()
    moved = db.session.get(AgendaItem, item_id)
    # Under Sekretessärenden: after Övriga frågor, before the closing Delgivningar.
    titles = [i.title for i in db.session.get(Meeting, meeting_id).items]
    assert (
        titles.index("Övriga frågor") < moved.position - 1 < titles.index("Delgivningar och anmälda delegationsbeslut")
    )
    members_item = next(i for i in publication.members_snapshot["items"] if i["id"] == item_id)
    assert (members_item["kind"], members_item["section"], members_item["public_title"]) == (
        "confidential_case",
        "Sekretessärenden",
        PUBLIC_TITLE,
    )
    public_text = json.dumps(publication.public_snapshot, ensure_ascii=False)
    assert_no_canary(public_text, "the public snapshot")
    assert number not in public_text and PUBLIC_TITLE in public_text

    for path, body in public_reads(client, meeting_id).items():
        assert_no_canary(body, path)
        assert number not in body, path
    # The case officer's members' kallelse shows it withheld; a member who decides on it reads it.
    notice = login_as("controller").get(f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    assert_no_canary(notice, "the case officer's members' kallelse")
    assert PUBLIC_TITLE in notice and number not in notice
    member = login_as("ledamot").get(f"/sammantraden/{meeting_id}/kallelse").get_data(as_text=True)
    assert (title or TITLE) in member and number in member  # the item keeps the title it was given


def test_a_version_published_before_the_marking_is_withdrawn_from_the_public_and_corrected(
    app, client, login_as, meeting
):
    case = signed_case_with_canaries()
    add_case_item(meeting, case)
    complete(meeting)
    first = publish(meeting)
    db.session.commit()
    meeting_id, number = meeting.id, case.number
    assert TITLE in client.get(f"/offentligt/sammantraden/{meeting_id}").get_data(as_text=True)  # open, as yet
    stored = json.dumps(first.public_snapshot, ensure_ascii=False)

    make_confidential(case, rename=False)
    # Version 1 stays as it was published …
    db.session.expire_all()
    assert json.dumps(db.session.get(type(first), first.id).public_snapshot, ensure_ascii=False) == stored
    # … but the public no longer reads the case in it.
    for path, body in public_reads(client, meeting_id).items():
        assert_no_canary(body, path)
        assert number not in body, path
    # A case officer without the right reads version 1 with the case withheld.
    officer_notice = login_as("controller").get(f"/sammantraden/{meeting_id}/kallelse?version=1")
    assert officer_notice.status_code == 200
    assert_no_canary(officer_notice.get_data(as_text=True), "the case officer's version 1")

    # The secretary is told, and offered the corrected version at once.
    secretary = login_as("sekreterare")
    page = secretary.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "Den publicerade kallelsen visar ett ärende som nu är sekretessmarkerat" in page
    assert "Publicera rättelse (version 2)" in page and "är nu ett sekretessärende" in page
    response = secretary.post(
        f"/sammantraden/{meeting_id}/publicera",
        data={"csrf_token": csrf_token(secretary, f"/sammantraden/{meeting_id}")},
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    db.session.expire_all()
    second = db.session.get(Meeting, meeting_id).latest_publication
    assert second.version == 2
    assert any("är nu ett sekretessärende" in line for line in second.changes)
    corrected = json.dumps(second.public_snapshot, ensure_ascii=False) + json.dumps(second.changes, ensure_ascii=False)
    assert_no_canary(corrected, "version 2")
    assert "Den publicerade kallelsen visar" not in body_of(secretary.get(f"/sammantraden/{meeting_id}"))


@pytest.mark.parametrize(
    "text, what",
    [
        (TITLE, "rubriken på ett sekretessärende"),
        ("the number", "diarienumret för ett sekretessärende"),
        ("Remiss från Södertörns tingsrätt", "namnet på en part i ett sekretessärende"),
        (REPORT_TEXT.split(": ", 1)[1], "text ur tjänsteutlåtandet i ett sekretessärende"),
    ],
    ids=["old-title", "number", "party", "report-text"],
)
def test_the_check_before_publishing_refuses_anything_of_a_confidential_case_and_says_where(app, meeting, text, what):
    from app.registry.models import Direction

    case = signed_case_with_canaries()
    registry_ops.register_document(
        case,
        user=person("registrator"),
        direction=Direction.incoming,
        document_date=date(2026, 11, 2),
        counterparty="Södertörns tingsrätt",
        description="Begäran om yttrande",
        is_confidential=True,
        secrecy_provision="26 kap. 1 § OSL",
    )
    add_case_item(meeting, case)
    complete(meeting)
    make_confidential(case, rename=True)  # the check knows the title it had before, too
    text = case.number if text == "the number" else text
    ops.add_item(meeting, user=person("sekreterare"), kind="other", title="Information om remisser", note=f"Se {text}.")
    db.session.commit()
    where = next(i.position for i in meeting.items if i.title == "Information om remisser")
    with pytest.raises(ops.PublicationRefused) as refused:
        publish(meeting)
    assert f"Punkt {where}, anteckning: innehåller {what}." in refused.value.problems
    db.session.rollback()
    assert db.session.scalar(select(Meeting).where(Meeting.id == meeting.id)).publications == []


def test_lifting_the_secrecy_is_a_change_the_secretary_can_publish(app, meeting):
    case = signed_case_with_canaries()
    make_confidential(case, rename=False)
    add_case_item(meeting, case)
    complete(meeting)
    first = publish(meeting)
    db.session.commit()
    assert PUBLIC_TITLE in json.dumps(first.public_snapshot, ensure_ascii=False)
    registry_ops.set_confidentiality(case, user=person("registrator"), is_confidential=False)
    db.session.commit()
    second = publish(db.session.get(Meeting, meeting.id))
    db.session.commit()
    number = next(i["number"] for i in second.members_snapshot["items"] if i["case_id"] == case.id)
    assert f"Punkt {number} är inte längre ett sekretessärende." in second.changes
    assert TITLE in json.dumps(second.public_snapshot, ensure_ascii=False)
